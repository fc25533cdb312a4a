"""The checks of one article, and a worker process that runs them (and reads the articles) for a batch.

    check_article(text, translation, summary, glossary, source_lang) -> ([Finding], seconds)
    pool = CheckPool()      starts one worker process (`python -m summarizer.checks_worker`), which
                            loads the checks' resources at once, while the batch's first requests are out,
                            then forks SIBLINGS siblings (loaded already) that take what would queue behind it
    pool.ready              True once it has (until then, and if all die, the caller checks in its own process)
    pool.starting           True while it loads (~0.4-0.6 s): the caller decides whether to wait or check itself
    await pool.started_or(f)   returns when the worker is ready (or gone), or the asyncio future f is done
    pool.finishing = True   the batch's last wave: every process takes articles; one that would still queue is
                            checked by the caller, when the caller has the checks loaded
    await pool.run(...)     check_article in a worker process; None when none is ready, or it died first
    await pool.load(path)   load_article (sources.load_source) there, or None: the caller loads it itself
    pool.close()            stops the processes and waits for them
    pool = shared_pool()    the pool the process's last batch left (alive), else a new one; and when done,
    release_pool(pool)      keeps it POOL_LINGER seconds for the next batch of this process, then closes it
    prestart_pool()         starts one now for the batch about to run (the CLI, before its own start-up)

Why a process: the checks are pure Python (~10 ms of CPU for a 1,000-token article). In a thread they
hold the GIL the event loop needs to read answers and send the next requests: at 16 in flight against
a 200 ms server a batch of 1,000-token articles lost a third of its throughput to them
(benchmarks/batch_throughput.py). In another process they cost the loop's process only the pickling
of two texts and the findings (~0.3 ms).

Why not `multiprocessing`: its `spawn` runs the caller's main script again in the child (a Python
user's unguarded script would start its batch twice), and `fork` in a process with threads (the
SDK's, asyncio.to_thread) can hand the child a lock no thread will release. A plain child process
that imports only the checks has neither problem; it has no threads of its own, so it may fork its
siblings (started with one BLAS thread). Frames on its stdin/stdout (a sibling's: two pipes passed
to the worker): 8-byte length, pickle; both directions go through threads of ours, so the event loop
never blocks on a full pipe.

Nothing is lost when a worker process fails: an article it has not answered is checked by the caller,
in the batch's process (same findings). The processes ignore Ctrl-C (the terminal sends it to the whole
process group) and end when their input closes: when the batch closes the pool, or when the batch's
process dies; the worker waits for its siblings, so none is left behind.
"""

from __future__ import annotations

import atexit
import gc
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
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable

from summarizer.collector import paused

if TYPE_CHECKING:
    import asyncio  # the pool's caller has it; the worker process, which never uses it, does not import it

_LENGTH = struct.Struct(">Q")
WORKER_MODULE = "summarizer.checks_worker"
# A worker is ready ~0.4-0.8 s after its start; one still starting after this long is stuck (stopped,
# starved): a caller stops waiting for it and checks in its own process.
START_LIMIT = 3.0
# Processes the worker forks once it is loaded, beside itself (see CheckPool; none on a system without
# fork), and how many articles the worker holds before the next goes to a sibling: the siblings take
# the bursts, the worker alone keeps up between them (a sibling taking every other article competed
# with the event loop for the two cores: 400 articles, 16 in flight, +0 points; with the backlog rule
# +1.2 points of the bare client's throughput, median of 4 paired rounds, the last wave's checks
# 27-266 ms -> 15-22 ms after the last answer, benchmarks/batch_throughput.py)
SIBLINGS = 1
SIBLING_BACKLOG = 4
# The niceness the checking processes serve at, once loaded (their start, while the first answers wait
# for it, runs at the caller's priority). The answers come back in waves, and a wave's checks wanted
# the cores at the moment the event loop was sending the next wave's requests: at a lower priority the
# checks take the time the loop leaves (96 articles, 16 in flight, 200 ms server, 12 paired rounds:
# +1.8 points of the bare client's throughput with 10, +1.0 with 5; 400 articles: no difference). On a
# machine kept busy by other work they get less of it, and an answer then waits longer for its checks:
# a batch against a slower endpoint leaves them more than enough.
SERVING_NICENESS = 10
# Seconds a pool outlives its batch, for the next batch of the same process (a notebook, a service, a
# benchmark's rounds): its ~0.4-0.6 s start, while the first answers wait, is paid once. Closed at
# exit, or when the process dies (its processes see their input close).
POOL_LINGER = 30.0
# How long a pool started ahead of its batch waits for it (`prestart_pool`): a CLI run may first start a
# local model server, which takes minutes for a big model.
PRESTART_LINGER = 600.0


def check_article(text: str, translation: str, summary: Iterable[Any], glossary: Iterable[Any], source_lang: str) -> tuple[list, float]:
    """Every finding about one article's translation, summary (`SummaryBullet`s: text and cited
    paragraphs) and glossary, errors first, and the seconds the checks took."""
    global _resources_loaded
    summary = list(summary)
    started = time.perf_counter()
    with paused(not _resources_loaded):  # the first check of a process loads them
        from summarizer.checks import check_brief

        findings = check_brief(text, translation, summary, glossary, source_lang=source_lang)
    _resources_loaded = True
    return findings, time.perf_counter() - started


def load_article(path: str, data: bytes | None) -> Any:
    """`sources.load_source(path, data=data)`: read, decode, clean, identify the language (the batch's
    loads, done here when the pool is ready: ~1.5-2.5 ms of the event loop's process per article)."""
    from summarizer.sources import load_source

    return load_source(path, data=data)


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
    list), by checking a small pair: ~0.35-0.5 s in a fresh process."""
    global _resources_loaded
    with paused():
        from summarizer.checks import check_translation
        from summarizer.sources import load_source

        check_translation(_WARM_SOURCE, _WARM_TRANSLATION, source_lang="id")
        load_source("warm-up", data=_WARM_SOURCE.encode("utf-8"))  # the loader's modules, for load_article
    _resources_loaded = True


def resources_loaded() -> bool:
    """Whether this process holds the checks' one-time loads already (~0.5 s of CPU in a fresh one)."""
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


class _Channel:
    """One checking process's input and output pipes, and the two threads that feed and read them."""

    def __init__(self, name: str, into: IO[bytes], out_of: IO[bytes], pool: "CheckPool") -> None:
        self.name, self._into, self._out_of, self._pool = name, into, out_of, pool
        self.pending: dict[int, Future] = {}  # under the pool's lock
        self.pid: int | None = None  # the process's, from its "ready" frame
        self.outbox: queue.Queue = queue.Queue()
        self.ready = threading.Event()
        self.gone = threading.Event()
        self.threads = [threading.Thread(target=self._write, daemon=True, name=f"checks-writer-{name}"),
                        threading.Thread(target=self._read, daemon=True, name=f"checks-reader-{name}")]
        for thread in self.threads:
            thread.start()

    @property
    def usable(self) -> bool:
        return self.ready.is_set() and not self.gone.is_set()

    def _write(self) -> None:
        try:
            while (message := self.outbox.get()) is not None:
                write_frame(self._into, message)
        except (BrokenPipeError, OSError):
            self.gone.set()
        finally:
            try:
                self._into.close()
            except OSError:
                pass

    def _read(self) -> None:
        try:
            while (message := read_frame(self._out_of)) is not None:
                if isinstance(message, tuple) and message[0] == "ready":
                    self.pid = message[1]
                    self.ready.set()
                    self._pool._channel_ready()
                    continue
                ident, ok, value = message
                with self._pool._pending_lock:
                    future = self.pending.pop(ident, None)
                _settle(future, value if ok else None)  # a check that raised there: the caller checks it itself
        except (OSError, ValueError, pickle.UnpicklingError, EOFError):
            pass
        finally:
            with self._pool._pending_lock:
                self.gone.set()
                pending, self.pending = list(self.pending.values()), {}
            for future in pending:
                _settle(future, None)  # the caller checks them itself
            try:
                self._out_of.close()
            except OSError:
                pass
            self._pool._channel_gone()


class CheckPool:
    """The worker process, the sibling it forks once loaded, and a channel (pipes, threads) to each.

    Why a sibling: the answers of a batch come back in waves (16 within a few ms, every 200 ms against
    a 200 ms server), and one process checks them one after the other: the wave's last article waited
    for the 15 before it, and the batch's last wave made the run ~0.1 s longer. A fork of the loaded
    worker starts at once and shares its pages until it writes them. Each check goes to the process
    with fewer articles waiting."""

    def __init__(self, siblings: int | None = None) -> None:
        siblings = SIBLINGS if siblings is None else siblings
        if not hasattr(os, "fork"):
            siblings = 0
        pipes = [(os.pipe(), os.pipe()) for _ in range(siblings)]  # per sibling: (its input), (its output)
        passed = [fd for (into, out_of) in pipes for fd in (into[0], out_of[1])]
        worker_in, worker_out = os.pipe(), os.pipe()
        environment = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")  # no BLAS threads to fork with
        # pydantic looks for plugins in every installed package's entry points at its first model
        # (~15-40 ms of the worker's start, which a short batch's answers wait for); the worker only
        # builds findings, which no plugin needs to see. A value the user set is kept.
        environment.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
        self._pending_lock = threading.Lock()
        # Set by the batch for its last wave (its workers are running out of articles): every process
        # takes articles, and one that would still wait behind another is checked by the caller, if the
        # caller's process has the checks loaded (else it would load them first: ~0.75 s). The loop has
        # few requests left to serve by then (96-article batches: +0-8 points of the bare client's
        # throughput, benchmarks/batch_throughput.py).
        self.finishing = False
        self._ids = itertools.count()
        self._created = time.monotonic()
        self._started: Future = Future()  # True once a process is ready, False if all ended before
        self._started_here: tuple[Any, asyncio.Future] | None = None  # (loop, _started wrapped for that loop)
        # The channels (and their threads) before the process: a thread started just after the worker
        # waits for a core the new process holds, ~2 ms per thread on two cores (8.6 ms for four vs
        # 1.0 ms before it), on the batch's main thread before its first request
        self._channels = [_Channel("worker", os.fdopen(worker_in[1], "wb"), os.fdopen(worker_out[0], "rb"), self)]
        self._channels += [_Channel(f"sibling{n}", os.fdopen(into[1], "wb"), os.fdopen(out_of[0], "rb"), self)
                           for n, (into, out_of) in enumerate(pipes, 1)]
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", WORKER_MODULE, *(["--siblings", ",".join(map(str, passed))] if passed else [])],
                stdin=worker_in[0], stdout=worker_out[1], stderr=subprocess.DEVNULL, pass_fds=passed, env=environment,
            )
        except BaseException:
            for channel in self._channels:
                channel.outbox.put(None)  # its writer closes the input; the reader ends once the output's write end closes below
            raise
        finally:
            for fd in (worker_in[0], worker_out[1], *passed):
                os.close(fd)  # the processes' ends: each reader sees the end of its input when its process ends

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def pids(self) -> list[int]:
        """The processes serving: ready and not gone (the worker's first)."""
        return [channel.pid for channel in self._channels if channel.usable and channel.pid is not None]

    @property
    def ready(self) -> bool:
        return any(channel.usable for channel in self._channels)

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
        import asyncio

        loop = asyncio.get_running_loop()
        if self._started_here is None or self._started_here[0] is not loop:
            self._started_here = (loop, asyncio.wrap_future(self._started))  # once per loop, not once per wait
        await asyncio.wait({self._started_here[1], other}, return_when=asyncio.FIRST_COMPLETED)

    async def run(self, text: str, translation: str, summary: Iterable[Any], glossary: Iterable[Any], source_lang: str) -> tuple[list, float] | None:
        """check_article's answer from a worker process, or None (none ready yet, or gone before answering)."""
        def choose(usable: list[_Channel]) -> _Channel | None:
            channel = usable[0]
            if self.finishing or len(channel.pending) >= SIBLING_BACKLOG:
                channel = min(usable, key=lambda c: len(c.pending))  # the first (the worker) on a tie
            if self.finishing and channel.pending and resources_loaded():
                return None
            return channel

        return await self._ask(choose, "check", (text, translation, list(summary), list(glossary), source_lang))

    async def load(self, path: str, data: bytes | None = None) -> Any:
        """`load_article` in the least busy process, or None (none serving, or the load failed there:
        the caller loads it itself, and so gets the file's error as a local load gives it)."""
        return await self._ask(lambda usable: min(usable, key=lambda c: len(c.pending)), "load", (path, data))

    async def _ask(self, choose: Callable[[list[_Channel]], _Channel | None], kind: str, arguments: tuple) -> Any:
        """Send `kind` with `arguments` to the serving process `choose` picks (None: nobody, the caller
        does it), and wait for its answer (None when it failed or died first)."""
        import asyncio

        future: Future = Future()
        with self._pending_lock:
            usable = [channel for channel in self._channels if channel.usable]
            channel = choose(usable) if usable else None
            if channel is None:
                return None
            ident = next(self._ids)
            channel.pending[ident] = future
        channel.outbox.put((ident, kind, arguments))
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        """Stop the processes (each finishes the article it holds and exits; the worker waits for its
        siblings) and wait for them."""
        for channel in self._channels:
            channel.outbox.put(None)  # its writer closes the process's input
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for channel in self._channels:
            for thread in channel.threads:
                thread.join(timeout=5)

    def _channel_ready(self) -> None:
        if not self._started.done():
            _settle(self._started, True)

    def _channel_gone(self) -> None:
        if all(channel.gone.is_set() for channel in self._channels) and not self._started.done():
            _settle(self._started, False)


_idle_lock = threading.Lock()
_idle: tuple[CheckPool, threading.Timer] | None = None  # the pool the last batch left, and its closing timer


def shared_pool() -> CheckPool:
    """A pool for a batch: the one this process's last batch left, when it still has a process serving
    or starting, else a new one. One batch at a time holds it (a second batch at once gets its own)."""
    global _idle
    with _idle_lock:
        idle, _idle = _idle, None
    if idle is not None:
        pool, timer = idle
        timer.cancel()
        if pool.ready or pool.starting:
            pool.finishing = False
            return pool
        pool.close()
    return CheckPool()


def prestart_pool() -> None:
    """Start a pool now, for the batch this process is about to run (`shared_pool` hands it over). The
    CLI calls this before its own imports, settings and session (~0.6 s), so the worker's start (~0.6 s)
    overlaps them and it is ready about when the first answers come back."""
    try:
        pool = CheckPool()
    except OSError:
        return  # the batch tries again itself, and checks in a thread if it cannot start one either
    release_pool(pool, linger=PRESTART_LINGER)


def release_pool(pool: CheckPool, linger: float | None = None) -> None:
    """The batch is done with `pool`: kept `linger` (POOL_LINGER) seconds for the next batch of this
    process, then closed; closed now with a linger of 0 or when another pool is kept already."""
    global _idle
    linger = POOL_LINGER if linger is None else linger
    if linger > 0:
        timer = threading.Timer(linger, _close_idle, args=(pool,))
        timer.daemon = True
        with _idle_lock:
            if _idle is None:
                _idle = (pool, timer)
                timer.start()
                return
    pool.close()


def _close_idle(pool: CheckPool | None = None) -> None:
    """Close the kept pool (if it is `pool`, when given): its timer's end, and the process's exit."""
    global _idle
    with _idle_lock:
        if _idle is None or (pool is not None and _idle[0] is not pool):
            return
        (kept, timer), _idle = _idle, None
    timer.cancel()
    kept.close()


atexit.register(_close_idle)


def _settle(future: Future | None, value: Any) -> None:
    """Answer a caller, unless it is no longer waiting (its task was cancelled)."""
    if future is not None and future.set_running_or_notify_cancel():
        future.set_result(value)


def main(argv: list[str] | None = None) -> int:
    """The worker: reads (id, check_article arguments) frames on stdin until it closes, answers (id,
    ok, findings and seconds, or the error's text) on stdout. Anything else printed goes to stderr.
    `--siblings R,W,...`: once loaded, fork one sibling per pair of descriptors (its input, its output),
    which serves them the same way; the worker waits for its siblings before it ends."""
    import signal

    argv = sys.argv[1:] if argv is None else argv
    pairs: list[tuple[int, int]] = []
    if len(argv) == 2 and argv[0] == "--siblings":
        fds = [int(fd) for fd in argv[1].split(",")]
        pairs = list(zip(fds[0::2], fds[1::2]))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the batch decides when we stop: it closes our stdin
    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr
    # The loads' lasting objects (see summarizer.collector), frozen for good once made: never walked by the
    # collector again, nor written to by a walk in a forked sibling, which keeps sharing their pages.
    # The checks' own garbage is collected as usual.
    with paused():
        load_resources()
        gc.freeze()
    if hasattr(os, "nice"):
        os.nice(SERVING_NICENESS)  # once loaded: the siblings forked below inherit it
    if pairs:
        # a sibling that dies is reaped at once, not left a zombie until the worker ends; waitpid below
        # still blocks until each has ended (then reports it gone)
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    children = []
    for into, out_of in pairs:
        try:
            child = os.fork()
        except OSError:
            child = -1  # no sibling: the pool sees its pipes close and sends it nothing
        if child == 0:
            for other_into, other_out_of in pairs:  # a sibling holds only its own two pipes
                if (other_into, other_out_of) != (into, out_of):
                    os.close(other_into)
                    os.close(other_out_of)
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, 0)  # the worker's input and output are not ours: the pool must see them end with it
            os.dup2(2, 1)
            os.close(null)
            return _serve(os.fdopen(into, "rb"), os.fdopen(out_of, "wb"))
        if child > 0:
            children.append(child)
    for into, out_of in pairs:
        os.close(into)
        os.close(out_of)
    code = _serve(inbox, outbox)
    for child in children:
        try:
            os.waitpid(child, 0)
        except ChildProcessError:
            pass
    return code


def _serve(inbox: IO[bytes], outbox: IO[bytes]) -> int:
    write_frame(outbox, ("ready", os.getpid()))
    while (message := read_frame(inbox)) is not None:
        ident, kind, arguments = message
        try:
            answer = (ident, True, check_article(*arguments) if kind == "check" else load_article(*arguments))
        except Exception as err:  # noqa: BLE001 - one article's failure is reported, the worker goes on
            answer = (ident, False, f"{type(err).__name__}: {err}")
        write_frame(outbox, answer)
    outbox.flush()
    return 0


if __name__ == "__main__":
    code = main()
    # Skip the interpreter's teardown: freeing the word lists, the language model and every cached
    # pattern took 0.15-0.25 s, and a batch waits for its worker to end before it returns. Nothing is
    # left to flush but the two streams.
    sys.stdout.flush()
    sys.__stdout__.flush()
    os._exit(code)
