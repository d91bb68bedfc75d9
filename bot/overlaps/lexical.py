"""A TF-IDF index of efforts with an inverted index, updated one effort at a time.

Each effort is a bag of word stems from its name, text and topic. A stem's weight is its
sublinear term frequency times its inverse document frequency raised to `idf_power` (above 1,
rare shared words count for more than common ones). Similarity is the cosine of two such
vectors, in [0, 1].

The posting lists hold each effort's normalised weights, computed with the IDF of the moment
they were written; they are all written again whenever the index has grown or shrunk by half
since (or on `reweight()`), so they stay close to the live IDF at a small amortised cost.
Queries always weigh their own words with the live IDF.

`candidates` walks the posting lists of the query's rarest stems first and stops walking once
it has visited `budget` postings: the efforts that share rare words are found first, and the
commoner words then only adjust the scores of the efforts already found. Stems found in more
than `max_postings` efforts are never walked. This bounds the cost of a query however large
the workspace grows.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.overlaps import EffortId, EffortText
from bot.overlaps.text import Normaliser

TOPIC_WEIGHT = 0.5  # a channel topic is often about this week, not about the work
IDF_POWER = 1.5
BUDGET = 2000
MAX_POSTINGS = 5000
REWEIGHT_GROWTH = 1.5  # see the module's docstring
SHORTLIST_MARGIN = 5  # candidates beyond the limit whose scores the common words may still lift

Vector = dict[str, float]


@dataclass(frozen=True)
class Bag:
    """An effort's stems: `counts` (sublinear, field-weighted) and each stem's first word."""

    counts: dict[str, float]
    words: dict[str, str]


class LexicalIndex:
    """Efforts' weighted stems, and for each stem the efforts that use it (posting lists)."""

    def __init__(
        self,
        normaliser: Normaliser,
        *,
        idf_power: float = IDF_POWER,
        budget: int = BUDGET,
        max_postings: int = MAX_POSTINGS,
    ) -> None:
        self.normaliser = normaliser
        self.idf_power = idf_power
        self.budget = budget
        self.max_postings = max_postings
        self._bags: dict[EffortId, Bag] = {}
        self._sources: dict[EffortId, EffortText] = {}
        self._postings: dict[str, dict[EffortId, float]] = {}
        self._weighted_at = 0  # the index size when the posting weights were last written

    def __len__(self) -> int:
        return len(self._bags)

    def __contains__(self, effort_id: object) -> bool:
        return effort_id in self._bags

    def add(self, effort: EffortText) -> None:
        """Index `effort`, replacing the version indexed under its id, if any."""
        self.remove(effort.id)
        bag = self.bag(effort)
        self._bags[effort.id] = bag
        self._sources[effort.id] = effort
        for stem in bag.counts:
            self._postings.setdefault(stem, {})
        self._write(effort.id, bag)
        self.reweight(REWEIGHT_GROWTH)

    update = add

    def remove(self, effort_id: EffortId) -> None:
        bag = self._bags.pop(effort_id, None)
        if bag is None:
            return
        del self._sources[effort_id]
        for stem in bag.counts:
            postings = self._postings[stem]
            del postings[effort_id]
            if not postings:
                del self._postings[stem]

    def reweight(self, growth: float = 1.0) -> None:
        """Write every posting again with the live IDF, if the index has grown or shrunk by
        `growth` or more since they were written (1: whatever the change)."""
        if growth > 1 and drifted(self._weighted_at, len(self._bags)) < growth:
            return
        self._weighted_at = len(self._bags)
        idf = {stem: self.idf(stem) for stem in self._postings}
        for effort_id, bag in self._bags.items():
            self._write(effort_id, bag, idf)

    def bag(self, effort: EffortText) -> Bag:
        """The stems of `effort`, as indexed if this very version is indexed."""
        if self._sources.get(effort.id) == effort:
            return self._bags[effort.id]
        return analyse(self.normaliser, effort)

    def candidates(
        self,
        effort: EffortText,
        limit: int = 10,
        min_similarity: float = 0.0,
        budget: int | None = None,
    ) -> list[tuple[EffortId, float]]:
        """The indexed efforts most similar to `effort` (never itself), best first, with their
        cosine similarity, at most `limit` of them and none below `min_similarity`. `budget`
        overrides the index's budget of postings to walk."""
        query = self._query(effort)
        rarest_first = sorted(query, key=lambda stem: len(self._postings.get(stem, ())))
        walked, rest = self._split_by_budget(rarest_first, budget or self.budget)
        scores = self._accumulate(query, walked)
        scores.pop(effort.id, None)
        shortlist = _best_keys(scores, limit + SHORTLIST_MARGIN)
        for stem in rest:
            postings, weight = self._postings.get(stem, {}), query[stem]
            for other in shortlist:
                scores[other] += weight * postings.get(other, 0.0)
        found = sorted(((other, min(1.0, scores[other])) for other in shortlist), key=_best)
        return [(other, score) for other, score in found[:limit] if score >= min_similarity]

    def similarity(self, first: EffortText, second: EffortText) -> float:
        """The cosine similarity of the two efforts' weighted stems, weighed as `candidates`
        weighs them (an indexed effort as written in the postings)."""
        return _cosine(self._query(first), self._query(second))

    def similarities(self, effort: EffortText, others: Iterable[EffortId]) -> dict[EffortId, float]:
        """`similarity` of `effort` with each of the indexed efforts `others`, read from the
        posting lists of `effort`'s stems (faster than one by one)."""
        scores = dict.fromkeys(others, 0.0)
        if not scores:
            return {}
        for stem, weight in self._query(effort).items():
            postings = self._postings.get(stem, {})
            for other in scores:
                scores[other] += weight * postings.get(other, 0.0)
        return {other: min(1.0, score) for other, score in scores.items()}

    def shared_words(self, first: EffortText, second: EffortText) -> list[str]:
        """The words both efforts use, those that weigh most in their similarity first."""
        one, other = self.bag(first), self.bag(second)
        one_vector, other_vector = self._weighted(first, one), self._weighted(second, other)
        shared = one.counts.keys() & other.counts.keys()
        ranked = sorted(shared, key=lambda stem: (-one_vector[stem] * other_vector[stem], stem))
        return [one.words[stem] for stem in ranked]

    def idf(self, stem: str) -> float:
        documents = len(self._bags)
        frequency = len(self._postings.get(stem, ()))
        return (math.log((documents + 1) / (frequency + 1)) + 1) ** self.idf_power

    def vector(self, bag: Bag, idf: Mapping[str, float] | None = None) -> Vector:
        """`bag`'s unit-length TF-IDF vector, with the live IDF (`idf`: each stem's, where
        already worked out)."""
        idf_of = self.idf if idf is None else idf.__getitem__
        weights = {stem: count * idf_of(stem) for stem, count in bag.counts.items()}
        norm = math.sqrt(sum(weight * weight for weight in weights.values())) or 1.0
        return {stem: weight / norm for stem, weight in weights.items()}

    def _query(self, effort: EffortText) -> Vector:
        """`effort`'s vector: as written in the postings when indexed, else with the live IDF."""
        return self._weighted(effort, self.bag(effort))

    def _weighted(self, effort: EffortText, bag: Bag) -> Vector:
        """`_query`, given `effort`'s bag."""
        if self._sources.get(effort.id) != effort:
            return self.vector(bag)
        return {stem: self._postings[stem][effort.id] for stem in bag.counts}

    def _write(self, effort_id: EffortId, bag: Bag, idf: Mapping[str, float] | None = None) -> None:
        for stem, weight in self.vector(bag, idf).items():
            self._postings[stem][effort_id] = weight

    def _split_by_budget(self, stems: list[str], budget: int) -> tuple[list[str], list[str]]:
        """The stems whose posting lists fit the budget, rarest first, and the others."""
        walked, rest, spent = [], [], 0
        for stem in stems:
            size = len(self._postings.get(stem, ()))
            if size <= self.max_postings and (spent + size <= budget or not walked):
                walked.append(stem)
                spent += size
            else:
                rest.append(stem)
        return walked, rest

    def _accumulate(self, query: Vector, stems: list[str]) -> dict[EffortId, float]:
        """Each effort's share of the similarity that `stems` make up. A stem's postings are
        weighed in one comprehension, and only the efforts already met are added up one by
        one: most efforts are met in one posting only, and this takes a third less time."""
        scores: dict[EffortId, float] = {}
        for stem in stems:
            weight = query[stem]
            part = {other: weight * value for other, value in self._postings.get(stem, {}).items()}
            for other in part.keys() & scores.keys():
                part[other] += scores[other]
            scores.update(part)
        return scores


def drifted(then: int, now: int) -> float:
    """How many times larger or smaller an index of `now` efforts is than one of `then`."""
    return max(then, now) / max(min(then, now), 1)


def analyse(normaliser: Normaliser, effort: EffortText) -> Bag:
    """`effort`'s stems, counted over its name, text and topic."""
    fields = (
        (normaliser.terms(effort.name, name=effort.is_channel), 1.0),
        (normaliser.terms(effort.text), 1.0),
        (normaliser.terms(effort.topic), TOPIC_WEIGHT),
    )
    raw: defaultdict[str, float] = defaultdict(float)
    words: dict[str, str] = {}
    for terms, field_weight in fields:
        for term in terms:
            raw[term.stem] += term.weight * field_weight
            words.setdefault(term.stem, term.word)
    counts = {stem: 1 + math.log(count) if count > 1 else count for stem, count in raw.items()}
    return Bag(counts, words)


def _best_keys(scores: dict[EffortId, float], count: int) -> list[EffortId]:
    """The keys of the `count` highest scores, in no particular order."""
    if len(scores) <= count:
        return list(scores)
    least = heapq.nlargest(count, scores.values())[-1]
    return [key for key, score in scores.items() if score >= least][: 2 * count]


def _best(pair: tuple[EffortId, float]) -> float:
    return -pair[1]


def _cosine(first: Vector, second: Vector) -> float:
    if len(second) < len(first):
        first, second = second, first
    return min(1.0, sum(weight * second.get(stem, 0.0) for stem, weight in first.items()))
