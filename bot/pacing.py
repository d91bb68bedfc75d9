"""Pacing of outgoing Web API calls to each method's Slack rate-limit tier.

Slack limits every method per app and per workspace (Tier 2: 20+ calls a minute, Tier 3: 50+,
Tier 4: 100+) and `chat.postMessage` per channel (about one a second, short bursts allowed).
Instead of running into 429s, the gateway awaits `Pacer.wait` before each call and reports a 429
that still happens with `Pacer.note_retry_after`.

Burst rule: each key (team, method, and the channel for `chat.postMessage`) has a token bucket
that holds at most `BURST` tokens, starts full and refills continuously at budget x speed / 60
tokens a second; every call takes one token. So at most `BURST` calls go out back to back, the
long-run rate is exactly the budget, and any 60 s window (60 / speed s with `speed`) carries at
most budget + `BURST` calls; the extra `BURST` only after the bucket had time to refill.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

TIER_1 = 1
TIER_2 = 20
TIER_3 = 50
TIER_4 = 100

# Calls per minute for each method Roundtable calls, per workspace. Methods in PER_CHANNEL are
# budgeted per channel instead.
TIERS: dict[str, int] = {
    "apps.connections.open": TIER_1,
    "auth.test": TIER_4,  # "special" in Slack's docs; it tolerates Tier 4 pacing
    "chat.postEphemeral": TIER_4,
    "chat.postMessage": 60,  # "special": about one a second per channel
    "chat.update": TIER_3,
    "conversations.history": TIER_3,
    "conversations.info": TIER_3,
    "conversations.invite": TIER_3,
    "conversations.join": TIER_3,
    "conversations.list": TIER_2,
    "conversations.members": TIER_4,
    "conversations.open": TIER_3,
    "conversations.replies": TIER_3,
    "files.completeUploadExternal": TIER_4,
    "files.getUploadURLExternal": TIER_4,
    "usergroups.list": TIER_2,
    "usergroups.users.list": TIER_2,
    "users.info": TIER_4,
    "users.list": TIER_2,
    "views.open": TIER_4,
    "views.publish": TIER_4,
    "views.update": TIER_4,
}
PER_CHANNEL = frozenset({"chat.postMessage"})
DEFAULT_BUDGET = TIER_3  # for a method missing from TIERS
BURST = 3
SWEEP_EVERY = 60.0  # seconds between looks for idle buckets to drop

# asyncio may fire a timer up to its clock resolution early; a call due within this many seconds
# goes now, and the fraction of a token it borrows stays owed in the bucket.
_EARLY_WAKE = 1e-3

Key = tuple[str, str, str | None]


class _Bucket:
    """A token bucket. `updated` lying in the future means the bucket is paused until then."""

    def __init__(self, rate: float, now: float) -> None:
        self.rate = rate
        self.tokens = float(BURST)
        self.updated = now
        self.users = 0  # tasks inside Pacer.wait on this bucket
        self.lock = asyncio.Lock()  # FIFO: the holder waits for the next token, the rest queue

    def delay(self, now: float) -> float:
        """Seconds until the next token is available; 0 when one is."""
        self._refill(now)
        ready = self.updated + max(0.0, 1.0 - self.tokens) / self.rate
        return max(0.0, ready - now)

    def take(self) -> None:
        self.tokens -= 1.0

    def pause_until(self, until: float) -> None:
        """Nothing goes out before `until`; then one call, and refilling starts from there."""
        if until > self.updated:
            self.tokens = 1.0
            self.updated = until

    def is_idle(self, now: float) -> bool:
        """Nobody waits and the bucket is full again, so a fresh bucket would behave the same."""
        self._refill(now)
        return self.users == 0 and self.updated <= now and self.tokens >= BURST

    def _refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(float(BURST), self.tokens + (now - self.updated) * self.rate)
            self.updated = now


class Pacer:
    """Holds each outgoing call until its method's budget allows it, per team (and channel).

    `speed` multiplies every budget (tests and benchmarks run faster); bursts keep their size.
    `clock` and `sleep` must share a time base, as `time.monotonic` and `asyncio.sleep` do.
    """

    def __init__(
        self,
        speed: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, not {speed}")
        self._speed = speed
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[Key, _Bucket] = {}
        self._next_sweep = clock() + SWEEP_EVERY

    @property
    def bucket_count(self) -> int:
        return len(self._buckets)

    async def wait(self, team: str, method: str, channel: str | None = None) -> float:
        """Wait until this call may go out (callers of one bucket in arrival order); return the
        seconds waited."""
        start = self._clock()
        self._sweep_if_due(start)
        bucket = self._bucket(team, method, channel, start)
        bucket.users += 1
        try:
            async with bucket.lock:
                # A loop, not one sleep: a Retry-After may pause the bucket while we sleep.
                while (delay := bucket.delay(self._clock())) > _EARLY_WAKE:
                    await self._sleep(delay)
                bucket.take()
        finally:
            bucket.users -= 1
        return self._clock() - start

    def note_retry_after(
        self, team: str, method: str, seconds: float, channel: str | None = None
    ) -> None:
        """Slack answered 429: hold every caller of this bucket for `seconds` (real seconds, not
        scaled by speed). Pass the same channel as to `wait`."""
        now = self._clock()
        self._bucket(team, method, channel, now).pause_until(now + seconds)

    def _bucket(self, team: str, method: str, channel: str | None, now: float) -> _Bucket:
        key = (team, method, channel if method in PER_CHANNEL else None)
        bucket = self._buckets.get(key)
        if bucket is None:
            rate = TIERS.get(method, DEFAULT_BUDGET) * self._speed / 60.0
            bucket = self._buckets[key] = _Bucket(rate, now)
        return bucket

    def _sweep_if_due(self, now: float) -> None:
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_EVERY
        idle = [key for key, bucket in self._buckets.items() if bucket.is_idle(now)]
        for key in idle:
            del self._buckets[key]
