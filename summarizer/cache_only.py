"""Whether an article's result is already in the response cache: what a capped run will not pay for.

    if cached_result(session, source, "summarize") is not None: ...   # every answer it needs is cached
    work_to_pay(session, loads, task).check(budget)                     # the pre-run check of a capped run

A spending cap is checked against the estimate of the work still to do before anything is sent
(summarizer.budget). Cache hits cost nothing, so an article whose every answer is cached must not count.
Which requests an article needs depends on the earlier answers (the summary step asks about the
translated chunks), so the only exact test is to run the pipeline with the client in provider-batch
mode: a cached answer is served, and the first answer that is not raises RequestDeferred instead of
being sent. Nothing is sent and nothing is recorded in the run history (the pipeline is run, not the
session), and the result's faithfulness checks are skipped (~0.1 s an article, for an answer nobody reads).
An article that is partly cached counts in full: the estimate stays an upper bound.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from summarizer.errors import SummarizerError

if TYPE_CHECKING:
    from summarizer.api import Session
    from summarizer.budget import Budget
    from summarizer.pipeline import Plan, Task
    from summarizer.schemas import ArticleResult
    from summarizer.sources import CleanedSource


async def acached_result(session: Session, source: CleanedSource, task: Task, *, plan: Plan | None = None) -> ArticleResult | None:
    """The result of `source` made wholly from cached answers, or None when an answer it needs is not
    cached (or the cache is off, or the run would fail anyway). Sends nothing."""
    if session.cache is None:
        return None
    with session.client.exporting():
        try:
            return await session.pipeline.run(source, task, plan=plan, with_checks=False)  # only "is it cached?" is asked
        except SummarizerError:  # RequestDeferred: an answer is not cached; any other: it is not a result
            return None


def cached_result(session: Session, source: CleanedSource, task: Task, *, plan: Plan | None = None) -> ArticleResult | None:
    """`acached_result` for a caller with no event loop running (the pre-run estimate, also in a worker thread)."""
    if session.cache is None:
        return None
    return asyncio.run(acached_result(session, source, task, plan=plan))


@dataclass
class WorkToPay:
    """The estimate a capped run is checked against: what its articles still cost."""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    articles: int = 0  # the articles counted
    cached: int = 0  # the articles left out because the cache holds their every answer

    def check(self, budget: Budget) -> None:
        """EstimateOverBudget when it passes `budget`'s cap (see Budget.check_estimate)."""
        budget.check_estimate(self.prompt_tokens, self.completion_tokens, articles=self.articles, cached=self.cached)


def work_to_pay(session: Session, loads: Iterable[Callable[[], CleanedSource]], task: Task) -> WorkToPay:
    """The estimate of the articles `loads` load, one call each, for `task`: an article wholly in the cache
    costs nothing, and one that does not load is left for the run to report."""
    work = WorkToPay()
    for load in loads:
        try:
            source = load()
            plan = session.plan(source)
            if cached_result(session, source, task, plan=plan) is not None:
                work.cached += 1
                continue
            usage = plan.estimated_tokens(task)
        except SummarizerError:
            continue
        work.prompt_tokens += usage.prompt_tokens
        work.completion_tokens += usage.completion_tokens
        work.articles += 1
    return work
