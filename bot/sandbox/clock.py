"""Time as the sandbox sees it: real time that tests can push forward."""

import time


class Clock:
    """Wall-clock time plus an offset that `advance` grows, so expiry can be tested quickly."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._last_ts_micros = 0

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    def next_ts(self) -> str:
        """A Slack message timestamp ("1700000000.000100"), strictly increasing."""
        micros = max(int(self.now() * 1_000_000), self._last_ts_micros + 1)
        self._last_ts_micros = micros
        seconds, fraction = divmod(micros, 1_000_000)
        return f"{seconds}.{fraction:06d}"
