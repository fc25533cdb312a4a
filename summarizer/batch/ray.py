"""The same batch on a Ray cluster (`summarizer batch --engine ray`, `summarizer.ray.brief_dataset`).

The driver does what needs the whole picture, exactly as the local engine does it (BatchRun's
admission: repeated ids, the manifest's done and failed ids, output names). The articles still to do
flow as a Ray Dataset, read on the cluster by Ray's readers (`summarizer.batch.ray_inputs`:
`read_binary_files` for files, `read_json` for JSONL), through `map_batches` with an actor class,
`BriefActor`: each actor holds one
`Session` (its async client, its request slots, its own RPM/TPM pacing) and runs its batch's
articles concurrently on one event loop. `--concurrency`/`--rpm`/`--tpm` are for the whole run, so
each of the N actors gets 1/N of them (`split_limits`; the CLI says so on stderr). A spending cap
(`--max-cost`/`--max-tokens`) is not split: one ledger actor holds it for all of them
(`summarizer.batch.ray_budget`), so it holds across actors as it does in one process.

What makes a kill harmless: an actor writes the article's output file, then a record of it
(`.ray-done/<output>.json`: its results line, manifest entry and counts), both atomically, into
`--out`, which every node must reach. The driver appends results.jsonl and manifest.jsonl from the
rows the Dataset hands back and removes the record; a run that starts finds the records a killed
driver never saw and enters them first, so their articles are skipped, not asked again.

API keys are not shipped to the actors (Ray stores actor arguments): each actor reads its key
from its own environment (OPENAI_API_KEY / SUMMARIZER_API_KEY), as a node of a cluster should.
Ray is imported only here, and only when this engine runs.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from summarizer.batch.inputs import BatchItem
from summarizer.batch.manifest import MANIFEST_NAME, RESERVED_NAMES, RESULTS_NAME, Manifest, open_append
from summarizer.batch.ray_budget import copy_totals, start_ledger
from summarizer.batch.ray_inputs import article_dataset
from summarizer.batch.runner import BatchEvent, BatchOptions, BatchReport, BatchRun
from summarizer.errors import BudgetReached, ConfigError, EstimateOverBudget, InputError, SummarizerError
from summarizer.pacing import RateLimiter

if TYPE_CHECKING:
    from summarizer.api import Session
    from summarizer.config import Settings

# How many batches Ray Data runs at once on one actor with an async __call__ (its default,
# RAY_DATA_DEFAULT_ASYNC_BATCH_UDF_MAX_CONCURRENCY); the batch size is set from it.
ASYNC_BATCHES = 4
RECORDS_DIR = ".ray-done"  # hidden: never read back as an input, never taken for an output
EXTRA_HINT = "install the extra: pip install 'summarizer[ray]'"


def import_ray() -> Any:
    """`ray` with Ray Data, or a one-line ConfigError naming the extra."""
    try:
        import ray
        import ray.data  # noqa: F401 - the Dataset API is what we need
    except ImportError:
        raise ConfigError("--engine ray needs Ray, which is not installed", hint=EXTRA_HINT) from None
    return ray


@dataclass(frozen=True)
class ActorShare:
    """What each actor may use so that all of them together stay within the run's limits."""

    actors: int
    concurrency: int
    rpm: float | None
    tpm: float | None

    def describe(self, concurrency: int) -> str:
        rates = "".join(f", {value:g} {name}" for name, value in (("rpm", self.rpm), ("tpm", self.tpm)) if value)
        unused = concurrency - self.actors * self.concurrency
        left = f" ({unused} of --concurrency {concurrency} unused: not divisible by the actors)" if unused else ""
        return f"ray: {self.actors} actor(s), each {self.concurrency} request(s) in flight{rates}{left}"


def split_limits(actors: int, concurrency: int, rpm: int | None, tpm: int | None) -> ActorShare:
    """1/N of every limit per actor; never more actors than requests in flight (an actor with no slot idles)."""
    if actors < 1:
        raise ConfigError(f"--actors must be at least 1, got {actors}")
    actors = min(actors, concurrency)
    return ActorShare(actors, concurrency // actors, rpm / actors if rpm else None, tpm / actors if tpm else None)


def settings_payload(settings: Settings) -> dict[str, Any]:
    """The settings an actor rebuilds its Session from, without the API key (see the module doc)."""
    return settings.model_dump(exclude={"api_key"})


# -- the actor ---------------------------------------------------------------------------------
class BriefActor:
    """One Session per actor; `__call__` runs one batch of article rows and returns their result rows.

    A row in: `id`, and `text` or `path` (from the CLI, the ARTICLE_COLUMNS of summarizer.batch.ray_inputs).
    A row out: `id`, `source`, `output`, `state` ("done" | "failed" | "budget": not started or stopped by
    the spending cap, left for the resume), `error`, `result` (the ArticleResult as its results.jsonl
    line), `requests`, `cache_hits`, `prompt_tokens`, `completion_tokens`.
    `ledger`/`caps`: the run's shared spending cap (summarizer.batch.ray_budget), if it has one."""

    def __init__(self, settings: dict[str, Any], task: str = "summarize", *, out_dir: str | None = None, fmt: str = "md",
                 concurrency: int = 4, rpm: float | None = None, tpm: float | None = None,
                 ledger: Any = None, caps: dict[str, Any] | None = None) -> None:
        from summarizer.api import Session
        from summarizer.config import Settings
        from summarizer.sources import detect_language

        self.session = Session(Settings(**settings))
        self.session.check_ready()  # a node without the key fails here, once, not per article
        self.session.warm_up()
        detect_language("Memuat model bahasa sekali sebelum artikel pertama.")
        self.task, self.fmt = task, fmt
        self.out_dir = Path(out_dir) if out_dir else None
        self.slots = self.session.client.limited(concurrency)
        self.slots.__enter__()  # for the actor's life: its share of the run's requests in flight
        self.rpm = RateLimiter(rpm) if rpm else None
        self.tpm = RateLimiter(tpm) if tpm else None
        self.shared = None
        if ledger is not None:
            from summarizer.batch.ray_budget import SharedBudget

            caps = caps or {}
            bounds = self.session.budget(max_cost_usd=caps.get("max_cost_usd"), max_tokens=caps.get("max_tokens"))
            self.shared = SharedBudget(ledger, bounds)
            # kept, as the slots are: a context manager nobody holds is collected, and its exit undoes it
            self.spending = self.session.client.budgeted(self.shared)  # type: ignore[arg-type]
            self.spending.__enter__()  # for the actor's life

    async def __call__(self, batch: Any) -> Any:
        """Async, so Ray hands an actor its next batches (up to ASYNC_BATCHES) while one still waits on
        the endpoint: no actor idles at the end of a batch. Ray runs them all on the actor's one event
        loop, which the HTTP client, the slots and the pacing then belong to."""
        import pandas

        results = await asyncio.gather(*(self._one(row) for row in batch.to_dict("records")))
        return pandas.DataFrame(results, columns=list(_EMPTY_RESULT))

    async def _one(self, row: dict[str, Any]) -> dict[str, Any]:
        from summarizer.render import render, to_jsonl_line

        out = dict(_EMPTY_RESULT, id=str(row["id"]), source=str(_value(row, "source") or row["id"]), output=str(_value(row, "output") or ""))
        try:
            if self.shared is not None and await self.shared.is_reached():
                return dict(out, state="budget")  # not started: a re-run with a higher cap does it
            result = await self._run(row)
        except BudgetReached:
            return dict(out, state="budget")  # its answers so far are in the cache for the resume
        except Exception as err:  # noqa: BLE001 - one article never stops the run
            return dict(out, state="failed", error=str(err) if isinstance(err, SummarizerError) else f"unexpected {type(err).__name__}: {err}")
        meta = result.metadata
        out.update(state="done", result=to_jsonl_line(result), requests=meta.requests, cache_hits=meta.cache_hits,
                   prompt_tokens=meta.usage.prompt_tokens, completion_tokens=meta.usage.completion_tokens)
        if self.out_dir is not None and out["output"]:
            await asyncio.to_thread(_write_output, self.out_dir, out, render(result, self.fmt), self.task)
        return out

    async def _run(self, row: dict[str, Any]):
        """Load the article, wait for this actor's share of --rpm/--tpm, run it (as BatchRun does)."""
        session = self.session
        source = await asyncio.to_thread(_load, session, row)
        plan = None
        if self.rpm is not None or self.tpm is not None:
            plan = session.plan(source)
            if self.rpm is not None:
                await self.rpm.acquire(plan.estimated_requests(self.task))
            if self.tpm is not None:
                usage = plan.estimated_tokens(self.task)
                await self.tpm.acquire(usage.prompt_tokens + usage.completion_tokens)
        return await session.arun(source, self.task, plan=plan)


def _load(session: Session, row: dict[str, Any]) -> Any:
    """The row's article, loaded as the local engine loads it (bytes read by Ray decode the same way)."""
    kind, source_name = _value(row, "kind"), str(_value(row, "source") or row["id"])
    if _value(row, "problem"):
        raise InputError(source_name, str(row["problem"]))
    if kind == "data":
        data = row["data"]
        return session.load(Path(str(row["path"])), data=bytes(data) if data is not None else b"")
    text = _value(row, "text")
    if kind == "text" or (kind is None and text is not None):
        return session.load(str(row["id"]), data=str(text or "").encode("utf-8"))
    if _value(row, "path"):
        return session.load(Path(str(row["path"])))
    raise InputError(source_name, 'a row needs a "text" or a "path"')


_EMPTY_RESULT: dict[str, Any] = {
    "id": "", "source": "", "output": "", "state": "", "error": None, "result": None,
    "requests": 0, "cache_hits": 0, "prompt_tokens": 0, "completion_tokens": 0,
}


def _value(row: dict[str, Any], key: str) -> Any:
    """A row's value, None for a missing column or a null (pandas gives NaN for a missing string)."""
    value = row.get(key)
    return None if value is None or (isinstance(value, float) and value != value) else value


def _write_output(out_dir: Path, row: dict[str, Any], text: str, task: str) -> None:
    """Output first, then its record: a record always names an output that is there."""
    from summarizer.outputs import write_atomic

    write_atomic(out_dir / row["output"], text)
    write_atomic(out_dir / RECORDS_DIR / f"{row['output']}.json", json.dumps(dict(row, task=task), ensure_ascii=False))


# -- the Python API ----------------------------------------------------------------------------
def brief_dataset(ds: Any, settings: Settings, *, task: str = "summarize", actors: int = 2, concurrency: int = 4,
                  rpm: int | None = None, tpm: int | None = None, batch_size: int | None = None, num_cpus: float = 1) -> Any:
    """A Dataset of result rows (see `BriefActor`) for a Dataset of `id` + `text` (or `path`) rows.

    Lazy, like every Ray Dataset: nothing runs until you consume or write it. The limits are for the
    whole Dataset and are split among the `actors`."""
    import_ray()
    share = split_limits(actors, concurrency, rpm, tpm)
    return _map(ds, settings_payload(settings), task, share, batch_size=batch_size, num_cpus=num_cpus)


def _map(ds: Any, payload: dict[str, Any], task: str, share: ActorShare, *, out_dir: str | None = None, fmt: str = "md",
         batch_size: int | None = None, num_cpus: float = 1, ledger: Any = None, caps: dict[str, Any] | None = None) -> Any:
    import ray.data

    return ds.map_batches(
        BriefActor,
        fn_constructor_args=(payload, task),
        fn_constructor_kwargs={"out_dir": out_dir, "fmt": fmt, "concurrency": share.concurrency, "rpm": share.rpm, "tpm": share.tpm,
                               "ledger": ledger, "caps": caps},
        # two articles per slot over the batches an actor holds at once: while some wait on the
        # endpoint, the others load, check and write (the local engine holds four per slot, so that
        # answers waiting for its checks worker's start do not idle the slots; an actor has no worker)
        batch_size=batch_size or max(1, -(-2 * share.concurrency // ASYNC_BATCHES)),
        batch_format="pandas",
        compute=ray.data.ActorPoolStrategy(size=share.actors),
        num_cpus=num_cpus,
    )


# -- the CLI engine ----------------------------------------------------------------------------
class RayBatchRun(BatchRun):
    """`run_batch` with the articles on Ray: admission, manifest, results and report as BatchRun's."""

    def __init__(self, session: Session, inputs: list[Path], options: BatchOptions, *, actors: int = 2, address: str | None = None,
                 progress: Callable[[BatchEvent], None] | None = None, say: Callable[[str], None] | None = None) -> None:
        super().__init__(session, inputs, options, progress=progress)
        self.share = split_limits(actors, options.concurrency, options.rpm, options.tpm)
        self.address, self.say = address, say
        self.records = self.out_dir / RECORDS_DIR
        if self._enter_records():  # what a killed driver never saw: re-read so admission skips them
            self.manifest = Manifest(self.out_dir / MANIFEST_NAME)
            self.taken = set(RESERVED_NAMES) | self.manifest.reserved_names()

    def _enter_records(self) -> int:
        """Append the results and manifest lines of the records left by an earlier run; remove them."""
        entered = 0
        for record_path in sorted(self.records.glob("*.json")) if self.records.is_dir() else []:
            try:
                row = json.loads(record_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # cannot be: records are written atomically; a stranger's file is left alone
            done = self.manifest.done_output(row["id"], extension=self.extension, task=row.get("task", self.options.task))
            if done != row["output"] and (self.out_dir / row["output"]).is_file():
                self._append_done(row, row.get("task", self.options.task))
                entered += 1
            record_path.unlink(missing_ok=True)
        self._close_files()
        return entered

    def _append_done(self, row: dict[str, Any], task: str) -> None:
        with self.io_lock:  # results line, then manifest line: the local engine's order
            if self.results is None:
                self.results = open_append(self.out_dir / RESULTS_NAME)
            self.results.write(row["result"])
            self.results.flush()
            self.manifest.append({"id": row["id"], "source": row["source"], "state": "done", "output": row["output"], "task": task})

    def _close_files(self) -> None:
        with self.io_lock:
            self.manifest.close()
            if self.results is not None:
                self.results.close()
                self.results = None

    def _admitted(self) -> list[BatchItem]:
        """The articles still to do (BatchRun's admission), in input order, with their output names."""
        seen: set[str] = set()
        return [item for item in self._items() if self._admit(item, seen)]

    def run_sync(self) -> BatchReport:
        """Run every admitted article on Ray; report.json is written also when interrupted."""
        ray = import_ray()
        if self.budget is not None:
            self._emit("estimating")  # as the local engine: the work still to do against the cap, before anything is sent
            try:
                self._check_estimate()
            except EstimateOverBudget as err:
                self.report.budget_message = str(err)
                self._close()
                raise
        self._emit("start")
        ledger = None
        try:
            admitted = self._admitted()
            if admitted:
                connect(ray, self.address)
                if self.say is not None:
                    self.say(self.share.describe(self.options.concurrency))
                ledger = self._ledger(ray)
                results = _map(article_dataset(ray, admitted), settings_payload(self.session.settings), self.options.task, self.share,
                               out_dir=str(self.out_dir.resolve()), fmt=self.options.fmt, ledger=ledger,
                               caps={"max_cost_usd": self.options.max_cost_usd, "max_tokens": self.options.max_tokens})
                for row in _iter_rows(results):
                    self._settle(row)
        except BaseException:
            self.report.interrupted = True
            raise
        finally:
            if ledger is not None:
                copy_totals(ray, ledger, self.budget)
            self._close()
        return self.report

    def _ledger(self, ray: Any) -> Any:
        """The one ledger of the run's spending cap (None without a cap)."""
        return start_ledger(ray, self.budget) if self.budget is not None else None

    def _settle(self, row: dict[str, Any]) -> None:
        item = _Shown(row["id"], row["source"])
        if row["state"] == "budget":
            self._emit("budget", item)  # type: ignore[arg-type]  # not a failure, not in the manifest: left for the resume
            return
        if row["state"] != "done":
            with self.io_lock:
                self.manifest.append({"id": row["id"], "source": row["source"], "state": "failed", "output": row["output"],
                                      "task": self.options.task, "error": row["error"]})
            self._record_failure(item, row["error"])  # type: ignore[arg-type]
            self._emit("failed", item, error=row["error"])  # type: ignore[arg-type]
            return
        self._append_done(row, self.options.task)
        (self.records / f"{row['output']}.json").unlink(missing_ok=True)
        report = self.report
        report.done += 1
        for name in ("requests", "cache_hits", "prompt_tokens", "completion_tokens"):
            setattr(report, name, getattr(report, name) + int(row[name]))
        self._emit("finished", item, output=self.out_dir / row["output"])  # type: ignore[arg-type]


@dataclass
class _Shown:
    """What `_emit` and `_record_failure` read of an item."""

    id: str
    source: str


def connect(ray: Any, address: str | None) -> None:
    """Join the cluster at `address` (auto, ray://...), or start a local Ray; once per process."""
    import logging

    logging.getLogger("ray.data").setLevel(logging.ERROR)  # its execution-plan lines and notices are not ours to print
    if ray.is_initialized():
        return
    ray.init(address=address, logging_level="ERROR", include_dashboard=False)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # our own progress line speaks on stderr


def _iter_rows(ds: Any):
    """The Dataset's rows as they finish; an actor's SummarizerError (no key on a node) is raised as itself."""
    try:
        yield from ds.iter_rows()
    except Exception as err:  # noqa: BLE001 - unwrap Ray's wrapper around our own error
        cause = err
        while cause is not None and not isinstance(cause, SummarizerError):
            cause = getattr(cause, "cause", None) or cause.__cause__
        if cause is not None:
            raise cause from None
        from summarizer._text import one_line

        raise SummarizerError(f"the Ray run failed: {one_line(err, 300)}", hint="rerun with --verbose for Ray's traceback; re-run to resume") from err


def run_ray_batch(session: Session, inputs: list[Path], options: BatchOptions, *, actors: int = 2, address: str | None = None,
                  progress: Callable[[BatchEvent], None] | None = None, say: Callable[[str], None] | None = None) -> BatchReport:
    """`run_batch` on Ray (see the module doc); blocking. Raises InputError/ConfigError for bad usage."""
    import_ray()  # the missing extra fails before anything is written
    return RayBatchRun(session, inputs, options, actors=actors, address=address, progress=progress, say=say).run_sync()
