"""Ways the sandbox refuses calls on purpose: rate limits and injected failures."""

import math
from collections import defaultdict, deque
from dataclasses import dataclass

from bot.sandbox.clock import Clock


@dataclass
class _Limit:
    per_minute: float
    burst: float


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per (team, method), refilled at `per_minute` calls a minute.

    `time_scale` speeds every limit up: with per_minute=50 and time_scale=60, a bucket refills
    at 50 calls a second, so benchmarks can run a realistic workload quickly.
    """

    def __init__(self, clock: Clock, time_scale: float = 1.0) -> None:
        self._clock = clock
        self.time_scale = time_scale
        self._limits: dict[str, _Limit] = {}
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self.limited_count = 0

    def set_limit(self, method: str, per_minute: float, burst: int | None = None) -> None:
        """Allow `per_minute` calls a minute, `burst` of them at once (default: `per_minute`)."""
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self._limits[method] = _Limit(per_minute, float(burst or max(1, per_minute)))
        self._buckets = {key: b for key, b in self._buckets.items() if key[1] != method}

    def remove_limit(self, method: str) -> None:
        self._limits.pop(method, None)

    def acquire(self, team_id: str, method: str) -> int | None:
        """Take one call from the bucket; when it is empty, the seconds to wait (at least 1)."""
        limit = self._limits.get(method)
        if limit is None:
            return None
        now = self._clock.now()
        per_second = limit.per_minute / 60 * self.time_scale
        bucket = self._buckets.setdefault((team_id, method), _Bucket(limit.burst, now))
        bucket.tokens = min(limit.burst, bucket.tokens + (now - bucket.updated) * per_second)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        self.limited_count += 1
        return max(1, math.ceil((1 - bucket.tokens) / per_second))


@dataclass(frozen=True)
class InjectedFailure:
    error: str
    status: int


class FailurePlan:
    """Failures queued for the next calls of a method, answered before the method runs."""

    def __init__(self) -> None:
        self._queued: defaultdict[str, deque[InjectedFailure]] = defaultdict(deque)

    def add(self, method: str, failure: InjectedFailure, times: int) -> None:
        self._queued[method].extend([failure] * times)

    def take(self, method: str) -> InjectedFailure | None:
        queue = self._queued.get(method)
        return queue.popleft() if queue else None
