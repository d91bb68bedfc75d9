"""Normalisation of Slack channel names and short texts into comparable word stems.

`Normaliser().tokens("Tracking complaints in CX")` gives
`["track", "complaint", "custom", "experienc"]`, and
`Normaliser(["mktg"]).tokens("mktg-social-listening-2024-emea", name=True)` gives
`["social", "listen"]`: the department prefix, the year and the region are dropped, so that
names from different silos compare on what the work is about.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import NamedTuple

ABBREVIATIONS = "abbreviations.toml"  # in the `config` package


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Common English function words, and words that name the container of some work rather than
# the work itself (an initiative "to do X" is about X).
STOP_WORDS = _word_set(
    """
    a about above across after again against all almost also although always am among an and
    any are around as at be because been before being below between both but by can could did
    do does doing done down during each either else etc even ever every few for from further
    get gets getting go going got had has have having he her here hers him his how however i if
    in into is it its itself just least less let like made make makes making many may me might
    more most much must my need needs new next no nor not now of off often on once one only onto
    or other others our ours out over own per please put rather really same see set shall she
    should since so some such than that the their theirs them then there these they this those
    though through thru to too toward towards under until up upon us use used using very via
    was we well were what when where whether which while who whom whose why will with within
    without would yet you your yours
    team teams channel channels project projects initiative initiatives program programs
    programme programmes effort efforts workstream workstreams group groups squad general misc
    discuss discussion discussions chat stuff thing things
    """
)

REGIONS = _word_set(
    """
    emea apac amer americas latam na nam noram eu europe us usa uk anz dach nordics benelux
    mena meai sea anzac global
    """
)

WORD_CACHE = 1 << 16  # distinct words whose terms are remembered
_YEAR = re.compile(r"(?:19|20)\d\d|fy\d{2}(?:\d\d)?|[qh][1-4]|\d{2}q[1-4]|q[1-4]\d{2,4}")
_WORD = re.compile(r"[^\W_]+")


class Term(NamedTuple):
    """A stem to compare, the word it came from (to show people), and how much it counts."""

    stem: str
    word: str
    weight: float = 1.0


def load_abbreviations(path: str | Path | None = None) -> dict[str, str]:
    """The `[abbreviations]` table of `path` (default `config/abbreviations.toml`), lowercased."""
    source = Path(path) if path else resources.files("config").joinpath(ABBREVIATIONS)
    table = tomllib.loads(source.read_text(encoding="utf-8")).get("abbreviations", {})
    return {str(short).casefold(): str(long).casefold() for short, long in table.items()}


class Normaliser:
    """Turns names and texts into word stems: lowercase, Unicode-aware, abbreviations expanded.

    `silo_aliases` are the names and aliases of the policy's silos; a channel name starting with
    one ("mktg-", "customer-support-") loses that prefix. `abbreviations` maps a short form to
    what it stands for; None reads the general dictionary in `config/abbreviations.toml`.
    """

    def __init__(
        self,
        silo_aliases: Iterable[str] = (),
        abbreviations: Mapping[str, str] | None = None,
    ) -> None:
        known = load_abbreviations() if abbreviations is None else abbreviations
        self._abbreviations = {short.casefold(): long.casefold() for short, long in known.items()}
        prefixes = (tuple(word.casefold() for word in _words(alias)) for alias in silo_aliases)
        self._prefixes = {prefix for prefix in prefixes if prefix}
        self._longest_prefix = max(map(len, self._prefixes), default=0)
        self._word_terms = functools.lru_cache(maxsize=WORD_CACHE)(self._terms)

    def tokens(self, text: str, *, name: bool = False) -> list[str]:
        """The stems of `text`, in order. With `name`, `text` is a channel name: a leading silo
        prefix and any region are dropped too."""
        return [term.stem for term in self.terms(text, name=name)]

    def terms(self, text: str, *, name: bool = False) -> list[Term]:
        """Like `tokens`, with each stem's word as written and its weight."""
        words = _words(text)
        if name:
            words = [word for word in self._without_prefix(words) if word.casefold() not in REGIONS]
        return [term for word in words for term in self._word_terms(word)]

    def _terms(self, word: str) -> tuple[Term, ...]:
        """An abbreviation's words share its weight, so that "hr" counts about as much as one
        word when it matches another "hr", yet still meets "human" or "resources"."""
        parts = self._content(word)
        abbreviation = len(parts) > 1 and word.casefold() in self._abbreviations
        weight = 1 / math.sqrt(len(parts)) if abbreviation else 1.0
        return tuple(Term(stem(part), part, weight) for part in parts)

    def _without_prefix(self, words: list[str]) -> list[str]:
        for size in range(min(self._longest_prefix, len(words) - 1), 0, -1):
            head = tuple(word.casefold() for word in words[:size])
            if head in self._prefixes or self._spelled_out(head) in self._prefixes:
                return words[size:]
        return words

    def _spelled_out(self, words: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(part for word in words for part in self._abbreviations.get(word, word).split())

    def _content(self, word: str) -> list[str]:
        """`word` as lowercase content words: abbreviation expanded, camelCase and digits split,
        stop words, years and numbers dropped."""
        lower = word.casefold()
        if lower in STOP_WORDS or _YEAR.fullmatch(lower):
            return []
        if lower in self._abbreviations:
            return [part for part in self._abbreviations[lower].split() if part not in STOP_WORDS]
        parts = _split_case(word)
        if len(parts) > 1:
            return [content for part in parts for content in self._content(part)]
        return [lower] if len(lower) > 1 and not lower.isdigit() else []


def _words(text: str) -> list[str]:
    """Runs of letters and digits, accents removed, case kept."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(text)


def _split_case(word: str) -> list[str]:
    """ "FinOps" -> ["Fin", "Ops"], "HTMLParser" -> ["HTML", "Parser"], "soc2" -> ["soc", "2"]."""
    if word.isalpha() and (word.islower() or word.isupper() or word[1:].islower()):
        return [word]
    cuts = [i for i in range(1, len(word)) if _starts_part(word, i)]
    return [word[start:end] for start, end in zip([0, *cuts], [*cuts, len(word)], strict=True)]


def _starts_part(word: str, i: int) -> bool:
    before, char = word[i - 1], word[i]
    if char.isdigit() != before.isdigit():
        return True
    following = word[i + 1] if i + 1 < len(word) else ""
    return char.isupper() and (before.islower() or (before.isupper() and following.islower()))


# A light suffix stemmer in a few steps, enough to make plurals, -ing and -ed forms, British
# -ise spellings and the nouns made from verbs (-ation, -ment, -er) meet.
_BRITISH = (("isation", "ization"), ("ising", "izing"), ("ised", "ized"), ("ise", "ize"))
_PLURALS = (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh"))
_INFLECTIONS = (("ing", ""), ("ed", ""))
_DERIVATIONS = (
    ("ization", "ize"), ("ation", "ate"), ("ator", "ate"), ("izer", "ize"), ("ment", ""),
    ("ness", ""), ("ful", ""), ("ly", ""), ("eer", "eer"), ("er", ""),
)  # fmt: skip
_ENDINGS = (("ize", ""), ("iz", ""), ("e", ""))
_KEEP_S = ("ss", "us", "is", "os", "as")


@functools.lru_cache(maxsize=WORD_CACHE)
def stem(word: str) -> str:
    """The stem of a lowercase word: "tracking", "tracks" and "tracked" give "track"."""
    if len(word) < 3:
        return word
    word = _replace_suffix(word, _BRITISH)
    word = _replace_suffix(word, _PLURALS)
    if word.endswith("s") and not word.endswith(_KEEP_S):
        word = word[:-1]
    inflected = _replace_suffix(word, _INFLECTIONS)
    word = _undouble(inflected) if inflected != word else word
    word = _replace_suffix(word, _DERIVATIONS)
    return _replace_suffix(word, _ENDINGS)


def _replace_suffix(word: str, rules: tuple[tuple[str, str], ...]) -> str:
    """`word` with the first matching suffix replaced, if at least three letters with a vowel
    stay in front of it."""
    for old, new in rules:
        rest = word[: -len(old)]
        if word.endswith(old) and len(rest) >= 3 and any(vowel in rest for vowel in "aeiouy"):
            return rest + new
    return word


def _undouble(word: str) -> str:
    """ "plann" -> "plan"; double l, s and z stay ("install", "pass", "buzz")."""
    if word[-1] == word[-2] and word[-1] not in "aeioulsz":
        return word[:-1]
    return word


# Fingerprints: a MinHash of the normalised words, one byte per value, so that two fingerprints
# estimate how much of a text is still the same (Jaccard resemblance), and a pair's two
# fingerprints fit in 64 characters.
_PRIME = (1 << 61) - 1
_HASHES = 16


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


_PERMUTATIONS = [(_hash(f"a{i}") % _PRIME or 1, _hash(f"b{i}") % _PRIME) for i in range(_HASHES)]


def fingerprint(stems: Iterable[str]) -> str:
    """A MinHash fingerprint of a set of stems: 32 hex digits, the same in every process."""
    hashes = [_hash(each) for each in set(stems)]
    if not hashes:
        return "00" * _HASHES
    values = (min((a * value + b) % _PRIME for value in hashes) for a, b in _PERMUTATIONS)
    return "".join(f"{value & 0xFF:02x}" for value in values)


def resemblance(first: str, second: str) -> float:
    """The estimated share of stems that two fingerprinted texts have in common, 0 to 1."""
    same = sum(first[i : i + 2] == second[i : i + 2] for i in range(0, 2 * _HASHES, 2))
    chance = 1 / 256  # two one-byte values agree by chance this often
    return max(0.0, (same / _HASHES - chance) / (1 - chance))
