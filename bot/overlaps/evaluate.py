"""How good overlap detection is on labelled pairs, and the threshold that suits them best.

The development set format is one effort a line, `area|cluster|kind|name|text` (kind `C` for a
channel, `I` for an initiative; `#` starts a comment). Efforts sharing a cluster are duplicates
of each other; clusters whose id starts with `x_` are single distractors.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.overlaps import EffortText
from bot.overlaps.engine import OverlapEngine

CROSS_AREA_SAMPLE = 300
SAMPLE_SEED = 0
MIN_ANSWERS_OF_EACH_KIND = 10


@dataclass(frozen=True)
class LabelledEffort:
    area: str
    cluster: str
    effort: EffortText

    @property
    def is_singleton(self) -> bool:
        return self.cluster.startswith("x_")

    def duplicates(self, other: LabelledEffort) -> bool:
        return not self.is_singleton and self.cluster == other.cluster


@dataclass(frozen=True)
class Quality:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


@dataclass(frozen=True)
class TuneResult:
    """The threshold that maximises F1 on the labelled pairs, and what it achieves there."""

    threshold: float
    precision: float
    recall: float
    f1: float
    average_precision: float
    pairs: int
    duplicates: int


Scored = Sequence[tuple[float, bool]]


def load_dev_set(path: str | Path) -> list[LabelledEffort]:
    """The efforts of a development set file, with ids 0, 1, 2... in file order."""
    efforts = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        area, cluster, kind, name, text = line.split("|", 4)
        kind = "channel" if kind.strip() == "C" else "initiative"
        effort = EffortText(id=len(efforts), kind=kind, name=name.strip(), text=text.strip())
        efforts.append(LabelledEffort(area.strip(), cluster.strip(), effort))
    return efforts


def labelled_pairs(
    efforts: Sequence[LabelledEffort], *, cross_area: int | None = CROSS_AREA_SAMPLE
) -> list[tuple[LabelledEffort, LabelledEffort]]:
    """Every pair within an area (the hard negatives are there), plus `cross_area` pairs across
    areas drawn with a fixed seed; None takes every pair."""
    pairs = list(itertools.combinations(efforts, 2))
    if cross_area is None:
        return pairs
    within = [(a, b) for a, b in pairs if a.area == b.area]
    across = [(a, b) for a, b in pairs if a.area != b.area]
    sample = random.Random(SAMPLE_SEED).sample(across, min(cross_area, len(across)))
    return within + sample


def score_pairs(
    engine: OverlapEngine, pairs: Iterable[tuple[LabelledEffort, LabelledEffort]]
) -> list[tuple[float, bool]]:
    """(engine score, is duplicate) for each pair; every effort must be in the engine."""
    engine.refresh()
    return [(engine.score(a.effort.id, b.effort.id), a.duplicates(b)) for a, b in pairs]


def quality_at(scored: Scored, threshold: float) -> Quality:
    """Precision and recall when pairs scoring at least `threshold` are raised."""
    raised = [duplicate for score, duplicate in scored if score >= threshold]
    duplicates = sum(duplicate for _, duplicate in scored)
    hits = sum(raised)
    precision = hits / len(raised) if raised else 1.0
    return Quality(precision, hits / duplicates if duplicates else 0.0)


def average_precision(scored: Scored) -> float:
    """The mean of the precision at the rank of each duplicate, best scores first."""
    hits, total = 0, 0.0
    for rank, (_, duplicate) in enumerate(sorted(scored, key=lambda pair: -pair[0]), 1):
        if duplicate:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def fit_threshold(scored: Scored) -> tuple[float, float, float]:
    """(threshold, precision, recall) maximising F1; the threshold is halfway between the
    lowest raised score and the next one down, so that it carries over to new pairs. Raising
    every pair puts it at the lowest score: nothing was seen below that."""
    ordered = sorted(scored, key=lambda pair: -pair[0])
    duplicates = sum(duplicate for _, duplicate in ordered)
    best, hits = (-1.0, 1.0, 1.0, 0.0), 0
    for rank, (score, duplicate) in enumerate(ordered, 1):
        hits += duplicate
        below = ordered[rank][0] if rank < len(ordered) else None
        if below == score or not duplicates:
            continue
        f1 = 2 * hits / (rank + duplicates)
        if f1 > best[0]:
            threshold = score if below is None else (score + below) / 2
            best = (f1, threshold, hits / rank, hits / duplicates)
    return best[1], best[2], best[3]


def tune(labelled: Sequence[tuple[float, bool]]) -> TuneResult:
    """Fit the threshold on (score, is duplicate) pairs, such as those people confirmed or
    dismissed, and say what it achieves on them."""
    threshold, precision, recall = fit_threshold(labelled)
    return TuneResult(
        threshold=threshold,
        precision=precision,
        recall=recall,
        f1=Quality(precision, recall).f1,
        average_precision=average_precision(labelled),
        pairs=len(labelled),
        duplicates=sum(duplicate for _, duplicate in labelled),
    )


def too_few_answers(answered: Scored) -> str | None:
    """Why people's answers cannot support a new threshold yet, or None when they can."""
    confirmed = sum(same for _, same in answered)
    dismissed = len(answered) - confirmed
    if min(confirmed, dismissed) >= MIN_ANSWERS_OF_EACH_KIND:
        return None
    return (
        f"not enough answers yet: {len(answered)} answered pairs ({confirmed} confirmed, "
        f"{dismissed} dismissed); re-fitting needs at least {MIN_ANSWERS_OF_EACH_KIND} of each: "
        "pairs people confirmed (Same effort, Related) and pairs they dismissed."
    )


def tuning_report(fitted: TuneResult, current: float) -> str:
    """What the threshold fitted to people's answers does on those answers, and what to do."""
    dismissed = fitted.pairs - fitted.duplicates
    lines = [
        f"threshold {fitted.threshold:.2f}: precision {fitted.precision:.2f} and recall "
        f"{fitted.recall:.2f} among the {fitted.pairs} answered pairs ({fitted.duplicates} "
        f"confirmed, {dismissed} dismissed); F1 {fitted.f1:.2f}, average precision "
        f"{fitted.average_precision:.2f}.",
        f"People answer only the pairs they are shown: pairs scoring below {current:.2f} were "
        "never shown, so this recall misses any duplicates among them.",
    ]
    if f"{fitted.threshold:.2f}" == f"{current:.2f}":
        lines.append(f"The policy's threshold {current:.2f} already fits them: nothing to change.")
    else:
        lines.append(
            f"The policy now says {current:.2f}; to use the new one, set [overlap] threshold = "
            f"{fitted.threshold:.2f} in the policy file."
        )
    return "\n".join(lines)
