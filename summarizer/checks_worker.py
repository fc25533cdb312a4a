"""The checks of one article, and a worker process that runs them for a batch.

    check_article(text, translation, summary, glossary, source_lang) -> ([Finding], seconds)
    pool = CheckPool()      starts one worker process (`python -m summarizer.checks_worker`), which
                            loads the checks' resources at once, while the batch's first requests are out
    pool.ready              True once it has (until then, and if it dies, the caller checks in its own process)
    pool.starting           True while it loads (~0.6 s): the caller decides whether to wait or check itself
    await pool.started_or(f)   returns when the worker is ready (or gone), or the asyncio future f is done
    pool.finishing = True   the batch's last wave: an article that would queue behind another is checked by the caller
    await pool.run(...)     check_article in the worker; None when the worker is gone or not ready yet
    pool.close()            stops the worker and waits for it; a batch closes it when it ends

Why a process: the checks are pure Python (~10 ms of CPU for a 1,000-token article). In a thread they
hold the GIL the event loop needs to read answers and send the next requests: at 16 in flight against
a 200 ms server a batch of 1,000-token articles lost a third of its throughput to them
(benchmarks/batch_throughput.py). In another process they cost the loop's process only the pickling
of two texts and the findings (~0.3 ms).

Why not `multiprocessing`: its `spawn` runs the caller's main script again in the child (a Python
user's unguarded script would start its batch twice), and `fork` in a process with threads (the
SDK's, asyncio.to_thread) can hand the child a lock no thread will release. A plain child process
that imports only the checks has neither problem. Frames on its stdin/stdout: 8-byte length, pickle;
both directions go through threads of ours, so the event loop never blocks on a full pipe.

Nothing is lost when the worker fails: an article it has not answered is checked by the caller, in
the batch's process (same findings). The worker ignores Ctrl-C (the terminal sends it to the whole process group)
and ends when its stdin closes: when the batch closes the pool, or when the batch's process dies.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from typing import IO, Any, Iterable

_LENGTH = struct.Struct(">Q")
WORKER_MODULE = "summarizer.checks_worker"
# A worker is ready ~0.6-1.0 s after its start; one still starting after this long is stuck (stopped,
# starved): a caller stops waiting for it and checks in its own process.
START_LIMIT = 3.0


def check_article(text: str, translation: str, summary: Iterable[Any], glossary: Iterable[Any], source_lang: str) -> tuple[list, float]:
    """Every finding about one article's translation, summary (`SummaryBullet`s: text and cited
    paragraphs) and glossary, errors first, and the seconds the checks took."""
    from summarizer.checks import check_brief

    global _resources_loaded
    summary = list(summary)
    started = time.perf_counter()
    findings = check_brief(text, translation, summary, glossary, source_lang=source_lang)
    _resources_loaded = True
    return findings, time.perf_counter() - started


# The warm-up pair: a few paragraphs with names, places, money, dates and times, so that every list is
# loaded. A one-sentence pair left the English word lists and exonyms to the first real article: ~0.07 s
# more of its check, paid while the other answers of the first wave wait for the event loop.
_WARM_SOURCE = ("Menteri Keuangan Sri Mulyani Indrawati mengatakan di Jakarta, Senin (22/3), bahwa ekonomi tumbuh 5,1 persen.\n\n"
                "Perusahaan Amazon memangkas 16.000 pekerjaan dan berinvestasi US$50 miliar di Jepang dan Amerika Serikat.\n\n"
                "Rapat dimulai pukul 13.00 WIB pada 23 Juli 2025 di Gedung Putih, Washington.")
_WARM_TRANSLATION = ("Finance Minister Sri Mulyani Indrawati said in Jakarta on Monday (22/3) that the economy grew 5.1 percent.\n\n"
                     "Amazon cut 16,000 jobs and invested US$50 billion in Japan and the United States.\n\n"
                     "The meeting started at 13:00 WIB on 23 July 2025 at the White House, Washington.")


_resources_loaded = False  # a check or load_resources has run in this process


def load_resources() -> None:
    """The checks' one-time loads (CLDR names, the Indonesian lexicon, the language model, every word
    list), by checking a small pair: ~0.24 s in a process that has imported the checks."""
    from summarizer.checks import check_translation

    global _resources_loaded
    check_translation(_WARM_SOURCE, _WARM_TRANSLATION, source_lang="id")
    _resources_loaded = True


def resources_loaded() -> bool:
    """Whether this process holds the checks' one-time loads already (~0.75 s of CPU in a fresh one)."""
    return _resources_loaded


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
    """One worker process and the two threads that feed it and read its answers."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self._pending: dict[int, Future] = {}
        self._pending_lock = threading.Lock()
        # Set by the batch for its last wave (its workers are running out of articles): an article that would
        # wait behind another in the worker is checked by the caller instead. The loop has few requests
        # left to serve by then, and both cores work off the backlog (96-article batches: +0-8 points
        # of the bare client's throughput, benchmarks/batch_throughput.py).
        self.finishing = False
        self._ids = itertools.count()
        self._created = time.monotonic()
        self._outbox: queue.Queue = queue.Queue()
        self._ready = threading.Event()
        self._started: Future = Future()  # True once the worker is ready, False if it ended before
        self._started_here: tuple[Any, asyncio.Future] | None = None  # (loop, _started wrapped for that loop)
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

    @property
    def starting(self) -> bool:
        return not self._started.done()

    def start_wait_left(self) -> float:
        """Seconds left of START_LIMIT since the worker was started (0 once passed): how long a caller
        whose own process has not loaded the checks may wait for it instead of loading them."""
        return max(0.0, START_LIMIT - (time.monotonic() - self._created))

    async def started_or(self, other: asyncio.Future) -> None:
        """Return when the worker has started (or ended before), or when `other` is done. Neither is
        cancelled: many articles wait on the one start."""
        loop = asyncio.get_running_loop()
        if self._started_here is None or self._started_here[0] is not loop:
            self._started_here = (loop, asyncio.wrap_future(self._started))  # once per loop, not once per wait
        await asyncio.wait({self._started_here[1], other}, return_when=asyncio.FIRST_COMPLETED)

    async def run(self, text: str, translation: str, summary: Iterable[Any], glossary: Iterable[Any], source_lang: str) -> tuple[list, float] | None:
        """check_article's answer from the worker, or None (not ready yet, or gone before answering)."""
        if not self.ready:
            return None
        future: Future = Future()
        with self._pending_lock:
            if self._gone.is_set() or (self.finishing and self._pending):
                return None
            ident = next(self._ids)
            self._pending[ident] = future
        self._outbox.put((ident, (text, translation, list(summary), list(glossary), source_lang)))
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        """Stop the worker (it finishes the article it holds and exits) and wait for it."""
        self._outbox.put(None)  # the writer closes the worker's stdin
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for thread in self._threads:
            thread.join(timeout=5)
        if self._process.stdout is not None:
            self._process.stdout.close()

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
                    _settle(self._started, True)
                    continue
                ident, ok, value = message
                with self._pending_lock:
                    future = self._pending.pop(ident, None)
                _settle(future, value if ok else None)  # a check that raised there: the caller checks it itself
        except (OSError, ValueError, pickle.UnpicklingError, EOFError):
            pass
        finally:
            with self._pending_lock:
                self._gone.set()
                pending, self._pending = list(self._pending.values()), {}
            for future in pending:
                _settle(future, None)  # the caller checks them itself
            if not self._started.done():
                _settle(self._started, False)


def _settle(future: Future | None, value: Any) -> None:
    """Answer a caller, unless it is no longer waiting (its task was cancelled)."""
    if future is not None and future.set_running_or_notify_cancel():
        future.set_result(value)


def main() -> int:
    """The worker: reads (id, check_article arguments) frames on stdin until it closes, answers (id,
    ok, findings and seconds, or the error's text) on stdout. Anything else printed goes to stderr."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the batch decides when we stop: it closes our stdin
    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr
    load_resources()
    write_frame(outbox, "ready")
    while (message := read_frame(inbox)) is not None:
        ident, arguments = message
        try:
            answer = (ident, True, check_article(*arguments))
        except Exception as err:  # noqa: BLE001 - one article's failure is reported, the worker goes on
            answer = (ident, False, f"{type(err).__name__}: {err}")
        write_frame(outbox, answer)
    return 0


if __name__ == "__main__":
    code = main()
    # Skip the interpreter's teardown: freeing the word lists, the language model and every cached
    # pattern took 0.15-0.25 s, and a batch waits for its worker to end before it returns. Nothing is
    # left to flush but the two streams.
    sys.stdout.flush()
    sys.__stdout__.flush()
    os._exit(code)
