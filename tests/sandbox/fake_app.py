"""A tiny aiohttp app standing in for Roundtable: it checks Slack's signature like Bolt does,
records what arrives and answers with whatever the test sets in `reply`."""

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_sdk.signature import SignatureVerifier


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: str
    payload: dict[str, Any]


Reply = Callable[[Received], Awaitable[web.Response]]


async def empty_ack(_: Received) -> web.Response:
    return web.Response(status=200)


class FakeApp:
    def __init__(self, signing_secret: str) -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self._runner: web.AppRunner | None = None
        self.received: list[Received] = []
        self.rejected = 0
        self.reply: Reply = empty_ack
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/slack/events", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/slack/events"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.text()
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        signature = request.headers.get("X-Slack-Signature")
        if not self._verifier.is_valid(body, timestamp, signature):
            self.rejected += 1
            return web.json_response({"error": "invalid request"}, status=401)
        received = Received(dict(request.headers), body, _parse(body, request.content_type))
        self.received.append(received)
        return await self.reply(received)

    def payloads(self, kind: str) -> list[dict[str, Any]]:
        """Received payloads of one kind: an event type, "command", or an interaction type."""
        return [item.payload for item in self.received if _kind_of(item.payload) == kind]


def _kind_of(payload: dict[str, Any]) -> str:
    if payload.get("type") == "event_callback":
        return payload["event"]["type"]
    if "command" in payload:
        return "command"
    return payload.get("type", "")


def _parse(body: str, content_type: str) -> dict[str, Any]:
    if content_type == "application/json":
        return json.loads(body)
    form = dict(parse_qsl(body))
    return json.loads(form["payload"]) if "payload" in form else form
