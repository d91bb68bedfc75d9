"""Arguments of Web API calls as Slack reads them, Slack's errors, and cursor pagination."""

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_TRUE_WORDS = {"1", "true", "yes", "on"}


class SlackError(Exception):
    """Ends a Web API call with `{"ok": false, "error": code, **extra}`."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.code, **self.extra}


class Args:
    """Call arguments merged from the query string, a form body or a JSON body.

    Form and query values are strings; JSON values keep their types. The readers below accept
    both, as Slack does (`"1"`, `"true"` and `true` are all true; blocks may be a JSON string).
    """

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value is None or value == "" else str(value)

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in _TRUE_WORDS

    def number(self, name: str, default: int) -> int:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SlackError("invalid_arguments") from None

    def structured(self, name: str, *, error: str = "invalid_arguments") -> Any:
        """A list or object argument, sent either as JSON text or as a JSON value."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise SlackError(error) from None

    def id_list(self, name: str) -> list[str]:
        value = self.values.get(name) or ""
        items = value if isinstance(value, list) else str(value).split(",")
        return [item.strip() for item in items if item.strip()]


def paginate(
    items: Sequence[Any], args: Args, *, bad_cursor: str = "invalid_cursor"
) -> tuple[list[Any], str]:
    """One page of `items` for `limit` and `cursor`, and the cursor of the next page ("" at end).
    A cursor the sandbox never gave is refused with the code `bad_cursor`."""
    limit = args.number("limit", DEFAULT_PAGE_SIZE)
    limit = DEFAULT_PAGE_SIZE if limit <= 0 else min(limit, MAX_PAGE_SIZE)
    offset = _decode_cursor(args.text("cursor"), bad_cursor)
    end = offset + limit
    next_cursor = _encode_cursor(end) if end < len(items) else ""
    return list(items[offset:end]), next_cursor


def _encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: str | None, bad_cursor: str) -> int:
    if not cursor:
        return 0
    try:
        prefix, _, offset = base64.b64decode(cursor, validate=True).decode().partition(":")
        if prefix == "offset" and offset.isdigit():
            return int(offset)
    except (binascii.Error, UnicodeDecodeError):
        pass
    raise SlackError(bad_cursor)
