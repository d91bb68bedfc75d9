"""`Sandbox`: a local, stateful fake Slack workspace for tests and demos."""

import asyncio
from collections.abc import Iterable
from typing import Any

from bot.sandbox.clock import Clock
from bot.sandbox.driver import SlackDriver, find_element
from bot.sandbox.faults import FailurePlan, InjectedFailure, RateLimiter
from bot.sandbox.human import HumanActions
from bot.sandbox.ids import IdFactory
from bot.sandbox.interactivity import Responder, ResponseUrls, Triggers
from bot.sandbox.server import API_PREFIX, Call, SandboxServer
from bot.sandbox.transcript import LogEntry, Transcript
from bot.sandbox.web_api import WebApi
from bot.sandbox.workspace import UploadedFile, Workspace


class Sandbox:
    """A fake Slack workspace served over HTTP.

    Point `slack_sdk`'s `AsyncWebClient(token=sb.bot_token, base_url=sb.api_url)` at it, connect
    the app's request URL with `connect()`, and drive it with `sb.driver` (commands, clicks,
    form submissions, raw events) and `sb.human` (people changing the workspace).
    """

    def __init__(
        self,
        team_id: str = "T0SANDBOX1",
        team_name: str = "Sandbox Co",
        signing_secret: str = "sandbox-signing-secret",
        *,
        domain: str | None = None,
        enterprise_id: str | None = None,
        app_name: str = "Roundtable",
        time_scale: float = 1.0,
    ) -> None:
        self.signing_secret = signing_secret
        self.clock = Clock()
        ids = IdFactory(seed=team_id)
        self.workspace = Workspace(
            team_id=team_id,
            team_name=team_name,
            domain=domain or _domain_from(team_name),
            enterprise_id=enterprise_id,
            app_name=app_name,
            clock=self.clock,
            ids=ids,
        )
        self._transcript = Transcript(self.workspace)
        self._rate_limiter = RateLimiter(self.clock, time_scale)
        self._failures = FailurePlan()
        triggers = Triggers(self.clock, ids)
        response_urls = ResponseUrls(self.clock, ids)
        responder = Responder(self.workspace, self._transcript)
        self._background: set[asyncio.Task[Any]] = set()
        self.server = SandboxServer(
            workspace=self.workspace,
            api=WebApi(
                self.workspace,
                self._transcript,
                triggers,
                upload_url=lambda file_id: self.server.upload_url(file_id),
                socket_url=lambda: self.server.socket_url(),
                emit_event=self._emit_in_background,
            ),
            rate_limiter=self._rate_limiter,
            failures=self._failures,
            response_urls=response_urls,
            responder=responder,
        )
        self.driver = SlackDriver(
            workspace=self.workspace,
            clock=self.clock,
            ids=ids,
            signing_secret=signing_secret,
            triggers=triggers,
            response_urls=response_urls,
            responder=responder,
            transcript=self._transcript,
            response_url_for=lambda token: self.server.response_url(token),
        )
        self.human = HumanActions(self.workspace, self._transcript, self.driver)

    # Lifecycle ----------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on `host:port` (port 0: a free one); sets `base_url` and `api_url`."""
        await self.server.start(host, port)

    async def stop(self) -> None:
        await self.settle()
        await self.driver.close()
        await self.server.stop()

    async def __aenter__(self) -> "Sandbox":
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def connect(self, app_url: str) -> None:
        """Send events and interactions to the app's request URL from now on."""
        self.driver.connect(app_url)

    async def settle(self) -> None:
        """Wait until events sent in the background (after API calls) have been delivered."""
        while self._background:
            await asyncio.gather(*self._background)

    def _emit_in_background(self, event: dict[str, Any]) -> None:
        if not self.driver.connected:
            return
        task = asyncio.get_running_loop().create_task(self.driver.notify(event))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def api_url(self) -> str:
        return self.server.base_url + API_PREFIX

    # Identity -----------------------------------------------------------------------------

    @property
    def team_id(self) -> str:
        return self.workspace.team_id

    @property
    def bot_token(self) -> str:
        return self.workspace.bot_token

    @property
    def app_token(self) -> str:
        """The app-level token (xapp-) that opens Socket Mode connections."""
        return self.workspace.app_token

    @property
    def bot_user_id(self) -> str:
        return self.workspace.bot.id

    @property
    def bot_id(self) -> str:
        return self.workspace.bot.bot_id or ""

    # Setting up (no events are sent) ------------------------------------------------------

    def add_user(self, name: str, **attributes: Any) -> str:
        """Add a person (real_name, title, display_name, email, tz, is_admin, is_restricted,
        is_ultra_restricted, is_bot, deleted); returns the user id."""
        return self.workspace.add_user(name, **attributes).id

    def add_channel(
        self,
        name: str,
        *,
        creator: str,
        purpose: str = "",
        topic: str = "",
        private: bool = False,
        members: Iterable[str] = (),
    ) -> str:
        """Add a channel; the creator and `members` (which may include `bot_user_id`) join it."""
        channel = self.workspace.add_channel(
            name,
            creator=creator,
            purpose=purpose,
            topic=topic,
            private=private,
            members=list(members),
        )
        return channel.id

    def add_usergroup(
        self, handle: str, *, name: str = "", users: Iterable[str] = (), description: str = ""
    ) -> str:
        group = self.workspace.add_usergroup(
            handle, name=name or handle.title(), users=list(users), description=description
        )
        return group.id

    # Shaping the answers ------------------------------------------------------------------

    def set_rate_limit(self, method: str, per_minute: float, burst: int | None = None) -> None:
        """Answer 429 with Retry-After beyond `per_minute` calls (bursts of `burst`)."""
        self._rate_limiter.set_limit(method, per_minute, burst)

    @property
    def time_scale(self) -> float:
        """How much faster than real time rate limits refill."""
        return self._rate_limiter.time_scale

    @time_scale.setter
    def time_scale(self, value: float) -> None:
        self._rate_limiter.time_scale = value

    @property
    def socket_connections(self) -> int:
        """Socket Mode connections the app holds open now."""
        return self.server.socket_count

    @property
    def rate_limited_count(self) -> int:
        return self._rate_limiter.limited_count

    def fail_next(
        self, method: str, error: str | None = None, *, times: int = 1, status: int = 200
    ) -> None:
        """Answer the next `times` calls of `method` with `ok: false` (and HTTP `status`)."""
        if error is None:
            if status < 500:
                raise ValueError("give the error code, or a 5xx status")
            error = "fatal_error"
        self._failures.add(method, InjectedFailure(error, status), times)

    # What happened ------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        return self.server.calls

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.server.calls if call.method == method]

    async def wait_for_call(self, method: str, count: int = 1, within: float = 5.0) -> Call:
        """Wait until `method` has been called `count` times (TimeoutError after `within` s)."""
        async with asyncio.timeout(within):
            await self.server.wait_for_calls(lambda: len(self.calls_to(method)) >= count)
        return self.calls_to(method)[count - 1]

    @property
    def responses(self) -> list[dict[str, Any]]:
        """What the app posted to response URLs, oldest first."""
        return self.server.responses

    def responses_for(self, user_id: str) -> list[dict[str, Any]]:
        return [response for response in self.server.responses if response["user"] == user_id]

    def messages(self, channel_id: str) -> list[dict[str, Any]]:
        """Top-level messages of a channel, oldest first."""
        return self.workspace.channels[channel_id].top_level_messages()

    def thread(self, channel_id: str, ts: str) -> list[dict[str, Any]]:
        """A thread's parent and its replies, oldest first."""
        return self.workspace.channels[channel_id].thread(ts)

    def dm_channel_id(self, user_id: str) -> str:
        return self.workspace.dm_with(user_id).id

    def ephemerals(self, user_id: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self.workspace.ephemerals if user_id in (None, e["user"])]

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        view_id = self.workspace.home_views.get(user_id)
        return self.workspace.views.get(view_id) if view_id else None

    def modal(self, user_id: str) -> dict[str, Any] | None:
        """The modal view on top of the user's screen, if any."""
        modals = self.workspace.open_modals(user_id)
        return modals[-1] if modals else None

    @property
    def files(self) -> dict[str, UploadedFile]:
        return self.workspace.files

    @property
    def log(self) -> list[LogEntry]:
        return self._transcript.entries

    def transcript(self) -> str:
        return self._transcript.render()

    @staticmethod
    def find_button(blocks: Iterable[dict[str, Any]], action_id: str) -> dict[str, Any] | None:
        """The interactive element with `action_id` (a button, usually), or None."""
        found = find_element(blocks, action_id)
        return found[0] if found else None


def _domain_from(team_name: str) -> str:
    return "-".join(team_name.lower().split()) or "sandbox"
