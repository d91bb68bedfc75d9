from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.gateway import SlackGateway
from bot.home import publish_home

EVENTS = ("app_home_opened",)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(app_home_opened)


async def app_home_opened(
    body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    if event.get("tab") != "home":
        return
    gateway = SlackGateway(client)
    await context["services"].inbox.process(body, lambda: publish_home(gateway, event["user"]))
