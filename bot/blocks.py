"""Block Kit building blocks. Every message is a dict with `blocks` and a plain `text` fallback."""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]
Message = dict[str, Any]

_MRKDWN_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str) -> str:
    """Make user text inert in mrkdwn: no mention, link or broadcast can come out of it."""
    return text.translate(_MRKDWN_ESCAPES)


def message(fallback: str, *blocks: Block) -> Message:
    return {"text": fallback, "blocks": list(blocks)}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def section(markdown: str, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": markdown[:3000]}}
    if accessory:
        block["accessory"] = accessory
    return block


def context(markdown: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": markdown[:3000]}]}


def divider() -> Block:
    return {"type": "divider"}


def button(
    label: str,
    action_id: str,
    value: str | None = None,
    *,
    url: str | None = None,
    style: str | None = None,
) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label[:75]},
        "action_id": action_id,
    }
    if value is not None:
        element["value"] = value[:2000]
    if url:
        element["url"] = url
    if style:
        element["style"] = style
    return element


def actions(*elements: Block) -> Block:
    return {"type": "actions", "elements": list(elements)}


def modal(title: str, *blocks: Block, callback_id: str | None = None) -> Block:
    view: Block = {
        "type": "modal",
        "title": {"type": "plain_text", "text": title[:24]},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": list(blocks),
    }
    if callback_id:
        view["callback_id"] = callback_id
    return view


def home(*blocks: Block) -> Block:
    return {"type": "home", "blocks": list(blocks)}
