"""The HTTP face of the sandbox: the Web API under /api/, the upload URL, response URLs, and the
WebSocket that apps.connections.open hands out (it says hello and holds the connection; no
requests are sent over it yet)."""

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.sandbox.api_args import Args, SlackError
from bot.sandbox.faults import FailurePlan, RateLimiter
from bot.sandbox.interactivity import Responder, ResponseUrlRefused, ResponseUrls
from bot.sandbox.web_api import WebApi
from bot.sandbox.workspace import APP_ID, Workspace

API_PREFIX = "/api/"
SOCKET_PATH = "/link/"
# Methods called with the app-level token (xapp-) instead of the bot token.
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


@dataclass(frozen=True)
class Call:
    """One Web API call as the sandbox received and answered it."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    ok: bool
    error: str | None
    at: float
    status: int = 200


@dataclass(frozen=True)
class _Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def failure(cls, error: str, status: int = 200) -> "_Answer":
        return cls(status, {"ok": False, "error": error})


class SandboxServer:
    def __init__(
        self,
        *,
        workspace: Workspace,
        api: WebApi,
        rate_limiter: RateLimiter,
        failures: FailurePlan,
        response_urls: ResponseUrls,
        responder: Responder,
    ) -> None:
        self._workspace = workspace
        self._api = api
        self._rate_limiter = rate_limiter
        self._failures = failures
        self._response_urls = response_urls
        self._responder = responder
        self.calls: list[Call] = []
        self._calls_changed = asyncio.Condition()
        self.responses: list[dict[str, Any]] = []
        self.base_url = ""
        self._runner: web.AppRunner | None = None
        self._sockets: set[web.WebSocketResponse] = set()

    def upload_url(self, file_id: str) -> str:
        return f"{self.base_url}/upload/v1/{file_id}"

    def response_url(self, token: str) -> str:
        return f"{self.base_url}/response/{token}"

    def socket_url(self) -> str:
        return f"{self.base_url.replace('http://', 'ws://', 1)}{SOCKET_PATH}"

    @property
    def socket_count(self) -> int:
        """Socket Mode connections open now."""
        return len(self._sockets)

    async def start(self, host: str, port: int) -> None:
        app = web.Application()
        app.router.add_route("*", API_PREFIX + "{method}", self._handle_api)
        app.router.add_post("/upload/v1/{file_id}", self._handle_upload)
        app.router.add_post("/response/{token}", self._handle_response_url)
        app.router.add_get(SOCKET_PATH, self._handle_socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.base_url = f"http://{bound_host}:{bound_port}"

    async def stop(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # Web API ------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params = await _read_params(request)
        except SlackError as error:
            params, answer = {}, _Answer(200, error.body())
        else:
            answer = self._answer(method, _take_token(request, params), params)
        await self._record(
            Call(
                method=method,
                params=params,
                headers=dict(request.headers),
                ok=bool(answer.body.get("ok")),
                error=answer.body.get("error"),
                at=self._workspace.clock.now(),
                status=answer.status,
            )
        )
        return web.json_response(answer.body, status=answer.status, headers=answer.headers)

    async def _record(self, call: Call) -> None:
        async with self._calls_changed:
            self.calls.append(call)
            self._calls_changed.notify_all()

    async def wait_for_calls(self, condition: Callable[[], bool]) -> None:
        """Return once `condition` holds, checking it again after each recorded call."""
        async with self._calls_changed:
            await self._calls_changed.wait_for(condition)

    def _answer(self, method: str, token: str | None, params: dict[str, Any]) -> _Answer:
        if method not in self._api.methods:
            return _Answer.failure("unknown_method")
        if token is None:
            return _Answer.failure("not_authed")
        app_level = method in APP_TOKEN_METHODS
        if token != (self._workspace.app_token if app_level else self._workspace.bot_token):
            return _Answer.failure("invalid_auth")
        retry_after = self._rate_limiter.acquire(self._workspace.team_id, method)
        if retry_after is not None:
            return _Answer(
                429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
            )
        failure = self._failures.take(method)
        if failure is not None:
            return _Answer.failure(failure.error, failure.status)
        try:
            return _Answer(200, self._api.call(method, Args(params)))
        except SlackError as error:
            return _Answer(200, error.body())

    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.add(socket)
        try:
            hello = {"type": "hello", "num_connections": len(self._sockets)}
            await socket.send_json({**hello, "connection_info": {"app_id": APP_ID}})
            async for _message in socket:
                pass
        finally:
            self._sockets.discard(socket)
        return socket

    # Uploads and response URLs --------------------------------------------------------------

    async def _handle_upload(self, request: web.Request) -> web.Response:
        upload = self._workspace.files.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="file_not_found")
        upload.content = await request.read()
        return web.Response(text=f"OK - {len(upload.content)}")

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        try:
            origin = self._response_urls.claim(request.match_info["token"])
        except ResponseUrlRefused as refusal:
            return web.json_response({"ok": False, "error": refusal.code}, status=404)
        try:
            reply = await request.json()
        except json.JSONDecodeError:
            return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
        try:
            self._responder.deliver(origin, reply, via="response_url")
        except SlackError as refusal:
            return web.json_response(refusal.body(), status=400)
        self.responses.append(
            {
                "url_token": origin.token,
                "command": origin.command,
                "user": origin.user_id,
                "channel": origin.channel_id,
                "payload": reply,
            }
        )
        return web.json_response({"ok": True})


async def _read_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise SlackError("invalid_json") from None
        if not isinstance(body, dict):
            raise SlackError("json_not_object")
        params.update(body)
    else:
        params.update(await request.post())
    return params


def _take_token(request: web.Request, params: dict[str, Any]) -> str | None:
    """The token from `Authorization: Bearer …`, else from a `token` argument."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    from_params = params.pop("token", None)
    if scheme.lower() == "bearer" and credentials:
        return credentials
    return str(from_params) if from_params else None
