"""The `/coe` slash command: its subcommands and how typed text is split into one of them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

MAX_TEXT = 2000


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("help", "/coe help", "Show what Roundtable can do and how to ask for it."),
)


@dataclass(frozen=True)
class CoeRequest:
    name: str
    args: str


def parse(text: str) -> CoeRequest:
    """`/coe claim #x as PR` -> CoeRequest("claim", "#x as PR"); empty text asks for help."""
    name, _, args = text.strip().partition(" ")
    return CoeRequest(name=name.lower() or "help", args=args.strip())


def find(name: str) -> Subcommand | None:
    return next((s for s in SUBCOMMANDS if s.name == name), None)


def closest(name: str) -> str | None:
    names = [s.name for s in SUBCOMMANDS]
    matches = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    return matches[0] if matches else None
