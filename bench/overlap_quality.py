"""How well overlap detection finds duplicate efforts in the development set, per mode.

For each mode (lexical; and, where the `semantic` extra is installed, semantic and the hybrid
of both) it prints average precision, and precision, recall and F1 at the policy's default
threshold 0.6 and at the threshold fitted on the pairs themselves, over two sets of pairs:
the 1,044 labelled pairs (every pair within an area plus 300 across areas, as the data's README
counts them) and all 11,935 pairs.

Then a held-out check: the areas are split in two at random, the threshold (and for the hybrid,
the weight of the semantic score) is fitted on the pairs of one half and measured on the
other, twenty times; the mean and spread of the held-out figures are printed.

Last, false alarms where there is little to compare with: three small workspaces of unrelated
channels and initiatives (written for this benchmark, not from the development set), each
scanned on its own as the app would; every pair raised there is a false alarm.

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
from bot.overlaps import EffortText
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

# Small workspaces in which no two efforts are the same work: (kind, name, text).
UNRELATED_WORKSPACES = [
    [
        ("C", "fin-budget-2025", "Annual budget planning for all departments"),
        ("C", "hr-onboarding", "Improve the first-week experience for new hires"),
        ("C", "eng-ci-speedup", "Making builds and test pipelines faster"),
        ("I", "Office relocation", "Facilities plan to find larger premises"),
        ("C", "legal-gdpr", "Data privacy compliance for EU customers"),
        ("C", "mktg-newsletter", "Monthly email newsletter to customers"),
        ("C", "it-laptop-refresh", "Replacing old laptops for staff this year"),
        ("C", "sales-enablement", "Training reps on product demos and objection handling"),
    ],
    [
        ("C", "general", "Company-wide announcements"),
        ("C", "random", "Anything goes"),
        ("C", "design-system", "Shared UI components and tokens"),
        ("C", "oncall", "Who is on call this week and handovers"),
        ("I", "Warehouse automation", "Robots for picking in the Leeds warehouse"),
        ("C", "team-offsite", "Planning the spring offsite in Lisbon"),
        ("C", "security-alerts", "Automated alerts from the SIEM"),
        ("I", "Carbon reporting", "Measure and publish our scope 1 and 2 emissions"),
        ("C", "customer-advisory-board", "Quarterly meetings with our top customers"),
        ("C", "recruiting-eng", "Hiring pipeline for engineers"),
    ],
    [
        ("C", "kitchen", "Snacks, coffee machine, dishwasher rota"),
        ("C", "mobile-release", "iOS and Android release train"),
        ("C", "pr-press-office", "Press enquiries and media interviews"),
        ("C", "fin-expenses", "Expense reports and reimbursements"),
        ("I", "Churn analysis", "Why customers cancel in their first year"),
        ("C", "it-helpdesk", "Ask IT for help with accounts and devices"),
        ("C", "events-booth", "Our booth at trade shows"),
    ],
]
DEPARTMENTS = ["mktg", "cs", "pr", "fin", "hr", "eng", "it", "legal", "sales"]

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


def false_alarms(encoder: Encoder | None, semantic_weight: float) -> tuple[int, int]:
    """Pairs raised in the unrelated small workspaces, and how many pairs they hold."""
    raised = compared = 0
    for workspace in UNRELATED_WORKSPACES:
        engine = OverlapEngine(
            Normaliser(DEPARTMENTS), POLICY_THRESHOLD, encoder, semantic_weight=semantic_weight
        )
        for number, (kind, name, text) in enumerate(workspace):
            engine.add(EffortText(number, "channel" if kind == "C" else "initiative", name, text))
        raised += len(engine.scan())
        compared += len(workspace) * (len(workspace) - 1) // 2
    return raised, compared


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
    rows, held, alarms = [], [], []
    for mode in modes:
        scorers = {w: scorer(build(efforts, encoder if w else None, w)) for w in mode.weights}
        default = scorers[max(mode.weights) if mode.name != "hybrid" else 0.9]
        for name, pairs in pair_sets.items():
            rows.append((mode.name, f"{name} ({len(pairs):,})", *figures(default(pairs))))
        held.append((mode.name, *held_out(efforts, scorers)))
        weight = max(mode.weights) if mode.name != "hybrid" else 0.9
        raised, compared = false_alarms(encoder if weight else None, weight)
        alarms.append((mode.name, f"{raised} of {compared}"))

    print(f"Development set: {len(efforts)} efforts, {len(pair_sets['labelled']):,} labelled pairs")
    print("P / R / F1 = precision / recall / F1\n")
    headers = ("mode", "pairs", "AP", "at 0.6: P / R / F1", "fitted", "at fitted: P / R / F1")
    print_table(headers, rows)
    print(f"\nHeld out: fitted on half the areas, measured on the other half ({SPLITS} splits)\n")
    print_table(("mode", "AP", "F1 at the fitted threshold", "semantic weight chosen"), held)
    print(f"\nFalse alarms at {POLICY_THRESHOLD} in small workspaces of unrelated work\n")
    print_table(("mode", "pairs raised"), alarms)


if __name__ == "__main__":
    main()
