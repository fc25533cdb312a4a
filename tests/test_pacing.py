"""RequestSlots: the cap on requests in flight and its back-off on 429 (through real asyncio tasks)."""

from __future__ import annotations

import asyncio

import pytest

from summarizer.errors import ConfigError
from summarizer.pacing import RequestSlots


async def _peak(slots: RequestSlots, tasks: int, hold: float = 0.02) -> int:
    """Run `tasks` holders of one slot each; the most that held a slot at the same time."""
    inside = peak = 0

    async def one() -> None:
        nonlocal inside, peak
        async with slots:
            inside += 1
            peak = max(peak, inside)
            await asyncio.sleep(hold)
            inside -= 1

    await asyncio.gather(*(one() for _ in range(tasks)))
    return peak


def test_never_more_than_the_limit_in_flight_and_every_waiter_gets_through():
    slots = RequestSlots(3)
    assert asyncio.run(_peak(slots, 20)) == 3
    assert slots.in_use == 0


def test_each_429_takes_a_slot_away_never_the_last_and_they_come_back_after_the_cooldown():
    async def run() -> tuple[int, int, int]:
        slots = RequestSlots(4, cooldown=0.3)
        for _ in range(2):
            slots.rate_limited()
        after_two = await _peak(slots, 12)
        for _ in range(10):
            slots.rate_limited()
        after_many = await _peak(slots, 4)
        await asyncio.sleep(0.65)  # two cooldowns without a 429: two slots back, not all four
        recovered = await _peak(slots, 12, hold=0.01)
        return after_two, after_many, recovered

    after_two, after_many, recovered = asyncio.run(run())
    assert after_two == 2
    assert after_many == 1
    assert recovered in (3, 4)  # 3 after two cooldowns; the last may come back while they run


def test_a_limit_below_one_is_a_config_error():
    with pytest.raises(ConfigError):
        RequestSlots(0)


def test_a_freed_slot_goes_to_the_longest_waiter_and_its_request_leaves_before_the_releaser_goes_on():
    """One wake-up per release (first come, first served), and the releasing task yields: the next
    request is sent before the answer just received is post-processed."""

    async def run() -> list[str]:
        slots = RequestSlots(1)
        order: list[str] = []

        async def holder() -> None:
            async with slots:
                await asyncio.sleep(0.02)
            order.append("holder goes on")

        async def waiter(name: str) -> None:
            async with slots:
                order.append(name)
                await asyncio.sleep(0.01)

        first = asyncio.ensure_future(holder())
        await asyncio.sleep(0)
        waiters = [asyncio.ensure_future(waiter(f"waiter {n}")) for n in range(3)]
        await asyncio.gather(first, *waiters)
        assert slots.in_use == 0
        return order

    assert asyncio.run(run()) == ["waiter 0", "holder goes on", "waiter 1", "waiter 2"]

