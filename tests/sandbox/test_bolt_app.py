"""A real Bolt app against the sandbox: the same payloads and answers the production app sees."""

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Sandbox

CLAIM_BUTTON = {
    "type": "actions",
    "block_id": "claims",
    "elements": [
        {
            "type": "button",
            "action_id": "claim",
            "value": "social",
            "text": {"type": "plain_text", "text": "Claim"},
        }
    ],
}


def build_app(sandbox: Sandbox) -> AsyncApp:
    app = AsyncApp(
        signing_secret=sandbox.signing_secret,
        client=AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url),
        process_before_response=True,
    )

    @app.command("/coe")
    async def coe(ack, respond, command, client) -> None:
        await ack()
        await respond(f"Hi <@{command['user_id']}>, nobody owns social media yet")
        await client.chat_postMessage(
            channel=command["user_id"], text="Claim it?", blocks=[CLAIM_BUTTON]
        )

    @app.action("claim")
    async def claim(ack, respond, body) -> None:
        await ack()
        value = body["actions"][0]["value"]
        await respond(replace_original=True, text=f"<@{body['user']['id']}> owns {value}")

    @app.event("app_home_opened")
    async def home(event, client) -> None:
        await client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Welcome"}}],
            },
        )

    @app.event("member_joined_channel")
    async def joined(event, client, context) -> None:
        if event["user"] == context.bot_user_id:
            await client.chat_postMessage(channel=event["channel"], text="Hello, I map owners")

    return app


@pytest.fixture
async def bolt_app(sandbox: Sandbox) -> AsyncIterator[None]:
    runner = web.AppRunner(build_app(sandbox).web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    sandbox.connect(f"http://{host}:{port}/slack/events")
    yield
    await runner.cleanup()


@pytest.mark.usefixtures("bolt_app")
async def test_command_respond_and_dm_then_click_replaces_the_message(sandbox: Sandbox, maria: str):
    ack = await sandbox.driver.command("/coe", "", user_id=maria)
    [dm_message] = sandbox.messages(sandbox.dm_channel_id(maria))
    await sandbox.driver.click(maria, "claim", message=dm_message)

    assert ack.status == 200 and ack.acked_in_time
    command_reply, click_reply = sandbox.responses_for(maria)
    assert command_reply["payload"]["text"] == f"Hi <@{maria}>, nobody owns social media yet"
    assert click_reply["payload"]["replace_original"] is True
    assert sandbox.messages(sandbox.dm_channel_id(maria))[0]["text"] == f"<@{maria}> owns social"
    assert "@maria owns social" in sandbox.transcript()


@pytest.mark.usefixtures("bolt_app")
async def test_events_reach_bolt_listeners(sandbox: Sandbox, maria: str):
    channel = sandbox.add_channel("growth", creator=maria)

    await sandbox.human.open_app_home(maria)
    await sandbox.human.invite(maria, channel, [sandbox.bot_user_id])

    assert sandbox.home_view(maria)["blocks"][0]["text"]["text"] == "Welcome"
    assert [m["text"] for m in sandbox.messages(channel)] == ["Hello, I map owners"]
    assert all(d.status == 200 for d in sandbox.driver.deliveries)
