"""Rate limits, injected failures and the record of calls."""

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Sandbox


async def test_rate_limited_call_gets_429_with_retry_after(
    sandbox: Sandbox, client: AsyncWebClient
):
    sandbox.set_rate_limit("conversations.list", per_minute=20, burst=1)
    await client.conversations_list()

    with pytest.raises(SlackApiError) as raised:
        await client.conversations_list()

    response = raised.value.response
    assert response.status_code == 429
    assert response["error"] == "ratelimited"
    assert response.headers["Retry-After"] == "3"
    assert sandbox.rate_limited_count == 1
    assert [call.status for call in sandbox.calls_to("conversations.list")] == [200, 429]


async def test_client_with_retry_handler_waits_and_succeeds(sandbox: Sandbox):
    client = AsyncWebClient(
        token=sandbox.bot_token,
        base_url=sandbox.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )
    sandbox.set_rate_limit("users.list", per_minute=60, burst=1)

    await client.users_list()
    second = await client.users_list()

    assert second["ok"] is True
    assert sandbox.rate_limited_count == 1
    assert [call.status for call in sandbox.calls_to("users.list")] == [200, 429, 200]


async def test_bucket_refills_with_time(sandbox: Sandbox, client: AsyncWebClient):
    sandbox.set_rate_limit("auth.test", per_minute=60, burst=2)
    await client.auth_test()
    await client.auth_test()
    with pytest.raises(SlackApiError):
        await client.auth_test()

    sandbox.clock.advance(1.0)

    assert (await client.auth_test())["ok"] is True


async def test_time_scale_speeds_limits_up(sandbox: Sandbox, client: AsyncWebClient):
    sandbox.time_scale = 60
    sandbox.set_rate_limit("auth.test", per_minute=1, burst=1)
    await client.auth_test()

    with pytest.raises(SlackApiError) as raised:
        await client.auth_test()
    sandbox.clock.advance(1.0)

    assert raised.value.response.headers["Retry-After"] == "1"
    assert (await client.auth_test())["ok"] is True


async def test_limits_apply_per_method(sandbox: Sandbox, client: AsyncWebClient):
    sandbox.set_rate_limit("auth.test", per_minute=1, burst=1)
    await client.auth_test()

    assert (await client.users_list())["ok"] is True


async def test_fail_next_answers_the_given_error_the_given_number_of_times(
    sandbox: Sandbox, client: AsyncWebClient
):
    sandbox.fail_next("users.list", "fatal_error", times=2)

    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            await client.users_list()
        assert raised.value.response["error"] == "fatal_error"

    assert (await client.users_list())["ok"] is True
    assert [(c.ok, c.error) for c in sandbox.calls_to("users.list")] == [
        (False, "fatal_error"),
        (False, "fatal_error"),
        (True, None),
    ]


async def test_server_error_is_retried_by_the_server_error_handler(sandbox: Sandbox):
    client = AsyncWebClient(
        token=sandbox.bot_token,
        base_url=sandbox.api_url,
        retry_handlers=[
            AsyncServerErrorRetryHandler(
                max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.01)
            )
        ],
    )
    sandbox.fail_next("auth.test", status=500)

    identity = await client.auth_test()

    assert identity["ok"] is True
    assert [call.status for call in sandbox.calls_to("auth.test")] == [500, 200]


def test_fail_next_needs_an_error_or_a_server_status(sandbox: Sandbox):
    with pytest.raises(ValueError):
        sandbox.fail_next("auth.test")


async def test_calls_record_method_params_headers_and_outcome(
    sandbox: Sandbox, client: AsyncWebClient, maria: str
):
    channel = sandbox.add_channel("recorded", creator=maria, members=[sandbox.bot_user_id])

    await client.chat_postMessage(channel=channel, text="hello")
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel="C0NOTHERE00", text="hello")

    sent, refused = sandbox.calls_to("chat.postMessage")
    assert sent.params == {"channel": channel, "text": "hello"}
    assert sent.headers["Authorization"] == f"Bearer {sandbox.bot_token}"
    assert (sent.ok, sent.error) == (True, None)
    assert (refused.ok, refused.error) == (False, "channel_not_found")
    assert sent.at <= refused.at


async def test_wait_for_call_returns_once_the_call_arrived(
    sandbox: Sandbox, client: AsyncWebClient
):
    await client.auth_test()

    call = await sandbox.wait_for_call("auth.test", within=1.0)

    assert call.ok is True
    with pytest.raises(TimeoutError):
        await sandbox.wait_for_call("auth.test", count=2, within=0.05)
