"""How fast and how much at once we ask an endpoint: requests in flight, and per-minute pacing.

`RequestSlots` caps the HTTP requests in flight (what `--concurrency` means) and backs off when the
endpoint answers 429. It caps requests, not articles: loading an article, checking its answer and
writing its files happen outside a slot, so the endpoint is never left idle while we do our part
(measured: with 8 slots held across the whole article, a 200 ms endpoint capped at 8 ran at 93% of
its limit; see benchmarks/results.md).

`RateLimiter` paces work to N units per minute (requests or tokens) without bursts.
"""

from __future__ import annotations

import asyncio
import collections
import time

from summarizer.errors import ConfigError

RATE_LIMIT_COOLDOWN_SECONDS = 10.0  # after a 429, one slot less for this long, then one more again


class RequestSlots:
    """At most `limit` requests in flight. Every 429 takes one slot away (never the last) and the
    slots come back one per `cooldown` seconds without a new 429 (additive increase, as TCP does).

    A freed slot is handed to the longest waiter directly (first come, first served): one wake-up per
    release, not every waiter re-checking (a 16-slot batch woke 16 tasks per answer). The releasing
    task then yields once, so the waiter's request, ready to go, leaves before the answer just
    received is post-processed: the endpoint's slot is refilled first, the parsing and writing wait."""

    def __init__(self, limit: int, *, cooldown: float = RATE_LIMIT_COOLDOWN_SECONDS) -> None:
        if limit < 1:
            raise ConfigError(f"concurrency must be at least 1, got {limit}")
        self.limit = limit
        self.current = limit
        self.cooldown = cooldown
        self.in_use = 0
        self._grow_at = 0.0
        self._waiters: collections.deque[asyncio.Future] = collections.deque()

    def _recover(self) -> None:
        now = time.monotonic()
        while self.current < self.limit and now >= self._grow_at:
            self.current += 1
            self._grow_at += self.cooldown

    def rate_limited(self) -> None:
        """The endpoint said 429: one slot less from now, for a cooldown."""
        self.current = max(1, self.current - 1)
        self._grow_at = time.monotonic() + self.cooldown

    def _hand_over(self) -> int:
        """Give free slots to the waiters in order (each counted in `in_use` before it wakes, so no
        newcomer takes its place); how many were woken."""
        self._recover()
        woken = 0
        while self._waiters and self.in_use < self.current:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.in_use += 1
                waiter.set_result(None)
                woken += 1
        return woken

    async def __aenter__(self) -> "RequestSlots":
        self._recover()
        if self.in_use < self.current and not self._waiters:
            self.in_use += 1
            return self
        # A waiter always has a request in flight ahead of it (current >= 1), whose release
        # wakes it: no polling needed to notice the cooldown ending.
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.in_use -= 1  # handed a slot, then cancelled before using it: pass it on
                self._hand_over()
            else:
                try:
                    self._waiters.remove(waiter)
                except ValueError:
                    pass
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.in_use -= 1
        if self._hand_over():
            await asyncio.sleep(0)  # the woken request leaves before this task's post-processing


class RateLimiter:
    """Paces work to `per_minute` units: each acquire(cost) gets the next free slot, `cost` units
    after the previous one (a token bucket holding one article: no burst, never above the rate)."""

    def __init__(self, per_minute: float) -> None:
        if per_minute <= 0:
            raise ConfigError(f"a rate limit must be positive, got {per_minute}")
        self.per_second = per_minute / 60.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def acquire(self, cost: float) -> None:
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + max(cost, 0) / self.per_second
        if start > now:
            await asyncio.sleep(start - now)
