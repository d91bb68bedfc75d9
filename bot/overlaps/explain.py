"""Why two efforts look like one, in words a person understands, and how sure we are.

No bare numbers: a pair gets a band ("likely the same effort", "possibly related") and reasons
such as "both mention brand, sentiment and social" or "3 members in common".
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.overlaps import EffortText
from bot.overlaps.text import Normaliser
from config.policy import Rule

LIKELY = "likely the same effort"
POSSIBLY = "possibly related"
MAX_SHARED_WORDS = 4
SIMILAR_NAMES = 0.5  # Jaccard similarity of the two names' normalised words
SIMILAR_MEANING = 0.6  # sentence-vector cosine above which texts say much the same


def band(score: float, high: float) -> str:
    """LIKELY from `high` up, else POSSIBLY (for a pair that reached the threshold)."""
    return LIKELY if score >= high else POSSIBLY


def reasons(
    first: EffortText,
    second: EffortText,
    *,
    shared_words: Sequence[str],
    normaliser: Normaliser,
    rules: Sequence[Rule] = (),
    meaning: float | None = None,
) -> list[str]:
    """The reasons the pair overlaps, strongest evidence first.

    `shared_words` are the words both use, heaviest first; `meaning` is the cosine of their
    sentence vectors when semantic detection is on.
    """
    found = [
        _shared_words(shared_words),
        _similar_names(first, second, normaliser),
        _similar_meaning(meaning),
        _common_members(first, second),
    ]
    found.extend(_common_rules(first, second, rules) or [_same_required_silos(first, second)])
    said = [reason for reason in found if reason]
    if not said and meaning is not None:
        said.append("their descriptions touch on related subjects")
    return said


def _shared_words(words: Sequence[str]) -> str | None:
    if not words:
        return None
    return f"both mention {_join(list(words[:MAX_SHARED_WORDS]))}"


def _similar_names(first: EffortText, second: EffortText, normaliser: Normaliser) -> str | None:
    one = set(normaliser.tokens(first.name, name=first.is_channel))
    other = set(normaliser.tokens(second.name, name=second.is_channel))
    if not one or not other or len(one & other) < SIMILAR_NAMES * len(one | other):
        return None
    return f"similar names: {first.label} and {second.label}"


def _similar_meaning(meaning: float | None) -> str | None:
    if meaning is None or meaning < SIMILAR_MEANING:
        return None
    return "their descriptions say much the same thing in other words"


def _common_members(first: EffortText, second: EffortText) -> str | None:
    common = len(first.members & second.members)
    if not common:
        return None
    return f"{common} member{'s' if common > 1 else ''} in common"


def _common_rules(first: EffortText, second: EffortText, rules: Sequence[Rule]) -> list[str]:
    return [
        f"both fall under the '{rule.name}' rule, which requires {_join(list(rule.require))}"
        for rule in rules
        if rule.matches(first.full_text) and rule.matches(second.full_text)
    ]


def _same_required_silos(first: EffortText, second: EffortText) -> str | None:
    if not first.required_silos or first.required_silos != second.required_silos:
        return None
    return f"both require {_join(sorted(first.required_silos))}"


def _join(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
