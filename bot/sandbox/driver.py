"""Acts as Slack toward the app: signed events, slash commands, clicks and form submissions."""

import json
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.api_args import SlackError
from bot.sandbox.clock import Clock
from bot.sandbox.ids import IdFactory
from bot.sandbox.interactivity import Responder, ResponseUrl, ResponseUrls, Triggers
from bot.sandbox.transcript import Transcript
from bot.sandbox.workspace import APP_ID, Channel, User, Workspace

ACK_DEADLINE_SECONDS = 3.0
VERIFICATION_TOKEN = "sandbox-verification-token"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class DriverResponse:
    """How the app answered one request from "Slack"."""

    status: int
    body_text: str
    json: Any
    kind: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    elapsed: float = 0.0

    @property
    def acked_in_time(self) -> bool:
        return 200 <= self.status < 300 and self.elapsed <= ACK_DEADLINE_SECONDS


def find_element(
    blocks: Iterable[dict[str, Any]], action_id: str
) -> tuple[dict[str, Any], str] | None:
    """The interactive element with `action_id` in a list of blocks, and its block's id."""
    for block in blocks:
        candidates = [block.get("accessory"), block.get("element"), *block.get("elements", [])]
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element, block.get("block_id", "")
    return None


class SlackDriver:
    def __init__(
        self,
        *,
        workspace: Workspace,
        clock: Clock,
        ids: IdFactory,
        signing_secret: str,
        triggers: Triggers,
        response_urls: ResponseUrls,
        responder: Responder,
        transcript: Transcript,
        response_url_for: Callable[[str], str],
        request_timeout: float = 10.0,
    ) -> None:
        self._ws = workspace
        self._clock = clock
        self._ids = ids
        self._verifier = SignatureVerifier(signing_secret)
        self._triggers = triggers
        self._response_urls = response_urls
        self._responder = responder
        self._transcript = transcript
        self._response_url_for = response_url_for
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._session: aiohttp.ClientSession | None = None
        self._envelopes: dict[str, dict[str, Any]] = {}
        self.app_url: str | None = None
        self.deliveries: list[DriverResponse] = []

    def connect(self, app_url: str) -> None:
        self.app_url = app_url

    @property
    def connected(self) -> bool:
        return self.app_url is not None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def events_delivered(self) -> list[dict[str, Any]]:
        """The inner events sent so far, oldest first."""
        return [d.payload["event"] for d in self.deliveries if d.kind == "event_callback"]

    # Events -------------------------------------------------------------------------------

    async def send_event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> DriverResponse:
        """Deliver an event in its `event_callback` envelope.

        A retry (`retry_num`) carries Slack's retry headers; given the `event_id` of an earlier
        delivery, it resends that exact envelope, as Slack does.
        """
        if event_id is not None and event_id in self._envelopes:
            envelope = self._envelopes[event_id]
        else:
            envelope = self.envelope(event, event_id or self._ids.new("Ev"))
            self._envelopes[envelope["event_id"]] = envelope
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        body = json.dumps(envelope)
        return await self._post("event_callback", body, "application/json", envelope, headers)

    async def notify(self, event: dict[str, Any]) -> DriverResponse | None:
        """Send an event caused by something in the workspace, when an app is connected."""
        return await self.send_event(event) if self.connected else None

    def envelope(self, event: dict[str, Any], event_id: str) -> dict[str, Any]:
        now = self._clock.now()
        return {
            "token": VERIFICATION_TOKEN,
            "team_id": self._ws.team_id,
            **self._enterprise_id(),
            "api_app_id": APP_ID,
            "event": {**event, "event_ts": event.get("event_ts") or self._clock.next_ts()},
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(now),
            "authorizations": [
                {
                    "enterprise_id": self._ws.enterprise_id,
                    "team_id": self._ws.team_id,
                    "user_id": self._ws.bot.id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{self._ids.hex(40)}",
        }

    # Slash commands -----------------------------------------------------------------------

    async def command(
        self, command: str, text: str = "", *, user_id: str, channel_id: str | None = None
    ) -> DriverResponse:
        """Type `/command text` in a channel (default: the user's DM with the app)."""
        user = self._user(user_id)
        channel = self._channel(channel_id) if channel_id else self._ws.dm_with(user.id)
        origin = self._response_urls.issue(user.id, channel.id, command=command)
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": self._ws.team_id,
            "team_domain": self._ws.domain,
            **self._enterprise_fields(),
            "channel_id": channel.id,
            "channel_name": channel.name,
            "user_id": user.id,
            "user_name": user.name,
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self._response_url_for(origin.token),
            "trigger_id": self._triggers.issue(user.id),
        }
        self._transcript.command(user.id, channel.id, command, text)
        acked_at = len(self._transcript.entries)
        response = await self._post("slash_command", urlencode(fields), FORM, fields)
        if self._show_reply_in_ack(origin, response):
            # Slack shows the acknowledgement before anything the app sent after acknowledging,
            # even when (in tests) the request returned only after that work was done.
            self._transcript.move_latest_to(acked_at)
        return response

    def _show_reply_in_ack(self, origin: ResponseUrl, response: DriverResponse) -> bool:
        """A command acknowledged with a message shows it, like a response_url reply."""
        reply = response.json
        if isinstance(reply, dict) and (reply.get("text") or reply.get("blocks")):
            with suppress(SlackError):  # refused: the transcript says so where the reply would be
                self._responder.deliver(origin, reply, via="ack")
            return True
        return False

    # Block actions ------------------------------------------------------------------------

    async def click(
        self,
        user_id: str,
        action_id: str,
        value: str | None = None,
        *,
        message: dict[str, Any] | None = None,
        channel_id: str | None = None,
        view: dict[str, Any] | None = None,
        block_id: str | None = None,
    ) -> DriverResponse:
        """Click the element `action_id` in a message (channel or ephemeral) or in a view."""
        user = self._user(user_id)
        if (message is None) == (view is None):
            raise ValueError("give either the message or the view that holds the element")
        holder = message if message is not None else view
        found = find_element((holder or {}).get("blocks", []), action_id)
        if found is None:
            raise LookupError(f"no element with action_id {action_id!r} in the given blocks")
        element, found_block_id = found
        action = _action(element, block_id or found_block_id, value, self._clock.next_ts())
        payload = self._interaction_base("block_actions", user)
        payload["actions"] = [action]
        payload["state"] = {"values": {}}
        if message is not None:
            channel_id = self._add_message_context(payload, user, message, channel_id)
        else:
            payload["container"] = {"type": "view", "view_id": (view or {}).get("id", "")}
            payload["view"] = view
        self._transcript.click(user.id, element, channel_id)
        return await self._post_interaction("block_actions", payload)

    def _add_message_context(
        self,
        payload: dict[str, Any],
        user: User,
        message: dict[str, Any],
        channel_id: str | None,
    ) -> str:
        ts = message["ts"]
        is_ephemeral = self._ws.find_ephemeral(ts) is not None
        channel = self._channel(channel_id or message.get("channel") or self._locate(ts))
        payload["container"] = {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel.id,
            "is_ephemeral": is_ephemeral,
        }
        payload["channel"] = {"id": channel.id, "name": channel.name}
        if not is_ephemeral:
            payload["message"] = message
        origin = self._response_urls.issue(user.id, channel.id, message_ts=ts)
        payload["response_url"] = self._response_url_for(origin.token)
        return channel.id

    def _locate(self, ts: str) -> str:
        for channel in self._ws.channels.values():
            if channel.find_message(ts):
                return channel.id
        raise LookupError(f"no channel holds a message with ts {ts}")

    # View submissions ---------------------------------------------------------------------

    async def submit_view(
        self, user_id: str, view: dict[str, Any], values: dict[str, dict[str, Any]]
    ) -> DriverResponse:
        """Submit a modal with `values` as {block_id: {action_id: value or state dict}}."""
        user = self._user(user_id)
        state = _state_values(view.get("blocks", []), values)
        submitted = {**view, "state": {"values": state}}
        payload = self._interaction_base("view_submission", user)
        payload["view"] = submitted
        payload["response_urls"] = []
        self._transcript.submission(user.id, submitted, state)
        response = await self._post_interaction("view_submission", payload)
        self._apply_submission_ack(user.id, view, response.json)
        return response

    def _apply_submission_ack(self, user_id: str, view: dict[str, Any], ack: Any) -> None:
        action = ack.get("response_action") if isinstance(ack, dict) else None
        stack = self._ws.modal_stacks.get(user_id, [])
        if action == "errors":
            self._transcript.form_errors(user_id, ack.get("errors", {}))
        elif action in ("update", "push") and isinstance(ack.get("view"), dict):
            replace_id = view.get("id") if action == "update" else None
            stored = self._ws.store_view(ack["view"], view_id=replace_id)
            if action == "push":
                stack.append(stored["id"])
            self._transcript.modal(user_id, stored, how="updated" if replace_id else "pushed")
        elif action == "clear":
            self._ws.close_modals(user_id)
        elif view.get("id") in stack:
            stack.remove(view["id"])

    # Shared -------------------------------------------------------------------------------

    def _interaction_base(self, kind: str, user: User) -> dict[str, Any]:
        enterprise = self._ws.enterprise_id
        return {
            "type": kind,
            "team": {"id": self._ws.team_id, "domain": self._ws.domain},
            "enterprise": {"id": enterprise, "name": self._ws.team_name} if enterprise else None,
            "user": {
                "id": user.id,
                "username": user.name,
                "name": user.name,
                "team_id": self._ws.team_id,
            },
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._triggers.issue(user.id),
            "is_enterprise_install": False,
        }

    async def _post_interaction(self, kind: str, payload: dict[str, Any]) -> DriverResponse:
        body = urlencode({"payload": json.dumps(payload)})
        return await self._post(kind, body, FORM, payload)

    async def _post(
        self,
        kind: str,
        body: str,
        content_type: str,
        payload: dict[str, Any],
        extra_headers: dict[str, str] | None = None,
    ) -> DriverResponse:
        if self.app_url is None:
            raise RuntimeError("no app connected: call Sandbox.connect(app_url) first")
        timestamp = str(int(time.time()))  # what the app's signature check compares with
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self._verifier.generate_signature(timestamp=timestamp, body=body)
            or "",
            **(extra_headers or {}),
        }
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        started = time.monotonic()
        async with self._session.post(self.app_url, data=body, headers=headers) as reply:
            text = await reply.text()
        response = DriverResponse(
            status=reply.status,
            body_text=text,
            json=_json_or_none(text),
            kind=kind,
            payload=payload,
            elapsed=time.monotonic() - started,
        )
        self.deliveries.append(response)
        return response

    def _user(self, user_id: str) -> User:
        user = self._ws.user(user_id)
        if user is None:
            raise ValueError(f"no user {user_id}")
        return user

    def _channel(self, channel_id: str) -> Channel:
        channel = self._ws.channel(channel_id)
        if channel is None:
            raise ValueError(f"no channel {channel_id}")
        return channel

    def _enterprise_id(self) -> dict[str, str]:
        return {"enterprise_id": self._ws.enterprise_id} if self._ws.enterprise_id else {}

    def _enterprise_fields(self) -> dict[str, str]:
        if not self._ws.enterprise_id:
            return {}
        return {"enterprise_id": self._ws.enterprise_id, "enterprise_name": self._ws.team_name}


def _action(
    element: dict[str, Any], block_id: str, value: str | None, action_ts: str
) -> dict[str, Any]:
    action = {
        "action_id": element["action_id"],
        "block_id": block_id,
        "type": element.get("type", "button"),
        "action_ts": action_ts,
    }
    if "text" in element:
        action["text"] = element["text"]
    if value is not None or "value" in element:
        action["value"] = value if value is not None else element["value"]
    return action


def _state_values(
    blocks: list[dict[str, Any]], values: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Slack's `view.state.values`; plain values become the state of the element they fill."""
    state: dict[str, dict[str, Any]] = {}
    for block_id, by_action in values.items():
        state[block_id] = {}
        for action_id, value in by_action.items():
            if isinstance(value, dict):
                state[block_id][action_id] = value
                continue
            found = find_element(blocks, action_id)
            kind = found[0].get("type", "plain_text_input") if found else "plain_text_input"
            state[block_id][action_id] = {"type": kind, "value": value}
    return state


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except json.JSONDecodeError:
        return None
