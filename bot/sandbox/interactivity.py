"""What Slack keeps for interactions: trigger ids, response URLs, and how replies land."""

from dataclasses import dataclass
from typing import Any

from bot.sandbox.api_args import SlackError
from bot.sandbox.block_kit import MAX_MESSAGE_BLOCKS, valid_blocks
from bot.sandbox.clock import Clock
from bot.sandbox.ids import IdFactory
from bot.sandbox.transcript import Transcript
from bot.sandbox.workspace import Workspace

TRIGGER_LIFETIME_SECONDS = 3.0
RESPONSE_URL_LIFETIME_SECONDS = 30 * 60
RESPONSE_URL_MAX_USES = 5


@dataclass
class Trigger:
    id: str
    user_id: str
    issued_at: float
    exchanged: bool = False


class Triggers:
    """trigger_ids: valid for 3 seconds, exchangeable once (for views.open or views.push)."""

    def __init__(self, clock: Clock, ids: IdFactory) -> None:
        self._clock = clock
        self._ids = ids
        self._issued: dict[str, Trigger] = {}

    def issue(self, user_id: str) -> str:
        now = self._clock.now()
        trigger_id = f"{int(now)}.{self._ids.digits(10)}.{self._ids.hex(32)}"
        self._issued[trigger_id] = Trigger(trigger_id, user_id, now)
        return trigger_id

    def exchange(self, trigger_id: str | None) -> Trigger:
        trigger = self._issued.get(trigger_id or "")
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.exchanged:
            raise SlackError("exchanged_trigger_id")
        if self._clock.now() - trigger.issued_at > TRIGGER_LIFETIME_SECONDS:
            raise SlackError("expired_trigger_id")
        trigger.exchanged = True
        return trigger


@dataclass
class ResponseUrl:
    """Where a command or a click can be answered; `message_ts` is the clicked message."""

    token: str
    user_id: str
    channel_id: str
    issued_at: float
    command: str | None = None
    message_ts: str | None = None
    uses: int = 0


class ResponseUrlRefused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class ResponseUrls:
    """response_urls: up to 5 posts each within 30 minutes."""

    def __init__(self, clock: Clock, ids: IdFactory) -> None:
        self._clock = clock
        self._ids = ids
        self._issued: dict[str, ResponseUrl] = {}

    def issue(self, user_id: str, channel_id: str, **origin: Any) -> ResponseUrl:
        token = self._ids.hex(32)
        issued = ResponseUrl(token, user_id, channel_id, self._clock.now(), **origin)
        self._issued[token] = issued
        return issued

    def claim(self, token: str) -> ResponseUrl:
        """Count one use of the URL, or refuse it as Slack would."""
        issued = self._issued.get(token)
        if issued is None or self._clock.now() - issued.issued_at > RESPONSE_URL_LIFETIME_SECONDS:
            raise ResponseUrlRefused("expired_url")
        if issued.uses >= RESPONSE_URL_MAX_USES:
            raise ResponseUrlRefused("used_url")
        issued.uses += 1
        return issued


class Responder:
    """Shows a reply sent to a response_url, or in an acknowledgement, where Slack would."""

    def __init__(self, workspace: Workspace, transcript: Transcript) -> None:
        self._workspace = workspace
        self._transcript = transcript

    def deliver(self, origin: ResponseUrl, reply: dict[str, Any], *, via: str) -> None:
        """Show the reply, or raise `SlackError` when Slack would refuse it."""
        blocks = reply.get("blocks")
        if blocks is not None and not valid_blocks(blocks, MAX_MESSAGE_BLOCKS):
            self._transcript.refused(origin.user_id, "invalid_blocks", via=via)
            raise SlackError("invalid_blocks")
        if origin.message_ts and reply.get("delete_original"):
            self._delete_original(origin, via)
        elif origin.message_ts and reply.get("replace_original"):
            self._replace_original(origin, reply, via)
        elif reply.get("response_type") == "in_channel":
            self._post_in_channel(origin, reply, via)
        else:
            self._post_ephemeral(origin, reply, via)

    def _post_in_channel(self, origin: ResponseUrl, reply: dict[str, Any], via: str) -> None:
        channel = self._workspace.channel(origin.channel_id)
        if channel is None:
            return
        message = self._workspace.bot_message(
            reply.get("text", ""), blocks=reply.get("blocks"), thread_ts=reply.get("thread_ts")
        )
        self._workspace.add_message(channel, message)
        self._transcript.posted(channel.id, message, via=via)

    def _post_ephemeral(self, origin: ResponseUrl, reply: dict[str, Any], via: str) -> None:
        ephemeral = {
            "channel": origin.channel_id,
            "user": origin.user_id,
            "ts": self._workspace.clock.next_ts(),
            "text": reply.get("text", ""),
            "blocks": reply.get("blocks", []),
            "via": via,
        }
        self._workspace.ephemerals.append(ephemeral)
        self._transcript.ephemeral(ephemeral, via=via)

    def _replace_original(self, origin: ResponseUrl, reply: dict[str, Any], via: str) -> None:
        original = self._original(origin)
        if original is None:
            return
        original["text"] = reply.get("text", "")
        original["blocks"] = reply.get("blocks", [])
        self._transcript.edited(origin.channel_id, original, via=via)

    def _delete_original(self, origin: ResponseUrl, via: str) -> None:
        ts = origin.message_ts or ""
        ephemeral = self._workspace.find_ephemeral(ts)
        if ephemeral is not None:
            self._workspace.ephemerals.remove(ephemeral)
        channel = self._workspace.channel(origin.channel_id)
        if channel is not None:
            self._workspace.delete_message(channel, ts)
        self._transcript.deleted(origin.channel_id, ts, via=via)

    def _original(self, origin: ResponseUrl) -> dict[str, Any] | None:
        ts = origin.message_ts or ""
        channel = self._workspace.channel(origin.channel_id)
        in_channel = channel.find_message(ts) if channel else None
        return in_channel or self._workspace.find_ephemeral(ts)
