"""The one way out to Slack's Web API: every call, its scope and what each error code means."""

from __future__ import annotations

import copy
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.pacing import PER_CHANNEL, Pacer

log = logging.getLogger(__name__)

# The bot scope each Web API method the app calls needs (None: no scope). The manifest's scopes
# are derived from this table, so least privilege follows the code.
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "apps.connections.open": (),  # needs the app-level token's connections:write
    "views.publish": (),
    "views.open": (),
    "users.list": ("users:read",),
    "usergroups.list": ("usergroups:read",),
    "conversations.list": ("channels:read", "groups:read"),
    "conversations.info": ("channels:read", "groups:read"),
    "conversations.members": ("channels:read", "groups:read"),
    "chat.postMessage": ("chat:write",),
}
PAGE_SIZE = 200
RATE_LIMIT_RETRIES = 5

# Codes that mean the request Roundtable built was wrong: nothing the person can change.
OUR_MISTAKES = (
    "invalid_arguments",
    "invalid_blocks",
    "invalid_cursor",
    "invalid_json",
    "json_not_object",
    "no_text",
    "unknown_method",
    "hash_conflict",
    "user_not_in_channel",
)
SLACK_TROUBLE = ("internal_error", "fatal_error", "service_unavailable", "request_timeout")

# What the person sees when Slack answers with this code; the operator gets a log line either way.
ERROR_ADVICE: dict[str, str] = {
    **dict.fromkeys(OUR_MISTAKES, "Slack refused a request I built. The operator has been told."),
    **dict.fromkeys(SLACK_TROUBLE, "Slack is having trouble right now. Please try again soon."),
    "not_in_channel": "I'm not a member of that channel yet. Invite me with `/invite @Roundtable`"
    " and try again.",
    "channel_not_found": "I can't see that channel. If it is private, invite me to it first.",
    "is_archived": "That channel is archived. Unarchive it, or pick another channel.",
    "user_not_found": "I can't find that person in this workspace.",
    "missing_scope": "Roundtable lacks a permission it needs here. Ask an admin to reinstall it"
    " from the app manifest.",
    "ratelimited": "Slack asked me to slow down. Please try again in a minute.",
    **dict.fromkeys(
        ("invalid_auth", "not_authed"),
        "Roundtable's access to this workspace is no longer valid. Ask an admin to reinstall it.",
    ),
    **dict.fromkeys(
        ("token_revoked", "account_inactive"),
        "Roundtable was removed from this workspace. Ask an admin to reinstall it.",
    ),
    "expired_trigger_id": "Slack stopped waiting for that window to open. Please try again.",
    "invalid_trigger_id": "That button has expired. Please try again.",
    "exchanged_trigger_id": "That window was opened once already. Please try again.",
    "msg_too_long": "That message is too long for Slack. Please shorten it.",
    "cannot_dm_bot": "I can't send direct messages to a bot. Pick a person instead.",
    "user_disabled": "That person's account is deactivated, so I can't message them.",
    "restricted_action": "This workspace's settings don't let Roundtable do that. Ask an admin.",
    "not_enabled": "Roundtable's Home tab is turned off. Ask an admin to enable App Home in the"
    " app's settings.",
}
GENERIC_ADVICE = "Slack couldn't do that just now. Please try again in a moment."


def advice_for(code: str) -> str:
    return ERROR_ADVICE.get(code, GENERIC_ADVICE)


@dataclass
class SlackFailure(Exception):
    """Slack answered a call with an error code."""

    method: str
    code: str

    @property
    def advice(self) -> str:
        return advice_for(self.code)

    def __str__(self) -> str:
        return f"{self.method} failed: {self.code}"


def build_client(token: str | None, base_url: str) -> AsyncWebClient:
    """A Web API client that retries passing connection and server errors, and waits out a 429
    on the calls Bolt makes itself (its auth.test). The gateway's own calls leave 429s to the
    gateway, which paces every call and honours Retry-After (see `SlackGateway._call`)."""
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def _leaving_rate_limits_to_the_gateway(client: AsyncWebClient) -> AsyncWebClient:
    """`client` without the SDK's waits on a 429: the gateway waits once, in the pacer, which
    also holds every other caller of that method."""
    paced = copy.copy(client)
    paced.retry_handlers = [
        handler
        for handler in client.retry_handlers
        if not isinstance(handler, AsyncRateLimitErrorRetryHandler)
    ]
    return paced


class SlackGateway:
    """Calls for one workspace, paced below each method's rate-limit tier."""

    def __init__(self, client: AsyncWebClient, pacer: Pacer, team: str) -> None:
        self._client = _leaving_rate_limits_to_the_gateway(client)
        self._pacer = pacer
        self._team = team

    async def whoami(self) -> tuple[str, str]:
        """(enterprise_id, team_id) of the token's workspace."""
        response = await self._call("auth.test")
        return response.get("enterprise_id") or "", response.get("team_id") or ""

    async def socket_mode_url(self, app_token: str) -> str:
        """A WebSocket URL to receive Socket Mode requests on, asked for with the app token."""
        return (await self._call("apps.connections.open", app_token=app_token))["url"]

    async def users(self) -> AsyncIterator[dict[str, Any]]:
        async for page in self._pages("users.list", "members"):
            for user in page:
                yield user

    async def usergroups(self) -> list[dict[str, Any]]:
        response = await self._call("usergroups.list", include_users=True)
        return response.get("usergroups", [])

    async def channel_pages(self) -> AsyncIterator[list[dict[str, Any]]]:
        """Public channels, and the private ones the bot is in, a page at a time."""
        async for page in self._pages(
            "conversations.list", "channels", types="public_channel,private_channel"
        ):
            yield page

    async def channel_info(self, channel_id: str) -> dict[str, Any]:
        return (await self._call("conversations.info", channel=channel_id))["channel"]

    async def channel_members(self, channel_id: str) -> list[str]:
        members: list[str] = []
        async for page in self._pages("conversations.members", "members", channel=channel_id):
            members += page
        return members

    async def post_message(
        self, channel: str, message: dict[str, Any], thread_ts: str | None = None
    ) -> str:
        """Post to a channel, or to the app's DM with a person when `channel` is a user ID."""
        extra = {"thread_ts": thread_ts} if thread_ts else {}
        response = await self._call("chat.postMessage", channel=channel, **message, **extra)
        return response["ts"]

    async def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        await self._call("views.publish", user_id=user_id, view=view)

    async def open_modal(self, trigger_id: str, view: dict[str, Any]) -> None:
        await self._call("views.open", trigger_id=trigger_id, view=view)

    async def _pages(self, method: str, key: str, **params: Any) -> AsyncIterator[list]:
        cursor = None
        while True:
            page = await self._call(method, limit=PAGE_SIZE, cursor=cursor, **params)
            yield page.get(key, [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return

    async def _call(self, method: str, **params: Any) -> dict[str, Any]:
        assert method in METHOD_SCOPES, f"{method} is missing from METHOD_SCOPES"
        # slack_sdk's named methods know whether Slack wants JSON or a form for each one.
        send = getattr(self._client, method.replace(".", "_"))
        channel = params.get("channel") if method in PER_CHANNEL else None
        retries = 0
        while True:
            await self._pacer.wait(self._team, method, channel)
            try:
                return (await send(**params)).data
            except SlackApiError as error:
                pause = _retry_after(error)
                if pause is None or retries == RATE_LIMIT_RETRIES:
                    raise _failure(method, error) from error
            retries += 1
            log.info("slack %s rate limited: pausing %ss", method, pause)
            self._pacer.note_retry_after(self._team, method, pause, channel)


def _retry_after(error: SlackApiError) -> int | None:
    """Seconds Slack asked us to wait, when this error is a 429."""
    if error.response.status_code != 429:
        return None
    return int(error.response.headers.get("Retry-After", "1"))


def _failure(method: str, error: SlackApiError) -> SlackFailure:
    code = error.response.get("error", "unknown_error")
    extra = _missing_scope_detail(error) if code == "missing_scope" else ""
    log.warning("slack %s failed: %s%s", method, code, extra)
    return SlackFailure(method, code)


def _missing_scope_detail(error: SlackApiError) -> str:
    needed = error.response.get("needed", "?")
    provided = error.response.get("provided", "?")
    return f" (needed {needed}, provided {provided})"
