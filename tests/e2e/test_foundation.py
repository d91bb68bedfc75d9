"""The foundation over real HTTP: signatures, url_verification, /coe help, App Home, deduplicated
deliveries, /health, the request log, and the manifest against what the app registers."""

from __future__ import annotations

import json
import logging
import time

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.local import LocalDeployment
from bot.manifest import build_manifest
from bot.sandbox import Sandbox


def signed_headers(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
        "Content-Type": "application/json",
    }


async def post(url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
        return r.status, await r.text()


def block_text(blocks: list[dict]) -> str:
    return json.dumps(blocks)


async def test_unsigned_and_badly_signed_requests_get_401(slack: LocalDeployment):
    body = json.dumps({"type": "event_callback", "event": {"type": "app_home_opened"}})
    status, _ = await post(slack.events_url, body, {"Content-Type": "application/json"})
    assert status == 401
    headers = signed_headers("not-the-secret", body)
    assert (await post(slack.events_url, body, headers))[0] == 401


async def test_timestamp_older_than_five_minutes_gets_401(slack: LocalDeployment):
    body = json.dumps({"type": "url_verification", "challenge": "abc"})
    stale = signed_headers(slack.sandbox.signing_secret, body, int(time.time()) - 6 * 60)
    assert (await post(slack.events_url, body, stale))[0] == 401


async def test_url_verification_echoes_the_challenge(slack: LocalDeployment):
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY"})
    status, text = await post(
        slack.events_url, body, signed_headers(slack.sandbox.signing_secret, body)
    )
    assert status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY" in text


async def test_help_lists_the_commands_with_a_next_action(slack: LocalDeployment):
    maria = slack.sandbox.add_user("maria", real_name="Maria Lopez")
    response = await slack.sandbox.driver.command("/coe", "help", user_id=maria)
    assert response.status == 200 and response.acked_in_time
    ack = response.json
    assert "/coe help" in ack["text"]
    assert "/coe help" in block_text(ack["blocks"])
    assert Sandbox.find_button(ack["blocks"], "open_home") is not None


async def test_empty_command_means_help(slack: LocalDeployment):
    maria = slack.sandbox.add_user("maria")
    response = await slack.sandbox.driver.command("/coe", "", user_id=maria)
    assert "/coe help" in response.json["text"]


async def test_unknown_command_suggests_and_its_button_shows_help(slack: LocalDeployment):
    maria = slack.sandbox.add_user("maria")
    response = await slack.sandbox.driver.command("/coe", "hepl me", user_id=maria)
    ack = response.json
    assert "Did you mean `/coe help`?" in block_text(ack["blocks"])
    shown = slack.sandbox.ephemerals(maria)[-1]
    clicked = await slack.sandbox.driver.click(maria, "coe_help", message=shown)
    assert clicked.status == 200
    replies = slack.sandbox.responses_for(maria)
    assert replies and "/coe help" in replies[-1]["payload"]["text"]


async def test_typed_text_echoed_back_never_pings(slack: LocalDeployment):
    maria = slack.sandbox.add_user("maria")
    response = await slack.sandbox.driver.command("/coe", "<!channel>", user_id=maria)
    rendered = block_text(response.json["blocks"])
    assert "<!channel>" not in rendered
    assert "&lt;!channel&gt;" in rendered


async def test_overlong_command_gets_a_clear_limit(slack: LocalDeployment):
    maria = slack.sandbox.add_user("maria")
    response = await slack.sandbox.driver.command("/coe", "find " + "x" * 3000, user_id=maria)
    assert "more than 2,000 characters" in block_text(response.json["blocks"])


async def test_app_home_is_published_once_per_event_even_when_delivered_twice(
    slack: LocalDeployment,
):
    maria = slack.sandbox.add_user("maria")
    first = await slack.sandbox.human.open_app_home(maria)
    home = slack.sandbox.home_view(maria)
    assert home is not None and "Roundtable" in block_text(home["blocks"])
    event_id = first.payload["event_id"]
    retry = await slack.sandbox.driver.send_event(
        first.payload["event"], event_id=event_id, retry_num=1
    )
    assert retry.status == 200
    assert len(slack.sandbox.calls_to("views.publish")) == 1


async def test_work_that_failed_midway_is_done_on_retry(slack: LocalDeployment):
    maria = slack.sandbox.add_user("maria")
    slack.sandbox.fail_next("views.publish", "internal_error")
    first = await slack.sandbox.human.open_app_home(maria)
    assert slack.sandbox.home_view(maria) is None
    event_id = first.payload["event_id"]
    await slack.sandbox.driver.send_event(first.payload["event"], event_id=event_id, retry_num=1)
    assert slack.sandbox.home_view(maria) is not None
    await slack.sandbox.driver.send_event(first.payload["event"], event_id=event_id, retry_num=2)
    assert len([c for c in slack.sandbox.calls_to("views.publish") if c.ok]) == 1


async def test_home_button_opens_the_command_list(slack: LocalDeployment):
    maria = slack.sandbox.add_user("maria")
    await slack.sandbox.human.open_app_home(maria)
    home = slack.sandbox.home_view(maria)
    await slack.sandbox.driver.click(maria, "coe_help", view=home)
    modal = slack.sandbox.modal(maria)
    assert modal is not None and "/coe help" in block_text(modal["blocks"])


async def test_health_reports_the_database(slack: LocalDeployment):
    async with aiohttp.ClientSession() as http, http.get(f"{slack.url}/health") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok", "database": "ok"}


async def test_each_request_logs_one_line_of_ids_and_never_text(
    slack: LocalDeployment, caplog: pytest.LogCaptureFixture
):
    maria = slack.sandbox.add_user("maria")
    with caplog.at_level(logging.INFO, logger="roundtable.requests"):
        await slack.sandbox.driver.command("/coe", "secret-plan-omega", user_id=maria)
        await slack.sandbox.human.open_app_home(maria)
    lines = [r.getMessage() for r in caplog.records if r.name == "roundtable.requests"]
    assert len(lines) == 2
    assert f"user={maria}" in lines[0] and "team=T0SANDBOX1" in lines[0]
    assert "event=app_home_opened event_id=Ev" in lines[1]
    assert all("secret-plan-omega" not in line for line in lines)


def realistic_event(event_type: str, user: str, channel: str) -> dict:
    """The smallest payload Slack really sends for each event Roundtable subscribes to."""
    channel_object = {"id": channel, "name": "general", "created": 1700000000, "creator": user}
    user_object = {"id": user, "name": "maria", "deleted": False, "profile": {"title": ""}}
    shapes = {
        "channel_created": {"channel": channel_object},
        "channel_rename": {"channel": channel_object},
        "group_rename": {"channel": channel_object},
        "member_joined_channel": {"user": user, "channel": channel, "channel_type": "C"},
        "member_left_channel": {"user": user, "channel": channel, "channel_type": "C"},
        "channel_left": {"channel": channel, "actor_id": user},
        "group_left": {"channel": channel, "actor_id": user},
        "user_change": {"user": user_object},
        "team_join": {"user": user_object},
        "app_home_opened": {"user": user, "tab": "messages"},
        "app_uninstalled": {},
        "tokens_revoked": {"tokens": {"oauth": [user], "bot": []}},
    }
    return {"type": event_type, **shapes.get(event_type, {"channel": channel, "user": user})}


async def test_the_app_handles_exactly_the_events_the_manifest_declares(slack: LocalDeployment):
    maria = slack.sandbox.add_user("maria")
    general = slack.sandbox.add_channel("general", creator=maria, members=[maria])
    declared = build_manifest()["settings"]["event_subscriptions"]["bot_events"]
    for event_type in declared:
        event = realistic_event(event_type, maria, general)
        response = await slack.sandbox.driver.send_event(event)
        assert response.status == 200, f"{event_type} is declared but not handled"
    undeclared = await slack.sandbox.driver.send_event({"type": "reaction_added", "user": maria})
    assert undeclared.status == 404
