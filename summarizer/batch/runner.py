"""The batch run: concurrent workers, RPM/TPM pacing, and the write order that makes a kill harmless.

    report = await run_batch(session, [Path("news/")], BatchOptions(out_dir=Path("briefs")))

Everything lands in `out_dir`:
- one output per article (`x.txt` -> `x.md`, a JSONL id -> `<id>.md`), written atomically;
- `results.jsonl`: one `ArticleResult` line per finished article (appended, flushed);
- `manifest.jsonl`: one line per finished or failed article (see `summarizer.batch.manifest`);
- `report.json`: the `BatchReport` of the run (also written when the run is interrupted);
- `run.json`: the settings the run started with (see `summarizer.batch.run_settings`).

The order per article is output file -> results line -> manifest line, so a kill between them at
worst repeats an article, whose answers then come from the response cache (no new request), and
may leave its line twice in results.jsonl (the manifest is the record of what is done).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, AsyncIterator, Callable, Iterator, Literal

from summarizer.batch.inputs import DEFAULT_GLOB, BatchItem, count_items, iter_items
from summarizer.batch.manifest import MANIFEST_NAME, REPORT_NAME, RESERVED_NAMES, RESULTS_NAME, Manifest, open_append
from summarizer.batch.run_settings import RunSettings, remember_or_check
from summarizer.checks_worker import resources_loaded
from summarizer.collector import frozen, paused
from summarizer.errors import BudgetReached, ConfigError, EstimateOverBudget, ExitCode, InputError, RequestDeferred, SummarizerError
from summarizer.outputs import prepare_folder
from summarizer.pacing import RateLimiter

if TYPE_CHECKING:
    from summarizer.api import Session
    from summarizer.pipeline import Plan
    from summarizer.schemas import ArticleResult
    from summarizer.sources import CleanedSource


# A batch checks in a worker process (see checks_worker) when it has more articles than one wave of
# requests (more than `concurrency`) and at least POOL_MIN_ARTICLES; else in its own process, with no
# worker. The worker takes ~0.4-0.6 s of CPU to start and load the checks, beside the first requests;
# loading them here instead takes the same time from the event loop (a thread holding the GIL), which
# the requests of every later wave then wait for. Measured with benchmarks/batch_throughput.py (200 ms
# server, seed 000 answered with its translation, whole run as a share of the bare client's, a
# process each, means of 3-5 paired runs on a shared 2-core machine), checked here / in a worker:
# 16 in flight: 16 articles 34% / 36%, 20: 50% / 55% (warm process, best of 3 rounds: 84% / 94%),
# 32: 46% / 59% (70% / 79%), 48: 46% / 66%; 4 in flight: 8 articles 65% / 65%, 12: 73% / 79%; 2 in
# flight, 4 articles: 66% / 65%. One wave or a handful of articles: no better, two processes more.
POOL_MIN_ARTICLES = 8

# Articles loaded (read, cleaned, language detected, planned) at the same time. A load is ~2 ms of
# Python holding the GIL; run by many threads at once they took it from the event loop, which sends
# the requests and reads the answers (400 articles, checks off, A/B in one process: 93% of the bare
# client with every worker loading at will -> 95-99% with one or two at a time). Two, not one: a slow
# file (a large HTML page, a slow disk) does not hold up every other load.
LOADS_AT_ONCE = 2


@dataclass
class BatchOptions:
    out_dir: Path
    fmt: Literal["md", "json"] = "md"
    task: Literal["summarize", "translate"] = "summarize"
    concurrency: int = 4
    rpm: int | None = None  # requests per minute (estimated per article, paced, no burst)
    tpm: int | None = None  # tokens per minute (estimated prompt + completion per article)
    retry_failed: bool = False
    glob: str = DEFAULT_GLOB  # with the default, only .txt/.md/.markdown/.html/.htm files match
    max_cost_usd: float | None = None  # a spending cap (summarizer.budget); needs a known price or price_in/price_out
    max_tokens: int | None = None  # a cap on prompt + completion tokens
    start_anyway: bool = False  # run what fits when the estimate alone passes a cap (else EstimateOverBudget)
    gguf: Path | None = None  # the GGUF an embedded server runs: the endpoint run.json remembers (its port changes)


@dataclass
class BatchReport:
    total: int = 0
    done: int = 0  # finished in this run
    skipped: int = 0  # done in an earlier run (or the same id twice in this one)
    failed: int = 0  # failed in this run, or in an earlier one and not retried
    failures: list[dict[str, str]] = field(default_factory=list)  # {id, source, error}
    requests: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    wall_seconds: float = 0.0
    interrupted: bool = False
    pending: int = 0  # offline render after --import-jsonl: answers still missing (export again)
    budget: dict[str, Any] | None = None  # the cap, what was spent, whether it was reached (Budget.as_dict)
    budget_message: str | None = None  # "budget reached: K of N articles done, $X of $Y"
    exit_code: int = 0  # ExitCode: OK, FAILED (some failed or pending), BUDGET (the cap stopped the run)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BatchEvent:
    """What the `progress` callback receives. kind: estimating (a cap: counting the work to do) | start | started | finished | failed | skipped |
    pending | budget (an article stopped by the spending cap: left for the resume)."""

    kind: str
    total: int
    done: int
    skipped: int
    failed: int
    id: str | None = None
    source: str | None = None
    output: Path | None = None
    error: str | None = None
    exception: BaseException | None = None


def _pool_min_articles(concurrency: int) -> int:
    """The fewest articles a batch checks in a worker for: more than one wave, and POOL_MIN_ARTICLES."""
    return max(POOL_MIN_ARTICLES, concurrency + 1)


def _checks_in_a_pool(articles: int, *, concurrency: int, run_checks: bool) -> bool:
    return run_checks and concurrency >= 2 and articles >= _pool_min_articles(concurrency)


def checks_in_a_pool(inputs: list[Path], glob: str = DEFAULT_GLOB, *, concurrency: int, run_checks: bool, out_dir: Path | None = None) -> bool:
    """Whether a batch over `inputs` into `out_dir` checks in a worker pool (the rule `BatchRun._check_pool`
    applies), from a count of at most the articles that rule needs: a CLI run asks this before its own start-up."""
    enough = _pool_min_articles(concurrency)
    if not _checks_in_a_pool(enough, concurrency=concurrency, run_checks=run_checks):
        return False
    exclude = out_dir.resolve() if out_dir is not None else None  # the run never reads its own outputs
    listed = count_items(inputs, glob, exclude=exclude, at_most=enough)
    return _checks_in_a_pool(listed, concurrency=concurrency, run_checks=run_checks)


async def run_batch(session: Session, inputs: list[Path], options: BatchOptions, *, progress: Callable[[BatchEvent], None] | None = None) -> BatchReport:
    """Run every article of `inputs` through `session`; see the module doc. Never raises for one
    article's failure; raises InputError/ConfigError for bad usage (missing input, bad options)
    and CancelledError when cancelled (the manifest stays consistent; re-run to resume)."""
    return await BatchRun(session, inputs, options, progress=progress).run()


def _check_usage(inputs: list[Path], options: BatchOptions, extensions: dict[str, str]) -> None:
    """Bad options and missing inputs fail the run before anything is written."""
    if options.concurrency < 1:
        raise ConfigError(f"concurrency must be at least 1, got {options.concurrency}")
    for limit in (options.rpm, options.tpm):
        if limit is not None and limit <= 0:
            raise ConfigError(f"--rpm/--tpm must be positive, got {limit}")
    if options.fmt not in extensions:
        raise ConfigError(f"unknown format {options.fmt!r}", hint="use md or json")
    for given in inputs:
        if not given.exists():
            raise InputError(given, "no such file or folder")


def _prepare_out_dir(out_dir: Path) -> None:
    prepare_folder(out_dir, "--out", "choose another --out folder")
    # write_atomic's temp files (".NAME.XXXX.tmp") left by a run that was killed mid-write.
    for stale in out_dir.glob(".*.tmp"):
        try:
            stale.unlink()
        except OSError:
            pass


def _earlier_spend(report_file: Path) -> tuple[int, int]:
    """(prompt, completion) tokens the earlier capped runs into this folder spent: the running total
    in the last report.json's budget. (0, 0) when the last run had no cap, or there is no readable report."""
    try:
        budget = json.loads(report_file.read_text(encoding="utf-8")).get("budget") or {}
        return int(budget.get("spent_prompt_tokens", 0)), int(budget.get("spent_completion_tokens", 0))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0, 0


class BatchRun:
    """One run of `run_batch`: a producer queues the articles still to do, workers load, run and
    write them. Creating it checks the options and prepares `out_dir` (InputError/ConfigError)."""

    def __init__(self, session: Session, inputs: list[Path], options: BatchOptions, *, progress: Callable[[BatchEvent], None] | None = None) -> None:
        from summarizer.render import EXTENSIONS

        self.started_at = time.monotonic()  # report.json's wall_seconds count the set-up too
        _check_usage(inputs, options, EXTENSIONS)
        self.session, self.inputs, self.options, self.progress = session, inputs, options, progress
        self.out_dir = options.out_dir
        _prepare_out_dir(self.out_dir)
        # the folder holds one run: another model, task, format or template is refused, not mixed in
        remember_or_check(self.out_dir, RunSettings.of(session, task=options.task, fmt=options.fmt, gguf=options.gguf))
        self.exclude = self.out_dir.resolve()  # never read our own outputs as inputs
        self._listings: dict[Path, list[Path]] = {}  # each input folder's files, listed once per run
        self.manifest = Manifest(self.out_dir / MANIFEST_NAME)
        self.report = BatchReport(total=sum(1 for _ in self._items()))
        self.extension = EXTENSIONS[options.fmt]
        self.taken = set(RESERVED_NAMES) | self.manifest.reserved_names()
        self.rpm = RateLimiter(options.rpm) if options.rpm else None
        self.tpm = RateLimiter(options.tpm) if options.tpm else None
        self.results: IO[str] | None = None
        self.io_lock = threading.Lock()  # output + results + manifest writes of one article, done in a worker thread
        # `concurrency` caps requests in flight (the slots), not articles: four times as many workers,
        # so that while some wait on the endpoint others load, check and write theirs, and the first
        # answers waiting for the checks worker's start (~0.8 s: ~40 articles at 80/s) do not hold
        # every worker and leave the slots idle (benchmarks/batch_throughput.py, 400 articles, 16 in
        # flight, 200 ms, A/B in one process, with LOADS_AT_ONCE: 87-88% of the bare client -> 90-94%)
        self.workers = options.concurrency * 4
        self._load_slots = asyncio.Semaphore(LOADS_AT_ONCE)
        self._stopped = 0  # workers that took their stop sign
        self._loads_begun = self._loads_ended = 0
        self._all_queued = False
        self._first_wave_loaded = asyncio.Event()  # the first `concurrency` loads have ended (see _load_turn)
        capped = options.max_cost_usd is not None or options.max_tokens is not None
        self.done_before = 0  # with a cap: articles done in earlier runs, for "K of N articles done"
        self.budget = session.budget(max_cost_usd=options.max_cost_usd, max_tokens=options.max_tokens, start_anyway=options.start_anyway) if capped else None
        if self.budget is not None:
            self.budget.count_earlier(*_earlier_spend(self.out_dir / REPORT_NAME))

    def _items(self) -> Iterator[BatchItem]:
        return iter_items(self.inputs, self.options.glob, exclude=self.exclude, listings=self._listings)

    def _emit(self, kind: str, item: BatchItem | None = None, **extra: Any) -> None:
        if self.progress is not None:
            report = self.report
            self.progress(BatchEvent(kind, report.total, report.done, report.skipped, report.failed,
                                     id=item.id if item else None, source=item.source if item else None, **extra))

    def _record_failure(self, item: BatchItem, message: str) -> None:
        self.report.failed += 1
        self.report.failures.append({"id": item.id, "source": item.source, "error": message})

    # -- the producer -------------------------------------------------------------------------
    async def _produce(self, queue: asyncio.Queue) -> None:
        seen: set[str] = set()
        for item in self._items():
            if self._budget_reached():
                break  # queue nothing more; the workers finish what they hold
            if self._admit(item, seen):
                await queue.put(item)
        self._all_queued = True  # a batch shorter than one wave: its first wave is all of it
        for _ in range(self.workers):
            await queue.put(None)  # one stop sign per worker

    def _admit(self, item: BatchItem, seen: set[str]) -> bool:
        """Whether `item` still needs doing (a repeated id, done or failed before, is settled here);
        an admitted item gets its output name."""
        if item.id in seen:
            self.report.skipped += 1
            self._emit("skipped", item, error="the same id appears more than once; only the first is processed")
            return False
        seen.add(item.id)
        done = self.manifest.done_output(item.id, extension=self.extension, task=self.options.task)
        if done is not None and (self.out_dir / done).is_file():
            self.report.skipped += 1
            self._emit("skipped", item, output=self.out_dir / done)
            return False
        failure = self.manifest.failure(item.id)
        if failure is not None and not self.options.retry_failed:
            message = f"{failure} [failed in an earlier run; --retry-failed tries again]"
            self._record_failure(item, message)
            self._emit("failed", item, error=message)
            return False
        earlier_name = self.manifest.reusable_name(item.id, self.extension)
        if earlier_name is not None:
            item.output = earlier_name  # its name from the earlier run (already in `taken`)
        else:
            from summarizer.outputs import safe_output_path

            try:
                item.output = safe_output_path(self.out_dir, item.name_hint + ".x", self.extension, self.taken, resolved_dir=self.exclude).name
            except InputError as err:
                item.problem = err.message
        return True

    # -- the workers --------------------------------------------------------------------------
    async def _work(self, queue: asyncio.Queue) -> None:
        while True:
            item = await queue.get()
            if item is None:
                self._stopped += 1
                pool = self.session.pipeline.check_pool
                # at most `concurrency` articles left: the last wave (the pool spreads it over its
                # processes, and over this one only where the checks are loaded here already)
                if pool is not None and self._stopped >= self.workers - self.options.concurrency:
                    pool.finishing = True
                return
            if not self._budget_reached():  # a queued article not started yet stays for the resume
                await self._process(item)

    def _budget_reached(self) -> bool:
        return self.budget is not None and self.budget.reached

    async def _process(self, item: BatchItem) -> None:
        self._emit("started", item)
        try:
            result = await self._run_article(item)
            entry = {"id": item.id, "source": item.source, "state": "done", "output": item.output, "task": self.options.task}
            # Rendering and two fsyncs per article: in a thread, so the event loop keeps the other
            # requests moving.
            await asyncio.to_thread(self._finish, self.out_dir / item.output, result, entry)
        except RequestDeferred:
            self.report.pending += 1  # not a failure: its next request waits for another provider-batch round
            self._emit("pending", item)
            return
        except BudgetReached:
            # not a failure and not in the manifest: a re-run with a higher cap does it, its answers so far from the cache
            self._emit("budget", item)
            return
        except Exception as err:  # noqa: BLE001 - one article never stops the run
            message = str(err) if isinstance(err, SummarizerError) else f"unexpected {type(err).__name__}: {err}"
            with self.io_lock:
                self.manifest.append({"id": item.id, "source": item.source, "state": "failed", "output": item.output, "task": self.options.task, "error": message})
            self._record_failure(item, message)
            self._emit("failed", item, error=message, exception=err)
            return
        self._count(result)
        self._emit("finished", item, output=self.out_dir / item.output)

    async def _run_article(self, item: BatchItem) -> ArticleResult:
        """Load the article, wait for its share of --rpm/--tpm, run it."""
        session, task = self.session, self.options.task
        if item.problem:
            raise InputError(item.source, item.problem)
        # The plan counts the article's tokens (~1 ms of tokenizer per 1,000 tokens, which lets go of
        # the GIL): in the thread with the load, not on the event loop that sends the other requests.
        async with self._load_turn():
            source = await self._loaded_by_pool(item)
            async with self._load_slots:
                if source is None:
                    source, plan = await asyncio.to_thread(self._load_and_plan, item)
                else:
                    plan = await asyncio.to_thread(self.session.plan, source)
        item.text = None  # the loaded source is all we keep
        if self.rpm is not None or self.tpm is not None:
            if self.rpm is not None:
                await self.rpm.acquire(plan.estimated_requests(task))
            if self.tpm is not None:
                usage = plan.estimated_tokens(task)
                await self.tpm.acquire(usage.prompt_tokens + usage.completion_tokens)
        return await session.arun(source, task, plan=plan, output=self.out_dir / item.output)

    @contextlib.asynccontextmanager
    async def _load_turn(self) -> AsyncIterator[None]:
        """The first `concurrency` articles load first; the others wait for those loads to end. They
        cannot be sent before a first answer is back anyway, and loading them alongside took the GIL
        and the load threads from the first requests (benchmarks/batch_rampup.py: call -> first request)."""
        self._loads_begun += 1
        if self._loads_begun > self.options.concurrency and not self._first_wave_loaded.is_set():
            await self._first_wave_loaded.wait()
        try:
            yield
        finally:
            self._loads_ended += 1
            if self._loads_ended >= self.options.concurrency or (self._all_queued and self._loads_ended == self._loads_begun):
                self._first_wave_loaded.set()

    async def _loaded_by_pool(self, item: BatchItem) -> CleanedSource | None:
        """The article loaded by the checks pool's processes when they are serving (None: load it here).
        Reading, cleaning and identifying the language are ~1.5-2.5 ms of this process's GIL per article,
        taken from the event loop; a pool's processes have the language model loaded and a core of
        their own. While the pool starts, articles load here rather than wait."""
        pool = self.session.pipeline.check_pool
        if pool is None:
            return None
        return await pool.load(*self._load_arguments(item))  # None until a process is serving

    def _load(self, item: BatchItem) -> CleanedSource:
        path, data = self._load_arguments(item)
        return self.session.load(path, data=data)

    @staticmethod
    def _load_arguments(item: BatchItem) -> tuple[str, bytes | None]:
        """(path, data) for `load_source`: a JSONL record's text, else the file."""
        if item.text is not None:
            return item.id, item.text.encode("utf-8")
        return str(item.path), None

    def _load_and_plan(self, item: BatchItem) -> tuple[CleanedSource, Plan]:
        source = self._load(item)
        return source, self.session.plan(source)  # handed to arun: one token count per article, not two

    def _finish(self, target: Path, result: ArticleResult, entry: dict[str, Any]) -> None:
        from summarizer.outputs import write_atomic
        from summarizer.render import render, to_jsonl_line

        text, line = render(result, self.options.fmt), to_jsonl_line(result)
        with self.io_lock:  # the order per article (output, results line, manifest line) is kept
            write_atomic(target, text)
            if self.results is None:
                self.results = open_append(self.out_dir / RESULTS_NAME)
            self.results.write(line)
            self.results.flush()
            self.manifest.append(entry)

    def _count(self, result: ArticleResult) -> None:
        meta, report = result.metadata, self.report
        report.done += 1
        report.requests += meta.requests
        report.cache_hits += meta.cache_hits
        report.prompt_tokens += meta.usage.prompt_tokens
        report.completion_tokens += meta.usage.completion_tokens

    # -- the whole run ------------------------------------------------------------------------
    async def run(self) -> BatchReport:
        # first: the worker loads the checks in its own process while we warm up and send the first requests
        pool = self._check_pool()
        try:
            # no collections while the warm-up loads what lasts the whole run, and then none that walk
            # it (see summarizer.collector: fresh process, 96 articles, 16 in flight, 200 ms: a full
            # collection took ~65 ms of the first wave; 86.4% -> 88.3% of the bare client, 8 paired runs)
            with paused():
                await self._warm_up()
            with frozen():
                return await self._run(pool)
        finally:
            self.session.pipeline.check_pool = None
            if pool is not None:
                from summarizer.checks_worker import release_pool

                await asyncio.shield(asyncio.to_thread(release_pool, pool))

    def _check_pool(self):
        """A checks worker process (summarizer.checks_worker), for a batch of more than one wave of
        articles (and at least POOL_MIN_ARTICLES) with checks on; the pipeline checks there once it is ready, itself until then."""
        if not _checks_in_a_pool(self.report.total, concurrency=self.options.concurrency, run_checks=self.session.settings.run_checks):
            return None
        from summarizer.checks_worker import shared_pool

        try:
            pool = shared_pool()  # the last batch's, when this process ran one in the last POOL_LINGER seconds
        except OSError:
            return None  # no process can be started here (a sandbox, no free descriptors): the checks run in a thread
        self.session.pipeline.check_pool = pool
        return pool

    async def _run(self, pool) -> BatchReport:
        if self.budget is not None:
            self._emit("estimating")  # every article still to do is read and counted: a long wait for a big batch
            try:
                await asyncio.to_thread(self._check_estimate)
            except EstimateOverBudget as err:
                self.report.budget_message = str(err)
                self._close()
                raise
        self._emit("start")
        checks_loaded = asyncio.ensure_future(self._warm_up_checks())
        queue: asyncio.Queue = asyncio.Queue(maxsize=self.workers)
        with self.session.client.limited(self.options.concurrency), self.session.client.budgeted(self.budget):
            tasks = [asyncio.ensure_future(self._produce(queue))]
            tasks += [asyncio.ensure_future(self._work(queue)) for _ in range(self.workers)]
            try:
                await asyncio.gather(*tasks)
            except BaseException:
                self.report.interrupted = True
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
            finally:
                if not self._first_wave_loaded.is_set():
                    checks_loaded.cancel()  # waiting for a first wave that never came (every article skipped)
                await asyncio.gather(checks_loaded, return_exceptions=True)
                self._close()
        return self.report

    async def _warm_up_checks(self) -> None:
        """The checks' one-time loads (~0.25 s, ~0.75 s in a fresh process) in a thread once the first
        wave is loaded: they overlap the first requests' wait instead of delaying the first answers'
        checks, and do not slow the first loads. With a worker, only in a process that has them
        loaded already (then, until the worker is ready, the first answers are checked here)."""
        await self._first_wave_loaded.wait()
        if self.session.pipeline.check_pool is not None and not resources_loaded():
            # a fresh process (a CLI run) with a worker: the worker loads them. Loading here too took
            # ~0.75 s of CPU beside the first wave, from the loop, the worker and the server alike, and
            # ended about when the worker was ready (benchmarks/batch_throughput.py, first round)
            return
        await asyncio.to_thread(self.session.pipeline.warm_up_checks)

    def _check_estimate(self) -> None:
        """The estimate of the articles still to do against the cap: EstimateOverBudget before anything
        is sent, unless start_anyway. Not counted: an article done in an earlier run, and one whose every
        answer is in the response cache (it costs nothing). An article that cannot be read is left for
        the run to report. Blocking (no event loop in this thread): the runner calls it in a thread."""
        from summarizer.cache_only import work_to_pay

        assert self.budget is not None
        work_to_pay(self.session, self._loads_still_to_do(), self.options.task).check(self.budget)

    def _loads_still_to_do(self) -> Iterator[Callable[[], CleanedSource]]:
        """A load for each article not done in an earlier run (counted in done_before)."""
        for item in self._items():
            if self.manifest.done_output(item.id, extension=self.extension, task=self.options.task) is not None:
                self.done_before += 1
                continue
            yield functools.partial(self._load, item)

    async def _warm_up(self) -> None:
        """One-time work before the first article: the language identifier (one per process, shared
        by the loader and the checks; ~0.1 s from its uncompressed copy, ~0.6 s the first time) and
        the SDK client, templates and prompt sizes. Else the first articles pay for it while requests
        wait, and a paced (--rpm) request would leave well after its slot and bunch up with the next."""
        from summarizer.sources import detect_language

        await asyncio.gather(
            asyncio.to_thread(detect_language, "Memuat model bahasa sekali sebelum para pekerja mulai."),
            asyncio.to_thread(self.session.warm_up),
        )

    def _close(self) -> None:
        """Close the files and write report.json, also after an interruption."""
        from summarizer.outputs import write_atomic
        from summarizer.pricing import run_cost_usd

        report, settings = self.report, self.session.settings
        with self.io_lock:  # a worker thread may still be finishing an article
            self.manifest.close()
            if self.results is not None:
                self.results.close()
        report.cost_usd = run_cost_usd(settings, report.prompt_tokens, report.completion_tokens)
        report.wall_seconds = round(time.monotonic() - self.started_at, 3)
        report.exit_code = ExitCode.FAILED if report.failed or report.pending else ExitCode.OK
        if report.interrupted:
            report.exit_code = ExitCode.INTERRUPTED
        if self.budget is not None:
            report.budget = self.budget.as_dict()
            if self.budget.reached or report.budget_message:
                report.exit_code = ExitCode.BUDGET
            if self.budget.reached:
                report.budget_message = self.budget.progress_line(report.done + self.done_before, report.total)
        write_atomic(self.out_dir / REPORT_NAME, json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n")
