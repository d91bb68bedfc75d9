"""The driver as Slack toward the app: signed deliveries, commands, response URLs, clicks."""

import re
from typing import Any

import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.sandbox import Sandbox
from tests.sandbox.fake_app import FakeApp, Received

CLAIM_BLOCKS: list[dict[str, Any]] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "Nobody owns *social media*"}},
    {
        "type": "actions",
        "block_id": "claim_actions",
        "elements": [
            {
                "type": "button",
                "action_id": "claim",
                "text": {"type": "plain_text", "text": "Claim"},
                "value": "topic-42",
            }
        ],
    },
]


async def test_event_is_signed_and_wrapped_in_the_event_callback_envelope(
    sandbox: Sandbox, app: FakeApp, maria: str
):
    response = await sandbox.driver.send_event(
        {"type": "app_home_opened", "user": maria, "channel": "D0123456789", "tab": "home"}
    )

    assert response.status == 200
    assert response.acked_in_time
    [received] = app.received
    envelope = received.payload
    assert envelope["type"] == "event_callback"
    assert envelope["team_id"] == sandbox.team_id
    assert envelope["api_app_id"] == "A0SANDBOX01"
    assert re.fullmatch(r"Ev[A-Z0-9]{10}", envelope["event_id"])
    assert envelope["authorizations"][0]["user_id"] == sandbox.bot_user_id
    assert envelope["authorizations"][0]["is_bot"] is True
    assert envelope["event"]["user"] == maria
    assert re.fullmatch(r"\d{10}\.\d{6}", envelope["event"]["event_ts"])
    assert "X-Slack-Retry-Num" not in received.headers


async def test_an_app_with_another_secret_rejects_the_delivery(sandbox: Sandbox):
    impostor = FakeApp("some-other-secret")
    await impostor.start()
    sandbox.connect(impostor.url)
    try:
        response = await sandbox.driver.send_event({"type": "team_join", "user": {}})
    finally:
        await impostor.stop()

    assert response.status == 401
    assert impostor.rejected == 1


async def test_retry_resends_the_same_envelope_with_retry_headers(
    sandbox: Sandbox, app: FakeApp, maria: str
):
    first = await sandbox.driver.send_event({"type": "team_join", "user": {"id": maria}})

    await sandbox.driver.send_event(
        {}, event_id=first.payload["event_id"], retry_num=1, retry_reason="http_timeout"
    )

    original, retry = app.received
    assert retry.body == original.body
    assert retry.headers["X-Slack-Retry-Num"] == "1"
    assert retry.headers["X-Slack-Retry-Reason"] == "http_timeout"


async def test_command_carries_every_slash_command_field(
    sandbox: Sandbox, app: FakeApp, maria: str
):
    channel = sandbox.add_channel("mktg-social", creator=maria)

    await sandbox.driver.command("/coe", "claim #mktg-social", user_id=maria, channel_id=channel)

    [command] = app.payloads("command")
    assert command["command"] == "/coe"
    assert command["text"] == "claim #mktg-social"
    assert command["user_id"] == maria
    assert command["user_name"] == "maria"
    assert command["channel_id"] == channel
    assert command["channel_name"] == "mktg-social"
    assert command["team_id"] == sandbox.team_id
    assert command["team_domain"] == "sandbox-co"
    assert command["api_app_id"] == "A0SANDBOX01"
    assert command["is_enterprise_install"] == "false"
    assert command["response_url"].startswith(f"{sandbox.base_url}/response/")
    assert command["trigger_id"]


async def test_command_acknowledged_with_text_shows_it_to_the_user(
    sandbox: Sandbox, app: FakeApp, maria: str
):
    async def ack_with_text(_: Received) -> web.Response:
        return web.json_response({"text": "Working on it"})

    app.reply = ack_with_text

    response = await sandbox.driver.command("/coe", "help", user_id=maria)

    assert response.json == {"text": "Working on it"}
    [shown] = sandbox.ephemerals(maria)
    assert shown["text"] == "Working on it"
    assert shown["channel"] == sandbox.dm_channel_id(maria)


async def test_transcript_shows_the_ack_before_what_the_app_sent_after_it(
    sandbox: Sandbox, app: FakeApp, maria: str
):
    async def follow_up_then_ack(received: Received) -> web.Response:
        await AsyncWebhookClient(received.payload["response_url"]).send(text="Follow-up")
        return web.json_response({"text": "Acknowledged"})

    app.reply = follow_up_then_ack

    await sandbox.driver.command("/coe", "claim #x", user_id=maria)

    shown = [entry.detail for entry in sandbox.log if entry.kind != "command"]
    assert [line.strip() for line in shown] == ["Acknowledged", "Follow-up"]
    assert [e["text"] for e in sandbox.ephemerals(maria)] == ["Follow-up", "Acknowledged"]


async def test_response_url_round_trip(sandbox: Sandbox, app: FakeApp, maria: str):
    channel = sandbox.add_channel("launch", creator=maria)
    await sandbox.driver.command("/coe", "status", user_id=maria, channel_id=channel)
    response_url = app.payloads("command")[0]["response_url"]
    webhook = AsyncWebhookClient(response_url)

    private = await webhook.send(text="Only for you")
    public = await webhook.send(text="Status: on track", response_type="in_channel")

    assert (private.status_code, public.status_code) == (200, 200)
    assert [e["text"] for e in sandbox.ephemerals(maria)] == ["Only for you"]
    assert [m["text"] for m in sandbox.messages(channel)] == ["Status: on track"]
    assert [r["payload"]["text"] for r in sandbox.responses_for(maria)] == [
        "Only for you",
        "Status: on track",
    ]
    assert sandbox.responses[0]["command"] == "/coe"


REPEATED_ACTION_ID = [{**CLAIM_BLOCKS[1], "elements": CLAIM_BLOCKS[1]["elements"] * 2}]


async def test_response_url_refuses_a_repeated_action_id_in_a_block(
    sandbox: Sandbox, app: FakeApp, maria: str
):
    await sandbox.driver.command("/coe", "dupes", user_id=maria)
    webhook = AsyncWebhookClient(app.payloads("command")[0]["response_url"])

    refused = await webhook.send(text="Two claims", blocks=REPEATED_ACTION_ID)

    assert (refused.status_code, refused.body) == (400, '{"ok": false, "error": "invalid_blocks"}')
    assert sandbox.ephemerals(maria) == []
    assert sandbox.responses_for(maria) == []
    assert "Slack refused Roundtable's reply to maria (via response_url)" in sandbox.transcript()


async def test_command_acknowledged_with_a_repeated_action_id_shows_nothing(
    sandbox: Sandbox, app: FakeApp, maria: str
):
    async def ack_with_bad_blocks(_: Received) -> web.Response:
        return web.json_response({"text": "Two claims", "blocks": REPEATED_ACTION_ID})

    app.reply = ack_with_bad_blocks

    await sandbox.driver.command("/coe", "dupes", user_id=maria)

    assert sandbox.ephemerals(maria) == []
    assert (
        sandbox.log[-1].summary
        == "Slack refused Roundtable's reply to maria (via ack): invalid_blocks"
    )


async def test_response_url_takes_five_posts_within_thirty_minutes(
    sandbox: Sandbox, app: FakeApp, maria: str
):
    await sandbox.driver.command("/coe", "a", user_id=maria)
    await sandbox.driver.command("/coe", "b", user_id=maria)
    first_url, second_url = [c["response_url"] for c in app.payloads("command")]
    first, second = AsyncWebhookClient(first_url), AsyncWebhookClient(second_url)

    statuses = [(await first.send(text=f"reply {n}")).status_code for n in range(6)]
    sandbox.clock.advance(31 * 60)
    expired = await second.send(text="too late")

    assert statuses == [200] * 5 + [404]
    assert expired.status_code == 404
    assert expired.body == '{"ok": false, "error": "expired_url"}'
    assert len(sandbox.responses_for(maria)) == 5


async def test_click_sends_block_actions_with_the_message_and_a_response_url(
    sandbox: Sandbox, app: FakeApp, client: AsyncWebClient, maria: str
):
    channel = sandbox.add_channel("topics", creator=maria, members=[sandbox.bot_user_id])
    await client.chat_postMessage(channel=channel, text="Nobody owns social", blocks=CLAIM_BLOCKS)
    [message] = sandbox.messages(channel)

    assert sandbox.find_button(message["blocks"], "claim")["value"] == "topic-42"
    await sandbox.driver.click(maria, "claim", message=message)

    [payload] = app.payloads("block_actions")
    assert payload["user"]["id"] == maria
    assert payload["channel"] == {"id": channel, "name": "topics"}
    assert payload["container"]["message_ts"] == message["ts"]
    assert payload["message"]["ts"] == message["ts"]
    [action] = payload["actions"]
    assert (action["action_id"], action["block_id"], action["value"], action["type"]) == (
        "claim",
        "claim_actions",
        "topic-42",
        "button",
    )
    assert payload["trigger_id"]
    assert "maria clicked [Claim] in #topics" in sandbox.transcript()


async def test_click_response_can_replace_or_delete_the_original(
    sandbox: Sandbox, app: FakeApp, client: AsyncWebClient, maria: str
):
    channel = sandbox.add_channel("topics", creator=maria, members=[sandbox.bot_user_id])
    await client.chat_postMessage(channel=channel, text="Claim?", blocks=CLAIM_BLOCKS)
    await client.chat_postMessage(channel=channel, text="Second", blocks=CLAIM_BLOCKS)
    first, second = sandbox.messages(channel)
    await sandbox.driver.click(maria, "claim", message=first)
    await sandbox.driver.click(maria, "claim", message=second)
    first_url, second_url = [p["response_url"] for p in app.payloads("block_actions")]

    await AsyncWebhookClient(first_url).send(text="Claimed by maria", replace_original=True)
    await AsyncWebhookClient(second_url).send(text="", delete_original=True)

    assert [m["text"] for m in sandbox.messages(channel)] == ["Claimed by maria"]
    assert sandbox.messages(channel)[0]["blocks"] == []


async def test_click_in_the_app_home_sends_the_view(
    sandbox: Sandbox, app: FakeApp, client: AsyncWebClient, maria: str
):
    await client.views_publish(user_id=maria, view={"type": "home", "blocks": CLAIM_BLOCKS})
    home = sandbox.home_view(maria)

    await sandbox.driver.click(maria, "claim", view=home)

    [payload] = app.payloads("block_actions")
    assert payload["container"] == {"type": "view", "view_id": home["id"]}
    assert payload["view"]["id"] == home["id"]
    assert "response_url" not in payload


async def test_clicking_a_missing_button_fails_loudly(
    sandbox: Sandbox, app: FakeApp, client: AsyncWebClient, maria: str
):
    await client.views_publish(user_id=maria, view={"type": "home", "blocks": CLAIM_BLOCKS})

    with pytest.raises(LookupError, match="unclaim"):
        await sandbox.driver.click(maria, "unclaim", view=sandbox.home_view(maria))

    assert app.received == []
    assert sandbox.find_button(CLAIM_BLOCKS, "unclaim") is None
