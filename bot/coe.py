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
    Subcommand("claim", "/coe claim #channel [as Silo]", "Claim a channel for your silo."),
    Subcommand(
        "claim", '/coe claim "Title" -- description', "Register an initiative and claim it."
    ),
    Subcommand("claim", "/coe claim", "Open a form to register an initiative."),
    Subcommand(
        "who", '/coe who #channel | "Title" | @person | Silo', "Who owns what, and since when."
    ),
    Subcommand("find", "/coe find words", "Search channels and initiatives."),
    Subcommand(
        "dupes", "/coe dupes [mine|silo|all]", "Efforts that look like the same work, and why."
    ),
    Subcommand("release", "/coe release #channel", "Give up your claim."),
    Subcommand("transfer", "/coe transfer #channel @person", "Hand your claim to someone."),
    Subcommand("silos", "/coe silos", "List silos with head counts and representatives."),
    Subcommand("silos", "/coe silos set @person Silo", "Admins: set someone's home silo."),
    Subcommand("help", "/coe help", "Show this list."),
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
    names = sorted({s.name for s in SUBCOMMANDS})
    matches = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    return matches[0] if matches else None
