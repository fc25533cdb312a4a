"""The run history: one SQLite row per article run, searchable with FTS5 over title, summary and translation.

    from summarizer.history import RunHistory
    log = RunHistory()                                   # the user data folder's history.db
    for run in log.runs(since="7d", model="gpt-4o-mini"):
        print(run.id, run.source, run.title)
    run = log.get(log.search("inflasi")[0].id)           # `run.result` is the ArticleResult JSON

`Session.arun` records every article that reached the pipeline (finished or failed) with `record_for`
and `RunHistory.record`, so `summarize`, `translate`, `batch`, `import-jsonl` and Python callers all land here;
`Settings.no_history` (`--no-history`, SUMMARIZER_NO_HISTORY=1) turns it off.

Many processes share one file (simonw/llm's log failed on `database is locked` with 8 at once):
- WAL, so readers never block the writer and the writer never blocks readers;
- every write is a short `BEGIN IMMEDIATE` transaction: it takes the write lock first instead of
  upgrading a read lock, which SQLite refuses at once (SQLITE_BUSY, no busy wait) when another
  process wrote in between;
- a busy timeout per attempt, then retries with jitter until `max_wait` seconds; only then are the
  records dropped with one warning on standard error. `Session` hands its records to a writer thread
  (`record_later`), so a busy file never holds up a batch's articles; the process waits for the
  writer when the session closes. A locked or broken history file delays a record, it never fails a run;
- a killed process (SIGKILL mid-write) leaves the last committed state: SQLite's journal.

What is stored: when, the command, the source (absolute path when it is a file) and the sha256 of its
cleaned text, task, model, the endpoint's host[:port] (never a user or password in the URL), prompt
versions, tokens, cost (known prices, hosted endpoints only), requests, cache hits, findings per
severity, the output path, and the full ArticleResult JSON (or the error). Never the API key: no
field is taken from it, and `Settings` keeps it out of every repr.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sqlite3
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, TextIO
from urllib.parse import urlsplit

from summarizer.errors import ConfigError, HistoryError

if TYPE_CHECKING:
    from summarizer.config import Settings
    from summarizer.schemas import ArticleResult

HISTORY_FILE_NAME = "history.db"
SCHEMA_VERSION = 1
SEVERITIES = ("error", "warning", "info")

_SCHEMA = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,            -- UTC, ISO 8601 with milliseconds: sorts as text
    command TEXT NOT NULL,               -- summarize | translate | batch | import-jsonl | python
    status TEXT NOT NULL,                -- ok | failed
    error TEXT,
    source TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    task TEXT NOT NULL,
    model TEXT NOT NULL,
    endpoint_host TEXT NOT NULL,
    prompt_versions TEXT NOT NULL,       -- JSON: template -> content hash
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost_usd REAL,
    requests INTEGER NOT NULL,
    cache_hits INTEGER NOT NULL,
    findings_error INTEGER NOT NULL,
    findings_warning INTEGER NOT NULL,
    findings_info INTEGER NOT NULL,
    output TEXT,
    result TEXT                          -- the ArticleResult JSON, NULL for a failed run
);
CREATE INDEX runs_created_at ON runs(created_at);
CREATE VIRTUAL TABLE runs_text USING fts5(title, summary, translation);
"""


@dataclass
class RunRecord:
    """One article run as the history keeps it. `id` and `created_at` are set when it is stored."""

    command: str
    source: str
    content_sha256: str
    task: str
    model: str
    endpoint_host: str
    status: str = "ok"
    error: str | None = None
    prompt_versions: dict[str, str] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    requests: int = 0
    cache_hits: int = 0
    findings: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))
    output: str | None = None
    result: dict[str, Any] | None = None
    id: int | None = None
    created_at: str | None = None
    match: str | None = None  # `search`: the matching words in context, [marked]

    @property
    def title(self) -> str:
        return str((self.result or {}).get("title", ""))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_history_file(settings: Settings | None = None) -> Path:
    """`settings.history_file` when set (SUMMARIZER_HISTORY_FILE), else `history.db` in the user data folder."""
    if settings is not None and settings.history_file:
        return Path(settings.history_file).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("summarizer")) / HISTORY_FILE_NAME


def host_of(base_url: str) -> str:
    """host[:port] of an endpoint URL: a `user:password@` in it is never recorded."""
    parts = urlsplit(base_url)
    if not parts.hostname:
        return parts.netloc.rpartition("@")[2] or base_url
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{host}:{parts.port}" if parts.port else host


def record_for(command: str, source_path: str, source_text: str, task: str, settings: Settings, *,
               result: ArticleResult | None = None, error: BaseException | None = None, output: str | Path | None = None) -> RunRecord:
    """The record of one article run: from its result when it finished, else from its error."""
    source = source_path
    if source_path != "-" and Path(source_path).is_file():
        source = str(Path(source_path).resolve())
    record = RunRecord(
        command=command, source=source, task=task, model=settings.model,
        content_sha256=hashlib.sha256(source_text.encode("utf-8")).hexdigest(),
        endpoint_host=host_of(settings.effective_base_url),
        output=str(output) if output is not None else None,
    )
    if result is None:
        record.status, record.error = "failed", str(error) if error is not None else "failed"
        return record
    from summarizer.pricing import cost_usd

    meta = result.metadata
    record.result = result.model_dump(mode="json")
    record.result["metadata"]["endpoint_host"] = record.endpoint_host
    record.prompt_versions = dict(meta.prompt_versions)
    record.prompt_tokens, record.completion_tokens = meta.usage.prompt_tokens, meta.usage.completion_tokens
    record.cost_usd = None if settings.is_local else cost_usd(settings.model, record.prompt_tokens, record.completion_tokens)
    record.requests, record.cache_hits = meta.requests, meta.cache_hits
    for finding in result.checks:
        record.findings[finding.severity] = record.findings.get(finding.severity, 0) + 1
    return record


def parse_since(value: str, *, now: datetime | None = None) -> str:
    """`--since`: '30m', '12h', '7d', '2w' ago, or an ISO date/time (local time unless it says otherwise),
    as the UTC text `created_at` is compared with."""
    now = now or datetime.now(timezone.utc)
    relative = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", value)
    if relative:
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[relative.group(2)]
        moment = now - timedelta(**{unit: int(relative.group(1))})
    else:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ConfigError(f"--since {value!r}: not a time", hint="give 30m, 12h, 7d, 2w or a date like 2025-06-01") from None
        if moment.tzinfo is None:
            moment = moment.astimezone()  # a naive time is the user's local time
    return _utc_text(moment)


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def _bullet_text(bullet: Any) -> str:
    """A summary bullet's text: a plain string, or a bullet object with paragraph references."""
    if isinstance(bullet, dict):
        return str(bullet.get("text", ""))
    return str(bullet)


def _is_contention(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


# How long the writer thread waits for the next record before it ends: a batch finishes an article
# well within it, so the writer is started once per batch, not once per article.
WRITER_LINGER = 0.5


class RunHistory:
    """The history database at `path` (default: `default_history_file()`), opened on first use.

    Thread-safe: one connection, one lock. `record` stores a run now; `record_later` hands it to a
    writer thread, so a run never waits on a busy file (`close` and `flush` wait for the writer, at
    most about `max_wait`). Neither raises. The readers (`runs`, `search`, `get`, `iter_all`) raise
    `HistoryError` for a file that is not a history database."""

    def __init__(self, path: str | Path | None = None, *, busy_timeout: float = 5.0, max_wait: float = 30.0) -> None:
        self.path = Path(path).expanduser() if path is not None else default_history_file()
        self.busy_timeout = busy_timeout
        self.max_wait = max_wait
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # the connection
        self._queue_lock = threading.Lock()  # `_pending`, `_writer` and `_flushing`
        self._queued = threading.Condition(self._queue_lock)  # a record queued, or a flush asked for
        self._pending: list[RunRecord] = []
        self._writer: threading.Thread | None = None
        self._flushing = 0  # callers waiting in `flush`: the writer then stops as soon as the queue is empty

    # -- writing --------------------------------------------------------------------------------
    def record(self, record: RunRecord) -> int | None:
        """Store `record` now; return its id, or None when the database stayed locked for `max_wait`
        seconds or cannot be written (a warning on standard error says so). Never raises."""
        stored = self._store([record])
        return stored[0] if stored else None

    def record_later(self, record: RunRecord) -> None:
        """Queue `record` for the writer thread (started when needed, gone WRITER_LINGER seconds after
        the queue empties). The thread is not a daemon: a process that ends without `close()` still
        writes it (and waits out the linger)."""
        record.created_at = record.created_at or _utc_text(datetime.now(timezone.utc))
        with self._queue_lock:
            self._pending.append(record)
            if self._writer is None:
                # Starting a thread blocks the caller until the thread runs: on a busy machine one
                # GIL hand-off (~5 ms) that held up a batch's event loop once per article, when the
                # writer ended after every record. It now stays for the next ones.
                self._writer = threading.Thread(target=self._drain, name="summarizer-history", daemon=False)
                self._writer.start()
            else:
                self._queued.notify()

    def flush(self) -> None:
        """Wait until every queued record is stored or given up."""
        with self._queue_lock:
            writer = self._writer
            self._flushing += 1
            self._queued.notify()
        try:
            if writer is not None:
                writer.join()
        finally:
            with self._queue_lock:
                self._flushing -= 1

    def _drain(self) -> None:
        while True:
            with self._queue_lock:
                if not self._pending and not self._flushing:
                    self._queued.wait(WRITER_LINGER)
                if not self._pending:
                    self._writer = None
                    return
                batch, self._pending = self._pending, []
            self._store(batch)  # one transaction for all that queued up meanwhile

    def _store(self, records: list[RunRecord]) -> list[int]:
        try:
            with self._lock:
                return self._retrying(lambda db: self._insert(db, records))
        except Exception as exc:  # noqa: BLE001 - the history never fails a run, whatever went wrong
            what = records[0].source if len(records) == 1 else f"{len(records)} runs"
            print(f"warning: run history: {what} not recorded in {self.path}: {exc}", file=sys.stderr, flush=True)
            return []

    def _insert(self, db: sqlite3.Connection, records: list[RunRecord]) -> list[int]:
        now = _utc_text(datetime.now(timezone.utc))
        db.execute("BEGIN IMMEDIATE")
        try:
            ids = [self._insert_one(db, record, record.created_at or now) for record in records]
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        for record, run_id in zip(records, ids):
            record.id, record.created_at = run_id, record.created_at or now
        return ids

    @staticmethod
    def _insert_one(db: sqlite3.Connection, record: RunRecord, created_at: str) -> int:
        cursor = db.execute(
            "INSERT INTO runs (created_at, command, status, error, source, content_sha256, task, model, endpoint_host,"
            " prompt_versions, prompt_tokens, completion_tokens, cost_usd, requests, cache_hits,"
            " findings_error, findings_warning, findings_info, output, result)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (created_at, record.command, record.status, record.error, record.source, record.content_sha256, record.task,
             record.model, record.endpoint_host, json.dumps(record.prompt_versions, sort_keys=True), record.prompt_tokens,
             record.completion_tokens, record.cost_usd, record.requests, record.cache_hits,
             *(record.findings.get(severity, 0) for severity in SEVERITIES), record.output,
             None if record.result is None else json.dumps(record.result, ensure_ascii=False)),
        )
        run_id = int(cursor.lastrowid)
        result = record.result or {}
        db.execute(
            "INSERT INTO runs_text (rowid, title, summary, translation) VALUES (?, ?, ?, ?)",
            (run_id, str(result.get("title", "")), "\n".join(_bullet_text(b) for b in result.get("summary") or []), str(result.get("translation", ""))),
        )
        return run_id

    def _retrying(self, work):
        """Run `work(connection)`, retrying a busy or locked database with jittered waits until `max_wait`."""
        deadline = time.monotonic() + self.max_wait
        pause = 0.01
        while True:
            try:
                return work(self._open())
            except sqlite3.OperationalError as exc:
                if not _is_contention(exc) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, 1.0)

    def _open(self) -> sqlite3.Connection:
        if self._connection is not None:
            return self._connection
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we say BEGIN IMMEDIATE ourselves (Python's default BEGIN is DEFERRED)
        db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False)
        try:
            if db.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() != "wal":
                raise sqlite3.OperationalError("database is locked (cannot switch to WAL yet)")
            db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a killed process loses nothing committed
            self._create_schema(db)
        except BaseException:
            db.close()
            raise
        self._connection = db
        return db

    @staticmethod
    def _create_schema(db: sqlite3.Connection) -> None:
        if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        db.execute("BEGIN IMMEDIATE")  # two first runs at once: the second sees the version and stops
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            elif version != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"history schema version {version}, this summarizer reads {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    # -- reading --------------------------------------------------------------------------------
    def runs(self, *, since: str | None = None, model: str | None = None, errors: bool = False, limit: int | None = None) -> list[RunRecord]:
        """Newest first. `since`: see `parse_since`; `errors`: failed runs and runs with error findings."""
        where, params = [], []
        if since:
            where.append("created_at >= ?")
            params.append(parse_since(since))
        if model:
            where.append("model = ?")
            params.append(model)
        if errors:
            where.append("(status = 'failed' OR findings_error > 0)")
        sql = "SELECT * FROM runs" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [self._to_record(row) for row in self._read(sql, params)]

    def search(self, query: str, *, limit: int | None = 20) -> list[RunRecord]:
        """Runs whose title, summary or translation has every word of `query` (FTS5; best match first)."""
        words = [f'"{word.replace(chr(34), chr(34) * 2)}"' for word in query.split()]
        if not words:
            return []
        # The best `limit` first, then their snippets: SQLite would otherwise make a snippet for every
        # match before sorting (1.5 s instead of 60 ms for 600 runs of 1,000 words that all match).
        best = "SELECT rowid FROM runs_text WHERE runs_text MATCH ? ORDER BY rank" + (f" LIMIT {int(limit)}" if limit else "")
        sql = ("SELECT runs.*, snippet(runs_text, -1, '[', ']', '...', 12) AS match FROM runs_text"
               f" JOIN runs ON runs.id = runs_text.rowid WHERE runs_text MATCH ? AND runs_text.rowid IN ({best}) ORDER BY rank")
        match = " ".join(words)
        return [self._to_record(row) for row in self._read(sql, [match, match])]

    def get(self, run_id: int) -> RunRecord | None:
        rows = self._read("SELECT * FROM runs WHERE id = ?", [int(run_id)])
        return self._to_record(rows[0]) if rows else None

    def iter_all(self) -> Iterator[RunRecord]:
        """Every run, oldest first (what `history export` writes)."""
        last = 0
        while True:  # pages of 500: a long history is never all in memory
            rows = self._read("SELECT * FROM runs WHERE id > ? ORDER BY id LIMIT 500", [last])
            if not rows:
                return
            for row in rows:
                yield self._to_record(row)
            last = rows[-1]["id"]

    def _read(self, sql: str, params: list[Any]) -> list[sqlite3.Row]:
        if not self.path.exists():
            return []  # nothing recorded yet: reading never creates the file
        try:
            with self._lock:
                def query(db: sqlite3.Connection) -> list[sqlite3.Row]:
                    db.row_factory = sqlite3.Row
                    return db.execute(sql, params).fetchall()

                return self._retrying(query)
        except sqlite3.Error as exc:
            raise HistoryError(f"{self.path}: cannot read the run history: {exc}", hint="move the file away to start a new history") from exc

    @staticmethod
    def _to_record(row: sqlite3.Row) -> RunRecord:
        return RunRecord(
            id=row["id"], created_at=row["created_at"], command=row["command"], status=row["status"], error=row["error"],
            source=row["source"], content_sha256=row["content_sha256"], task=row["task"], model=row["model"],
            endpoint_host=row["endpoint_host"], prompt_versions=json.loads(row["prompt_versions"]),
            prompt_tokens=row["prompt_tokens"], completion_tokens=row["completion_tokens"], cost_usd=row["cost_usd"],
            requests=row["requests"], cache_hits=row["cache_hits"],
            findings={severity: row[f"findings_{severity}"] for severity in SEVERITIES},
            output=row["output"], result=None if row["result"] is None else json.loads(row["result"]),
            match=row["match"] if "match" in row.keys() else None,
        )

    def export_jsonl(self, target: TextIO) -> int:
        """Write every run, oldest first, as one JSON line each to `target`; return how many."""
        count = 0
        for record in self.iter_all():
            fields = record.as_dict()
            fields.pop("match")
            target.write(json.dumps(fields, ensure_ascii=False) + "\n")
            count += 1
        return count

    def close(self) -> None:
        """Wait for the queued records (see `flush`), then close the connection."""
        self.flush()
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> RunHistory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
