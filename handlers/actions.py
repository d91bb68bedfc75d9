from __future__ import annotations

from contextlib import suppress
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.gateway import SlackFailure, SlackGateway


def register(app: AsyncApp) -> None:
    app.action(messages.SHOW_HELP)(show_help)
    app.action("open_home")(acknowledge_link)


async def show_help(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
) -> None:
    await ack()
    if body.get("view"):
        # The gateway logs a failure; on App Home there is no reply channel to explain it in.
        with suppress(SlackFailure):
            await SlackGateway(client).open_modal(body["trigger_id"], messages.help_modal())
        return
    team_id = body["team"]["id"]
    await respond(**messages.help_message(team_id, body["api_app_id"]), replace_original=False)


async def acknowledge_link(ack: AsyncAck) -> None:
    """Slack sends an action for link buttons too; unanswered, it shows the person a warning."""
    await ack()
