"""One spending cap for every actor of a Ray run (`--max-cost`/`--max-tokens` with `--engine ray`).

The cap holds across actors and nodes because there is one ledger: `BudgetLedger`, an async Ray
actor holding the run's `summarizer.budget.Budget`. Every HTTP attempt of every actor reserves its
bound there before it is sent (its counted prompt plus its planned max_tokens, counted on the actor
with the actor's own counter) and settles to the answer's real usage after, as a local run does in
one process. The ledger runs its calls on one event loop, so a reservation that does not fit waits
there for those in flight to settle, and "nothing in flight and it still does not fit" means the
budget is reached for every actor at once. Cache hits never reach the sending path: free here too.

The driver builds the ledger from its own Budget (the cap, the prices, what earlier runs into the
folder spent) and copies the ledger's totals back before it writes report.json.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, AsyncIterator

from summarizer.budget import Hold
from summarizer.errors import BudgetReached

if TYPE_CHECKING:
    from summarizer.budget import Budget

STATE_FIELDS = ("spent_prompt", "spent_completion", "requests", "refused", "reached")


def ledger_caps(budget: Budget) -> dict[str, Any]:
    """What the ledger rebuilds the driver's Budget from (plain values: Ray ships them to a node)."""
    return {"max_cost_usd": budget.max_cost_usd, "max_tokens": budget.max_tokens,
            "prices": list(budget.prices) if budget.prices is not None else None, "start_anyway": budget.start_anyway,
            "earlier": [budget.earlier_prompt, budget.earlier_completion]}


class BudgetLedger:
    """The run's one Budget, as a Ray actor (see the module doc); its methods are its remote calls."""

    def __init__(self, caps: dict[str, Any]) -> None:
        from summarizer.budget import Budget

        prices = caps.get("prices")
        self.budget = Budget(max_cost_usd=caps.get("max_cost_usd"), max_tokens=caps.get("max_tokens"),
                             prices=tuple(prices) if prices else None, start_anyway=bool(caps.get("start_anyway")))
        self.budget.count_earlier(*caps.get("earlier", (0, 0)))

    async def reserve(self, prompt_tokens: int, completion_tokens: int) -> tuple[str, str | None] | None:
        """None once reserved; (message, hint) of the BudgetReached when it cannot fit."""
        try:
            await self.budget.reserve(Hold(prompt_tokens, completion_tokens))
        except BudgetReached as err:
            return err.message, err.hint
        return None

    async def release(self, prompt_tokens: int, completion_tokens: int, used_prompt: int, used_completion: int) -> None:
        await self.budget.release(Hold(prompt_tokens, completion_tokens, True, used_prompt, used_completion))

    async def reached(self) -> bool:
        return self.budget.reached

    async def state(self) -> dict[str, Any]:
        return {name: getattr(self.budget, name) for name in STATE_FIELDS}


def start_ledger(ray: Any, budget: Budget) -> Any:
    """The ledger actor for `budget`; it takes no CPU, so it never keeps a brief actor from starting."""
    return ray.remote(num_cpus=0)(BudgetLedger).remote(ledger_caps(budget))


def copy_totals(ray: Any, ledger: Any, budget: Budget) -> None:
    """The ledger's totals into the driver's `budget`, for report.json and the stop message.
    A Ray that is already gone (the run was interrupted) leaves the driver's own counts."""
    try:
        state = ray.get(ledger.state.remote(), timeout=60)
    except Exception:  # noqa: BLE001 - the report is still written, without the ledger's totals
        return
    for name in STATE_FIELDS:
        setattr(budget, name, state[name])


class SharedBudget:
    """What an actor's client spends through (`client.budgeted(...)`): the bounds are counted here,
    with this actor's counter (`bounds`, a Budget of the same cap); the ledger decides."""

    def __init__(self, ledger: Any, bounds: Budget) -> None:
        self.ledger, self.bounds = ledger, bounds
        self.reached = False

    def request_bound(self, messages: list[dict], max_tokens: int, extra: Any = None) -> tuple[int, int]:
        return self.bounds.request_bound(messages, max_tokens, extra)

    @contextlib.asynccontextmanager
    async def hold(self, prompt_tokens: int, completion_tokens: int) -> AsyncIterator[Hold]:
        refused = await self.ledger.reserve.remote(prompt_tokens, completion_tokens)
        if refused is not None:
            self.reached = True
            message, hint = refused
            raise BudgetReached(message, hint=hint)
        hold = Hold(prompt_tokens, completion_tokens)  # unsettled (a failed exchange): it spent nothing
        try:
            yield hold
        finally:
            await self.ledger.release.remote(prompt_tokens, completion_tokens, hold.used_prompt, hold.used_completion)

    async def is_reached(self) -> bool:
        """Whether any actor found the budget reached: then no new article starts."""
        if not self.reached:
            self.reached = bool(await self.ledger.reached.remote())
        return self.reached
