"""The day-one audit: overlapping efforts in a Slack export or a list of initiatives, offline.

`python -m bot audit PATH [--json]` reads one of:

- a standard Slack export, as a folder or a zip holding `channels.json` (and optionally
  `users.json`, whose job titles help place each channel's creator in a silo);
- a JSON list of channels (`name`, `purpose`, `topic`, ... as in `channels.json`);
- a JSON list of initiatives (`title`, `description`, optionally `silo` and `members`).

The workspace's general channel is left out (it is everyone's, not an effort). Archived channels
are kept, since a new channel may repeat one archived before, but two archived channels are
never reported as a pair.
"""

from __future__ import annotations

import html
import json
import re
import sys
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from bot.overlaps import EffortText
from bot.overlaps.engine import Encoder, Match, OverlapEngine
from config.policy import Policy, Silo

CHANNELS_FILE = "channels.json"
USERS_FILE = "users.json"
ZIP_SIGNATURE = b"PK\x03\x04"

_LINK = re.compile(r"<([^<>|]*)\|([^<>]*)>")  # <https://x|label>, <#C123|name>
_MARKUP = re.compile(r"<[^<>]*>")  # <@U123>, <https://x>, <!here>


class AuditError(ValueError):
    """The path cannot be audited; the message says why."""


@dataclass
class Export:
    """What was read: the efforts to compare, which are archived channels, how many people."""

    efforts: list[EffortText]
    archived: set[str] = field(default_factory=set)
    people: int = 0


def load_export(path: str | Path, policy: Policy | None = None) -> list[EffortText]:
    """The efforts of a Slack export (folder or zip), a channel list or an initiative list."""
    return read(Path(path), policy or Policy()).efforts


def read(path: Path, policy: Policy) -> Export:
    """What `path` holds; AuditError says what is wrong with it."""
    try:
        if path.is_dir():
            return _from_files(*_folder_files(path), policy)
        if zipfile.is_zipfile(path):
            return _from_files(*_zip_files(path), policy)
        if path.is_file():
            return _from_list(_json_file(path), str(path), policy, {})
    except OSError as error:
        problem = error.strerror or error
        raise AuditError(f"{error.filename or path}: cannot be read ({problem})") from None
    raise AuditError(f"{path}: no such file or folder")


def run_audit(
    path: str | Path, policy: Policy, json_output: bool, encoder: Encoder | None = None
) -> str:
    """The audit of `path` as a readable report, or as JSON {"pairs": [...]}."""
    export = read(Path(path), policy)
    engine = OverlapEngine.from_policy(policy, encoder)
    engine.load([(effort, None) for effort in export.efforts])
    matches = [match for match in engine.scan() if not {match.a, match.b} <= export.archived]
    if json_output:
        return json.dumps({"pairs": [_pair_json(engine, match) for match in matches]}, indent=2)
    return _report(Path(path), export, engine, matches)


def main(path: str, as_json: bool, policy: Policy, encoder: Encoder | None = None) -> int:
    """`python -m bot audit PATH [--json]`: print the audit; 2 when `path` cannot be read."""
    try:
        print(run_audit(path, policy, as_json, encoder))
    except AuditError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def _folder_files(folder: Path) -> tuple[bytes, bytes | None, str]:
    found = sorted(folder.rglob(CHANNELS_FILE), key=lambda file: len(file.parts))
    if not found:
        raise AuditError(f"{folder}: no {CHANNELS_FILE} in this folder (is it a Slack export?)")
    users = found[0].with_name(USERS_FILE)
    return found[0].read_bytes(), users.read_bytes() if users.is_file() else None, str(found[0])


def _zip_files(archive: Path) -> tuple[bytes, bytes | None, str]:
    try:
        return _zip_members(archive)
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as error:
        # zipfile raises RuntimeError for an encrypted member and NotImplementedError for a
        # compression method it cannot undo.
        raise AuditError(f"{archive}: cannot be unzipped ({error})") from None


def _zip_members(archive: Path) -> tuple[bytes, bytes | None, str]:
    with zipfile.ZipFile(archive) as opened:
        names = [PurePosixPath(name) for name in opened.namelist()]
        found = sorted((n for n in names if n.name == CHANNELS_FILE), key=lambda n: len(n.parts))
        if not found:
            raise AuditError(f"{archive}: no {CHANNELS_FILE} in this zip (is it a Slack export?)")
        users = found[0].with_name(USERS_FILE)
        users_data = opened.read(str(users)) if users in names else None
        return opened.read(str(found[0])), users_data, f"{archive}:{found[0]}"


def _from_files(channels: bytes, users: bytes | None, source: str, policy: Policy) -> Export:
    users_source = source.removesuffix(CHANNELS_FILE) + USERS_FILE
    titles = _titles(_json(users, users_source), users_source) if users is not None else {}
    export = _from_list(_json(channels, source), source, policy, titles)
    export.people = len(titles)
    return export


def _json_file(path: Path) -> Any:
    data = path.read_bytes()
    if data.startswith(ZIP_SIGNATURE):
        # A zip without its central directory at the end, as an interrupted download leaves it.
        raise AuditError(f"{path}: a zip file cut short or damaged; download it again")
    return _json(data, str(path))


def _json(data: bytes, source: str) -> Any:
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        raise AuditError(f"{source}: not JSON: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise AuditError(f"{source}: not valid JSON ({error})") from None


def _titles(users: Any, source: str) -> dict[str, str]:
    """Each person's job title by Slack ID (profile.title in an export, or title)."""
    if not isinstance(users, list):
        raise AuditError(f"{source}: expected a list of users")
    titles = {}
    for user in users:
        if isinstance(user, Mapping) and user.get("id"):
            profile = user.get("profile") or {}
            titles[user["id"]] = str(profile.get("title") or user.get("title") or "")
    return titles


def _from_list(items: Any, source: str, policy: Policy, titles: Mapping[str, str]) -> Export:
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise AuditError(f"{source}: expected a JSON list of channels or of initiatives")
    if any("title" in item for item in items):
        return Export([_initiative(item, source, n, policy) for n, item in enumerate(items)])
    channels = [item for item in items if item.get("name") and not item.get("is_general")]
    efforts = [_channel(item, policy, titles) for item in channels]
    archived = {
        effort.id
        for effort, item in zip(efforts, channels, strict=True)
        if item.get("is_archived") or item.get("archived")
    }
    return Export(efforts, archived)


def _channel(channel: Mapping[str, Any], policy: Policy, titles: Mapping[str, str]) -> EffortText:
    name = str(channel["name"])
    members = frozenset(str(member) for member in channel.get("members") or ())
    return EffortText(
        id=str(channel.get("id") or name),
        kind="channel",
        name=name,
        text=_plain(channel.get("purpose")),
        topic=_plain(channel.get("topic")),
        silo=_silo_of(name, channel.get("creator"), policy, titles),
        members=members,
    )


def _initiative(item: Mapping[str, Any], source: str, index: int, policy: Policy) -> EffortText:
    title = str(item.get("title") or "").strip()
    if not title:
        raise AuditError(f"{source}: initiative {index + 1} has no title")
    silo = str(item.get("silo") or "") or None
    known = policy.silo_named(silo) if silo else None
    return EffortText(
        id=str(item.get("id") or index),
        kind="initiative",
        name=title,
        text=_plain(item.get("description")),
        silo=known.name if known else silo,
        members=frozenset(str(member) for member in item.get("members") or ()),
    )


def _plain(value: Any) -> str:
    """A purpose or topic (a string, or {"value": ...} in an export) without Slack markup."""
    text = value.get("value", "") if isinstance(value, Mapping) else value or ""
    text = _MARKUP.sub(" ", _LINK.sub(r"\2", str(text)))
    return " ".join(html.unescape(text).split())


def _silo_of(name: str, creator: Any, policy: Policy, titles: Mapping[str, str]) -> str | None:
    """The silo named by the channel's prefix, else its creator's silo in the policy, else the
    silo named in its creator's job title."""
    prefix = re.split(r"[-_.]", name, maxsplit=1)[0]
    silo = policy.silo_named(prefix) if prefix != name else None
    if silo is None and creator:
        silo = next((each for each in policy.silos if creator in each.members), None)
        silo = silo or _silo_in_title(titles.get(str(creator), ""), policy)
    return silo.name if silo else None


def _silo_in_title(title: str, policy: Policy) -> Silo | None:
    """The first silo whose name or an alias is in `title`, as whole words."""
    words = set(re.findall(r"\w+", title.casefold()))
    for silo in policy.silos:
        if any(
            set(re.findall(r"\w+", called.casefold())) <= words
            for called in (silo.name, *silo.aliases)
        ):
            return silo
    return None


def _pair_json(engine: OverlapEngine, match: Match) -> dict[str, Any]:
    return {
        "a": engine.effort(match.a).name,
        "b": engine.effort(match.b).name,
        "score": round(match.score, 3),
        "reasons": match.reasons,
    }


def _report(path: Path, export: Export, engine: OverlapEngine, matches: Sequence[Match]) -> str:
    lines = [f"Roundtable audit of {path}", _summary(export, len(matches)), ""]
    grouped = engine.clusters(matches)
    in_cluster = {member for group in grouped for member in group}
    for number, group in enumerate(grouped, 1):
        names = ", ".join(_label(engine.effort(member), export) for member in group)
        lines += [f"Cluster {number}: one effort in {len(group)} places: {names}", ""]
        inside = [m for m in matches if m.a in group and m.b in group]
        lines += _pair_lines(engine, export, inside)
    rest = [m for m in matches if m.a not in in_cluster or m.b not in in_cluster]
    if rest:
        heading = "Other pairs" if grouped else "Overlapping pairs"
        lines += [heading, "", *_pair_lines(engine, export, rest)]
    if not matches:
        lines.append("No overlapping efforts found.")
    return "\n".join(lines).rstrip()


def _summary(export: Export, pairs: int) -> str:
    channels = sum(effort.is_channel for effort in export.efforts)
    initiatives = len(export.efforts) - channels
    parts = [_counted(channels, "channel"), _counted(initiatives, "initiative")]
    summary = " and ".join(part for part in parts if part) or "Nothing to compare"
    if export.archived:
        summary += f" ({len(export.archived)} archived)"
    if export.people:
        summary += f", {_counted(export.people, 'person')}"
    return f"{summary}: {_counted(pairs, 'overlapping pair') or 'no overlapping pairs'}."


def _counted(count: int, noun: str) -> str:
    """ "3 channels", "1 channel", or "" for none."""
    if not count:
        return ""
    plural = "people" if noun == "person" else f"{noun}s"
    return f"{count} {noun if count == 1 else plural}"


def _label(effort: EffortText, export: Export) -> str:
    return f"{effort.label} (archived)" if effort.id in export.archived else effort.label


def _pair_lines(engine: OverlapEngine, export: Export, matches: Iterable[Match]) -> list[str]:
    lines = []
    for match in matches:
        first, second = engine.effort(match.a), engine.effort(match.b)
        silos = f" ({first.silo} / {second.silo})" if match.cross_silo else ""
        pair = f"{_label(first, export)} and {_label(second, export)}"
        lines.append(f"  {pair}: {match.band}{silos}")
        lines += [f"    - {reason}" for reason in match.reasons]
        lines.append("")
    return lines
