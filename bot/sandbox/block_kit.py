"""The checks Slack makes on the blocks of a message or a view before it accepts them."""

from collections import Counter
from collections.abc import Iterable
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100


def valid_blocks(blocks: Any, limit: int) -> bool:
    """At most `limit` typed blocks, no block_id twice, no action_id twice within a block."""
    return (
        isinstance(blocks, list)
        and len(blocks) <= limit
        and all(isinstance(b, dict) and isinstance(b.get("type"), str) for b in blocks)
        and _distinct(b["block_id"] for b in blocks if "block_id" in b)
        and all(_distinct(_action_ids(b)) for b in blocks)
    )


def _action_ids(block: dict[str, Any]) -> list[Any]:
    elements = [block.get("accessory"), block.get("element"), *(block.get("elements") or [])]
    return [e["action_id"] for e in elements if isinstance(e, dict) and "action_id" in e]


def _distinct(ids: Iterable[Any]) -> bool:
    return all(count == 1 for count in Counter(ids).values())
