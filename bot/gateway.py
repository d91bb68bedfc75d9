"""The one way out to Slack's Web API: every call, its scope and what each error code means."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

# The bot scope each Web API method the app calls needs (None: no scope). The manifest's scopes
# are derived from this table, so least privilege follows the code.
METHOD_SCOPES: dict[str, str | None] = {
    "auth.test": None,
    "views.publish": None,
    "views.open": None,
}

# What the person sees when Slack answers with this code; the operator gets a log line either way.
ERROR_ADVICE: dict[str, str] = {
    "not_in_channel": "I'm not a member of that channel yet. Invite me with `/invite @Roundtable`"
    " and try again.",
    "channel_not_found": "I can't see that channel. If it is private, invite me to it first.",
    "is_archived": "That channel is archived. Unarchive it, or pick another channel.",
    "user_not_found": "I can't find that person in this workspace.",
    "missing_scope": "Roundtable lacks a permission it needs here. Ask an admin to reinstall it"
    " from the app manifest.",
    "ratelimited": "Slack asked me to slow down. Please try again in a minute.",
    "invalid_auth": "Roundtable's access to this workspace is no longer valid. Ask an admin to"
    " reinstall it.",
    "token_revoked": "Roundtable was removed from this workspace. Ask an admin to reinstall it.",
    "account_inactive": "Roundtable was removed from this workspace. Ask an admin to reinstall it.",
    "expired_trigger_id": "That took a little too long. Please click the button again.",
    "invalid_trigger_id": "That button has expired. Please click it again.",
    "msg_too_long": "That message is too long for Slack. Please shorten it.",
    "invalid_blocks": "Slack refused the message I built. The operator has been told.",
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
    """A Web API client that honours Retry-After on 429 and retries passing server errors."""
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=4),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


class SlackGateway:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        await self._call("views.publish", user_id=user_id, view=view)

    async def open_modal(self, trigger_id: str, view: dict[str, Any]) -> None:
        await self._call("views.open", trigger_id=trigger_id, view=view)

    async def _call(self, method: str, **params: Any) -> dict[str, Any]:
        assert method in METHOD_SCOPES, f"{method} is missing from METHOD_SCOPES"
        try:
            # slack_sdk's named methods know whether Slack wants JSON or a form for each one.
            response = await getattr(self._client, method.replace(".", "_"))(**params)
        except SlackApiError as error:
            code = error.response.get("error", "unknown_error")
            extra = _missing_scope_detail(error) if code == "missing_scope" else ""
            log.warning("slack %s failed: %s%s", method, code, extra)
            raise SlackFailure(method, code) from error
        return response.data  # type: ignore[return-value]


def _missing_scope_detail(error: SlackApiError) -> str:
    needed = error.response.get("needed", "?")
    provided = error.response.get("provided", "?")
    return f" (needed {needed}, provided {provided})"
