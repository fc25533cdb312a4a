"""Known list prices (USD per 1M tokens: input, output) for cost estimates.

Prices change; these are the public list prices as of late 2025. Unknown models (and every local
server) get no cost, never a guess. Longest matching prefix wins, so "gpt-4o-mini" beats "gpt-4o".
"""

from __future__ import annotations

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


def cost_usd(model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
    price = price_for(model)
    if price is None:
        return None
    return (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000
