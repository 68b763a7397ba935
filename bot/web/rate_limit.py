"""A per-client token bucket for the public chat endpoint.

`/api/chat` is open to anyone on the internet and each message costs a Rasa parse, so one client (one IP
address) may send at most COUNT messages per period, in bursts of up to COUNT. It is in memory, so it is per
process: enough for the single web worker `here-to-help run` starts, and no extra service to run.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}
_LIMIT = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(second|minute|hour|day)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class RateLimit:
    count: int
    period_seconds: float

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """ "20/minute" -> 20 per 60 seconds. Raises ValueError saying what was expected."""
        match = _LIMIT.match(text or "")
        if not match or int(match.group(1)) < 1:
            raise ValueError(
                f"CHAT_RATE_LIMIT {text!r} is not a rate limit: write COUNT/PERIOD, e.g. 20/minute "
                f"(PERIOD one of {', '.join(PERIODS)})"
            )
        return cls(int(match.group(1)), PERIODS[match.group(2).lower()])

    @property
    def per_second(self) -> float:
        return self.count / self.period_seconds


class TokenBucketLimiter:
    """Each key has a bucket of `limit.count` tokens refilled continuously; a request takes one."""

    def __init__(
        self, limit: RateLimit, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """Take a token for `key`: 0.0 when allowed, otherwise the seconds until one is free."""
        now = self._clock()
        with self._lock:
            tokens, updated = self._buckets.get(key, (float(self.limit.count), now))
            tokens = min(float(self.limit.count), tokens + (now - updated) * self.limit.per_second)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                self._forget_idle(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.limit.per_second

    def retry_after_seconds(self, wait: float) -> int:
        return max(1, math.ceil(wait))

    def _forget_idle(self, now: float) -> None:
        """Keep memory bounded: drop buckets that have refilled completely (the same as having none)."""
        if len(self._buckets) <= self._max_keys:
            return
        full_after = self.limit.period_seconds
        for key, (_, updated) in list(self._buckets.items()):
            if now - updated >= full_after:
                del self._buckets[key]
        while len(self._buckets) > self._max_keys:
            del self._buckets[next(iter(self._buckets))]
