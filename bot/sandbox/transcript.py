"""A readable, chronological account of what happened in the sandbox.

Each entry is kept as a structured `LogEntry` (for assertions) and rendered as text, with Block
Kit turned into plain lines and mentions (`<@U…>`, `<#C…|name>`) turned into names.
"""

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.workspace import Workspace

_MENTION = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")

TextRenderer = Callable[[str], str]


@dataclass(frozen=True)
class LogEntry:
    kind: str
    actor: str
    summary: str
    detail: str = ""
    channel: str | None = None
    at: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)

    def render(self) -> str:
        lines = [self.summary]
        lines += ["    " + line for line in self.detail.splitlines()]
        return "\n".join(lines)


class Transcript:
    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self.entries: list[LogEntry] = []

    def render(self) -> str:
        return "\n".join(entry.render() for entry in self.entries)

    def record(
        self,
        kind: str,
        actor: str,
        summary: str,
        *,
        detail: str = "",
        channel: str | None = None,
        **data: Any,
    ) -> LogEntry:
        entry = LogEntry(
            kind=kind,
            actor=actor,
            summary=summary,
            detail=detail,
            channel=channel,
            at=self._workspace.clock.now(),
            data=data,
        )
        self.entries.append(entry)
        return entry

    def move_latest_to(self, position: int) -> None:
        """Move the newest entry to `position` (no-op when it is already there or earlier)."""
        if position < len(self.entries) - 1:
            self.entries.insert(position, self.entries.pop())

    # What people do ---------------------------------------------------------------------------

    def human(self, user_id: str, what: str, *, channel: str | None = None, **data: Any) -> None:
        self.record("human", user_id, f"{self._user(user_id)} {what}", channel=channel, **data)

    def command(self, user_id: str, channel_id: str, command: str, text: str) -> None:
        self.record(
            "command",
            user_id,
            f"{self._user(user_id)}: {command} {self.mrkdwn(text)}".rstrip(),
            channel=channel_id,
            command=command,
            text=text,
        )

    def click(self, user_id: str, element: dict[str, Any], channel_id: str | None) -> None:
        label = render_element(element, self.mrkdwn)
        where = f" in {self._channel(channel_id)}" if channel_id else ""
        self.record(
            "action",
            user_id,
            f"{self._user(user_id)} clicked {label}{where}",
            channel=channel_id,
            action_id=element.get("action_id"),
            value=element.get("value"),
        )

    def submission(self, user_id: str, view: dict[str, Any], values: dict[str, Any]) -> None:
        fields = [
            f"{action_id}: {_input_value(state)}"
            for actions in values.values()
            for action_id, state in actions.items()
        ]
        self.record(
            "view_submission",
            user_id,
            f'{self._user(user_id)} submitted "{_view_title(view)}"',
            detail="\n".join(fields),
            view_id=view.get("id"),
            callback_id=view.get("callback_id"),
        )

    # What the app does ------------------------------------------------------------------------

    def posted(self, channel_id: str, message: dict[str, Any], *, via: str = "") -> None:
        is_reply = message.get("thread_ts", message["ts"]) != message["ts"]
        in_thread = " (in thread)" if is_reply else ""
        self.record(
            "message",
            self._workspace.bot.id,
            f"{self._app()} → {self._channel(channel_id)}{in_thread}{_via(via)}:",
            detail=self.message_body(message),
            channel=channel_id,
            ts=message["ts"],
            thread_ts=message.get("thread_ts"),
        )

    def ephemeral(self, ephemeral: dict[str, Any], *, via: str = "") -> None:
        channel_id = ephemeral["channel"]
        self.record(
            "ephemeral",
            self._workspace.bot.id,
            f"{self._app()} → only {self._user(ephemeral['user'])}, "
            f"in {self._channel(channel_id)}{_via(via)}:",
            detail=self.message_body(ephemeral),
            channel=channel_id,
            user=ephemeral["user"],
            ts=ephemeral["ts"],
        )

    def edited(self, channel_id: str, message: dict[str, Any], *, via: str = "") -> None:
        self.record(
            "update",
            self._workspace.bot.id,
            f"{self._app()} edited its message in {self._channel(channel_id)}{_via(via)}:",
            detail=self.message_body(message),
            channel=channel_id,
            ts=message["ts"],
        )

    def deleted(self, channel_id: str, ts: str, *, via: str = "") -> None:
        self.record(
            "delete",
            self._workspace.bot.id,
            f"{self._app()} deleted its message in {self._channel(channel_id)}{_via(via)}",
            channel=channel_id,
            ts=ts,
        )

    def home_published(self, user_id: str, view: dict[str, Any]) -> None:
        self.record(
            "home",
            self._workspace.bot.id,
            f"{self._app()} published the App Home of {self._user(user_id)}:",
            detail=self.blocks(view.get("blocks", [])),
            user=user_id,
            view_id=view["id"],
        )

    def modal(self, user_id: str, view: dict[str, Any], *, how: str) -> None:
        self.record(
            "modal",
            self._workspace.bot.id,
            f'{self._app()} {how} modal "{_view_title(view)}" for {self._user(user_id)}:',
            detail=self.blocks(view.get("blocks", [])),
            user=user_id,
            view_id=view["id"],
        )

    def form_errors(self, user_id: str, errors: dict[str, str]) -> None:
        self.record(
            "form_errors",
            self._workspace.bot.id,
            f"{self._app()} showed {self._user(user_id)} errors in the form:",
            detail="\n".join(f"{block}: {message}" for block, message in errors.items()),
            user=user_id,
            errors=errors,
        )

    def refused(self, user_id: str, error: str, *, via: str) -> None:
        self.record(
            "refused",
            self._workspace.bot.id,
            f"Slack refused {self._app()}'s reply to {self._user(user_id)}{_via(via)}: {error}",
            user=user_id,
            error=error,
        )

    def file_shared(self, channel_id: str, file: dict[str, Any], comment: str) -> None:
        self.record(
            "file",
            self._workspace.bot.id,
            f"{self._app()} uploaded {file['name']} ({file['size']} bytes) "
            f"to {self._channel(channel_id)}",
            detail=self.mrkdwn(comment),
            channel=channel_id,
            file_id=file["id"],
        )

    # Rendering ----------------------------------------------------------------------------------

    def message_body(self, message: dict[str, Any]) -> str:
        if message.get("blocks"):
            return self.blocks(message["blocks"])
        return self.mrkdwn(message.get("text", ""))

    def blocks(self, blocks: Iterable[dict[str, Any]]) -> str:
        return "\n".join(render_blocks(blocks, self.mrkdwn))

    def mrkdwn(self, text: str) -> str:
        """Replace Slack's escapes and mentions with what a reader sees."""
        return html.unescape(_MENTION.sub(self._mention, text or ""))

    def _mention(self, match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            return "@" + (label or self._user(target[1:]))
        if target.startswith("#"):
            return "#" + (label or self._channel(target[1:]).lstrip("#"))
        if target.startswith("!subteam^"):
            return label or "@" + self._usergroup(target.removeprefix("!subteam^"))
        if target.startswith("!"):
            return label or "@" + target[1:]
        return f"{label} ({target})" if label else target

    def _user(self, user_id: str) -> str:
        return self._workspace.user_label(user_id)

    def _channel(self, channel_id: str | None) -> str:
        return self._workspace.channel_label(channel_id or "")

    def _usergroup(self, group_id: str) -> str:
        group = self._workspace.usergroups.get(group_id)
        return group.handle if group else group_id

    def _app(self) -> str:
        return self._workspace.app_name


def render_blocks(blocks: Iterable[dict[str, Any]], mrkdwn: TextRenderer = str) -> list[str]:
    """Block Kit as plain lines: headers in capitals, buttons as `[Label]`."""
    lines: list[str] = []
    for block in blocks:
        lines.extend(_render_block(block, mrkdwn))
    return lines


def _render_block(block: dict[str, Any], mrkdwn: TextRenderer) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        return [_text(block.get("text"), mrkdwn).upper()]
    if kind == "divider":
        return ["---"]
    if kind == "section":
        return _render_section(block, mrkdwn)
    if kind == "context":
        return [" · ".join(_render_context_element(e, mrkdwn) for e in block.get("elements", []))]
    if kind == "actions":
        return ["  ".join(render_element(e, mrkdwn) for e in block.get("elements", []))]
    if kind == "input":
        label = _text(block.get("label"), mrkdwn)
        return [f"{label}: {render_element(block.get('element', {}), mrkdwn)}"]
    if kind == "image":
        return [f"[image: {block.get('alt_text', '')}]"]
    if kind == "rich_text":
        return [mrkdwn(_rich_text(block))]
    return [f"[{kind} block]"]


def _render_section(block: dict[str, Any], mrkdwn: TextRenderer) -> list[str]:
    lines = _text(block.get("text"), mrkdwn).splitlines() if block.get("text") else []
    if block.get("fields"):
        lines.append(" | ".join(_text(f, mrkdwn) for f in block["fields"]))
    if block.get("accessory"):
        accessory = render_element(block["accessory"], mrkdwn)
        lines = [*lines[:-1], f"{lines[-1]}  {accessory}"] if lines else [accessory]
    return lines


def _render_context_element(element: dict[str, Any], mrkdwn: TextRenderer) -> str:
    if element.get("type") == "image":
        return f"[{element.get('alt_text', 'image')}]"
    return _text(element, mrkdwn)


def render_element(element: dict[str, Any], mrkdwn: TextRenderer = str) -> str:
    kind = element.get("type", "")
    if kind == "button":
        return f"[{_text(element.get('text'), mrkdwn)}]"
    if kind.endswith("select"):
        shown = element.get("initial_option", {}).get("text") or element.get("placeholder")
        return f"[{_text(shown, mrkdwn) or 'choose'} ▾]"
    if kind in ("checkboxes", "radio_buttons"):
        return " ".join(f"( ) {_text(o.get('text'), mrkdwn)}" for o in element.get("options", []))
    if kind == "plain_text_input":
        return f"[{element.get('initial_value', '') or '____'}]"
    if kind == "overflow":
        return "[...]"
    return f"[{kind}]"


def _text(obj: dict[str, Any] | None, mrkdwn: TextRenderer) -> str:
    return mrkdwn(obj.get("text", "")) if obj else ""


def _rich_text(node: dict[str, Any]) -> str:
    kind = node.get("type")
    if kind == "text":
        return node.get("text", "")
    if kind == "user":
        return f"<@{node.get('user_id')}>"
    if kind == "channel":
        return f"<#{node.get('channel_id')}>"
    if kind == "link":
        return node.get("text") or node.get("url", "")
    separator = "\n" if kind in ("rich_text", "rich_text_list") else ""
    return separator.join(_rich_text(child) for child in node.get("elements", []))


def _view_title(view: dict[str, Any]) -> str:
    return (view.get("title") or {}).get("text", "") or view.get("callback_id", "")


def _input_value(state: dict[str, Any]) -> Any:
    for key in ("value", "selected_user", "selected_channel", "selected_conversation"):
        if state.get(key) is not None:
            return state[key]
    if state.get("selected_option"):
        return state["selected_option"].get("value")
    for key in ("selected_users", "selected_channels", "selected_conversations"):
        if state.get(key) is not None:
            return ", ".join(state[key])
    return state


def _via(via: str) -> str:
    return f" (via {via})" if via else ""
