"""Many articles: concurrent workers, RPM/TPM pacing, a manifest that makes every run resumable.

    report = await run_batch(session, [Path("news/")], BatchOptions(out_dir=Path("briefs")))

Inputs are files, folders (recursive, `glob`, sorted) or `.jsonl` files of records
`{"id": ..., "text": ...}` / `{"id": ..., "path": ...}` (a relative `path` is read from the JSONL
file's folder). They are streamed: a folder is listed, a JSONL file is read line by line, and an
article's text is only loaded when a worker picks it up.

Everything lands in `out_dir`:
- one output per article (`x.txt` -> `x.md`, a JSONL id -> `<id>.md`), written atomically;
- `results.jsonl`: one `ArticleResult` line per finished article (appended, flushed);
- `manifest.jsonl`: one line per finished or failed article, `{"id", "source", "state", "output",
  "task", "error"?}`, flushed and fsynced. It is what makes a re-run resume: ids already `done` (with their
  output still there, same task and format) are skipped, `failed` ones too unless `retry_failed`. The last line may be
  cut short by a kill; it is ignored;
- `report.json`: the `BatchReport` of the run (also written when the run is interrupted).

The order per article is output file -> results line -> manifest line, so a kill between them at
worst repeats an article, whose answers then come from the response cache (no new request), and
may leave its line twice in results.jsonl (the manifest is the record of what is done).
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterator, Literal

from summarizer.errors import ConfigError, InputError, RequestDeferred, SummarizerError
from summarizer.pacing import RateLimiter, RequestSlots

DEFAULT_GLOB = "**/*"
ARTICLE_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
MANIFEST_NAME = "manifest.jsonl"
RESULTS_NAME = "results.jsonl"
REPORT_NAME = "report.json"
RESERVED_NAMES = {MANIFEST_NAME, RESULTS_NAME, REPORT_NAME}


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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BatchEvent:
    """What the `progress` callback receives. kind: start | started | finished | failed | skipped."""

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


# -- inputs ---------------------------------------------------------------------------------------
@dataclass
class BatchItem:
    id: str
    source: str  # shown to the user: a path, or "records.jsonl:3"
    path: Path | None = None
    text: str | None = None
    problem: str | None = None  # a bad JSONL line: fails this record, not the run
    name_hint: str = ""  # what the output file is named from
    output: str = ""  # file name inside out_dir, assigned before the item is queued


def _folder_files(folder: Path, pattern: str, exclude: Path | None) -> list[Path]:
    default = pattern == DEFAULT_GLOB
    found = []
    for path in folder.glob(pattern):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue  # hidden files and folders (.git, our own temp files)
        if exclude is not None and path.resolve().is_relative_to(exclude):
            continue  # never summarize our own outputs when out_dir is inside the input folder
        if default and path.suffix.lower() not in ARTICLE_SUFFIXES:
            continue
        if path.is_file():
            found.append(path)
    return sorted(found)


def _jsonl_items(path: Path) -> Iterator[BatchItem]:
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except ValueError as exc:
                yield BatchItem(id=where, source=where, problem=f"not valid JSON ({exc.msg})", name_hint=f"{path.stem}-{number}")
                continue
            if not isinstance(record, dict):
                yield BatchItem(id=where, source=where, problem="a record must be a JSON object", name_hint=f"{path.stem}-{number}")
                continue
            raw_id = record.get("id")
            item_id = where if raw_id is None or raw_id == "" else str(raw_id)
            hint = item_id.replace("/", "_").replace("\\", "_") if raw_id not in (None, "") else f"{path.stem}-{number}"
            text, file = record.get("text"), record.get("path")
            if isinstance(text, str):
                yield BatchItem(id=item_id, source=f"{where} (id {item_id})", text=text, name_hint=hint)
            elif isinstance(file, str) and file:
                target = Path(file).expanduser()
                if not target.is_absolute():
                    target = path.parent / target
                yield BatchItem(id=item_id, source=str(target), path=target, name_hint=hint)
            else:
                yield BatchItem(id=item_id, source=where, problem='a record needs a "text" string or a "path"', name_hint=hint)


def iter_items(inputs: list[Path], glob: str = DEFAULT_GLOB, *, exclude: Path | None = None) -> Iterator[BatchItem]:
    """Every article the inputs name, in order, without reading any article text."""
    for given in inputs:
        if given.is_dir():
            for path in _folder_files(given, glob, exclude):
                yield BatchItem(id=os.path.abspath(path), source=str(path), path=path, name_hint=path.stem)
        elif given.suffix.lower() == ".jsonl":
            yield from _jsonl_items(given)
        else:
            yield BatchItem(id=os.path.abspath(given), source=str(given), path=given, name_hint=given.stem)


# -- manifest -------------------------------------------------------------------------------------
def _open_append(path: Path) -> IO[str]:
    """Open for appending; a last line cut short by a kill gets its newline so the next line is whole."""
    # O_NOFOLLOW: a symlink planted in --out must not redirect our writes outside it
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}", hint="it must be a regular file inside --out, not a link; remove it") from None
    handle = os.fdopen(fd, "a+", encoding="utf-8")
    if handle.tell() > 0:
        handle.seek(handle.tell() - 1)
        if handle.read(1) != "\n":
            handle.write("\n")
            handle.flush()
    return handle


class Manifest:
    """Append-only `manifest.jsonl`; the last line for an id is its state.

    `earlier` holds what earlier runs recorded (read once, at the start); lines appended by this
    run are not kept in memory: ids are unique within a run, so nobody asks for them again, and a
    run of a million articles should not hold a million entries."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.earlier: dict[str, dict[str, Any]] = {}
        if path.exists():
            with path.open("r", encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue  # a line cut short by a kill
                    if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry.get("state") in ("done", "failed"):
                        self.earlier[entry["id"]] = entry
        self._handle: IO[str] | None = None

    def append(self, entry: dict[str, Any]) -> None:
        if self._handle is None:
            self._handle = _open_append(self.path)
        self._handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


# -- the run --------------------------------------------------------------------------------------
def _plain_name(name: str) -> bool:
    """A manifest's output is a bare file name; anything else (edited by hand?) is not reused."""
    return bool(name) and Path(name).name == name and name not in (".", "..") and not name.startswith(".")


def _cleanup_temp_files(out_dir: Path) -> None:
    # write_atomic's temp files (".NAME.XXXX.tmp") left by a run that was killed mid-write.
    for stale in out_dir.glob(".*.tmp"):
        try:
            stale.unlink()
        except OSError:
            pass


async def run_batch(session, inputs: list[Path], options: BatchOptions, *, progress: Callable[[BatchEvent], None] | None = None) -> BatchReport:
    """Run every article of `inputs` through `session`; see the module doc. Never raises for one
    article's failure; raises InputError/ConfigError for bad usage (missing input, bad options)
    and CancelledError when cancelled (the manifest stays consistent; re-run to resume)."""
    from summarizer.outputs import safe_output_path, write_atomic
    from summarizer.pricing import cost_usd
    from summarizer.render import EXTENSIONS, render, to_jsonl_line

    started_at = time.monotonic()
    if options.concurrency < 1:
        raise ConfigError(f"concurrency must be at least 1, got {options.concurrency}")
    for limit in (options.rpm, options.tpm):
        if limit is not None and limit <= 0:
            raise ConfigError(f"--rpm/--tpm must be positive, got {limit}")
    if options.fmt not in EXTENSIONS:
        raise ConfigError(f"unknown format {options.fmt!r}", hint="use md or json")
    for given in inputs:
        if not given.exists():
            raise InputError(given, "no such file or folder")
    out_dir = options.out_dir
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"--out {out_dir} is a file, not a folder", hint="choose a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create output folder {out_dir}: {exc.strerror}", hint="choose another --out") from exc
    _cleanup_temp_files(out_dir)
    exclude = out_dir.resolve()

    manifest = Manifest(out_dir / MANIFEST_NAME)
    report = BatchReport(total=sum(1 for _ in iter_items(inputs, options.glob, exclude=exclude)))
    extension = EXTENSIONS[options.fmt]
    # names given in earlier runs stay reserved for their ids, done or failed
    taken = set(RESERVED_NAMES) | {str(e.get("output")) for e in manifest.earlier.values()}
    rpm = RateLimiter(options.rpm) if options.rpm else None
    tpm = RateLimiter(options.tpm) if options.tpm else None
    results: IO[str] | None = None
    io_lock = threading.Lock()  # output + results + manifest writes of one article, done in a worker thread

    def emit(kind: str, item: BatchItem | None = None, **extra: Any) -> None:
        if progress is not None:
            progress(BatchEvent(kind, report.total, report.done, report.skipped, report.failed,
                                id=item.id if item else None, source=item.source if item else None, **extra))

    def same_kind(entry: dict[str, Any]) -> bool:
        # done as asked now? Another --format or task into the same folder redoes it (from the cache).
        return str(entry.get("output", "")).endswith(extension) and entry.get("task", options.task) == options.task

    def record_failure(item: BatchItem, message: str) -> None:
        report.failed += 1
        report.failures.append({"id": item.id, "source": item.source, "error": message})

    async def produce(queue: asyncio.Queue) -> None:
        seen: set[str] = set()
        for item in iter_items(inputs, options.glob, exclude=exclude):
            if item.id in seen:
                report.skipped += 1
                emit("skipped", item, error="the same id appears more than once; only the first is processed")
                continue
            seen.add(item.id)
            previous = manifest.earlier.get(item.id)
            if previous and previous["state"] == "done" and same_kind(previous) and (out_dir / str(previous.get("output"))).is_file():
                report.skipped += 1
                emit("skipped", item, output=out_dir / str(previous["output"]))
                continue
            if previous and previous["state"] == "failed" and not options.retry_failed:
                message = f"{previous.get('error', 'failed')} [failed in an earlier run; --retry-failed tries again]"
                record_failure(item, message)
                emit("failed", item, error=message)
                continue
            if previous and str(previous.get("output", "")).endswith(extension) and _plain_name(str(previous["output"])):
                item.output = str(previous["output"])  # its name from the earlier run (already in `taken`)
            else:
                try:
                    item.output = safe_output_path(out_dir, item.name_hint + ".x", extension, taken, resolved_dir=exclude).name
                except InputError as err:
                    item.problem = err.message
            await queue.put(item)

    def finish(target: Path, result: Any, entry: dict[str, Any]) -> None:
        nonlocal results
        text, line = render(result, options.fmt), to_jsonl_line(result)
        with io_lock:  # the order per article (output, results line, manifest line) is kept
            write_atomic(target, text)
            if results is None:
                results = _open_append(out_dir / RESULTS_NAME)
            results.write(line)
            results.flush()
            manifest.append(entry)

    async def process(item: BatchItem) -> None:
        emit("started", item)
        try:
            if item.problem:
                raise InputError(item.source, item.problem)
            if item.text is not None:
                data = item.text.encode("utf-8")
                source = await asyncio.to_thread(session.load, item.id, data=data)
            else:
                source = await asyncio.to_thread(session.load, item.path)
            item.text = None  # the loaded source is all we keep
            plan = None
            if rpm is not None or tpm is not None:
                plan = session.plan(source)  # also handed to arun: one token count per article, not two
                if rpm is not None:
                    await rpm.acquire(plan.estimated_requests(options.task))
                if tpm is not None:
                    usage = plan.estimated_tokens(options.task)
                    await tpm.acquire(usage.prompt_tokens + usage.completion_tokens)
            target = out_dir / item.output
            result = await session.arun(source, options.task, plan=plan, output=target)
            entry = {"id": item.id, "source": item.source, "state": "done", "output": item.output, "task": options.task}
            # Rendering and two fsyncs per article: in a thread, so the event loop keeps the other
            # requests moving.
            await asyncio.to_thread(finish, target, result, entry)
        except RequestDeferred:
            report.pending += 1  # not a failure: its next request waits for another provider-batch round
            emit("pending", item)
            return
        except Exception as err:  # noqa: BLE001 - one article never stops the run
            message = str(err) if isinstance(err, SummarizerError) else f"unexpected {type(err).__name__}: {err}"
            with io_lock:
                manifest.append({"id": item.id, "source": item.source, "state": "failed", "output": item.output, "task": options.task, "error": message})
            record_failure(item, message)
            emit("failed", item, error=message, exception=err)
            return
        meta = result.metadata
        report.done += 1
        report.requests += meta.requests
        report.cache_hits += meta.cache_hits
        report.prompt_tokens += meta.usage.prompt_tokens
        report.completion_tokens += meta.usage.completion_tokens
        emit("finished", item, output=target)

    async def work(queue: asyncio.Queue) -> None:
        while True:
            item = await queue.get()
            if item is None:
                return
            await process(item)

    async def produce_then_stop(queue: asyncio.Queue) -> None:
        await produce(queue)
        for _ in range(workers):
            await queue.put(None)

    # One-time work before the first article: the language identifier (one per process, shared by the
    # loader and the checks; ~0.1 s from its uncompressed copy, ~0.6 s the first time) and the SDK
    # client, templates and prompt sizes. Else the first articles pay for it while requests wait, and a
    # paced (--rpm) request would leave well after its slot and bunch up with the next one.
    from summarizer.sources import detect_language

    await asyncio.gather(
        asyncio.to_thread(detect_language, "Memuat model bahasa sekali sebelum para pekerja mulai."),
        asyncio.to_thread(session.warm_up),
    )
    emit("start")
    # `concurrency` caps requests in flight (the slots), not articles: twice as many workers, so
    # that while some wait on the endpoint others load, check and write theirs.
    workers = options.concurrency * 2
    queue: asyncio.Queue = asyncio.Queue(maxsize=workers)
    previous_slots, session.client.slots = session.client.slots, RequestSlots(options.concurrency)
    tasks = [asyncio.ensure_future(produce_then_stop(queue))]
    tasks += [asyncio.ensure_future(work(queue)) for _ in range(workers)]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        report.interrupted = True
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    finally:
        session.client.slots = previous_slots
        with io_lock:  # a worker thread may still be finishing an article
            manifest.close()
            if results is not None:
                results.close()
        if not session.settings.is_local:
            report.cost_usd = cost_usd(session.settings.model, report.prompt_tokens, report.completion_tokens)
        report.wall_seconds = round(time.monotonic() - started_at, 3)
        write_atomic(out_dir / REPORT_NAME, json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n")
    return report
