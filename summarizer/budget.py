"""Spending caps: `--max-cost USD` and `--max-tokens N` for a run of many articles.

    budget = Budget.for_settings(settings, max_cost_usd=20.0, counter=counter)
    budget.check_estimate(prompt_tokens, completion_tokens)   # EstimateOverBudget, unless start_anyway
    with client.budgeted(budget): ...                         # every request reserves, then settles

The guarantee: no request starts unless the total spent, plus what the requests in flight may still
spend, plus this request's bound, fits the cap. A request's bound is its counted prompt (messages and
the schema it sends, with the chat framing) plus its `max_tokens`, the most the server may answer.
The bound is reserved before sending and settled to the answer's real usage after, so the spend is
counted from the answers, never from estimates. A request that does not fit waits while others are
in flight (their settling usually frees most of their reservation); when it cannot fit even with
nothing in flight, the budget is reached: that request raises BudgetReached, the callers start no new
article, and the ones under way go on while their requests still fit. Why not refuse everything from
then on: an article's requests differ in size (a part's translation, then a smaller summary), and
refusing a small one that fits because another article's big one did not would throw away what the
started article already spent. Every request is still held to the cap.

What the cap cannot see: a server that reports more prompt tokens than we count (a chat template
much longer than the framing we add) can pass it by that difference; an inexact counter's count is
raised by `INEXACT_MARGIN` against that. A failed exchange (an HTTP error, a timeout) settles to zero:
providers bill answers, not refusals. Cache hits never reach the client's sending path, so they
cost nothing and never count, and the callers leave an article the cache holds wholly out of the
estimate they check (summarizer.cache_only).

The cap is on the total: a batch counts what its earlier runs into the same --out spent (their
report.json), so re-running with the same cap sends nothing more, and a higher one only the difference.
A run killed with SIGKILL writes no report, so its spend is not carried over (Ctrl-C's is).

Imports only the standard library and our errors/pricing/tokens modules; the client calls it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable

from summarizer.errors import BudgetReached, ConfigError, EstimateOverBudget

if TYPE_CHECKING:
    from summarizer.config import Settings

INEXACT_MARGIN = 1.25  # an offline heuristic counter can be this far under the server's count


@dataclass
class Hold:
    """One request's reservation; `settle` replaces it with what the answer says it used."""

    prompt_tokens: int
    completion_tokens: int
    settled: bool = False
    used_prompt: int = 0
    used_completion: int = 0

    def settle(self, usage: Any) -> None:
        """`usage` is the answer's usage object (or None: a server that reports none is charged the
        whole reservation, the only bound we have)."""
        self.settled = True
        if usage is None:
            self.used_prompt, self.used_completion = self.prompt_tokens, self.completion_tokens
            return
        self.used_prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
        self.used_completion = int(getattr(usage, "completion_tokens", 0) or 0)


class Budget:
    """A cap on tokens, on cost, or both, shared by every request of a run (one event loop)."""

    def __init__(
        self,
        *,
        max_cost_usd: float | None = None,
        max_tokens: int | None = None,
        prices: tuple[float, float] | None = None,
        counter: Callable[[str], int] | None = None,
        exact_counter: bool = True,
        start_anyway: bool = False,
    ) -> None:
        if max_cost_usd is not None and max_cost_usd <= 0:
            raise ConfigError(f"--max-cost must be positive, got {max_cost_usd}")
        if max_tokens is not None and max_tokens <= 0:
            raise ConfigError(f"--max-tokens must be positive, got {max_tokens}")
        if max_cost_usd is not None and prices is None:
            raise ConfigError("a cost cap needs the model's price", hint="give --price-in and --price-out (USD per 1M tokens)")
        self.max_cost_usd, self.max_tokens = max_cost_usd, max_tokens
        self.prices = prices
        self.counter = counter or (lambda text: max(1, len(text) // 3))
        self.margin = 1.0 if exact_counter else INEXACT_MARGIN
        self.start_anyway = start_anyway
        self.spent_prompt = self.spent_completion = 0  # in total, the earlier runs' included
        self.earlier_prompt = self.earlier_completion = 0
        self.reserved_prompt = self.reserved_completion = 0
        self.in_flight = 0
        self.requests = 0
        self.refused = 0
        self.reached = False
        self.estimate: dict[str, Any] | None = None
        self._changed: asyncio.Condition | None = None  # made in the running loop on first use
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def for_settings(cls, settings: Settings, *, max_cost_usd: float | None = None, max_tokens: int | None = None,
                     counter: Any = None, start_anyway: bool = False) -> Budget:
        """A budget priced for `settings` (pricing.prices_for). A cost cap on a model with no known
        price and no --price-in/--price-out is a ConfigError that names the model."""
        from summarizer.pricing import prices_for

        prices = prices_for(settings)
        if max_cost_usd is not None and prices is None:
            raise ConfigError(
                f"--max-cost: no known price for model {settings.model!r}",
                hint="give --price-in and --price-out (USD per 1M tokens), or price_in/price_out in its profile",
            )
        return cls(max_cost_usd=max_cost_usd, max_tokens=max_tokens, prices=prices, counter=counter,
                   exact_counter=bool(getattr(counter, "exact", True)), start_anyway=start_anyway)

    def count_earlier(self, prompt_tokens: int, completion_tokens: int) -> None:
        """What earlier runs of the same work spent (a batch's last report.json): the cap is on the
        total, so a re-run with the same cap sends nothing more and a higher one only the difference."""
        self.earlier_prompt, self.earlier_completion = prompt_tokens, completion_tokens
        self.spent_prompt += prompt_tokens
        self.spent_completion += completion_tokens

    # -- amounts ------------------------------------------------------------------------------
    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        if self.prices is None:
            return 0.0
        return (prompt_tokens * self.prices[0] + completion_tokens * self.prices[1]) / 1_000_000

    @property
    def spent_tokens(self) -> int:
        return self.spent_prompt + self.spent_completion

    @property
    def spent_usd(self) -> float:
        return self.cost(self.spent_prompt, self.spent_completion)

    def _fits(self, prompt: int, completion: int, *, with_in_flight: bool) -> bool:
        total_prompt = self.spent_prompt + prompt + (self.reserved_prompt if with_in_flight else 0)
        total_completion = self.spent_completion + completion + (self.reserved_completion if with_in_flight else 0)
        if self.max_tokens is not None and total_prompt + total_completion > self.max_tokens:
            return False
        # a hair of float slack: 0.1 + 0.2 must fit a cap of 0.3
        return self.max_cost_usd is None or self.cost(total_prompt, total_completion) <= self.max_cost_usd * (1 + 1e-9)

    # -- before the run -----------------------------------------------------------------------
    def check_estimate(self, prompt_tokens: int, completion_tokens: int, *, articles: int, cached: int = 0) -> None:
        """Refuse (EstimateOverBudget) when the estimate of the work to do alone passes the cap,
        unless `start_anyway`; either way the estimate is kept for the report. `articles`: the ones the
        estimate counts; `cached`: those left out of it because the cache holds their every answer."""
        cost = self.cost(prompt_tokens, completion_tokens)
        self.estimate = {"articles": articles, "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                         "cost_usd": round(cost, 6) if self.prices is not None else None, "cached_articles": cached}
        if self.start_anyway or self._fits(prompt_tokens, completion_tokens, with_in_flight=False):
            return
        from_cache = f" ({cached} more come from the cache at no cost)" if cached else ""
        raise EstimateOverBudget(
            f"the estimate for {articles} article(s){from_cache} is {self._amount(prompt_tokens + completion_tokens, cost)}, "
            f"over the cap of {self.describe_cap()}; nothing was sent",
            hint="raise the cap, or add --start-anyway to run what fits",
        )

    # -- during the run -----------------------------------------------------------------------
    def request_bound(self, messages: list[dict], max_tokens: int, extra: Any = None) -> tuple[int, int]:
        """(prompt, completion) tokens a request may cost at most: its messages with the chat framing
        and `extra` (the response_format with its schema, which providers bill as prompt), and max_tokens."""
        from summarizer.tokens import count_message_tokens

        prompt = count_message_tokens(messages, self.counter)
        if extra:
            prompt += self.counter(json.dumps(extra, ensure_ascii=False))
        return int(prompt * self.margin) + 1, max_tokens

    @contextlib.asynccontextmanager
    async def hold(self, prompt_tokens: int, completion_tokens: int) -> AsyncIterator[Hold]:
        """Reserve a request's bound for the block (waiting while requests in flight may free
        room), then count what it settled to. Raises BudgetReached when it cannot fit."""
        hold = Hold(prompt_tokens, completion_tokens)
        await self._reserve(hold)
        try:
            yield hold
        finally:
            await self._release(hold)

    async def reserve(self, hold: Hold) -> None:
        """`hold`'s first half, for a ledger that reserves and settles in two calls (one budget
        shared by the actors of a Ray run, summarizer.batch.ray_budget). Raises BudgetReached."""
        await self._reserve(hold)

    async def release(self, hold: Hold) -> None:
        """`hold`'s second half: free the reservation, count what `hold` settled to."""
        await self._release(hold)

    async def _reserve(self, hold: Hold) -> None:
        loop = asyncio.get_running_loop()
        if self._changed is None or self._loop is not loop:
            # a condition belongs to one event loop; `Session.run` makes a new loop per call
            self._changed, self._loop = asyncio.Condition(), loop
        async with self._changed:
            while True:
                if self._fits(hold.prompt_tokens, hold.completion_tokens, with_in_flight=True):
                    self.reserved_prompt += hold.prompt_tokens
                    self.reserved_completion += hold.completion_tokens
                    self.in_flight += 1
                    self.requests += 1
                    return
                if self.in_flight == 0:  # nothing left to free room: it never fits
                    self.reached = True
                    self._changed.notify_all()
                    break
                await self._changed.wait()
            self.refused += 1
        raise BudgetReached(
            f"budget reached: the next request could cost up to {self._amount(hold.prompt_tokens + hold.completion_tokens, self.cost(hold.prompt_tokens, hold.completion_tokens))}, "
            f"and {self.describe_spent()} is spent",
            hint="re-run with a higher cap to resume; each request may use up to its --max-output-tokens",
        )

    async def _release(self, hold: Hold) -> None:
        assert self._changed is not None
        async with self._changed:
            self.reserved_prompt -= hold.prompt_tokens
            self.reserved_completion -= hold.completion_tokens
            self.in_flight -= 1
            self.spent_prompt += hold.used_prompt
            self.spent_completion += hold.used_completion
            self._changed.notify_all()

    # -- words --------------------------------------------------------------------------------
    def _amount(self, tokens: int, cost: float) -> str:
        parts = []
        if self.max_cost_usd is not None:
            parts.append(f"${cost:.4f}")
        if self.max_tokens is not None or not parts:
            parts.append(f"{tokens} tokens")
        return " / ".join(parts)

    def describe_cap(self) -> str:
        parts = []
        if self.max_cost_usd is not None:
            parts.append(f"${self.max_cost_usd:.4f}")
        if self.max_tokens is not None:
            parts.append(f"{self.max_tokens} tokens")
        return " / ".join(parts) or "no cap"

    def describe_spent(self) -> str:
        return self._amount(self.spent_tokens, self.spent_usd)

    def progress_line(self, done: int, total: int) -> str:
        """The stop message: "budget reached: K of N articles done, $X of $Y"."""
        spent = [f"${self.spent_usd:.4f} of ${self.max_cost_usd:.4f}"] if self.max_cost_usd is not None else []
        if self.max_tokens is not None:
            spent.append(f"{self.spent_tokens} of {self.max_tokens} tokens")
        return f"budget reached: {done} of {total} articles done, {', '.join(spent)}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "max_cost_usd": self.max_cost_usd,
            "max_tokens": self.max_tokens,
            "price_per_million": list(self.prices) if self.prices is not None else None,
            "reached": self.reached,
            "spent_usd": round(self.spent_usd, 6) if self.prices is not None else None,
            "spent_tokens": self.spent_tokens,
            "spent_prompt_tokens": self.spent_prompt,
            "spent_completion_tokens": self.spent_completion,
            "earlier_runs_tokens": self.earlier_prompt + self.earlier_completion,
            "requests": self.requests,
            "refused_requests": self.refused,
            "estimate": self.estimate,
            "start_anyway": self.start_anyway,
        }
