"""Pacer: tier budgets, bursts, per-channel and per-team buckets, FIFO, Retry-After, eviction.

Most tests run on an event loop with simulated time: whenever every task waits on a timer, the
loop's clock jumps to the next one. Minutes of pacing take microseconds and the wall clock never
matters.
"""

from __future__ import annotations

import asyncio
import selectors
from bisect import bisect_right
from collections.abc import Awaitable, Callable
from itertools import pairwise
from typing import TypeVar

import pytest

from bot.pacing import BURST, DEFAULT_BUDGET, SWEEP_EVERY, TIERS, Pacer

T = TypeVar("T")


class _TimeJumpingSelector(selectors.DefaultSelector):
    """Never blocks for a timer: it moves the loop's clock to the timer's due time instead."""

    def __init__(self, advance: Callable[[float], None]) -> None:
        super().__init__()
        self._advance = advance

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None:
            raise RuntimeError("deadlock: every task waits and no timer is due")
        self._advance(timeout)
        return super().select(0)


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self._now = 0.0
        super().__init__(_TimeJumpingSelector(self._advance))

    def time(self) -> float:
        return self._now

    def _advance(self, seconds: float) -> None:
        self._now += seconds


def run(scenario: Callable[[Pacer], Awaitable[T]], speed: float = 1.0) -> T:
    """Run `scenario` on simulated time with a Pacer that reads the loop's clock."""

    async def main() -> T:
        return await scenario(Pacer(speed=speed, clock=now))

    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(main())


def now() -> float:
    return asyncio.get_running_loop().time()


async def send(
    pacer: Pacer,
    count: int,
    team: str = "T1",
    method: str = "users.list",
    channel: str | None = None,
) -> list[float]:
    """The send times of `count` calls made one after another."""
    times = []
    for _ in range(count):
        await pacer.wait(team, method, channel)
        times.append(now())
    return times


def busiest_window(times: list[float], width: float = 60.0) -> int:
    """The most calls inside any closed window `width` seconds long."""
    ordered = sorted(times)
    return max(bisect_right(ordered, start + width) - i for i, start in enumerate(ordered))


def test_a_tier_2_method_lets_the_burst_through_then_paces_to_20_a_minute() -> None:
    times = run(lambda pacer: send(pacer, 10, method="conversations.list"))

    assert times[:BURST] == [0.0] * BURST
    gaps = [later - earlier for earlier, later in pairwise(times[BURST - 1 :])]
    assert gaps == pytest.approx([60 / 20] * (10 - BURST))


@pytest.mark.parametrize(
    "method", ["users.list", "conversations.info", "users.info", "chat.postMessage", "x.unknown"]
)
def test_no_60_second_window_carries_more_than_the_budget_plus_the_burst(method: str) -> None:
    budget = TIERS.get(method, DEFAULT_BUDGET)
    calls = 4 * budget

    async def scenario(pacer: Pacer) -> list[float]:
        times: list[float] = []

        async def call() -> None:
            await pacer.wait("T1", method, "C1")
            times.append(now())

        await asyncio.gather(*(call() for _ in range(calls)))
        return times

    times = run(scenario)

    assert budget <= busiest_window(times) <= budget + BURST
    assert max(times) == pytest.approx((calls - BURST) * 60 / budget)


def test_an_unknown_method_gets_tier_3() -> None:
    times = run(lambda pacer: send(pacer, BURST + 1, method="x.unknown"))

    assert times[-1] == pytest.approx(60 / 50)


def test_post_message_is_paced_per_channel() -> None:
    async def scenario(pacer: Pacer) -> list[list[float]]:
        return await asyncio.gather(
            send(pacer, 8, method="chat.postMessage", channel="C1"),
            send(pacer, 8, method="chat.postMessage", channel="C2"),
        )

    first, second = run(scenario)

    assert first == pytest.approx([0, 0, 0, 1, 2, 3, 4, 5])
    assert second == pytest.approx(first)


def test_teams_and_methods_have_buckets_of_their_own() -> None:
    async def scenario(pacer: Pacer) -> tuple[float, float, float]:
        await send(pacer, BURST, team="T1", method="users.list")
        return (
            await pacer.wait("T2", "users.list"),
            await pacer.wait("T1", "users.info"),
            await pacer.wait("T1", "users.list"),
        )

    other_team, other_method, same_bucket = run(scenario)

    assert (other_team, other_method) == (0.0, 0.0)
    assert same_bucket == pytest.approx(3.0)


def test_speed_multiplies_every_budget() -> None:
    times = run(lambda pacer: send(pacer, 6, method="users.list"), speed=60)

    assert times == pytest.approx([0, 0, 0, 0.05, 0.10, 0.15])


def test_speed_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Pacer(speed=0)


def test_concurrent_waiters_go_in_arrival_order_without_overshooting() -> None:
    async def scenario(pacer: Pacer) -> list[tuple[int, float]]:
        served: list[tuple[int, float]] = []

        async def call(arrival: int) -> None:
            await pacer.wait("T1", "users.list")
            served.append((arrival, now()))

        tasks = []
        for arrival in range(8):
            tasks.append(asyncio.create_task(call(arrival)))
            await asyncio.sleep(0.5)
        await asyncio.gather(*tasks)
        return served

    served = run(scenario)

    assert [arrival for arrival, _ in served] == list(range(8))
    # Three tokens, refilled at one per 3 s: the fourth call waits for a whole token.
    assert [at for _, at in served] == pytest.approx([0, 0.5, 1, 3, 6, 9, 12, 15])


def test_retry_after_pauses_the_bucket_for_everyone_then_resumes_without_a_burst() -> None:
    async def scenario(pacer: Pacer) -> list[tuple[str, float]]:
        served: list[tuple[str, float]] = []

        async def call(name: str, team: str = "T1", method: str = "conversations.info") -> None:
            await pacer.wait(team, method)
            served.append((name, now()))

        queued = [asyncio.create_task(call(f"queued {n}")) for n in range(5)]
        await asyncio.sleep(0.6)
        pacer.note_retry_after("T1", "conversations.info", 10)
        await asyncio.sleep(4.4)
        await asyncio.gather(
            call("late"),
            call("other team", team="T2"),
            call("other method", method="conversations.list"),
            *queued,
        )
        return served

    served = run(scenario)

    assert [name for name, _ in served] == [
        *(f"queued {n}" for n in range(3)),
        "other team",
        "other method",
        "queued 3",
        "queued 4",
        "late",
    ]
    # Tier 3 spaces calls 1.2 s apart; the pause runs from 0.6 s to 10.6 s.
    assert [at for _, at in served] == pytest.approx([0, 0, 0, 5, 5, 10.6, 11.8, 13.0])


def test_a_shorter_retry_after_does_not_cut_a_pause_short() -> None:
    async def scenario(pacer: Pacer) -> float:
        pacer.note_retry_after("T1", "users.list", 30)
        pacer.note_retry_after("T1", "users.list", 5)
        return await pacer.wait("T1", "users.list")

    assert run(scenario) == pytest.approx(30)


def test_idle_buckets_are_dropped_and_paused_ones_kept() -> None:
    async def scenario(pacer: Pacer) -> tuple[int, int, float]:
        for n in range(100):
            await pacer.wait("T1", "chat.postMessage", f"C{n}")
        pacer.note_retry_after("T1", "users.list", 600)
        before = pacer.bucket_count
        await asyncio.sleep(SWEEP_EVERY)
        await pacer.wait("T2", "auth.test")
        return before, pacer.bucket_count, await pacer.wait("T1", "users.list")

    before, after, paused_wait = run(scenario)

    assert before == 101
    assert after == 2  # the paused bucket and the one just used
    assert paused_wait == pytest.approx(600 - SWEEP_EVERY)


def test_a_bucket_with_a_queue_survives_a_sweep() -> None:
    async def scenario(pacer: Pacer) -> float:
        queue = asyncio.gather(*(pacer.wait("T1", "users.list") for _ in range(30)))
        await asyncio.sleep(SWEEP_EVERY)
        newcomer = await pacer.wait("T1", "users.list")
        await queue
        return newcomer

    # 30 queued calls go out over (30 - 3) x 3 s = 81 s; the newcomer follows them.
    assert run(scenario) == pytest.approx(84 - SWEEP_EVERY)


async def test_the_injected_sleep_is_what_waits() -> None:
    clock = [0.0]
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    pacer = Pacer(clock=lambda: clock[0], sleep=fake_sleep)
    waits = [await pacer.wait("T1", "users.list") for _ in range(BURST + 2)]

    assert slept == pytest.approx([3.0, 3.0])
    assert waits == pytest.approx([0, 0, 0, 3.0, 3.0])
