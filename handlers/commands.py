from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot import coe, messages

COMMANDS = ("/coe",)


def register(app: AsyncApp) -> None:
    app.command("/coe")(handle_coe)


async def handle_coe(ack: AsyncAck, command: dict[str, Any]) -> None:
    text = command.get("text") or ""
    if len(text) > coe.MAX_TEXT:
        await ack(**messages.text_too_long(coe.MAX_TEXT))
        return
    request = coe.parse(text)
    route = ROUTES.get(request.name)
    if route is None:
        await ack(**messages.unknown_command(request.name))
        return
    await route(ack, command, request)


async def show_help(ack: AsyncAck, command: dict[str, Any], _request: coe.CoeRequest) -> None:
    await ack(**messages.help_message(command["team_id"], command["api_app_id"]))


Route = Callable[[AsyncAck, dict[str, Any], coe.CoeRequest], Awaitable[None]]
ROUTES: dict[str, Route] = {"help": show_help}
