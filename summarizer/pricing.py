"""Known list prices (USD per 1M tokens: input, output) for cost estimates.

Prices change; these are the public list prices as of late 2025. Unknown models (and every local
server) get no cost, never a guess. Longest matching prefix wins, so "gpt-4o-mini" beats "gpt-4o".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from summarizer.config import Settings

PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
    "o4-mini": (1.10, 4.40),
    "o3": (2.00, 8.00),
    "gpt-3.5-turbo": (0.50, 1.50),
}


def price_for(model: str) -> tuple[float, float] | None:
    name = model.split("/")[-1].lower()
    matches = [prefix for prefix in PRICES_PER_MILLION if name.startswith(prefix)]
    return PRICES_PER_MILLION[max(matches, key=len)] if matches else None


def prices_for(settings: Settings) -> tuple[float, float] | None:
    """The (input, output) price for a run: the settings' own (--price-in/--price-out, a profile's
    price_in/price_out) first, else the table by model name. Unlike a plain estimate, this does
    not skip local servers: a proxy on localhost (LiteLLM) can forward to a paid API, and a cap
    that counts too much is safe where one that counts nothing is not."""
    if settings.price_in is not None or settings.price_out is not None:
        return (settings.price_in or 0.0, settings.price_out or 0.0)
    return price_for(settings.model)


def cost_usd(model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
    price = price_for(model)
    if price is None:
        return None
    return (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000


def run_cost_usd(settings: Settings, prompt_tokens: int, completion_tokens: int) -> float | None:
    """The cost a report or estimate shows: the settings' own prices when given, else the table's,
    and none for a local server (it costs nothing we know of)."""
    if settings.price_in is None and settings.price_out is None and settings.is_local:
        return None
    price = prices_for(settings)
    if price is None:
        return None
    return (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000
