"""The policy file (TOML): the silos, which of them each kind of effort requires, nudge etiquette.

`load_policy` reads and validates it and reports every problem at once, one line each, naming the
key and, where it can be found, the line of the file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

EXAMPLE_POLICY_PATH = Path(__file__).with_name("policy.example.toml")

CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{8,}")
USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
USERGROUP_ID = re.compile(r"S[A-Z0-9]{2,}")

_POLICY_KEYS = ("hub_channel", "leadership", "admins", "silos", "rules", "nudges", "overlap")
_SILO_KEYS = ("name", "aliases", "usergroup", "members", "representatives")
_RULE_KEYS = ("name", "match", "require")
_ARRAY_SECTIONS = ("silos", "rules")
_TABLE_SECTIONS = ("nudges", "overlap")

_DURATION = re.compile(r"(\d+)\s*([mhdw])")
_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_CLOCK = r"([01]?\d|2[0-3]):([0-5]\d)"
_QUIET_HOURS = re.compile(rf"{_CLOCK}\s*-\s*{_CLOCK}")
_DIGEST = re.compile(rf"([a-z]+)\s+{_CLOCK}")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TABLE_HEADER = re.compile(r"\s*\[")

_T = TypeVar("_T")
_D = TypeVar("_D", "NudgePolicy", "OverlapPolicy")
_Key = tuple[str | int, ...]


class PolicyError(ValueError):
    """The policy file is missing or invalid; the message has one line per problem."""


@dataclass(frozen=True)
class Silo:
    """A department or group; `aliases` are the other names people use for it."""

    name: str
    aliases: tuple[str, ...] = ()
    usergroup: str | None = None
    members: tuple[str, ...] = ()
    representatives: tuple[str, ...] = ()

    def is_called(self, name: str) -> bool:
        """Whether `name` is this silo's name or one of its aliases, ignoring case."""
        wanted = name.strip().casefold()
        return any(wanted == known.casefold() for known in (self.name, *self.aliases))


@dataclass(frozen=True)
class Rule:
    """Efforts whose text mentions any of the `match` terms must include every `require` silo."""

    name: str
    match: tuple[str, ...]
    require: tuple[str, ...]

    def matches(self, text: str) -> bool:
        return bool(self.match) and _terms_pattern(self.match).search(text) is not None


@dataclass(frozen=True)
class QuietHours:
    """A daily window of local time when nobody is nudged; it may wrap past midnight.

    Equal start and end make an empty window: no quiet hours.
    """

    start: dt.time
    end: dt.time

    def contains(self, moment: dt.time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True)
class Digest:
    """When the weekly digest goes to the hub channel; `weekday` 0 is Monday."""

    weekday: int
    time: dt.time


@dataclass(frozen=True)
class NudgePolicy:
    unclaimed_after: dt.timedelta = dt.timedelta(days=3)
    stale_after: dt.timedelta = dt.timedelta(days=30)
    max_per_person_per_day: int = 2
    quiet_hours: QuietHours = QuietHours(dt.time(19, 0), dt.time(8, 0))
    digest: Digest | None = Digest(0, dt.time(9, 0))


@dataclass(frozen=True)
class OverlapPolicy:
    threshold: float = 0.6


@dataclass(frozen=True)
class Policy:
    """The validated policy file; `default_policy()` when there is none."""

    hub_channel: str | None = None
    leadership: tuple[str, ...] = ()
    admins: tuple[str, ...] = ()
    silos: tuple[Silo, ...] = ()
    rules: tuple[Rule, ...] = ()
    nudges: NudgePolicy = NudgePolicy()
    overlap: OverlapPolicy = OverlapPolicy()

    def silo_named(self, name_or_alias: str) -> Silo | None:
        return next((silo for silo in self.silos if silo.is_called(name_or_alias)), None)

    def silo_names(self) -> list[str]:
        return [silo.name for silo in self.silos]

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.admins

    def is_leadership(self, user_id: str) -> bool:
        return user_id in self.leadership

    def can_export(self, user_id: str) -> bool:
        return self.is_leadership(user_id) or self.is_admin(user_id)

    def rules_matching(self, text: str) -> list[Rule]:
        return [rule for rule in self.rules if rule.matches(text)]

    def with_hub_channel(self, channel_id: str | None) -> Policy:
        """A copy whose hub is `channel_id` (ROUNDTABLE_HUB_CHANNEL, validated with the other
        settings, overrides the file). None keeps this policy's hub channel."""
        if channel_id is None:
            return self
        return replace(self, hub_channel=channel_id)


def default_policy() -> Policy:
    """The policy without a file: no hub, admins, silos or rules; default nudges and overlap."""
    return Policy()


def load_policy(path: str | Path | None) -> Policy:
    """Read and validate the policy file at `path`; None gives `default_policy()`."""
    if path is None:
        return default_policy()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(
            f"{path}: policy file not found (fix ROUNDTABLE_POLICY, or unset it to run with "
            "the default policy)"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(f"{path}: cannot read the policy file: {error}") from None
    return parse_policy(text, source=str(path))


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Validate the TOML `text`; `source` names it in the messages of the PolicyError."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{source}: not valid TOML: {error}") from None
    reader = _Reader(text, source)
    reader.check_keys(data, (), _POLICY_KEYS)
    hub_channel = reader.string(data, (), "hub_channel", shape=_CHANNEL)
    leadership = reader.strings(data, (), "leadership", shape=_USER)
    admins = reader.strings(data, (), "admins", shape=_USER)
    silos = [_silo(reader, raw, index) for index, raw in enumerate(reader.tables(data, "silos"))]
    _check_silo_names(reader, silos)
    raw_rules = reader.tables(data, "rules")
    rules = [_rule(reader, raw, index, silos) for index, raw in enumerate(raw_rules)]
    policy = Policy(
        hub_channel=hub_channel,
        leadership=leadership,
        admins=admins,
        silos=tuple(silos),
        rules=tuple(rules),
        nudges=_section(reader, data, "nudges", NudgePolicy()),
        overlap=_section(reader, data, "overlap", OverlapPolicy()),
    )
    if reader.problems:
        raise PolicyError("\n".join(reader.problems))
    return policy


@dataclass(frozen=True)
class _Shape:
    pattern: re.Pattern[str]
    expected: str


_CHANNEL = _Shape(CHANNEL_ID, "a Slack channel ID such as C0123ABCD (not the channel's name)")
_USER = _Shape(USER_ID, "a Slack user ID such as U0123ABCD")
_USERGROUP = _Shape(USERGROUP_ID, "a Slack user group ID such as S0123ABCD")


class _Reader:
    """Typed access to the parsed TOML that records every problem instead of stopping."""

    def __init__(self, text: str, source: str) -> None:
        self._source = source
        self._problems: list[tuple[int, str]] = []
        self._locator = _Locator(text)

    def problem(self, at: _Key, message: str, value: object = None) -> None:
        line = self._locator.line_of(at, value)
        where = self._source if line is None else f"{self._source} line {line}"
        self._problems.append((line or 0, f"{where}: {message}"))

    @property
    def problems(self) -> list[str]:
        """Every problem found, in the order of the file."""
        return [message for _, message in sorted(self._problems, key=lambda found: found[0])]

    def check_keys(self, table: Mapping[str, Any], at: _Key, known: tuple[str, ...]) -> None:
        for key in table:
            if key not in known:
                guess = difflib.get_close_matches(key, known, n=1)
                hint = f'; did you mean "{guess[0]}"?' if guess else ""
                where = (*at, key)
                self.problem(
                    where, f"{_label(where)}: unknown key (known: {', '.join(known)}{hint})"
                )

    def string(
        self,
        table: Mapping[str, Any],
        at: _Key,
        key: str,
        *,
        shape: _Shape | None = None,
        required: bool = False,
    ) -> str | None:
        if key not in table:
            if required:
                self.problem(at, f'{_label(at)}: "{key}" is missing')
            return None
        return self._item(table[key], (*at, key), shape)

    def strings(
        self,
        table: Mapping[str, Any],
        at: _Key,
        key: str,
        *,
        shape: _Shape | None = None,
        required: bool = False,
    ) -> tuple[str, ...]:
        where = (*at, key)
        value = table.get(key, [])
        if not isinstance(value, list):
            self.problem(where, f"{_label(where)}: expected a list of strings, got {_kind(value)}")
            return ()
        if required and not value:
            self.problem(
                where if key in table else at, f'{_label(at)}: "{key}" is missing or empty'
            )
        items = (self._item(item, (*where, index), shape) for index, item in enumerate(value))
        return tuple(item for item in items if item is not None)

    def table(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key, {})
        if isinstance(value, dict):
            return value
        self.problem((key,), f"{key}: expected a table ([{key}]), got {_kind(value)}")
        return {}

    def tables(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if isinstance(value, list) and all(isinstance(item, dict) for item in value):
            return value
        self.problem((key,), f"{key}: expected tables written [[{key}]], got {_kind(value)}")
        return []

    def setting(
        self,
        table: Mapping[str, Any],
        at: _Key,
        key: str,
        parse: Callable[[object], _T],
        default: _T,
        expected: str,
    ) -> _T:
        """`parse(table[key])`, or `default` when the key is absent or `parse` raises ValueError."""
        if key not in table:
            return default
        try:
            return parse(table[key])
        except ValueError:
            where = (*at, key)
            self.problem(where, f"{_label(where)} = {_show(table[key])}: expected {expected}")
            return default

    def _item(self, value: object, at: _Key, shape: _Shape | None) -> str | None:
        expected = shape.expected if shape else "a non-empty string"
        if not isinstance(value, str) or not value.strip():
            self.problem(at, f"{_label(at)}: expected {expected}, got {_kind(value)}")
            return None
        text = value.strip()
        if shape and not shape.pattern.fullmatch(text):
            self.problem(at, f"{_label(at)} = {_show(text)}: expected {expected}", text)
            return None
        return text


class _Locator:
    """Best-effort line numbers: the key's line inside its table, then the line of the value."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()

    def line_of(self, at: _Key, value: object = None) -> int | None:
        """The 1-based line of the key `at` (of `value` in it, if a string); None if not found."""
        block = self._block(at)
        if block is None:
            return None
        header, end, inside = block
        key = next((part for part in inside if isinstance(part, str)), None)
        index = None
        if key:
            index = self._find(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", header or 0, end)
        if index is not None and isinstance(value, str):
            index = self._find(rf".*[\"']{re.escape(value)}[\"']", index, end) or index
        if index is None:
            index = header
        return None if index is None else index + 1

    def _block(self, at: _Key) -> tuple[int | None, int, _Key] | None:
        """(header line or None for the top level, end of the table, the key path inside it)."""
        head, rest = at[0], at[1:]
        if head in _ARRAY_SECTIONS and rest and isinstance(rest[0], int):
            header, nth, rest = rf"\s*\[\[\s*{head}\s*\]\]", rest[0], rest[1:]
        elif head in _TABLE_SECTIONS and rest:
            header, nth = rf"\s*\[\s*{head}\s*\]", 0
        else:
            return None, self._next_header(0), at
        starts = [i for i, line in enumerate(self._lines) if re.match(header, line)]
        if nth >= len(starts):
            return None
        return starts[nth], self._next_header(starts[nth] + 1), rest

    def _next_header(self, start: int) -> int:
        found = self._find(_TABLE_HEADER.pattern, start, len(self._lines))
        return len(self._lines) if found is None else found

    def _find(self, pattern: str, start: int, end: int) -> int | None:
        compiled = re.compile(pattern)
        return next((i for i in range(start, end) if compiled.match(self._lines[i])), None)


def _silo(reader: _Reader, raw: Mapping[str, Any], index: int) -> Silo:
    at = ("silos", index)
    reader.check_keys(raw, at, _SILO_KEYS)
    return Silo(
        name=reader.string(raw, at, "name", required=True) or "",
        aliases=reader.strings(raw, at, "aliases"),
        usergroup=reader.string(raw, at, "usergroup", shape=_USERGROUP),
        members=reader.strings(raw, at, "members", shape=_USER),
        representatives=reader.strings(raw, at, "representatives", shape=_USER),
    )


def _check_silo_names(reader: _Reader, silos: list[Silo]) -> None:
    """Each name and alias must lead to one silo, ignoring case."""
    owners: dict[str, int] = {}
    for index, silo in enumerate(silos):
        other = owners.setdefault(silo.name.casefold(), index)
        if silo.name and other != index:
            reader.problem(
                ("silos", index, "name"),
                f'silos[{index}]: two silos are named "{silo.name}" (also silos[{other}])',
            )
    for index, silo in enumerate(silos):
        for alias in silo.aliases:
            other = owners.setdefault(alias.casefold(), index)
            if other != index:
                what = (
                    "the name" if silos[other].name.casefold() == alias.casefold() else "an alias"
                )
                reader.problem(
                    ("silos", index, "aliases"),
                    f'silos[{index}].aliases: "{alias}" is already {what} of '
                    f'silos[{other}] "{silos[other].name}"',
                    alias,
                )


def _rule(reader: _Reader, raw: Mapping[str, Any], index: int, silos: list[Silo]) -> Rule:
    at = ("rules", index)
    reader.check_keys(raw, at, _RULE_KEYS)
    name = reader.string(raw, at, "name", required=True) or ""
    match = reader.strings(raw, at, "match", required=True)
    require = reader.strings(raw, at, "require", required=True)
    return Rule(name, match, _resolve_silos(reader, at, name, require, silos))


def _resolve_silos(
    reader: _Reader, at: _Key, rule: str, wanted: tuple[str, ...], silos: list[Silo]
) -> tuple[str, ...]:
    """The canonical names of the `wanted` silos, which may be given by alias."""
    canonical = {
        called.casefold(): silo.name for silo in silos for called in (silo.name, *silo.aliases)
    }
    resolved: list[str] = []
    for name in wanted:
        silo = canonical.get(name.casefold())
        if silo is None:
            message = f'{_label(at)} "{rule}" requires unknown silo "{name}" '
            reader.problem((*at, "require"), message + _known_silos(name, silos, canonical), name)
        elif silo not in resolved:
            resolved.append(silo)
    return tuple(resolved)


def _known_silos(name: str, silos: list[Silo], canonical: Mapping[str, str]) -> str:
    if not silos:
        return "(no [[silos]] are defined)"
    known = ", ".join(silo.name for silo in silos)
    guess = difflib.get_close_matches(name.casefold(), list(canonical), n=1)
    hint = f'; did you mean "{canonical[guess[0]]}"?' if guess else ""
    return f"(known: {known}{hint})"


def _section(reader: _Reader, data: Mapping[str, Any], name: str, defaults: _D) -> _D:
    """The table `name` read over `defaults`, each key checked by its parser in `_SETTINGS`."""
    raw = reader.table(data, name)
    settings = _SETTINGS[name]
    reader.check_keys(raw, (name,), tuple(settings))
    values = {
        key: reader.setting(raw, (name,), key, parse, getattr(defaults, key), expected)
        for key, (parse, expected) in settings.items()
    }
    return replace(defaults, **values)


def _duration(value: object) -> dt.timedelta:
    found = _DURATION.fullmatch(value.strip().lower()) if isinstance(value, str) else None
    if found is None:
        raise ValueError(value)
    amount, unit = found.groups()
    return dt.timedelta(**{_DURATION_UNITS[unit]: int(amount)})


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(value)
    return value


def _fraction(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(value)
    return float(value)


def _quiet_hours(value: object) -> QuietHours:
    found = _QUIET_HOURS.fullmatch(value.strip()) if isinstance(value, str) else None
    if found is None:
        raise ValueError(value)
    start_hour, start_minute, end_hour, end_minute = map(int, found.groups())
    return QuietHours(dt.time(start_hour, start_minute), dt.time(end_hour, end_minute))


def _digest(value: object) -> Digest | None:
    text = value.strip().lower() if isinstance(value, str) else ""
    if text == "off":
        return None
    found = _DIGEST.fullmatch(text)
    weekday = _weekday(found.group(1)) if found else None
    if found is None or weekday is None:
        raise ValueError(value)
    return Digest(weekday, dt.time(int(found.group(2)), int(found.group(3))))


def _weekday(word: str) -> int | None:
    """0 for "mon" or "monday" (any prefix of three letters or more), ... 6 for Sunday."""
    if len(word) < 3:
        return None
    return next((i for i, day in enumerate(_WEEKDAYS) if day.startswith(word)), None)


_DURATION_FORMS = "a duration such as 90m, 12h, 3d or 2w"
_SETTINGS: dict[str, dict[str, tuple[Callable[[object], Any], str]]] = {
    "nudges": {
        "unclaimed_after": (_duration, _DURATION_FORMS),
        "stale_after": (_duration, _DURATION_FORMS),
        "max_per_person_per_day": (_count, "a whole number, 0 or more"),
        "quiet_hours": (_quiet_hours, "HH:MM-HH:MM"),
        "digest": (_digest, 'a weekday and a time such as "mon 09:00", or "off"'),
    },
    "overlap": {"threshold": (_fraction, "a number from 0 to 1")},
}


@functools.lru_cache(maxsize=256)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """Any of `terms` as whole words: "x.com" is found in "on x.com." but not in "netflix.com"."""
    alternatives = "|".join(r"\s+".join(map(re.escape, term.split())) for term in terms)
    return re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])", re.IGNORECASE)


def _label(at: _Key) -> str:
    """("rules", 0, "require") -> 'rules[0].require'."""
    label = ""
    for part in at:
        if isinstance(part, int):
            label += f"[{part}]"
        else:
            label += f".{part}" if label else part
    return label


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _kind(value: object) -> str:
    if isinstance(value, str):
        return "a string" if value.strip() else "an empty string"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"
