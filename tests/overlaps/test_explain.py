"""Reasons in words and bands instead of bare numbers."""

from __future__ import annotations

import re

from bot.overlaps import EffortText
from bot.overlaps.explain import LIKELY, POSSIBLY, band, reasons
from bot.overlaps.text import Normaliser
from config.policy import Rule

SOCIAL_RULE = Rule(
    "social media", ("social", "twitter"), ("Marketing", "PR", "Customer Support", "Legal")
)
NORMALISER = Normaliser(["mktg", "pr"])


def channel(
    name: str,
    text: str,
    members: frozenset[str] = frozenset(),
    required_silos: frozenset[str] = frozenset(),
) -> EffortText:
    return EffortText(name, "channel", name, text, members=members, required_silos=required_silos)


def test_bands_replace_the_number() -> None:
    assert band(0.9, high=0.8) == LIKELY
    assert band(0.8, high=0.8) == LIKELY
    assert band(0.65, high=0.8) == POSSIBLY


def test_reasons_name_shared_words_names_members_and_rules() -> None:
    first = channel("mktg-social-listening", "Monitor brand sentiment", members=frozenset("ABCD"))
    second = channel("pr-social-listening", "Brand sentiment on Twitter", members=frozenset("BCDE"))
    found = reasons(
        first,
        second,
        shared_words=["brand", "sentiment", "social", "listening"],
        normaliser=NORMALISER,
        rules=[SOCIAL_RULE],
    )
    assert found == [
        "both mention brand, sentiment, social and listening",
        "similar names: #mktg-social-listening and #pr-social-listening",
        "3 members in common",
        "both fall under the 'social media' rule, which requires Marketing, PR, Customer Support "
        "and Legal",
    ]


def test_no_reason_is_a_bare_number() -> None:
    first = channel("a", "x", members=frozenset("A"), required_silos=frozenset({"PR", "Legal"}))
    second = channel("b", "y", members=frozenset("A"), required_silos=frozenset({"PR", "Legal"}))
    found = reasons(first, second, shared_words=["x"], normaliser=NORMALISER, meaning=0.9)
    assert found == [
        "both mention x",
        "their descriptions say much the same thing in other words",
        "1 member in common",
        "both require Legal and PR",
    ]
    assert not any(re.search(r"\d\.\d", reason) for reason in found)


def test_names_sharing_one_word_of_several_are_not_similar() -> None:
    first = channel("cs-twitter-monitoring", "")
    second = channel("eng-twitter-login", "")
    assert reasons(first, second, shared_words=["twitter"], normaliser=NORMALISER) == [
        "both mention twitter"
    ]


def test_a_pair_found_by_meaning_alone_still_gets_a_reason() -> None:
    first, second = channel("car-fleet", "Company car leases"), channel("vehicles", "Van pool")
    assert reasons(first, second, shared_words=[], normaliser=NORMALISER, meaning=0.4) == [
        "their descriptions touch on related subjects"
    ]
