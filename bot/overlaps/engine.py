"""The overlap engine: which efforts look like the same work, how strongly, and why.

Scoring. Efforts are compared in one or two *spaces*: their words (the cosine of TF-IDF vectors,
`LexicalIndex`) and, with an encoder, their meaning (the cosine of sentence vectors). A cosine
means more for an effort unlike everything else than for one that resembles many others, so
each cosine is divided by the two efforts' *density*: the mean cosine with their `NEIGHBOURS`
closest others, at least a floor per space (local scaling: it keeps efforts made of common words
from matching everything, and the floor keeps a sparse workspace's loose neighbours from looking
close to one another). The relative scores of the spaces are blended and mapped onto [0, 1)
by `1 - exp(-relative / scale)`, the scale set so that the default threshold 0.6 is where
precision and recall balance over all pairs of the development set.

Ranking: pairs across silos first, then by score. Clusters are groups of three or more efforts
that match one another. A dismissed pair stays quiet until one of its texts changes materially.
"""

from __future__ import annotations

import bisect
import functools
import math
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain, repeat
from typing import TYPE_CHECKING, Protocol

from bot.overlaps import EffortId, EffortText, explain
from bot.overlaps.lexical import LexicalIndex, drifted
from bot.overlaps.text import Normaliser, fingerprint, resemblance
from config.policy import Policy, Rule

if TYPE_CHECKING:
    import numpy as np

NEIGHBOURS = 5
WORD_DENSITY_FLOOR = 0.1
# Unrelated sentences already have cosines of 0.1 to 0.3 under MiniLM: a lower floor would let
# a sparse workspace's loose neighbours look close relative to one another.
MEANING_DENSITY_FLOOR = 0.35
ROUNDING = 1e-6  # between two float32 products of the same vectors, summed in another order
MIN_SIMILARITY = 0.05  # word cosines below this are noise, such as one common word in common
CANDIDATES = 20
SHORTLIST = 4 * (CANDIDATES + 1)  # rows ranked exactly after the int8 search (`_MeaningSpace`)
# Postings walked to find an effort's nearest others in bulk (a fill, a refresh); an add or a
# check walks the index's larger default budget (see `LexicalIndex.candidates`).
NEIGHBOURHOOD_BUDGET = 500
LEXICAL_SCALE = 1.2
SEMANTIC_WEIGHT = 0.9
SEMANTIC_SCALE = 1.05
REFRESH_BLOCK = 256  # similarity-matrix rows at a time (about 300 MB of work at 100,000 efforts)
SPLIT_ROWS = 20_000  # past this many vectors, the int8 search is split over two threads
# The largest values of a long row are looked for above a bar set by a sample (`_largest`).
SAMPLED_PAST = 4096
SAMPLE_STRIDE = 32
SAMPLE_MARGIN = 8
PAIR_BLOCK = 2048  # pairs of vectors multiplied at a time: 6 MB, which stays in the CPU's cache
STALE_GROWTH = 1.1  # word similarities are found again once the index grew or shrank this much
# Stale neighbourhoods found again per scan: two or three seconds of work at 100,000 efforts, so
# that the night after a workspace grew by a tenth stays under 10 s (the rest: the next nights).
REFRESH_PER_SCAN = 5_000
MATERIAL_CHANGE = 0.8  # a text changed materially when less than this share of it is the same


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Match:
    """Two efforts that look like the same work: `score` in [0, 1], `band` and `reasons` in
    words, and whether they belong to different silos."""

    a: EffortId
    b: EffortId
    score: float
    band: str
    reasons: list[str]
    cross_silo: bool


Found = dict[EffortId, float]


class OverlapEngine:
    """Efforts in memory, each compared with the others as it is added, edited or checked.

    `threshold` is the least score raised as an overlap (the policy's `overlap.threshold`);
    pairs from `high` up (default halfway from the threshold to 1) are "likely the same effort".
    With an `encoder` (see `bot.overlaps.semantic`), or with vectors passed to `add`, sentence
    vectors add candidates and weigh `semantic_weight` in the score.
    """

    def __init__(
        self,
        normaliser: Normaliser,
        threshold: float,
        encoder: Encoder | None = None,
        *,
        rules: Sequence[Rule] = (),
        high: float | None = None,
        semantic_weight: float = SEMANTIC_WEIGHT,
    ) -> None:
        self.normaliser = normaliser
        self.threshold = threshold
        self.high = (1 + threshold) / 2 if high is None else high
        self.encoder = encoder
        self.rules = tuple(rules)
        self.semantic_weight = semantic_weight
        self.index = LexicalIndex(normaliser)
        self._efforts: dict[EffortId, EffortText] = {}
        self._words = _WordSpace(self.index)
        self._meanings: _MeaningSpace | None = None
        self._dismissed: dict[tuple[EffortId, EffortId], tuple[str, str]] = {}

    @classmethod
    def from_policy(cls, policy: Policy, encoder: Encoder | None = None) -> OverlapEngine:
        """An engine that drops the policy's silo names as channel prefixes, uses its
        threshold, and names its rules in the reasons."""
        aliases = [called for silo in policy.silos for called in (silo.name, *silo.aliases)]
        return cls(Normaliser(aliases), policy.overlap.threshold, encoder, rules=policy.rules)

    def __len__(self) -> int:
        return len(self._efforts)

    def __contains__(self, effort_id: object) -> bool:
        return effort_id in self._efforts

    def knows(self, effort: EffortText) -> bool:
        """Whether this very version of `effort` (same texts, same silo) is known."""
        return self._efforts.get(effort.id) == effort

    def effort(self, effort_id: EffortId) -> EffortText:
        return self._efforts[effort_id]

    def add(self, effort: EffortText, vector: np.ndarray | None = None) -> None:
        """Add `effort`, or replace the version known under its id. `vector` is its sentence
        vector when already computed; with an encoder and no vector, it is encoded here."""
        if vector is None and self.encoder is not None and not self.knows(effort):
            vector = self._enter_encoding(effort)
        else:
            vector = self._vector_of(effort, vector)
            self._enter_words(effort)
        if vector is not None:
            self._meaning_space().add(effort, vector)

    def vector(self, effort_id: EffortId) -> np.ndarray | None:
        """The sentence vector of the effort known under `effort_id`, if it has one."""
        return self._meanings.vector(effort_id) if self._meanings else None

    update = add

    def load(self, efforts: Sequence[tuple[EffortText, np.ndarray | None]]) -> None:
        """Add many efforts at once, as when an engine is first filled: all are taken in, then
        each one's nearest others are found among them all, once. Much faster than `add` one
        by one, which compares each effort as it comes and again once word weights drift."""
        vectors = self._vectors_of(efforts)
        for (effort, _), vector in zip(efforts, vectors, strict=True):
            self._enter(effort)
            self._words.load(effort, None)
            if vector is not None:
                self._meaning_space().load(effort, vector)
        self.refresh()

    def remove(self, effort_id: EffortId) -> None:
        if self._efforts.pop(effort_id, None) is not None:
            for space in self._spaces():
                space.remove(effort_id)

    def check(
        self, effort: EffortText, limit: int = 10, vector: np.ndarray | None = None
    ) -> list[Match]:
        """The known efforts that overlap `effort`, best first. `effort` may be new, edited or
        already added; checking does not add it."""
        vector = self._vector_of(effort, vector)
        known = self.knows(effort)
        found = [self._words.lookup(effort, known=known)]
        if self._meanings is not None:
            found.append(self._meanings.around(effort, vector, found[0], known=known))
        densities = [
            _density(each.values(), space.density_floor)
            for each, space in zip(found, self._spaces(), strict=True)
        ]
        others = set().union(*found)
        found[0].update(self.index.similarities(effort, others - found[0].keys()))
        matches = (
            self._match(
                effort, self._efforts[other], [each.get(other) for each in found], densities
            )
            for other in others
        )
        return rank(match for match in matches if match is not None)[:limit]

    def scan(self, *, fresh: bool = False) -> list[Match]:
        """Every pair of known efforts at or above the threshold, each once, best first.

        The pairs come from each effort's nearest others, found as it was added; `fresh` first
        finds again up to `REFRESH_PER_SCAN` of those found with outdated word weights, the
        oldest first (see `refresh`), leaving the rest to the next scans.
        """
        if fresh:
            self.refresh(limit=REFRESH_PER_SCAN)
        meanings = self._meanings
        pairs = self._word_pairs() if meanings is None else self._promising_pairs(meanings)
        matches = (
            self._match(self._efforts[a], self._efforts[b], similarities)
            for (a, b), similarities in pairs
        )
        return rank(match for match in matches if match is not None)

    def refresh(self, limit: int | None = None) -> None:
        """Find the nearest others of every effort that has none yet, and again of those whose
        were found when the index was more than a tenth smaller or larger (word weights drift
        as efforts come and go): at most `limit` of these, the oldest first."""
        for space in self._spaces():
            space.refresh(self._efforts.values(), limit)

    def score(self, a: EffortId, b: EffortId) -> float:
        """The score of any two known efforts, raised or not (for evaluation and tuning)."""
        return self._score(self._efforts[a], self._efforts[b], [None] * len(self._spaces()))

    @staticmethod
    def clusters(matches: Iterable[Match]) -> list[list[EffortId]]:
        """Groups of three or more efforts that overlap one another (see `clusters`)."""
        return clusters(matches)

    def fingerprint(self, effort: EffortText) -> str:
        """32 hex digits summarising the normalised words of `effort`'s name and text (not its
        topic, which comes and goes); see `text.resemblance`."""
        name = self.normaliser.tokens(effort.name, name=effort.is_channel)
        return fingerprint(name + self.normaliser.tokens(effort.text))

    def dismiss(self, a: EffortText, b: EffortText) -> str:
        """Never raise this pair again unless a text changes materially. Returns the pair's
        fingerprint (64 hex digits, `a`'s then `b`'s) to store with the dismissal."""
        pair = self.fingerprint(a) + self.fingerprint(b)
        self.suppress([(a.id, b.id, pair)])
        return pair

    def suppress(self, dismissals: Iterable[tuple[EffortId, EffortId, str]]) -> None:
        """Load dismissed pairs: (a, b, the fingerprint `dismiss` returned for a and b)."""
        for a, b, pair in dismissals:
            key = _pair_key(a, b)
            prints = (pair[:32], pair[32:]) if key == (a, b) else (pair[32:], pair[:32])
            self._dismissed[key] = prints

    def is_suppressed(self, a: EffortText, b: EffortText) -> bool:
        """Whether the pair was dismissed and neither text has changed materially since."""
        key = _pair_key(a.id, b.id)
        prints = self._dismissed.get(key)
        if prints is None:
            return False
        efforts = (a, b) if key == (a.id, b.id) else (b, a)
        return all(
            resemblance(old, self.fingerprint(effort)) >= MATERIAL_CHANGE
            for old, effort in zip(prints, efforts, strict=True)
        )

    def _word_pairs(self) -> Iterable[tuple[tuple[EffortId, EffortId], list[float | None]]]:
        """The pairs whose word similarity alone can reach the threshold (the fast path)."""
        needed = -math.log(1 - self.threshold) * LEXICAL_SCALE * (1 - 1e-9)
        bars = {
            key: math.sqrt(needed * self._words.density(each))
            for key, each in self._efforts.items()
        }
        for a, b, similarity in self._words.pairs(bars):
            yield (a, b), [similarity]

    def _promising_pairs(
        self, meanings: _MeaningSpace
    ) -> Iterable[tuple[tuple[EffortId, EffortId], list[float | None]]]:
        """Every pair some space has found that scores at or above the threshold, scored with
        NumPy all at once. A missing similarity is first taken at the most it can be (see
        `_Space.ceilings`), and worked out only where the pair could still pass: a meaning
        similarity is a product of stored vectors away; a word similarity costs the most."""
        np = meanings.np
        order = list(self._efforts)
        a, b, (words, meaning) = self._found_pairs(np, order)
        # The bounds come from the lists the pairs came from: the densities `_scorer` needs may
        # make some lists again, and a list made now may hold a pair that its old one lacked.
        meaning_ceiling = meanings.ceilings(np, order)
        word_ceiling = self._words.ceilings(np, order)
        score = self._scorer(np, order, a, b)
        rows = meanings.rows(order)
        gaps = np.flatnonzero(np.isnan(meaning) & (rows[a] >= 0) & (rows[b] >= 0))
        meaning[gaps] = meaning_ceiling(a[gaps], b[gaps]) + ROUNDING
        close = gaps[score(words[gaps], meaning[gaps], gaps) >= self.threshold]
        # The other gaps keep a bound at which they fail (as NaN, words alone would score them).
        meaning[close] = meanings.similarities(rows[a[close]], rows[b[close]])
        unknown = np.isnan(words)
        most = np.where(unknown, word_ceiling(a, b), words)
        for k in np.flatnonzero(unknown & (score(most, meaning) >= self.threshold)):
            first, second = self._efforts[order[a[k]]], self._efforts[order[b[k]]]
            words[k] = self._words.similarity(first, second)
        words[np.isnan(words)] = 0.0
        for k in np.flatnonzero(score(words, meaning) >= self.threshold):
            pair = _pair_key(order[a[k]], order[b[k]])
            yield pair, [float(words[k]), _none_if_nan(meaning[k])]

    def _found_pairs(self, np, order: list[EffortId]) -> tuple[np.ndarray, np.ndarray, list]:
        """Every pair some space has found, as positions in `order` (`a` < `b`), and its
        similarity in each space (NaN: unknown), as NumPy arrays."""
        at = {effort_id: position for position, effort_id in enumerate(order)}
        found = [space.pair_arrays(np, at) for space in self._spaces()]
        keys, inverse = np.unique(np.concatenate([keys for keys, _ in found]), return_inverse=True)
        columns, start = [], 0
        for space_keys, similarities in found:
            column = np.full(len(keys), np.nan)
            column[inverse[start : start + len(space_keys)]] = similarities
            columns.append(column)
            start += len(space_keys)
        a, b = np.divmod(keys, len(order))
        return a, b, columns

    def _scorer(self, np, order: list[EffortId], a, b) -> Callable:
        """`_score` for the pairs (`order[a[i]]`, `order[b[i]]`), all at once, given their word
        and meaning similarities as arrays (NaN meaning: no vector), of all the pairs or of
        those at the positions `subset`. `np` is NumPy."""
        spaces = self._spaces()
        roots = [
            np.sqrt(np.array([space.density(self._efforts[i]) for i in order])) for space in spaces
        ]
        word_scale, meaning_scale = (root[a] * root[b] for root in roots)

        def score(words, meaning, subset=slice(None)):
            relative_words = words / word_scale[subset]
            relative_meaning = meaning / meaning_scale[subset]
            blended = _blended_score(relative_words, relative_meaning, self.semantic_weight, np.exp)
            return np.where(np.isnan(meaning), _lexical_score(relative_words, np.exp), blended)

        return score

    def _enter_encoding(self, effort: EffortText) -> np.ndarray:
        """`effort`'s new vector, encoded while the helper thread enters it and its words (ONNX
        Runtime lets go of the GIL as it runs the model). If encoding fails, neither `effort`
        nor the version it replaces is known any more: the service adds efforts it does not
        know, so the next check encodes it again."""
        words = _helper().submit(self._enter_words, effort)
        try:
            vector = _encoded(self.encoder, effort)
        except Exception:
            words.result()
            self.remove(effort.id)
            raise
        words.result()
        return vector

    def _enter_words(self, effort: EffortText) -> None:
        self._enter(effort)
        self._words.add(effort, None)

    def _enter(self, effort: EffortText) -> None:
        """Know `effort`, in place of the version known under its id."""
        self.remove(effort.id)
        self._efforts[effort.id] = effort

    def _meaning_space(self) -> _MeaningSpace:
        if self._meanings is None:
            self._meanings = _MeaningSpace()
        return self._meanings

    def _spaces(self) -> list[_Space]:
        return [self._words] if self._meanings is None else [self._words, self._meanings]

    def _score(
        self,
        first: EffortText,
        second: EffortText,
        similarities: Sequence[float | None],
        first_densities: Sequence[float] | None = None,
    ) -> float:
        """The pair's score from its cosine in each space (None: work it out), each relative to
        the two densities; `first_densities` when `first` was just looked up, maybe unknown."""
        relatives: list[float | None] = []
        for position, space in enumerate(self._spaces()):
            similarity = similarities[position]
            if similarity is None:
                similarity = space.similarity(first, second)
            if similarity is None:
                relatives.append(None)
                continue
            density = first_densities[position] if first_densities else space.density(first)
            relatives.append(similarity / math.sqrt(density * space.density(second)))
        words, meaning = relatives[0] or 0.0, relatives[1] if len(relatives) > 1 else None
        if meaning is None:
            return _lexical_score(words)
        return _blended_score(words, meaning, self.semantic_weight)

    def _match(
        self,
        first: EffortText,
        second: EffortText,
        similarities: Sequence[float | None],
        first_densities: Sequence[float] | None = None,
    ) -> Match | None:
        """The pair as a Match, or None when it scores below the threshold or was dismissed."""
        score = self._score(first, second, similarities, first_densities)
        if score < self.threshold or self.is_suppressed(first, second):
            return None
        meaning = None
        if self._meanings is not None:
            meaning = similarities[1] or self._meanings.similarity(first, second)
        return Match(
            a=first.id,
            b=second.id,
            score=score,
            band=explain.band(score, self.high),
            reasons=explain.reasons(
                first,
                second,
                shared_words=self.index.shared_words(first, second),
                normaliser=self.normaliser,
                rules=self.rules,
                meaning=meaning,
            ),
            cross_silo=bool(first.silo and second.silo and first.silo != second.silo),
        )

    def _vector_of(self, effort: EffortText, vector: np.ndarray | None) -> np.ndarray | None:
        """The given vector, else the one of this very version of `effort` if known, else a
        fresh one from the encoder, else the one of the version known."""
        if vector is not None:
            return vector
        known = self.vector(effort.id) if self.knows(effort) else None
        if known is not None:
            return known
        if self.encoder is not None:
            return _encoded(self.encoder, effort)
        return self.vector(effort.id)

    def _vectors_of(
        self, efforts: Sequence[tuple[EffortText, np.ndarray | None]]
    ) -> list[np.ndarray | None]:
        """`_vector_of` each, encoding the missing vectors in one batch."""
        missing = [effort for effort, vector in efforts if vector is None]
        if missing and self.encoder is not None:
            encoded = iter(self.encoder.encode([semantic_text(effort) for effort in missing]))
            return [next(encoded) if vector is None else vector for _, vector in efforts]
        return [self._vector_of(effort, vector) for effort, vector in efforts]


def _encoded(encoder: Encoder, effort: EffortText) -> np.ndarray:
    return encoder.encode([semantic_text(effort)])[0]


@functools.cache
def _helper() -> ThreadPoolExecutor:
    """The thread that enters a new effort's words while it is encoded, and reads half of an
    int8 search over many vectors."""
    return ThreadPoolExecutor(1, thread_name_prefix="overlaps")


def _none_if_nan(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _lexical_score(words, exp=math.exp):
    """A score from a relative word similarity (a number, or a NumPy array with `numpy.exp`)."""
    return 1 - exp(-words / LEXICAL_SCALE)


def _blended_score(words, meaning, weight: float, exp=math.exp):
    """A score from relative word and meaning similarities, meaning weighing `weight`."""
    return 1 - exp(-((1 - weight) * words + weight * meaning) / SEMANTIC_SCALE)


def rank(matches: Iterable[Match]) -> list[Match]:
    """Cross-silo pairs first, then the highest scores."""
    return sorted(matches, key=lambda match: (not match.cross_silo, -match.score))


def clusters(matches: Iterable[Match]) -> list[list[EffortId]]:
    """Groups of three or more efforts that overlap one another, largest first.

    A group is made of triangles (three efforts that all match each other) joined where they
    share a pair, so a chain of efforts each resembling the next is not one group. An effort
    that two groups could claim stays in the larger one.
    """
    neighbours: defaultdict[EffortId, set[EffortId]] = defaultdict(set)
    for match in matches:
        neighbours[match.a].add(match.b)
        neighbours[match.b].add(match.a)
    triangles_of: defaultdict[frozenset[EffortId], list[frozenset[EffortId]]] = defaultdict(list)
    for a, others in neighbours.items():
        for b in others:
            for c in others & neighbours[b]:
                triangle = frozenset((a, b, c))
                for edge in (frozenset((a, b)), frozenset((b, c)), frozenset((a, c))):
                    triangles_of[edge].append(triangle)
    groups = _join(triangles_of.values())
    placed: set[EffortId] = set()
    found = []
    for group in sorted(groups, key=lambda members: (-len(members), sorted(members))):
        members = sorted(group - placed)
        if len(members) >= 3:
            found.append(members)
            placed.update(members)
    return found


def _join(linked: Iterable[list[frozenset[EffortId]]]) -> list[set[EffortId]]:
    """The unions of the sets that are linked, directly or through others (union-find)."""
    parent: dict[frozenset[EffortId], frozenset[EffortId]] = {}

    def root(node: frozenset[EffortId]) -> frozenset[EffortId]:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for sets in linked:
        for other in sets[1:]:
            parent[root(other)] = root(sets[0])
    unions: defaultdict[frozenset[EffortId], set[EffortId]] = defaultdict(set)
    for node in list(parent):
        unions[root(node)].update(node)
    return list(unions.values())


def semantic_text(effort: EffortText) -> str:
    """What the encoder reads: the name (a channel's with spaces for dashes), then the text."""
    name = effort.name.replace("-", " ").replace("_", " ") if effort.is_channel else effort.name
    return ": ".join(part for part in (name, effort.text) if part)


def _pair_key(a: EffortId, b: EffortId) -> tuple[EffortId, EffortId]:
    """The pair in a fixed order (the ids of one engine are all numbers or all text)."""
    return (a, b) if a <= b else (b, a)


class _Space(ABC):
    """One way of comparing efforts. Each effort's nearest others are found when it is added
    (and found again by `refresh`); from them come its density and the pairs a scan scores.

    A list of nearest others speaks only for efforts not changed since it was made: `pairs`
    skips the others, whose own lists speak for them. When an effort goes, those that had it
    among their closest look again when their density is next needed.
    """

    density_floor: float

    def __init__(self) -> None:
        self._clock = 0
        self._changed: dict[EffortId, int] = {}  # when each effort was last added
        self._made: dict[EffortId, int] = {}  # when each list of nearest others was made
        self._made_among: dict[EffortId, int] = {}  # how many efforts there were then
        self._found: dict[EffortId, Found] = {}
        self._closest: dict[EffortId, list[float]] = {}
        self._densities: dict[EffortId, float] = {}
        self._listed_by: defaultdict[EffortId, set[EffortId]] = defaultdict(set)

    @abstractmethod
    def similarity(self, first: EffortText, second: EffortText) -> float | None: ...

    @abstractmethod
    def nearest(
        self, effort: EffortText, vector: np.ndarray | None, *, thorough: bool = False
    ) -> Found:
        """`effort`'s `CANDIDATES` most similar known efforts (never itself); `thorough`: as
        thoroughly as a check looks (a space may look less far when refreshing many)."""

    def add(self, effort: EffortText, vector: np.ndarray | None) -> None:
        """Take `effort` in and find its nearest others as a check would, offering it to
        theirs."""
        self.load(effort, vector)
        found = self.nearest(effort, vector, thorough=True)
        self._keep(effort.id, found)
        for other, similarity in found.items():
            self._offer(other, effort.id, similarity)

    def load(self, effort: EffortText, vector: np.ndarray | None) -> None:
        """Take `effort` in; its nearest others are found by the next `refresh`."""
        self._clock += 1
        self._changed[effort.id] = self._clock

    def remove(self, effort_id: EffortId) -> None:
        tables = (self._changed, self._made, self._made_among, self._found, self._closest)
        for table in (*tables, self._densities):
            table.pop(effort_id, None)
        for other in self._listed_by.pop(effort_id, set()):
            self._closest.pop(other, None)
            self._densities.pop(other, None)

    def refresh(self, efforts: Iterable[EffortText], limit: int | None = None) -> None:
        """Find the nearest others where the list is missing, and again where it is stale
        (see `_stale`): at most `limit` of these, the oldest first."""
        efforts = list(efforts)
        missing = [effort for effort in efforts if effort.id not in self._found]
        stale = [e for e in efforts if e.id in self._found and self._stale(e.id)]
        stale.sort(key=lambda effort: self._made[effort.id])
        for effort in missing + stale[:limit]:
            self._keep(effort.id, self.nearest(effort, None))

    def _stale(self, effort_id: EffortId) -> bool:
        """A list is stale when missing; a space whose similarities drift says when else."""
        return effort_id not in self._found

    def _fresh(self, effort_id: EffortId, *, known: bool) -> Found | None:
        """A copy of the list of nearest others of `effort_id` if the effort is `known` in the
        version being looked at and nothing was added since the list was made (as in a check
        right after an add), else None."""
        if known and self._made.get(effort_id) == self._clock:
            return dict(self._found[effort_id])
        return None

    def pairs(
        self, bars: Mapping[EffortId, float] | None = None
    ) -> Iterable[tuple[EffortId, EffortId, float]]:
        """Each pair of an effort and one of its nearest others, once, with their similarity;
        with `bars`, only the pairs (a, b) as similar as `bars[a] * bars[b]` or more."""
        changed, made, found_lists = self._changed, self._made, self._found
        for a, found in found_lists.items():
            made_a, bar = made[a], bars[a] if bars else 0.0
            for b, similarity in found.items():
                if bars and similarity < bar * bars.get(b, 0.0):
                    continue
                if changed.get(b, made_a + 1) > made_a:
                    continue  # b changed since: its own list speaks for the pair
                if b < a and a in found_lists.get(b, ()) and changed[a] <= made[b]:
                    continue  # b's list has the pair too, and yields it
                yield a, b, similarity

    def pair_arrays(self, np, at: dict[EffortId, int]) -> tuple[np.ndarray, np.ndarray]:
        """`pairs` with NumPy, for the semantic scan (lexical mode runs without NumPy): each
        pair once as its key `first * len(at) + second` (positions in `at`, first < second)
        and its similarity, in no particular order."""
        lists, made = self._found, self._made
        counts = np.fromiter(map(len, lists.values()), dtype=np.int64, count=len(lists))
        sources = np.fromiter(map(at.__getitem__, lists), dtype=np.int64, count=len(lists))
        made_at = np.fromiter(map(made.__getitem__, lists), dtype=np.int64, count=len(lists))
        sources, made_at, total = (
            np.repeat(sources, counts),
            np.repeat(made_at, counts),
            counts.sum(),
        )
        others = chain.from_iterable(lists.values())
        targets = np.fromiter(map(at.get, others, repeat(-1)), dtype=np.int64, count=total)
        similarities = chain.from_iterable(map(dict.values, lists.values()))
        similarities = np.fromiter(similarities, dtype=np.float64, count=total)
        # When each effort was last added, by position; the extra last slot, for efforts gone
        # (position -1), is later than any list.
        changed = np.full(len(at) + 1, np.iinfo(np.int64).max)
        known = np.fromiter(map(at.__getitem__, self._changed), dtype=np.int64)
        changed[known] = np.fromiter(self._changed.values(), dtype=np.int64, count=len(known))
        speaks = changed[targets] <= made_at
        sources, targets = sources[speaks], targets[speaks]
        keys = np.minimum(sources, targets) * len(at) + np.maximum(sources, targets)
        keys, first = np.unique(keys, return_index=True)
        return keys, similarities[speaks][first]

    def ceiling(self, effort_id: EffortId) -> float:
        """The most an effort missing from `effort_id`'s nearest others can be similar to it,
        if it was there when they were found (as far as the search for them went)."""
        found = self._found.get(effort_id)
        if not found or len(found) < CANDIDATES:
            return MIN_SIMILARITY
        return min(found.values())

    def ceilings(self, np, order: list[EffortId]) -> Callable:
        """`most(a, b)`: for the pairs (`order[a[i]]`, `order[b[i]]`) that neither list of
        nearest others holds, the most their similarity can be, as the lists are now: the
        least `ceiling` of those made with the other effort there (1 where neither was)."""
        ceiling = np.array([self.ceiling(effort_id) for effort_id in order])
        made = np.fromiter((self._made.get(i, -1) for i in order), np.int64, len(order))
        changed = np.fromiter((self._changed.get(i, 0) for i in order), np.int64, len(order))

        def most(a, b):
            from_a = np.where(made[a] >= changed[b], ceiling[a], 1.0)
            return np.minimum(from_a, np.where(made[b] >= changed[a], ceiling[b], 1.0))

        return most

    def density(self, effort: EffortText) -> float:
        """The mean similarity of `effort` (known) with its closest others, at least the floor."""
        density = self._densities.get(effort.id)
        if density is None:
            self._keep(effort.id, self.nearest(effort, None))
            density = self._densities[effort.id]
        return density

    def _keep(self, effort_id: EffortId, found: Found) -> None:
        self._made[effort_id] = self._clock
        self._made_among[effort_id] = len(self._changed)
        self._found[effort_id] = found
        closest = sorted(found.items(), key=lambda item: -item[1])[:NEIGHBOURS]
        self._closest[effort_id] = [similarity for _, similarity in closest]
        self._densities[effort_id] = _density(self._closest[effort_id], self.density_floor)
        for other, _ in closest:
            self._listed_by[other].add(effort_id)

    def _offer(self, effort_id: EffortId, other: EffortId, similarity: float) -> None:
        """`other` (new) is this similar to `effort_id`: keep it if among the closest."""
        closest = self._closest.get(effort_id)
        if closest is None or (len(closest) >= NEIGHBOURS and similarity <= closest[-1]):
            return
        closest.insert(bisect.bisect_left([-value for value in closest], -similarity), similarity)
        del closest[NEIGHBOURS:]
        self._densities[effort_id] = _density(closest, self.density_floor)
        self._listed_by[other].add(effort_id)


def _density(similarities: Iterable[float], floor: float) -> float:
    """The mean of the best `NEIGHBOURS` similarities (missing ones count 0), at least `floor`."""
    best = sorted(similarities, reverse=True)[:NEIGHBOURS]
    return max(floor, sum(best) / NEIGHBOURS)


class _WordSpace(_Space):
    density_floor = WORD_DENSITY_FLOOR

    def __init__(self, index: LexicalIndex) -> None:
        super().__init__()
        self.index = index

    def load(self, effort: EffortText, vector: np.ndarray | None) -> None:
        self.index.add(effort)
        super().load(effort, vector)

    def remove(self, effort_id: EffortId) -> None:
        self.index.remove(effort_id)
        super().remove(effort_id)

    def refresh(self, efforts: Iterable[EffortText], limit: int | None = None) -> None:
        self.index.reweight(STALE_GROWTH)
        super().refresh(efforts, limit)

    def _stale(self, effort_id: EffortId) -> bool:
        """Also when the index has grown or shrunk enough since for the IDF to have drifted."""
        made_among = self._made_among.get(effort_id)
        return made_among is None or drifted(made_among, len(self._changed)) >= STALE_GROWTH

    def similarity(self, first: EffortText, second: EffortText) -> float:
        return self.index.similarity(first, second)

    def nearest(
        self, effort: EffortText, vector: np.ndarray | None, *, thorough: bool = False
    ) -> Found:
        """Walking the index's full budget of postings when `thorough`, else a quarter."""
        budget = None if thorough else NEIGHBOURHOOD_BUDGET
        return dict(self.index.candidates(effort, CANDIDATES, MIN_SIMILARITY, budget))

    def lookup(self, effort: EffortText, *, known: bool) -> Found:
        """`nearest`, thorough, for a check (the list of the add just made, if fresh)."""
        fresh = self._fresh(effort.id, known=known)
        return self.nearest(effort, None, thorough=True) if fresh is None else fresh


class _MeaningSpace(_Space):
    """Sentence vectors in one growing numpy matrix, with an int8 copy for finding neighbours.

    One effort's nearest others are found by brute force in two steps: the int8 copy (a quarter
    of the memory to read, with NumKong's SIMD kernels) shortlists `SHORTLIST` rows, and the
    float32 vectors rank those exactly. Quantisation moves a cosine by a few thousandths, far
    less than the gap between the 21st and the 84th nearest, so the result is the exact one.
    """

    density_floor = MEANING_DENSITY_FLOOR

    def __init__(self) -> None:
        import numkong
        import numpy

        super().__init__()
        self.np = numpy
        self._numkong = numkong
        self._ids: list[EffortId] = []
        self._rows: dict[EffortId, int] = {}
        self._matrix = numpy.zeros((0, 0), dtype=numpy.float32)
        self._codes = numpy.zeros((0, 0), dtype=numpy.int8)
        self._code_scales = numpy.zeros(0, dtype=numpy.float32)

    def vector(self, effort_id: EffortId) -> np.ndarray | None:
        """A copy: the row it comes from may hold another effort's vector after a removal."""
        row = self._rows.get(effort_id)
        return None if row is None else self._matrix[row].copy()

    def add(self, effort: EffortText, vector: np.ndarray | None) -> None:
        if vector is not None:
            super().add(effort, vector)

    def load(self, effort: EffortText, vector: np.ndarray | None) -> None:
        if vector is not None:
            self._put(effort.id, self.np.asarray(vector, dtype=self.np.float32))
            super().load(effort, vector)

    def remove(self, effort_id: EffortId) -> None:
        row = self._rows.pop(effort_id, None)
        if row is None:
            return
        last = self._ids.pop()
        if last != effort_id:
            for table in (self._matrix, self._codes, self._code_scales):
                table[row] = table[len(self._ids)]
            self._ids[row] = last
            self._rows[last] = row
        super().remove(effort_id)

    def similarity(self, first: EffortText, second: EffortText) -> float | None:
        one, other = self.vector(first.id), self.vector(second.id)
        return None if one is None or other is None else float(one @ other)

    def rows(self, effort_ids: list[EffortId]) -> np.ndarray:
        """The row of each effort's vector, -1 where it has none."""
        rows = map(self._rows.get, effort_ids, repeat(-1))
        return self.np.fromiter(rows, dtype=self.np.int64, count=len(effort_ids))

    def similarities(self, firsts: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """The cosine of the vectors in rows `firsts[i]` and `seconds[i]`, NaN where a row is
        -1 (no vector)."""
        np = self.np
        found = np.full(len(firsts), np.nan)
        both = np.flatnonzero((firsts >= 0) & (seconds >= 0))
        for start in range(0, len(both), PAIR_BLOCK):
            part = both[start : start + PAIR_BLOCK]
            one, other = self._matrix[firsts[part]], self._matrix[seconds[part]]
            found[part] = np.einsum("ij,ij->i", one, other)
        return found

    def nearest(
        self, effort: EffortText, vector: np.ndarray | None, *, thorough: bool = False
    ) -> Found:
        query = self.vector(effort.id) if vector is None else vector
        if query is None or not self._ids:
            return {}
        shortlist = self._shortlist(query)
        similarities = self._matrix[shortlist] @ query
        count = min(CANDIDATES + 1, len(shortlist))
        best = self._largest(similarities, count)
        found = {self._ids[shortlist[k]]: float(similarities[k]) for k in best}
        found.pop(effort.id, None)
        return found

    def _shortlist(self, query: np.ndarray) -> np.ndarray:
        """The rows most similar to `query` by their int8 codes, `SHORTLIST` at most."""
        count = len(self._ids)
        if count <= SHORTLIST:
            return self.np.arange(count)
        codes, _ = self._quantise(query[None, :])
        approximate = self._code_products(codes, count) * self._code_scales[:count]
        return self._largest(approximate, SHORTLIST)

    def _code_products(self, codes: np.ndarray, count: int) -> np.ndarray:
        """The dot products of int8 `codes` (one row) with the first `count` rows' codes.

        One core cannot read 40 MB of codes as fast as two: past `SPLIT_ROWS` rows, the second
        half is read on a helper thread meanwhile (NumKong lets go of the GIL).
        """
        products = self.np.empty((1, count), dtype=self.np.float32)
        if count < SPLIT_ROWS:
            self._numkong.cdist(codes, self._codes[:count], metric="dot", out=products)
            return products[0]
        half = count // 2
        second = _helper().submit(
            self._numkong.cdist,
            codes,
            self._codes[half:count],
            metric="dot",
            out=products[:, half:],
        )
        self._numkong.cdist(codes, self._codes[:half], metric="dot", out=products[:, :half])
        second.result()
        return products[0]

    def _largest(self, values: np.ndarray, count: int) -> np.ndarray:
        """The positions of the `count` largest values along the last axis, in no particular
        order (each row of a block of rows on its own).

        Partitioning 100,000 values takes most of a millisecond. So a bar is set first: the
        few largest of a sample of one value in `SAMPLE_STRIDE`, and only the values that
        clear it (a few hundred) are partitioned. Where fewer than `count` clear it (values
        laid out unlike a random order), the whole row is partitioned: the result is the same.
        """
        if values.ndim > 1:
            return self.np.array([self._largest(row, count) for row in values])
        if len(values) >= SAMPLED_PAST:
            sampled = count // SAMPLE_STRIDE + SAMPLE_MARGIN
            sample = values[::SAMPLE_STRIDE]
            bar = self.np.partition(sample, len(sample) - sampled)[len(sample) - sampled]
            clearing = self.np.flatnonzero(values >= bar)
            if len(clearing) >= count:
                return clearing[self._partitioned(values[clearing], count)]
        return self._partitioned(values, count)

    def _partitioned(self, values: np.ndarray, count: int) -> np.ndarray:
        """`_largest` of one row, by partitioning it whole. The values are partitioned as they
        are: negating them first would cost almost as much again."""
        return self.np.argpartition(values, len(values) - count)[-count:]

    def _quantise(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each row as int8 codes and the scale that turns codes back into the row."""
        peaks = self.np.maximum(self.np.abs(vectors).max(axis=1), 1e-12)
        codes = self.np.rint(vectors * (127 / peaks[:, None])).astype(self.np.int8)
        return codes, (peaks / 127).astype(self.np.float32)

    def around(
        self,
        effort: EffortText,
        vector: np.ndarray | None,
        others: Iterable[EffortId],
        *,
        known: bool,
    ) -> Found:
        """`nearest`, and the similarity of `effort` with each of `others` too (the list of the
        add just made, if fresh: see `_fresh`)."""
        found = self._fresh(effort.id, known=known)
        if found is None:
            found = self.nearest(effort, vector)
        query = self.vector(effort.id) if vector is None else vector
        rows = [self._rows[other] for other in others if other in self._rows]
        if query is not None and rows:
            similarities = self._matrix[rows] @ query
            ids = [self._ids[row] for row in rows]
            found.update(zip(ids, map(float, similarities), strict=True))
        return found

    def refresh(self, efforts: Iterable[EffortText], limit: int | None = None) -> None:
        """The missing lists of nearest others, a block of rows of the similarity matrix at a
        time (sentence vectors do not drift: no list is ever stale, and `limit` is moot)."""
        stale = [row for row, effort_id in enumerate(self._ids) if self._stale(effort_id)]
        matrix = self._matrix[: len(self._ids)]
        count = min(CANDIDATES + 1, len(self._ids))
        for start in range(0, len(stale), REFRESH_BLOCK):
            rows = stale[start : start + REFRESH_BLOCK]
            products = matrix[rows] @ matrix.T
            best = self._largest(products, count)
            for offset, found_rows in enumerate(best):
                effort_id = self._ids[rows[offset]]
                found = {self._ids[row]: float(products[offset, row]) for row in found_rows}
                found.pop(effort_id, None)
                self._keep(effort_id, found)

    def _put(self, effort_id: EffortId, vector: np.ndarray) -> None:
        if not self._matrix.size:
            self._matrix = self.np.zeros((16, vector.shape[0]), dtype=self.np.float32)
            self._codes = self.np.zeros((16, vector.shape[0]), dtype=self.np.int8)
            self._code_scales = self.np.zeros(16, dtype=self.np.float32)
        if len(self._ids) == len(self._matrix):
            self._matrix, self._codes, self._code_scales = (
                self.np.concatenate([table, self.np.zeros_like(table)])
                for table in (self._matrix, self._codes, self._code_scales)
            )
        row = len(self._ids)
        self._rows[effort_id] = row
        self._ids.append(effort_id)
        self._matrix[row] = vector
        codes, scales = self._quantise(vector[None, :])
        self._codes[row], self._code_scales[row] = codes[0], scales[0]
