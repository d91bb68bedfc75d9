"""The overlap engine: the incremental check, the full scan, ranking, clusters, dismissals."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot.overlaps import EffortText
from bot.overlaps import engine as engine_module
from bot.overlaps.engine import Match, OverlapEngine, clusters, rank
from bot.overlaps.evaluate import load_dev_set
from bot.overlaps.explain import LIKELY, POSSIBLY
from config.policy import Policy, load_policy

DEV_SET = Path(__file__).parents[1] / "data" / "overlap_dev_set.txt"

SOCIAL = [
    EffortText(1, "channel", "mktg-social-listening", "Monitor brand mentions on Twitter"),
    EffortText(2, "channel", "cs-twitter-monitoring", "Track complaints on social"),
    EffortText(
        3,
        "initiative",
        "Brand sentiment tracking",
        "PR initiative to measure public sentiment about the brand across social media and news",
    ),
]
SILOS = {1: "Marketing", 2: "Customer Support", 3: "PR"}
OTHERS = [
    EffortText(10, "channel", "fin-budget-2025", "Annual budget planning for all departments"),
    EffortText(11, "channel", "hr-onboarding", "Improve the first-week experience for new hires"),
    EffortText(12, "channel", "eng-ci-speedup", "Making builds and test pipelines faster"),
    EffortText(13, "initiative", "Office relocation", "Facilities plan to find larger premises"),
]


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy("config/policy.example.toml")


def engine_with(efforts: list[EffortText], policy: Policy) -> OverlapEngine:
    engine = OverlapEngine.from_policy(policy)
    for effort in efforts:
        engine.add(effort)
    return engine


def social(policy: Policy) -> OverlapEngine:
    efforts = [replace(effort, silo=SILOS[effort.id]) for effort in SOCIAL]
    return engine_with(efforts + OTHERS, policy)


def test_the_social_triple_is_one_cluster_with_reasons_in_words(policy: Policy) -> None:
    engine = social(policy)
    matches = engine.scan()
    assert {frozenset((match.a, match.b)) for match in matches} == {
        frozenset(pair) for pair in ((1, 2), (1, 3), (2, 3))
    }
    assert [sorted(group) for group in engine.clusters(matches)] == [[1, 2, 3]]
    reasons = {frozenset((match.a, match.b)): match.reasons for match in matches}
    assert reasons[frozenset((1, 3))][0] == "both mention brand and social"
    assert "social" in reasons[frozenset((2, 3))][0] and "track" in reasons[frozenset((2, 3))][0]
    assert (
        "both fall under the 'social media' rule, which requires Marketing, PR, "
        "Customer Support and Legal"
    ) in reasons[frozenset((1, 2))]
    assert all(match.cross_silo and match.band in (LIKELY, POSSIBLY) for match in matches)


def test_check_finds_the_overlaps_of_a_new_effort_without_adding_it(policy: Policy) -> None:
    engine = engine_with(SOCIAL[:2] + OTHERS, policy)
    found = engine.check(SOCIAL[2])
    assert {match.b for match in found} == {1, 2}
    assert all(match.a == 3 for match in found)
    assert 3 not in engine


def test_check_of_an_edited_effort_reads_its_new_text(policy: Policy) -> None:
    engine = engine_with(SOCIAL + OTHERS, policy)
    edited = replace(SOCIAL[2], name="Quarterly tax filing", text="File taxes with the IRS")
    assert engine.check(edited) == []
    engine.update(edited)
    assert engine.check(SOCIAL[0])[0].b == 2
    assert all(match.b != 3 for match in engine.check(SOCIAL[0]))


def test_removed_efforts_are_no_longer_found(policy: Policy) -> None:
    engine = social(policy)
    engine.remove(2)
    assert {match.b for match in engine.check(SOCIAL[0])} == {3}
    assert all(2 not in (match.a, match.b) for match in engine.scan())


def test_cross_silo_pairs_rank_above_same_silo_pairs() -> None:
    same = Match(1, 2, 0.95, LIKELY, [], cross_silo=False)
    across = Match(3, 4, 0.65, POSSIBLY, [], cross_silo=True)
    stronger_across = Match(5, 6, 0.7, POSSIBLY, [], cross_silo=True)
    assert rank([same, across, stronger_across]) == [stronger_across, across, same]


def test_the_engine_ranks_a_cross_silo_overlap_first(policy: Policy) -> None:
    efforts = [
        EffortText(1, "channel", "social-listening", "Monitor brand mentions", silo="Marketing"),
        EffortText(2, "channel", "social-listening-2", "Monitor brand mentions", silo="Marketing"),
        EffortText(3, "channel", "brand-mentions", "Monitor social listening", silo="PR"),
        *OTHERS,
    ]
    matches = engine_with(efforts, policy).check(efforts[0])
    assert [match.b for match in matches][:2] == [3, 2]
    assert matches[1].score > matches[0].score


def test_groups_of_three_or_more_are_clusters_but_a_chain_is_not() -> None:
    def match(a: int, b: int, score: float = 0.7) -> Match:
        return Match(a, b, score, POSSIBLY, [], cross_silo=True)

    triangle = [match(1, 2), match(2, 3), match(1, 3)]
    chain = [match(4, 5, 0.9), match(5, 6), match(6, 7)]
    assert clusters(triangle + chain) == [[1, 2, 3]]
    two_triangles = [match(8, 9), match(9, 10), match(8, 10), match(10, 11), match(9, 11)]
    assert clusters(two_triangles + triangle) == [[8, 9, 10, 11], [1, 2, 3]]


def test_a_dismissed_pair_stays_quiet_until_a_text_changes_materially(policy: Policy) -> None:
    engine = social(policy)
    fingerprint = engine.dismiss(SOCIAL[0], SOCIAL[1])
    assert len(fingerprint) == 64
    assert all(match.b != 2 for match in engine.check(SOCIAL[0]))

    reworded = replace(SOCIAL[1], text="Tracking the complaints on social!")
    engine.update(reworded)
    assert all(match.b != 2 for match in engine.check(SOCIAL[0]))

    rewritten = replace(
        SOCIAL[1], text="Track complaints and refund requests from angry customers on social media"
    )
    engine.update(rewritten)
    assert any(match.b == 2 for match in engine.check(SOCIAL[0]))


def test_dismissals_load_in_either_order(policy: Policy) -> None:
    engine = social(policy)
    fingerprint = engine.fingerprint(SOCIAL[1]) + engine.fingerprint(SOCIAL[0])
    engine.suppress([(2, 1, fingerprint)])
    assert engine.is_suppressed(SOCIAL[0], SOCIAL[1])
    assert all({match.a, match.b} != {1, 2} for match in engine.scan())


def test_unrelated_efforts_do_not_overlap(policy: Policy) -> None:
    assert engine_with(OTHERS, policy).scan() == []


def test_scores_are_between_0_and_1_and_symmetric(policy: Policy) -> None:
    engine = social(policy)
    engine.refresh()
    for first in SOCIAL + OTHERS:
        for second in SOCIAL + OTHERS:
            if first.id != second.id:
                score = engine.score(first.id, second.id)
                assert 0 <= score < 1
                assert score == pytest.approx(engine.score(second.id, first.id))


def test_the_semantic_path_adds_neighbours_that_share_no_word(policy: Policy) -> None:
    numpy = pytest.importorskip("numpy")

    class FakeEncoder:
        """Texts about cars share the first axis; every other text has an axis of its own."""

        def __init__(self) -> None:
            self.axes: dict[str, int] = {}

        def encode(self, texts: list[str]) -> numpy.ndarray:
            vectors = numpy.zeros((len(texts), 16), dtype=numpy.float32)
            for row, text in enumerate(texts):
                cars = "car" in text.lower() or "vehicle" in text.lower()
                vectors[row, 0 if cars else self.axes.setdefault(text, len(self.axes) + 1)] = 1
            return vectors

    engine = OverlapEngine.from_policy(policy, FakeEncoder())
    car = EffortText(1, "channel", "car-fleet", "Company car leases")
    vehicle = EffortText(2, "initiative", "Vehicle program", "Renew the vehicle pool")
    for effort in (car, vehicle, *OTHERS):
        engine.add(effort)
    assert [match.b for match in engine.check(car)] == [2]
    assert "in other words" in engine.check(car)[0].reasons[-1]
    assert {frozenset((match.a, match.b)) for match in engine.scan()} == {frozenset((1, 2))}


def test_precomputed_vectors_work_without_an_encoder(policy: Policy) -> None:
    numpy = pytest.importorskip("numpy")
    engine = OverlapEngine.from_policy(policy)
    car = EffortText(1, "channel", "car-fleet", "Company car leases")
    vehicle = EffortText(2, "initiative", "Vehicle program", "Renew the vehicle pool")
    engine.add(car, numpy.array([1.0, 0.0], dtype=numpy.float32))
    engine.add(vehicle, numpy.array([1.0, 0.0], dtype=numpy.float32))
    for number, effort in enumerate(OTHERS):
        engine.add(effort, numpy.array([0.0, 1.0 + number], dtype=numpy.float32))
    assert [match.b for match in engine.check(car)] == [2]


def test_an_edited_effort_given_no_vector_keeps_its_own(policy: Policy) -> None:
    numpy = pytest.importorskip("numpy")
    engine = OverlapEngine.from_policy(policy)
    first, second = numpy.eye(2, dtype=numpy.float32)
    engine.add(EffortText(1, "initiative", "Alpha", "Plan one"), first)
    engine.add(EffortText(2, "initiative", "Beta", "Plan two"), second)
    engine.add(EffortText(1, "initiative", "Alpha", "Plan one, edited"))
    assert (engine.vector(1) == first).all()
    assert (engine.vector(2) == second).all()


def test_loading_at_once_finds_every_pair_that_comparing_all_pairs_finds(policy: Policy) -> None:
    """`load` (a worker's first fill) then a scan raise exactly the pairs of the development
    set's 155 efforts that score over the threshold when every pair is compared, and the
    pairs `add` one by one then a fresh scan raise, but for a few near the threshold (the
    word weights these were found with drifted less than `STALE_GROWTH`)."""
    efforts = [labelled.effort for labelled in load_dev_set(DEV_SET)]
    at_once = OverlapEngine.from_policy(policy)
    at_once.load([(effort, None) for effort in efforts])

    found = {frozenset((m.a, m.b)): m.score for m in at_once.scan()}
    every_pair = {
        frozenset((a.id, b.id)): at_once.score(a.id, b.id)
        for index, a in enumerate(efforts)
        for b in efforts[index + 1 :]
    }
    expected = {pair: score for pair, score in every_pair.items() if score >= at_once.threshold}
    assert len(expected) > 20
    assert found.keys() == expected.keys()
    assert all(found[pair] == pytest.approx(expected[pair]) for pair in expected)
    one_by_one = {frozenset((m.a, m.b)) for m in engine_with(efforts, policy).scan(fresh=True)}
    assert len(one_by_one ^ found.keys()) <= len(found) // 20


def test_loading_encodes_the_missing_vectors_in_one_batch(policy: Policy) -> None:
    numpy = pytest.importorskip("numpy")

    class CountingEncoder:
        def __init__(self) -> None:
            self.batches: list[int] = []

        def encode(self, texts: list[str]) -> numpy.ndarray:
            self.batches.append(len(texts))
            return numpy.ones((len(texts), 2), dtype=numpy.float32)

    encoder = CountingEncoder()
    engine = OverlapEngine.from_policy(policy, encoder)
    stored = numpy.array([0.0, 1.0], dtype=numpy.float32)
    engine.load([(effort, None) for effort in SOCIAL] + [(effort, stored) for effort in OTHERS])
    assert encoder.batches == [len(SOCIAL)]
    assert len(engine) == len(SOCIAL) + len(OTHERS)


def test_an_effort_whose_encoding_fails_is_not_known_and_is_encoded_next_time(
    policy: Policy,
) -> None:
    """Its words are entered on the helper thread while it is encoded; a failure must not
    leave it known without a vector, which would keep it out of the meaning space until it is
    edited, even when the helper thread enters the words only after the encoder has failed."""
    numpy = pytest.importorskip("numpy")
    failed = threading.Event()

    class FlakyEncoder:
        def __init__(self) -> None:
            self.failing = True

        def encode(self, texts: list[str]) -> numpy.ndarray:
            if self.failing:
                failed.set()
                raise RuntimeError("the model is not loaded")
            return numpy.ones((len(texts), 2), dtype=numpy.float32)

    encoder = FlakyEncoder()
    engine = engine_with(OTHERS, policy)
    engine.encoder = encoder

    def keep_the_helper_busy_until_the_failure() -> None:
        failed.wait()
        time.sleep(0.05)

    engine_module._helper().submit(keep_the_helper_busy_until_the_failure)
    with pytest.raises(RuntimeError):
        engine.add(SOCIAL[0])
    engine_module._helper().submit(lambda: None).result()  # the words are in by now
    assert not engine.knows(SOCIAL[0]) and len(engine) == len(OTHERS)

    encoder.failing = False
    engine.add(SOCIAL[0])
    assert engine.knows(SOCIAL[0]) and (engine.vector(1) == 1).all()


def paired_vectors(count: int, seed: int):
    """`count` random unit vectors of 32 dimensions; each odd one means what the one before does."""
    numpy = pytest.importorskip("numpy")
    vectors = numpy.random.default_rng(seed).standard_normal((count, 32), dtype=numpy.float32)
    for row in range(1, count, 2):
        vectors[row] = vectors[row - 1] + 0.2 * vectors[row]
    return vectors / numpy.linalg.norm(vectors, axis=1, keepdims=True)


def test_the_semantic_scan_raises_what_scoring_each_found_pair_raises(policy: Policy) -> None:
    """The scan scores all pairs at once with NumPy and skips working out word similarities
    that cannot matter; it must raise what scoring each pair one by one raises."""
    efforts = [labelled.effort for labelled in load_dev_set(DEV_SET)]
    vectors = paired_vectors(len(efforts), seed=3)
    engine = OverlapEngine.from_policy(policy)
    # Some efforts have no vector yet, and some go after their neighbours were found.
    engine.load([(e, None if row % 11 == 0 else vectors[row]) for row, e in enumerate(efforts)])
    for effort in efforts[5::17]:
        engine.remove(effort.id)

    found = {frozenset((m.a, m.b)): m.score for m in engine.scan()}
    found_by_spaces = {(a, b) for space in engine._spaces() for a, b, _ in space.pairs()}
    one_by_one = {
        frozenset((a, b)): engine.score(a, b)
        for a, b in found_by_spaces
        if engine.score(a, b) >= engine.threshold
    }
    assert len(one_by_one) > 40
    assert found.keys() == one_by_one.keys()
    assert all(found[pair] == pytest.approx(one_by_one[pair]) for pair in found)


def groves(count: int) -> list[EffortText]:
    """`count` efforts with ids from 0, each named after two trees: a crowd that shares no word
    with the efforts a test sets among it."""
    trees = ["alder", "birch", "cedar", "elm", "hazel", "larch", "maple", "oak", "pine", "yew"]
    return [
        EffortText(row, "initiative", f"{trees[row % 10]} {trees[row // 10]} grove", "")
        for row in range(count)
    ]


def test_the_semantic_scan_raises_a_pair_that_only_its_meaning_carries(policy: Policy) -> None:
    """The scan takes a meaning similarity that neither effort's nearest meanings hold at the
    least of those of the effort changed last, and works it out only where that could pass.
    An effort edited to mean nearly what another means, amid a crowd of closer ones, must be
    raised with it, though the other's older list says nothing of the edit and the pair
    barely passes."""
    numpy = pytest.importorskip("numpy")
    rng = numpy.random.default_rng(5)
    crowd_centre, lone_direction = numpy.eye(32, dtype=numpy.float32)[:2]
    noise = rng.standard_normal((35, 32), dtype=numpy.float32)
    vectors = numpy.concatenate(
        [crowd_centre + 0.08 * noise[:30], lone_direction + 0.2 * noise[30:]]
    )
    vectors /= numpy.linalg.norm(vectors, axis=1, keepdims=True)
    efforts = groves(35)
    lone = EffortText(40, "initiative", "Harbour lantern festival", "Boats and music at dusk")
    edited = EffortText(41, "initiative", "Lantern walk", "Evening stroll through town")
    engine = OverlapEngine.from_policy(policy)
    engine.load([*zip(efforts, vectors, strict=True), (lone, lone_direction)])
    engine.add(edited, vectors[0])
    new_vector = 0.76 * crowd_centre + 0.65 * lone_direction
    engine.add(replace(edited, text="Evening stroll through the old town"), new_vector)

    similar = engine._meanings.similarity(engine.effort(40), engine.effort(41))
    assert 41 not in engine._meanings._found[40] and 40 not in engine._meanings._found[41]
    assert similar == pytest.approx(0.65, abs=0.01)
    assert engine.threshold <= engine.score(40, 41) < engine.threshold + 0.02
    assert frozenset((40, 41)) in {frozenset((m.a, m.b)) for m in engine.scan()}


def around(centre, similarities: list[float], seed: int):
    """Unit vectors as similar to `centre` (a unit vector of the first two axes) as
    `similarities` says, each off it in a random direction of the other 30."""
    numpy = pytest.importorskip("numpy")
    away = numpy.random.default_rng(seed).standard_normal((len(similarities), 32))
    away[:, :2] = 0
    away /= numpy.linalg.norm(away, axis=1, keepdims=True)
    near = numpy.array(similarities)[:, None]
    return (near * centre + numpy.sqrt(1 - near**2) * away).astype(numpy.float32)


def test_the_semantic_scan_raises_a_pair_that_a_removal_nearby_lets_pass(policy: Policy) -> None:
    """The meaning similarity of a pair that neither list holds is bounded by the list of the
    effort added last. When that effort's two closest go, the scan finds its list again to
    know its new density, and the new list reaches less similar efforts: the bound must still
    come from the list the pair was gathered from, or the pair, which passes only now that its
    density fell, would be missed until the next scan."""
    numpy = pytest.importorskip("numpy")
    festival_meaning, other_meaning = numpy.eye(32)[:2]
    walk_meaning = 0.7 * festival_meaning + numpy.sqrt(1 - 0.7**2) * other_meaning
    near_festival = around(festival_meaning, list(numpy.linspace(0.66, 0.45, 24)), seed=1)
    near_walk = around(walk_meaning, [0.96, 0.95] + [0.9] * 18, seed=2)
    crowd = groves(44)
    festival = EffortText(100, "initiative", "Harbour lantern festival", "Boats and music at dusk")
    walk = EffortText(101, "initiative", "Lantern walk", "Evening stroll through town")
    engine = OverlapEngine.from_policy(policy)
    vectors = numpy.concatenate([near_festival, near_walk])
    engine.load([*zip(crowd, vectors, strict=True), (festival, festival_meaning)])
    engine.add(walk, walk_meaning)
    assert 100 not in engine._meanings._found[101] and 101 not in engine._meanings._found[100]
    assert engine.score(100, 101) < engine.threshold

    for closest_to_walk in crowd[24:26]:
        engine.remove(closest_to_walk.id)
    raised = {frozenset((match.a, match.b)) for match in engine.scan()}
    assert engine.threshold <= engine.score(100, 101) < engine.threshold + 0.01
    assert frozenset((100, 101)) in raised


def test_the_semantic_scan_bounds_words_only_by_a_list_made_with_both_there(
    policy: Policy,
) -> None:
    """A festival with nothing like it in words finds no nearest words. A walk added later
    shares a rare word with it but has 25 closer twins; their meanings are close. The
    festival's empty list says nothing of the walk, which came after it: the scan must bound
    the pair's words by the walk's list alone, or it misses a pair the check raises."""
    numpy = pytest.importorskip("numpy")
    axes = numpy.eye(32, dtype=numpy.float32)
    engine = OverlapEngine.from_policy(policy)
    for row in range(200):
        engine.add(EffortText(200 + row, "initiative", f"code{row}name", ""), axes[10 + row % 10])
    festival = EffortText(1, "initiative", "Harbour lantern festival", "Boats music dusk")
    engine.add(festival, axes[0])
    for row in range(25):
        twin = EffortText(100 + row, "initiative", "Evening stroll", "walk by the river at night")
        engine.add(twin, axes[20 + row % 10])
    walk = EffortText(2, "initiative", "Evening stroll", "lantern walk by the river at night")
    engine.add(walk, 0.35 * axes[0] + numpy.sqrt(1 - 0.35**2) * axes[1])

    assert 2 not in engine._words._found[1] and 1 not in engine._words._found[2]
    assert engine.index.similarity(festival, walk) > 0.2
    assert engine.threshold <= engine.score(1, 2) < engine.threshold + 0.03
    assert [match.b for match in engine.check(walk)] == [1]
    assert frozenset((1, 2)) in {frozenset((match.a, match.b)) for match in engine.scan()}


def test_a_semantic_check_scores_each_overlap_as_scoring_the_pair_alone_does(
    policy: Policy,
) -> None:
    """A check works out the word similarities of its meaning neighbours all at once; each
    overlap it raises must score what the pair scores on its own."""
    efforts = [labelled.effort for labelled in load_dev_set(DEV_SET)]
    vectors = paired_vectors(len(efforts), seed=4)
    engine = OverlapEngine.from_policy(policy)
    engine.load(list(zip(efforts, vectors, strict=True)))

    matches = [match for effort in efforts for match in engine.check(effort)]
    with_words_unlisted = [
        match
        for match in matches
        if match.b not in engine._words.nearest(engine.effort(match.a), None, thorough=True)
        and engine.index.similarity(engine.effort(match.a), engine.effort(match.b)) > 0
    ]
    assert len(with_words_unlisted) >= 5
    assert all(match.score == pytest.approx(engine.score(match.a, match.b)) for match in matches)


def test_stale_neighbourhoods_are_found_again_a_few_at_a_time_oldest_first(
    policy: Policy,
) -> None:
    """Efforts added one by one leave neighbourhoods found with drifted word weights; each
    limited refresh finds again the oldest, and a few of them do what one full refresh does."""
    efforts = [labelled.effort for labelled in load_dev_set(DEV_SET)]
    in_one_go = engine_with(efforts, policy)
    in_one_go.refresh()
    expected = {frozenset((m.a, m.b)): m.score for m in in_one_go.scan()}

    engine = engine_with(efforts, policy)
    engine.refresh(limit=len(efforts) // 4)
    after_one = {frozenset((m.a, m.b)): m.score for m in engine.scan()}
    for _ in range(3):
        engine.refresh(limit=len(efforts) // 4)
    after_four = {frozenset((m.a, m.b)): m.score for m in engine.scan()}
    assert after_one != expected
    assert after_four.keys() == expected.keys()
    assert all(after_four[pair] == pytest.approx(expected[pair]) for pair in expected)


@pytest.mark.parametrize(
    ("split_rows", "sampled_past"),
    [
        (engine_module.SPLIT_ROWS, engine_module.SAMPLED_PAST),
        (700, engine_module.SAMPLED_PAST),
        (engine_module.SPLIT_ROWS, 256),
    ],
    ids=["one thread", "two threads", "sampled bar"],
)
def test_a_large_workspace_finds_the_same_meaning_pairs_one_by_one_as_all_at_once(
    policy: Policy, split_rows: int, sampled_past: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past a few dozen efforts, each new one's nearest meanings are shortlisted by int8
    codes (on one thread, or split over two past `SPLIT_ROWS`; the largest found above a
    sampled bar past `SAMPLED_PAST`): adding 1,500 efforts one by one must raise exactly the
    pairs that the exact fill of all of them at once raises (150 groups of 10 reworded
    efforts, texts alike in words)."""
    numpy = pytest.importorskip("numpy")
    pytest.importorskip("numkong")
    monkeypatch.setattr(engine_module, "SPLIT_ROWS", split_rows)
    monkeypatch.setattr(engine_module, "SAMPLED_PAST", sampled_past)
    rng = numpy.random.default_rng(3)
    centres = rng.standard_normal((150, 384)).astype(numpy.float32)
    vectors = numpy.repeat(centres, 10, axis=0)
    vectors += 0.6 * rng.standard_normal(vectors.shape).astype(numpy.float32)
    vectors /= numpy.linalg.norm(vectors, axis=1, keepdims=True)
    efforts = [EffortText(row, "initiative", "Plan", "") for row in range(len(vectors))]

    at_once = OverlapEngine.from_policy(policy)
    at_once.load(list(zip(efforts, vectors, strict=True)))
    one_by_one = OverlapEngine.from_policy(policy)
    for effort, vector in zip(efforts, vectors, strict=True):
        one_by_one.add(effort, vector)

    pairs = {frozenset((m.a, m.b)) for m in at_once.scan()}
    assert len(pairs) > 150 * 10
    assert {frozenset((m.a, m.b)) for m in one_by_one.scan()} == pairs


@pytest.mark.parametrize("layout", ["shuffled", "ascending", "peaks on the sample"])
def test_the_largest_similarities_are_found_whatever_their_layout(layout: str) -> None:
    """The meaning search keeps the largest of 100,000 similarities, found above a bar set by
    a sample: exactly those a full sort keeps, in a random layout as in one that misleads the
    sample (its ten largest values are the only ones above all the rest)."""
    numpy = pytest.importorskip("numpy")
    pytest.importorskip("numkong")
    rng = numpy.random.default_rng(5)
    values = rng.permutation(100_000).astype(numpy.float32)
    if layout == "ascending":
        values.sort()
    elif layout == "peaks on the sample":
        values[:: engine_module.SAMPLE_STRIDE][:10] += 1e6
    space = engine_module._MeaningSpace()

    largest = space._largest(values, 84)
    block = space._largest(numpy.stack([values, -values]), 21)

    assert set(largest) == set(numpy.argsort(values)[-84:])
    assert [set(row) for row in block] == [
        set(numpy.argsort(values)[-21:]),
        set(numpy.argsort(-values)[-21:]),
    ]
