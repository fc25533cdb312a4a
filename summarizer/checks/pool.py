"""The checks of one article, and a worker process that runs them for a batch.

    check_article(text, translation, summary, glossary, source_lang) -> ([Finding], seconds)
    pool = CheckPool()      starts one worker process (`python -m summarizer.checks.worker`), which
                            loads the checks' resources at once
    pool.ready              True once it has (until then, and if it dies, check in a thread)
    await pool.run(...)     check_article in the worker; None when the worker is gone
    pool.close()            stops the worker; a batch closes it when it ends

Why a process: the checks are pure Python (~5-10 ms an article). In a thread they hold the GIL the
event loop needs to send and read requests; at 16 in flight against a 200 ms server that cost a batch
of 96 articles of 1,000 tokens about half its throughput (benchmarks/batch_throughput.py). In another
process they cost the loop only the pickling of two texts and the findings.

Why not `multiprocessing`: its `spawn` runs the caller's main script again in the child (a Python
user's unguarded script would start its batch twice), and `fork` in a process with threads (the
SDK's, asyncio.to_thread) can hand the child a lock no thread will release. A plain child process
that imports only the checks has neither problem. Frames on its stdin/stdout: 8-byte length, pickle;
both directions go through threads of ours, so the event loop never blocks on a full pipe. One
worker: the checks ran one at a time before (a lock), and a second would compete with the batch for
the CPU.
"""

from __future__ import annotations

import asyncio
import itertools
import pickle
import queue
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from typing import IO, Any, Iterable

_ORDER = {"error": 0, "warning": 1, "info": 2}
_LENGTH = struct.Struct(">Q")


def check_article(text: str, translation: str, summary: Iterable[Any], glossary: Iterable[Any], source_lang: str) -> tuple[list, float]:
    """Every finding about one article's translation, summary (`SummaryBullet`s: text and cited
    paragraphs) and glossary, errors first, and the seconds the checks took."""
    from summarizer.checks import check_summary_references, check_translation

    summary = list(summary)
    started = time.perf_counter()
    findings = check_translation(text, translation, summary=[b.text for b in summary], glossary=glossary, source_lang=source_lang)
    findings += check_summary_references(text, summary, source_lang=source_lang)
    return sorted(findings, key=lambda f: _ORDER[f.severity]), time.perf_counter() - started


def load_resources() -> None:
    """The checks' one-time loads (CLDR names, the Indonesian lexicon), by checking a small pair."""
    from summarizer.checks import check_translation

    check_translation("Pada 23 Juli 2025 pukul 13.00 WIB, Gubernur BI berkata di Jakarta.",
                      "On 23 July 2025 at 13:00 WIB, the BI Governor said in Jakarta.", source_lang="id")


def write_frame(stream: IO[bytes], message: Any) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(payload)) + payload)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """The next message, or None at the end of the stream."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(head)
    payload = stream.read(length)
    return pickle.loads(payload) if len(payload) == length else None


class CheckPool:
    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "summarizer.checks.worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self._pending: dict[int, Future] = {}
        self._ids = itertools.count()
        self._outbox: queue.Queue = queue.Queue()
        self._ready = threading.Event()
        self._gone = threading.Event()
        self._threads = [threading.Thread(target=self._write, daemon=True, name="checks-writer"),
                         threading.Thread(target=self._read, daemon=True, name="checks-reader")]
        for thread in self._threads:
            thread.start()

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def ready(self) -> bool:
        return self._ready.is_set() and not self._gone.is_set()

    async def run(self, text: str, translation: str, summary: Iterable[Any], glossary: Iterable[Any], source_lang: str) -> tuple[list, float] | None:
        if self._gone.is_set():
            return None
        future: Future = Future()
        ident = next(self._ids)
        self._pending[ident] = future
        self._outbox.put((ident, (text, translation, list(summary), list(glossary), source_lang)))
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._outbox.put(None)  # the writer closes the worker's stdin: it finishes and exits
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for thread in self._threads:
            thread.join(timeout=5)

    def _write(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            while (message := self._outbox.get()) is not None:
                write_frame(stdin, message)
        except (BrokenPipeError, OSError):
            self._gone.set()
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def _read(self) -> None:
        stdout = self._process.stdout
        assert stdout is not None
        try:
            while (message := read_frame(stdout)) is not None:
                if message == "ready":
                    self._ready.set()
                    continue
                ident, ok, value = message
                future = self._pending.pop(ident)
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(RuntimeError(f"checks worker: {value}"))
        finally:
            self._gone.set()
            for future in self._pending.values():
                future.set_result(None)  # the caller checks in a thread instead
            self._pending.clear()
