"""The arguments of the `/coe` subcommands, read from the text Slack sends into typed references.

With `should_escape` on, Slack sends what was picked from its menus as markup: channels as
`<#C0123ABCD|name>`, people as `<@U0123ABCD>` or `<@W0123ABCD|maria>`, user groups as
`<!subteam^S0123|@marketing>`; it escapes `&`, `<` and `>` in all other text as `&amp;`, `&lt;`
and `&gt;`. People also type plain `#mktg-social` and `@maria`. Markup is read only where a
reference is expected, and other text is unescaped after that, so a `<@U123>` or `<!channel>`
in a title stays text.

Titles, descriptions, reasons and silo names come back as plain text, and the messages of
ArgumentError may quote what was typed: escape them (`blocks.escape`) before showing them.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 2000
REASON_LIMIT = 500  # what the claims' history keeps
SILO_LIMIT = 80
CHANNEL_NAME_LIMIT = 80

CLAIM_USAGE = (
    '/coe claim #channel [as Silo] [-- reason]  or  /coe claim "Title" [as Silo] -- description'
)
TRANSFER_USAGE = (
    '/coe transfer #channel @person [-- reason]  or  /coe transfer "Title" @person [-- reason]'
    "  (admins: #channel @owner @person)"
)
WHO_USAGE = '/coe who #channel, /coe who @person, /coe who "Title" or /coe who Silo'
SILO_SET_USAGE = "/coe silos set @person Silo Name"
RELEASE_USAGE = '/coe release #channel  or  /coe release "Title"  (admins: add @person)'

_WHO_TAKES_OVER = "Tell me who should take it over, such as @maria."

_CHANNEL_MENTION = re.compile(r"<#(?P<id>[A-Z0-9]+)(?:\|(?P<name>[^>]*))?>")
_PERSON_MENTION = re.compile(r"<@(?P<id>[A-Z0-9]+)(?:\|(?P<handle>[^>]*))?>")
_GROUP_MENTION = re.compile(r"<!subteam\^(?P<id>[A-Z0-9]+)(?:\|@?(?P<handle>[^>]*))?>")
_CHANNEL_NAME = re.compile(r"#(?P<name>[^\s:\N{FULLWIDTH COLON}]*)")
_HANDLE = re.compile(r"@(?P<name>[^\s:\N{FULLWIDTH COLON}]*)")
_TRAILING_PERSON = re.compile(rf"(?<!\S)(?:{_PERSON_MENTION.pattern}|{_HANDLE.pattern})\s*$")
_SEPARATOR = re.compile(r"--|—|:|\N{FULLWIDTH COLON}")
_TITLE_SEPARATOR = re.compile(r"--|—")
_AS = re.compile(r"as(?:\s+|$)", re.IGNORECASE)
_SLACK_ESCAPE = re.compile(r"&(amp|lt|gt);")
_UNESCAPED = {"amp": "&", "lt": "<", "gt": ">"}

# Each opening quote and what closes it. The right single quote is also the apostrophe, so it
# closes only where no letter follows it.
_QUOTES = {
    **dict.fromkeys('"“”„', '["“”]'),
    "\N{LEFT SINGLE QUOTATION MARK}": r"\N{RIGHT SINGLE QUOTATION MARK}(?!\w)",
    "「": "」",
    "『": "』",
}
_QUOTED = {
    opening: re.compile(rf"{re.escape(opening)}(?P<inside>.*?){closing}", re.DOTALL)
    for opening, closing in _QUOTES.items()
}


class ArgumentError(ValueError):
    """What was typed can't be read: `str()` is a short message for the person and a usage line."""

    def __init__(self, problem: str, usage: str) -> None:
        super().__init__(f"{problem}\nUsage: {usage}")
        self.problem = problem
        self.usage = usage


@dataclass(frozen=True)
class ChannelRef:
    """A channel: its ID (and name, if Slack sent it) when picked from the menu, else its name."""

    id: str | None
    name: str | None


@dataclass(frozen=True)
class PersonRef:
    """A person: their ID (and handle, if sent) when picked from the menu, else a typed handle."""

    id: str | None
    handle: str | None


@dataclass(frozen=True)
class InitiativeRef:
    title: str


@dataclass(frozen=True)
class SiloRef:
    """A silo by name or alias; a user group mention also gives the group's ID as `usergroup`."""

    name: str
    usergroup: str | None = None


@dataclass(frozen=True)
class ClaimArgs:
    """`description`: an initiative's description, or why a channel is claimed (its reason)."""

    target: ChannelRef | InitiativeRef
    silo: str | None = None
    description: str = ""


@dataclass(frozen=True)
class TransferArgs:
    """`owner`: whose claim an admin hands over, when the effort has several owners."""

    target: ChannelRef | InitiativeRef
    to: PersonRef
    reason: str = ""
    owner: PersonRef | None = None


@dataclass(frozen=True)
class SiloAssignment:
    person: PersonRef
    silo: str


Target = ChannelRef | PersonRef | InitiativeRef | SiloRef


def parse_target(text: str) -> Target | None:
    """What `/coe who` asks about: `#channel`, `@person`, `"Title"`, or any other text as a silo.

    Empty text gives None.
    """
    text = text.strip()
    if not text:
        return None
    taken = _take_target(text, WHO_USAGE)
    if taken is None:
        return _silo_ref(text, WHO_USAGE)
    target, rest = taken
    if rest.strip():
        raise ArgumentError(
            f"I can look up one thing at a time; I don't follow {_show(rest)}.", WHO_USAGE
        )
    return target


def parse_claim(text: str) -> ClaimArgs:
    """`#channel [as Silo] [-- description]` or `"Title" [as Silo] [-- description]`.

    The description may also follow an em dash or a colon. Unquoted text that is not a channel is
    a title up to the first `--` or em dash, and takes no `as Silo`.
    """
    text = text.strip()
    if not text:
        raise ArgumentError("Tell me which channel or initiative.", CLAIM_USAGE)
    taken = _take_target(text, CLAIM_USAGE)
    if taken is None:
        title, rest = _up_to(_TITLE_SEPARATOR, text)
        description = _trailing_text(rest, "Descriptions", CLAIM_USAGE)
        return ClaimArgs(InitiativeRef(_title(title, CLAIM_USAGE)), None, description)
    target, rest = taken
    if not isinstance(target, ChannelRef | InitiativeRef):
        raise ArgumentError(
            "You can claim a channel or an initiative, not a person or a group.", CLAIM_USAGE
        )
    silo, rest = _take_silo(rest.strip())
    if isinstance(target, ChannelRef):
        reason = _trailing_text(rest, "Reasons", CLAIM_USAGE, REASON_LIMIT)
        return ClaimArgs(target, silo, reason)
    return ClaimArgs(target, silo, _trailing_text(rest, "Descriptions", CLAIM_USAGE))


def parse_transfer(text: str) -> TransferArgs:
    """`#channel @person`, `"Title" @person` or `Title @person`, then optionally `-- reason`."""
    text = text.strip()
    if not text:
        raise ArgumentError("Tell me what to hand over, and to whom.", TRANSFER_USAGE)
    taken = _take_target(text, TRANSFER_USAGE)
    if taken is None:
        return _unquoted_transfer(text)
    target, rest = taken
    if not isinstance(target, ChannelRef | InitiativeRef):
        raise ArgumentError(
            "First tell me which channel or initiative to hand over.", TRANSFER_USAGE
        )
    person, rest = _recipient(rest.strip())
    owner = None
    if second := _take_person(rest.strip(), TRANSFER_USAGE):  # an admin's `@owner @person`
        owner, (person, rest) = person, second
    reason = _trailing_text(rest, "Reasons", TRANSFER_USAGE, REASON_LIMIT)
    return TransferArgs(target, person, reason, owner)


def parse_release(text: str) -> tuple[ChannelRef | InitiativeRef, PersonRef | None]:
    """`#channel` or `"Title"`, optionally followed by the owner to release (admins)."""
    text = text.strip()
    if not text:
        raise ArgumentError("Tell me which channel or initiative to release.", RELEASE_USAGE)
    taken = _take_target(text, RELEASE_USAGE)
    if taken is None:
        return InitiativeRef(_title(text, RELEASE_USAGE)), None
    target, rest = taken
    if not isinstance(target, ChannelRef | InitiativeRef):
        raise ArgumentError("First tell me which channel or initiative.", RELEASE_USAGE)
    if not rest.strip():
        return target, None
    taken_person = _take_person(rest.strip(), RELEASE_USAGE)
    if taken_person is None or taken_person[1].strip():
        raise ArgumentError(f"I don't follow {_show(rest.strip())}.", RELEASE_USAGE)
    return target, taken_person[0]


def parse_silo_assignment(text: str) -> SiloAssignment:
    """`@person Silo Name`: the text after `/coe silos set`; the caller strips the `set`."""
    taken = _take_person(text.strip(), SILO_SET_USAGE)
    if taken is None:
        raise ArgumentError("Tell me whose silo to set, such as @maria.", SILO_SET_USAGE)
    person, rest = taken
    return SiloAssignment(person, _silo_ref(rest, SILO_SET_USAGE).name)


def parse_words(text: str) -> str:
    """What `/coe find` looks for: the typed words as plain text, Slack's escaping undone."""
    return " ".join(_unescape(text).split())


def closest_names(wanted: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Up to `n` (> 0) of `candidates` like `wanted`, best first, ignoring case: "did you mean"."""
    by_folded: dict[str, str] = {}
    for name in candidates:
        by_folded.setdefault(name.casefold(), name)
    matches = difflib.get_close_matches(wanted.casefold(), list(by_folded), n=n)
    return [by_folded[match] for match in matches]


def _take_target(text: str, usage: str) -> tuple[Target, str] | None:
    """The reference `text` starts with and the text after it; None if it starts with none."""
    quoted = _take_quoted(text, usage)
    if quoted:
        inside, rest = quoted
        return InitiativeRef(_title(inside, usage)), rest
    if found := _GROUP_MENTION.match(text):
        return _group_ref(found), text[found.end() :]
    return _take_channel(text, usage) or _take_person(text, usage)


def _take_quoted(text: str, usage: str) -> tuple[str, str] | None:
    """The text inside the quotes `text` starts with, and the text after them."""
    pattern = _QUOTED.get(text[:1])
    if pattern is None:
        return None
    found = pattern.match(text)
    if found is None:
        raise ArgumentError(f"The quote that starts {_show(text)} is never closed.", usage)
    return found["inside"], text[found.end() :]


def _take_channel(text: str, usage: str) -> tuple[ChannelRef, str] | None:
    if found := _CHANNEL_MENTION.match(text):
        return ChannelRef(found["id"], (found["name"] or "").lower() or None), text[found.end() :]
    if found := _CHANNEL_NAME.match(text):
        return ChannelRef(None, _channel_name(found["name"], usage)), text[found.end() :]
    return None


def _take_person(text: str, usage: str) -> tuple[PersonRef, str] | None:
    if found := _PERSON_MENTION.match(text):
        handle = _unescape(found["handle"] or "") or None
        return PersonRef(found["id"], handle), text[found.end() :]
    if found := _HANDLE.match(text):
        if not found["name"]:
            raise ArgumentError("There's an @ with no name after it.", usage)
        return PersonRef(None, _unescape(found["name"])), text[found.end() :]
    return None


def _take_silo(text: str) -> tuple[str | None, str]:
    """The silo of `as Silo` at the start of `text` (None without `as`) and the text after it."""
    found = _AS.match(text)
    if found is None:
        return None, text
    silo, rest = _up_to(_SEPARATOR, text[found.end() :])
    return _silo_ref(silo, CLAIM_USAGE).name, rest


def _unquoted_transfer(text: str) -> TransferArgs:
    """`Title @person [-- reason]`: the person is the last word before the separator."""
    head, rest = _up_to(_TITLE_SEPARATOR, text)
    found = _TRAILING_PERSON.search(head)
    if found is None:
        raise ArgumentError(_WHO_TAKES_OVER, TRANSFER_USAGE)
    person, _ = _recipient(found.group().strip())
    title = _title(head[: found.start()], TRANSFER_USAGE)
    reason = _trailing_text(rest, "Reasons", TRANSFER_USAGE, REASON_LIMIT)
    return TransferArgs(InitiativeRef(title), person, reason)


def _recipient(text: str) -> tuple[PersonRef, str]:
    taken = _take_person(text, TRANSFER_USAGE)
    if taken is None:
        raise ArgumentError(_WHO_TAKES_OVER, TRANSFER_USAGE)
    return taken


def _silo_ref(raw: str, usage: str) -> SiloRef:
    """A silo named by a user group mention, in quotes, or as plain words (an `@` is dropped)."""
    text = raw.strip()
    if found := _GROUP_MENTION.fullmatch(text):
        return _group_ref(found)
    quoted = _take_quoted(text, usage)
    if quoted and not quoted[1].strip():
        text = quoted[0]
    name = " ".join(_unescape(text).removeprefix("@").split())
    if not name:
        raise ArgumentError("Tell me which silo.", usage)
    return SiloRef(_limited(name, SILO_LIMIT, "Silo names", usage))


def _group_ref(found: re.Match[str]) -> SiloRef:
    """A user group mention: its handle as the name, or its ID when Slack sent no handle."""
    return SiloRef(_unescape(found["handle"] or "") or found["id"], usergroup=found["id"])


def _channel_name(raw: str, usage: str) -> str:
    """A typed channel name, checked and normalised: `Mktg-Social` -> `mktg-social`."""
    name = unicodedata.normalize("NFC", _unescape(raw)).lower()
    if not name:
        raise ArgumentError("There's a # with no channel name after it.", usage)
    if not all(char in "-_" or unicodedata.category(char)[0] in "LNM" for char in name):
        raise ArgumentError(
            f"{_show('#' + name)} isn't a channel name: those have only letters, numbers, - and _.",
            usage,
        )
    return _limited(name, CHANNEL_NAME_LIMIT, "Channel names", usage)


def _title(raw: str, usage: str) -> str:
    title = " ".join(_unescape(raw).split())
    if not title:
        raise ArgumentError("The title is empty.", usage)
    return _limited(title, TITLE_LIMIT, "Titles", usage)


def _trailing_text(text: str, what: str, usage: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """The description or reason after a separator (`--`, em dash or colon); "" if none."""
    text = text.strip()
    if not text:
        return ""
    found = _SEPARATOR.match(text)
    if found is None:
        raise ArgumentError(f"I don't follow {_show(text)}.", usage)
    return _limited(_unescape(text[found.end() :].strip()), limit, what, usage)


def _up_to(separator: re.Pattern[str], text: str) -> tuple[str, str]:
    """`text` cut where `separator` first occurs: what is before it, and the rest."""
    found = separator.search(text)
    cut = len(text) if found is None else found.start()
    return text[:cut], text[cut:]


def _limited(text: str, limit: int, what: str, usage: str) -> str:
    if len(text) > limit:
        raise ArgumentError(
            f"{what} can be at most {limit} characters; this one has {len(text)}.", usage
        )
    return text


def _unescape(text: str) -> str:
    """Undo Slack's escaping of `&`, `<` and `>` in one pass (`&amp;lt;` stays `&lt;`)."""
    return _SLACK_ESCAPE.sub(lambda found: _UNESCAPED[found[1]], text)


def _show(text: str) -> str:
    """What was typed, shortened, to quote in a message."""
    shown = " ".join(_unescape(text).split())
    return f"“{shown[:40]}…”" if len(shown) > 40 else f"“{shown}”"
