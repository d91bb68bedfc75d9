"""How well overlap detection finds duplicate efforts in the development set, per mode.

For each mode (lexical; and, where the `semantic` extra is installed, semantic and the hybrid
of both) it prints average precision, and precision, recall and F1 at the policy's default
threshold 0.6 and at the threshold fitted on the pairs themselves, over two sets of pairs:
the 1,044 labelled pairs (every pair within an area plus 300 across areas, as the data's README
counts them) and all 11,935 pairs.

Then a held-out check: the areas are split in two at random, the threshold (and for the hybrid,
the weight of the semantic score) is fitted on the pairs of one half and measured on the
other, twenty times; the mean and spread of the held-out figures are printed.

    .venv/bin/python -m bench.overlap_quality [--dev-set tests/data/overlap_dev_set.txt]
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.common import print_table
from bot.overlaps.engine import Encoder, OverlapEngine, semantic_text
from bot.overlaps.evaluate import (
    LabelledEffort,
    average_precision,
    fit_threshold,
    labelled_pairs,
    load_dev_set,
    quality_at,
)
from bot.overlaps.text import Normaliser

DEV_SET = Path(__file__).parents[1] / "tests" / "data" / "overlap_dev_set.txt"
POLICY_THRESHOLD = 0.6
SPLITS = 20
SEMANTIC_WEIGHTS = (0.5, 0.7, 0.8, 0.9, 0.95)

Pair = tuple[LabelledEffort, LabelledEffort]
Scored = list[tuple[float, bool]]


@dataclass(frozen=True)
class Mode:
    name: str
    weights: Sequence[float]  # semantic weights to choose from; (0,) is lexical only


def build(
    efforts: list[LabelledEffort], encoder: Encoder | None, semantic_weight: float
) -> OverlapEngine:
    engine = OverlapEngine(Normaliser(), POLICY_THRESHOLD, semantic_weight=semantic_weight)
    vectors = encoder.encode([semantic_text(each.effort) for each in efforts]) if encoder else None
    for row, labelled in enumerate(efforts):
        engine.add(labelled.effort, None if vectors is None else vectors[row])
    engine.refresh()
    return engine


def scorer(engine: OverlapEngine) -> Callable[[Sequence[Pair]], Scored]:
    def score(pairs: Sequence[Pair]) -> Scored:
        return [(engine.score(a.effort.id, b.effort.id), a.duplicates(b)) for a, b in pairs]

    return score


def figures(scored: Scored) -> list[str]:
    at_policy = quality_at(scored, POLICY_THRESHOLD)
    threshold, precision, recall = fit_threshold(scored)
    fitted = quality_at(scored, threshold)
    return [
        f"{average_precision(scored):.3f}",
        f"{at_policy.precision:.2f} / {at_policy.recall:.2f} / {at_policy.f1:.3f}",
        f"{threshold:.2f}",
        f"{precision:.2f} / {recall:.2f} / {fitted.f1:.3f}",
    ]


def held_out(
    efforts: list[LabelledEffort], scorers: dict[float, Callable[[Sequence[Pair]], Scored]]
) -> list[str]:
    """Mean (and standard deviation) of AP and F1 on held-out areas, over random halvings."""
    areas = sorted({each.area for each in efforts})
    pairs = labelled_pairs(efforts)
    aps, f1s, chosen = [], [], []
    for split in range(SPLITS):
        train_areas = set(random.Random(split).sample(areas, len(areas) // 2))
        train = [p for p in pairs if {p[0].area, p[1].area} <= train_areas]
        test = [p for p in pairs if not {p[0].area, p[1].area} & train_areas]
        weight = max(scorers, key=lambda w: average_precision(scorers[w](train)))
        threshold, _, _ = fit_threshold(scorers[weight](train))
        scored = scorers[weight](test)
        aps.append(average_precision(scored))
        f1s.append(quality_at(scored, threshold).f1)
        chosen.append(weight)
    return [
        f"{statistics.mean(aps):.3f} ± {statistics.stdev(aps):.3f}",
        f"{statistics.mean(f1s):.3f} ± {statistics.stdev(f1s):.3f}",
        ", ".join(f"{w:g}" for w in sorted(set(chosen))) if len(scorers) > 1 else "-",
    ]


def load_semantic_encoder() -> Encoder | None:
    try:
        from bot.overlaps.semantic import load_encoder
    except ImportError:
        return None
    return load_encoder()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev-set", type=Path, default=DEV_SET)
    args = parser.parse_args()
    efforts = load_dev_set(args.dev_set)
    encoder = load_semantic_encoder()
    modes = [Mode("lexical", (0.0,))]
    if encoder is not None:
        modes += [Mode("semantic", (1.0,)), Mode("hybrid", SEMANTIC_WEIGHTS)]
    else:
        print("(the semantic extra is not installed: lexical mode only)\n")

    pair_sets = {
        "labelled": labelled_pairs(efforts),
        "all": labelled_pairs(efforts, cross_area=None),
    }
    rows, held = [], []
    for mode in modes:
        scorers = {w: scorer(build(efforts, encoder if w else None, w)) for w in mode.weights}
        default = scorers[max(mode.weights) if mode.name != "hybrid" else 0.9]
        for name, pairs in pair_sets.items():
            rows.append((mode.name, f"{name} ({len(pairs):,})", *figures(default(pairs))))
        held.append((mode.name, *held_out(efforts, scorers)))

    print(f"Development set: {len(efforts)} efforts, {len(pair_sets['labelled']):,} labelled pairs")
    print("P / R / F1 = precision / recall / F1\n")
    headers = ("mode", "pairs", "AP", "at 0.6: P / R / F1", "fitted", "at fitted: P / R / F1")
    print_table(headers, rows)
    print(f"\nHeld out: fitted on half the areas, measured on the other half ({SPLITS} splits)\n")
    print_table(("mode", "AP", "F1 at the fitted threshold", "semantic weight chosen"), held)


if __name__ == "__main__":
    main()
