"""The checks' worker process: the same findings as in-process checks, a clean stop, a dead worker
means checks in a thread, and a long batch runs one and leaves none behind."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path
from typing import Iterator

import pytest
from helpers import SEED_000, run_cli
from test_batch import batch_in_process, make_folder

from summarizer.batch import BatchOptions
from summarizer import checks_worker
from summarizer.batch import runner
from summarizer.checks_worker import SERVING_NICENESS, SIBLING_BACKLOG, START_LIMIT, CheckPool, check_article, load_resources
from summarizer.errors import InputError
from summarizer.schemas import GlossaryEntry, SummaryBullet
from summarizer.sources import load_source

SEED_000_EN = Path(__file__).resolve().parent / "data" / "checks" / "seed000.en.txt"


def wait_ready(pool: CheckPool, processes: int = 1) -> None:
    """Until `processes` of the pool's processes (the worker, then its siblings) are ready."""
    deadline = time.monotonic() + 120  # a wait on a loaded machine, not a timing assertion
    while not (pool.ready and len(pool.pids) >= processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.ready and len(pool.pids) >= processes


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def ended(pid: int) -> bool:
    """Whether `pid` has ended and been reaped (waits up to 30 s for it: not a timing assertion)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


CHECK = ("Harga naik 5 persen pada 2024.", "Prices rose 7 percent in 2024.", [], [], "id")


def at_once(pool: CheckPool, count: int) -> list:
    """`count` checks of CHECK sent together; each answer (None: handed back to the caller)."""
    async def together():
        return await asyncio.gather(*(pool.run(*CHECK) for _ in range(count)))

    return asyncio.run(together())


def test_the_worker_forks_a_sibling_that_takes_what_would_queue_behind_it():
    """A busy worker (stopped here) holds SIBLING_BACKLOG articles; the next goes to its sibling, a fork
    of the loaded worker, which answers with the findings of the checks in process."""
    pool = CheckPool(siblings=1)
    worker = pool.pid
    try:
        wait_ready(pool, processes=2)
        assert pool.pids[0] == worker and parent_of(pool.pids[1]) == worker
        sibling = pool.pids[1]
        os.kill(worker, signal.SIGSTOP)

        async def while_the_worker_is_stopped():
            tasks = [asyncio.ensure_future(pool.run(*CHECK)) for _ in range(SIBLING_BACKLOG + 1)]
            await asyncio.wait(tasks, timeout=120, return_when=asyncio.FIRST_COMPLETED)
            answered = [task.done() for task in tasks]
            os.kill(worker, signal.SIGCONT)
            return answered, await asyncio.gather(*tasks)

        answered, answers = asyncio.run(while_the_worker_is_stopped())
    finally:
        os.kill(worker, signal.SIGCONT)
        pool.close()
    assert answered == [False] * SIBLING_BACKLOG + [True]  # only the sibling's, while the worker was stopped
    expected, _ = check_article(*CHECK)
    assert all(findings == expected for findings, _ in answers) and any(f.severity == "error" for f in expected)
    assert ended(sibling) and worker_children() == []  # the sibling ended with the pool, reaped by the worker


@pytest.fixture
def two_processes() -> Iterator[CheckPool]:
    """A pool whose worker and sibling are both serving; closed after the test."""
    pool = CheckPool(siblings=1)
    try:
        wait_ready(pool, processes=2)
        yield pool
    finally:
        pool.close()


def test_a_finishing_pool_spreads_the_last_wave_over_worker_and_sibling(two_processes):
    """The last wave: two articles at once go to the two processes, not one after the other."""
    two_processes.finishing = True
    assert None not in at_once(two_processes, 2)


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="no process priorities here")
def test_the_serving_processes_take_the_time_the_event_loop_leaves(two_processes):
    """Once loaded, worker and sibling run at SERVING_NICENESS more than the batch's process, so a
    wave's checks do not take the cores from the loop sending the next wave's requests."""
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert len(two_processes.pids) == 2
    for pid in two_processes.pids:
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, ours + SERVING_NICENESS)


def test_a_dead_sibling_leaves_the_checks_to_the_worker(two_processes):
    pool = two_processes
    sibling = pool.pids[1]
    os.kill(sibling, signal.SIGKILL)
    assert ended(sibling)  # the worker reaps it
    deadline = time.monotonic() + 60
    while pool.pids != [pool.pid] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert None not in at_once(pool, SIBLING_BACKLOG + 2) and pool.ready


def worker_children() -> list[int]:
    """Our child processes running the checks worker."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and b"summarizer.checks_worker" in command:
            found.append(int(entry.name))
    return found


def test_worker_gives_the_findings_of_the_checks_in_process():
    source, translation = load_source(SEED_000).text, load_source(SEED_000_EN).text.replace("16,000", "17,000")
    summary = [SummaryBullet(text="Amazon is cutting 16,000 jobs.", paragraphs=[1]), SummaryBullet(text="It invests US$60 billion.", paragraphs=[1])]
    glossary = [GlossaryEntry(term="layoff", source_term="PHK", definition="Termination of employment.", paragraphs=[1])]
    pool = CheckPool()
    try:
        wait_ready(pool)
        findings, seconds = asyncio.run(pool.run(source, translation, summary, glossary, "id"))
    finally:
        pool.close()
    expected, _ = check_article(source, translation, summary, glossary, "id")
    assert findings == expected and seconds > 0
    assert any("17,000" in f.message or "16,000" in f.message for f in findings)  # the changed number, found by the worker
    assert pool._process.returncode == 0 and worker_children() == []  # noqa: SLF001 - the child exited by itself


def test_a_finishing_pool_hands_back_an_article_that_would_queue_behind_another():
    """The batch's last wave: the second article goes to a thread (None) instead of waiting in the
    worker, in a process that has the checks loaded (one that has not would load them first)."""
    load_resources()
    pool = CheckPool(siblings=0)
    try:
        wait_ready(pool)

        async def two_at_once():
            return await asyncio.gather(*(pool.run("Harga naik 5 persen.", "Prices rose 5 percent.", [], [], "id") for _ in range(2)))

        assert None not in asyncio.run(two_at_once()), "not finishing: both go to the worker"
        pool.finishing = True
        first, second = asyncio.run(two_at_once())
        assert first is not None and second is None
    finally:
        pool.close()


def test_a_dead_worker_leaves_the_checks_to_its_sibling(two_processes):
    pool = two_processes
    sibling = pool.pids[1]
    os.kill(pool.pid, signal.SIGKILL)
    pool._process.wait()  # noqa: SLF001
    deadline = time.monotonic() + 60
    while pool.pids != [sibling] and time.monotonic() < deadline:  # the pool has seen the worker's pipes close
        time.sleep(0.05)
    expected, _ = check_article(*CHECK)
    findings, _ = asyncio.run(pool.run(*CHECK))
    assert findings == expected and pool.ready
    pool.close()
    assert ended(sibling)  # its input closed with the pool


def test_a_dead_worker_means_checks_in_a_thread():
    pool = CheckPool(siblings=0)  # (with a sibling, the sibling takes them: the test above)
    try:
        wait_ready(pool)
        os.kill(pool.pid, signal.SIGKILL)
        pool._process.wait()  # noqa: SLF001
        deadline = time.monotonic() + 60
        while pool.ready and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not pool.ready
        assert asyncio.run(pool.run("Harga naik 5 persen.", "Prices rose 5 percent.", [], [], "id")) is None
    finally:
        pool.close()
    assert worker_children() == []


def test_a_worker_that_cannot_start_leaves_no_thread_or_descriptor_behind(monkeypatch, tmp_path):
    # the pool's threads start before its process: when the process cannot start, they must end
    # and every pipe must close (a batch then checks in a thread; nothing leaks into the next batch)
    import threading

    def checks_threads() -> list[str]:
        return [t.name for t in threading.enumerate() if t.name.startswith("checks-")]

    before_fds, before_threads = set(os.listdir("/proc/self/fd")), checks_threads()
    monkeypatch.setattr("sys.executable", str(tmp_path / "no-such-python"))
    with pytest.raises(OSError):
        CheckPool()
    deadline = time.monotonic() + 10
    while checks_threads() != before_threads and time.monotonic() < deadline:
        time.sleep(0.02)
    assert checks_threads() == before_threads
    assert set(os.listdir("/proc/self/fd")) <= before_fds


def test_the_worker_ignores_ctrl_c_and_ends_when_its_input_closes():
    pool = CheckPool()
    try:
        wait_ready(pool)
        os.kill(pool.pid, signal.SIGINT)  # the terminal sends Ctrl-C to the whole process group
        time.sleep(0.3)
        assert pool.ready and pool._process.poll() is None  # noqa: SLF001
    finally:
        pool.close()
    assert pool._process.returncode == 0 and worker_children() == []  # noqa: SLF001


def test_a_long_batch_checks_in_a_worker_and_leaves_none_behind(llm_server, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "POOL_MIN_ARTICLES", 6)  # the threshold is about speed; 6 articles show the behaviour
    make_folder(tmp_path / "news", 6)
    seen: list[int] = []

    def progress(event) -> None:
        if event.kind == "finished":
            seen.extend(worker_children())

    report = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=4), progress=progress)
    assert report.done == 6 and report.failed == 0
    assert len(set(seen)) == 1  # one worker, alive while articles finished
    assert worker_children() == []  # and stopped with the batch
    lines = (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6 and all(isinstance(json.loads(line)["checks"], list) for line in lines)


def test_a_batch_whose_worker_cannot_start_checks_in_its_own_process(llm_server, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "POOL_MIN_ARTICLES", 6)
    monkeypatch.setattr("sys.executable", str(tmp_path / "no-such-python"))  # Popen fails: no worker
    checks_worker.prestart_pool()  # the CLI's early start: nothing, and no error
    make_folder(tmp_path / "news", 6)
    report = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=2))
    assert report.done == 6 and report.failed == 0
    lines = (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6 and all(isinstance(json.loads(line)["checks"], list) for line in lines)
    assert worker_children() == []


def test_a_batch_checks_in_a_worker_from_its_second_wave_of_articles(tmp_path):
    """One wave of requests (no more articles than `concurrency`) or a handful of articles: checked in
    the batch's process; more: in a worker, whose start then overlaps the first waves."""
    floor = runner.POOL_MIN_ARTICLES
    for articles, concurrency, checks, pooled in [
        (floor, 4, True, True), (floor, floor, True, False), (floor + 1, floor, True, True),
        (20, 16, True, True), (16, 16, True, False), (floor - 1, 2, True, False),
        (floor + 1, 1, True, False), (floor + 1, 4, False, False),
    ]:
        folder = tmp_path / f"news-{articles}"
        if not folder.exists():
            make_folder(folder, articles)
        assert runner.checks_in_a_pool([folder], concurrency=concurrency, run_checks=checks) is pooled, (articles, concurrency, checks)


def test_a_second_batch_of_the_process_reuses_the_pool_the_first_one_left(llm_server, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "POOL_MIN_ARTICLES", 6)
    monkeypatch.setattr(checks_worker, "POOL_LINGER", 60.0)
    make_folder(tmp_path / "news", 6)
    seen: list[list[int]] = [[], []]
    try:
        for run in range(2):
            def progress(event, run=run) -> None:
                if event.kind == "finished":
                    seen[run].extend(worker_children())

            report = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / f"out{run}", concurrency=4), progress=progress)
            assert report.done == 6 and report.failed == 0
            assert len(set(seen[run])) == 1 and worker_children() == seen[run][:1]  # kept after the batch
        assert seen[0][0] == seen[1][0]  # the same worker: its start paid once
    finally:
        checks_worker._close_idle()  # noqa: SLF001 - what the process's exit does
    assert worker_children() == []


def test_a_serving_pool_loads_the_articles_and_a_bad_file_fails_as_a_load_here_says(llm_server, tmp_path, monkeypatch):
    """With the pool serving from the start (the process's last batch left it), the articles are read,
    cleaned and identified in its processes; a file that cannot be loaded there is loaded here, so its
    error is the one a load here gives."""
    monkeypatch.setattr(runner, "POOL_MIN_ARTICLES", 6)
    monkeypatch.setattr(checks_worker, "POOL_LINGER", 60.0)
    paths = make_folder(tmp_path / "news", 6)
    (tmp_path / "news" / "kosong.txt").write_bytes(b"")
    serving = CheckPool()
    wait_ready(serving, processes=2)
    checks_worker.release_pool(serving)
    loaded_here: list[str] = []
    load_and_plan = runner.BatchRun._load_and_plan

    def recording(self, item):
        loaded_here.append(Path(item.source).name)
        return load_and_plan(self, item)

    monkeypatch.setattr(runner.BatchRun, "_load_and_plan", recording)
    try:
        report = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=4))
    finally:
        checks_worker._close_idle()  # noqa: SLF001
    assert report.done == 6 and report.failed == 1 and loaded_here == ["kosong.txt"]
    with pytest.raises(InputError) as here:
        load_source(tmp_path / "news" / "kosong.txt")
    assert report.failures[0]["error"] == str(here.value)
    results = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    for result in results:  # the pool's load is the load here: same text, same language
        local = load_source(Path(result["source"]))
        assert result["source_language"] == local.language and Path(result["source"]) in paths


def test_a_kept_pool_closes_when_its_linger_ends_and_a_dead_one_is_replaced():
    pool = CheckPool(siblings=0)
    wait_ready(pool)
    checks_worker.release_pool(pool, linger=0.2)
    deadline = time.monotonic() + 60  # the timer's end on a loaded machine: not a timing assertion
    while pool._process.poll() is None and time.monotonic() < deadline:  # noqa: SLF001
        time.sleep(0.05)
    assert pool._process.returncode == 0 and worker_children() == []  # noqa: SLF001 - closed, not killed

    kept = CheckPool(siblings=0)
    wait_ready(kept)
    checks_worker.release_pool(kept, linger=60)
    os.kill(kept.pid, signal.SIGKILL)
    kept._process.wait()  # noqa: SLF001
    while kept.ready and time.monotonic() < deadline:
        time.sleep(0.05)
    fresh = checks_worker.shared_pool()
    try:
        assert fresh is not kept and fresh.pid != kept.pid
    finally:
        fresh.close()
    assert worker_children() == []


def test_a_batch_marks_only_its_last_wave_as_finishing(llm_server, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "POOL_MIN_ARTICLES", 6)
    make_folder(tmp_path / "news", 10)
    asked: list[bool] = []  # `finishing` as each article's check reached the worker, then when the batch closed it
    run, close = CheckPool.run, CheckPool.close

    async def recording_run(self, *args):
        asked.append(self.finishing)
        return await run(self, *args)

    def recording_close(self):
        asked.append(self.finishing)
        close(self)

    def ready_at_once(self):  # every article then goes to the worker, none to the thread that checks while it loads
        init(self)
        wait_ready(self)

    init = CheckPool.__init__
    monkeypatch.setattr(CheckPool, "__init__", ready_at_once)
    monkeypatch.setattr(CheckPool, "run", recording_run)
    monkeypatch.setattr(CheckPool, "close", recording_close)
    report = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=2), progress=None)
    assert report.done == 10 and len(asked) == 11
    # no worker has taken its stop sign before the first article is checked; all of them have by the close
    assert asked[0] is False and asked[-1] is True, asked


def test_while_the_worker_loads_articles_are_checked_in_a_thread_instead_of_waiting(llm_server, tmp_path, monkeypatch):
    """A worker that never gets ready (stopped as it starts), in a process that has the checks loaded:
    no article waits for it, every article is checked here, with the findings of the checks in process."""
    load_resources()  # (a process without them waits for the worker: the test below)
    monkeypatch.setattr(runner, "POOL_MIN_ARTICLES", 6)
    make_folder(tmp_path / "news", 6)
    asked_the_worker: list[bool] = []
    init, run, close = CheckPool.__init__, CheckPool.run, CheckPool.close

    def stopped_at_start(self):
        init(self)
        os.kill(self.pid, signal.SIGSTOP)

    async def recording_run(self, *args):
        asked_the_worker.append(self.ready)
        return await run(self, *args)

    def resumed_close(self):
        os.kill(self.pid, signal.SIGCONT)  # so that it can see its input close and end
        close(self)

    monkeypatch.setattr(CheckPool, "__init__", stopped_at_start)
    monkeypatch.setattr(CheckPool, "run", recording_run)
    monkeypatch.setattr(CheckPool, "close", resumed_close)
    report = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=4), progress=None)
    assert report.done == 6 and report.failed == 0
    assert asked_the_worker == []  # nobody waited on the loading worker (before: each article waited up to 2 s, then went to the thread)
    for line in (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines():
        result = json.loads(line)
        source = load_source(Path(result["source"])).text
        summary = [SummaryBullet(**bullet) for bullet in result["summary"]]
        glossary = [GlossaryEntry(**entry) for entry in result["glossary"]]
        expected, _ = check_article(source, result["translation"], summary, glossary, result["source_language"])
        assert [finding.model_dump(mode="json") for finding in expected] == result["checks"]
    assert worker_children() == []


# A batch in a fresh process (as `summarizer batch` runs), its worker stopped at start when asked:
# prints where each article was checked and whether this process loaded the checks.
_FRESH_BATCH = """
import asyncio, json, os, signal, sys, time
from pathlib import Path
from summarizer import checks_worker
from summarizer.api import Session
from summarizer.batch import BatchOptions, run_batch, runner

runner.POOL_MIN_ARTICLES = 6
by_worker, init = [], checks_worker.CheckPool.__init__
run, close = checks_worker.CheckPool.run, checks_worker.CheckPool.close
def started(self):
    init(self)
    if sys.argv[3] == "stop":
        os.kill(self.pid, signal.SIGSTOP)
async def recording(self, *args):
    answer = await run(self, *args)
    by_worker.append(answer is not None)
    return answer
def resumed_close(self):
    os.kill(self.pid, signal.SIGCONT)
    close(self)
checks_worker.CheckPool.__init__, checks_worker.CheckPool.run = started, recording
checks_worker.CheckPool.close = resumed_close

async def main():
    session = Session(base_url=sys.argv[1], model="test-model")
    try:
        return await run_batch(session, [Path(sys.argv[2]) / "news"], BatchOptions(out_dir=Path(sys.argv[2]) / "out", concurrency=4))
    finally:
        await session.aclose()

started_at = time.monotonic()
report = asyncio.run(main())
print(json.dumps({"done": report.done, "by_worker": sum(by_worker), "loaded_here": checks_worker.resources_loaded(),
                  "seconds": time.monotonic() - started_at}))
"""


def _fresh_batch(server, tmp_path: Path, worker: str) -> dict:
    import subprocess
    import sys

    make_folder(tmp_path / "news", 6)
    proc = subprocess.run([sys.executable, "-c", _FRESH_BATCH, server.base_url, str(tmp_path), worker],
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_fresh_process_leaves_the_checks_to_its_worker(llm_server, tmp_path):
    """A batch in a process that has not loaded the checks (a CLI run) does not load them beside its
    worker: ~0.75 s of CPU that ended about when the worker was ready, taken from the worker, the
    event loop and the server. Every article is checked by the worker, the last wave's too (checked
    here, its articles would load the checks first)."""
    outcome = _fresh_batch(llm_server, tmp_path, "run")
    assert outcome["done"] == 6 and outcome["by_worker"] == 6, outcome
    assert outcome["loaded_here"] is False, outcome


def test_a_fresh_process_checks_itself_when_its_worker_is_stuck(llm_server, tmp_path):
    """The wait for the worker is bounded: one still starting after START_LIMIT seconds (here stopped
    by SIGSTOP) is given up, and the articles are checked in the batch's own process."""
    outcome = _fresh_batch(llm_server, tmp_path, "stop")
    assert outcome["done"] == 6 and outcome["by_worker"] == 0, outcome
    assert outcome["loaded_here"] is True and outcome["seconds"] >= START_LIMIT, outcome


def test_a_short_batch_checks_on_the_event_loop_once_the_checks_are_loaded(llm_server, tmp_path, monkeypatch):
    """In steps on the loop (the loop runs its other work between them), not in a thread that takes
    the GIL from the loop; only a check before the warm-up has loaded the resources goes to a thread."""
    import threading

    import summarizer.checks

    threads: list[bool] = []
    real_check_names = summarizer.checks.check_names

    def recording_check_names(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return real_check_names(*args, **kwargs)

    monkeypatch.setattr(summarizer.checks, "check_names", recording_check_names)
    make_folder(tmp_path / "news", 6)
    report = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=2))
    assert report.done == 6 and len(threads) >= 6  # the warm-up checks a pair too
    assert sum(threads) >= 4, threads  # batch_in_process runs the loop in the main thread


def test_a_short_batch_starts_no_worker(llm_server, tmp_path):
    make_folder(tmp_path / "news", 3)
    seen: list[int] = []
    report = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=2),
                              progress=lambda event: seen.extend(worker_children()))
    assert report.done == 3 and seen == []


# `summarizer batch` in a fresh process, recording in order when a checks pool is created and when the
# run's Session is, and which pools the batch's checks went to.
_CLI_BATCH = """
import json, sys
from summarizer import api, checks_worker
from summarizer.cli import main

events, used = [], set()
pool_init, session_init, run = checks_worker.CheckPool.__init__, api.Session.__init__, checks_worker.CheckPool.run
def recording_pool(self, *args, **kwargs):
    events.append("pool")
    pool_init(self, *args, **kwargs)
def recording_session(self, *args, **kwargs):
    events.append("session")
    session_init(self, *args, **kwargs)
async def recording_run(self, *args):
    used.add(id(self))
    return await run(self, *args)
checks_worker.CheckPool.__init__, api.Session.__init__ = recording_pool, recording_session
checks_worker.CheckPool.run = recording_run
sys.argv = ["summarizer", "batch", *sys.argv[1:]]
import atexit
atexit.register(lambda: print(json.dumps({"events": events, "pools_used": len(used)})))  # main() ends the process
main()
"""


def _cli_batch(server, tmp_path: Path, articles: int, *flags: str, out: Path | None = None) -> dict:
    import subprocess
    import sys

    make_folder(tmp_path / "news", articles)
    out = out or tmp_path / "out"
    args = [str(tmp_path / "news"), "-o", str(out), "--base-url", server.base_url, "--model", "test-model", "--quiet", *flags]
    proc = subprocess.run([sys.executable, "-c", _CLI_BATCH, *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_cli_starts_the_checks_worker_before_its_session_and_the_batch_uses_it(llm_server, tmp_path):
    """A batch that will check in a pool (POOL_MIN_ARTICLES articles, more than the default 4 in flight) gets one started before the CLI's settings and
    session: its ~0.6 s start overlaps ours instead of holding the first answers."""
    outcome = _cli_batch(llm_server, tmp_path, runner.POOL_MIN_ARTICLES)
    assert outcome["events"][:2] == ["pool", "session"] and outcome["events"].count("pool") == 1, outcome
    assert outcome["pools_used"] == 1  # the batch's checks went to the pool started first
    assert len((tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()) == runner.POOL_MIN_ARTICLES


def test_the_cli_starts_no_checks_worker_for_a_short_batch_or_without_checks(llm_server, tmp_path):
    assert "pool" not in _cli_batch(llm_server, tmp_path / "short", 3)["events"]
    assert "pool" not in _cli_batch(llm_server, tmp_path / "unchecked", runner.POOL_MIN_ARTICLES, "--no-checks")["events"]


def test_the_cli_counts_no_outputs_of_an_out_folder_inside_the_input(llm_server, tmp_path):
    """--out inside the input folder: its 64 briefs from an earlier run are not articles (the run skips
    them), so the 3 articles beside them start no worker early."""
    briefs = tmp_path / "news" / "briefs"
    make_folder(tmp_path / "earlier", runner.POOL_MIN_ARTICLES)
    first = run_cli("batch", str(tmp_path / "earlier"), "-o", str(briefs), "--base-url", llm_server.base_url, "--model", "test-model", "--quiet", "--no-checks")
    assert first.returncode == 0, first.stderr.decode()[-2000:]
    assert len(list(briefs.glob("*.md"))) == runner.POOL_MIN_ARTICLES
    outcome = _cli_batch(llm_server, tmp_path, 3, out=briefs)
    assert "pool" not in outcome["events"], outcome
    assert json.loads((briefs / "report.json").read_text(encoding="utf-8"))["total"] == 3


def test_a_missing_input_is_still_one_line_from_the_run_not_a_traceback_from_the_worker_start(llm_server, tmp_path):
    """The listing that decides whether to start the worker early meets the bad input first: it leaves
    the error to the run, which names the file."""
    missing = tmp_path / "hilang.jsonl"
    proc = run_cli("batch", str(missing), "-o", str(tmp_path / "out"), "--base-url", llm_server.base_url, "--model", "test-model")
    stderr = proc.stderr.decode()
    assert proc.returncode != 0 and "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines()[-1] == f"error: {missing}: no such file or folder"


def test_the_worker_process_imports_neither_asyncio_nor_the_sdk():
    # its start is what the first answers wait for: asyncio alone was ~0.03 s of it, and the worker
    # only reads and writes pipes
    import subprocess
    import sys

    code = ("import sys, summarizer.checks_worker as w\n"
            "w.load_resources(); w.load_article('a.txt', 'Harga naik 5 persen pada 2024 di Jakarta.'.encode())\n"
            "print(sorted(m for m in ('asyncio', 'openai', 'httpx', 'jinja2') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_the_loads_pause_the_garbage_collector_and_leave_it_as_it_was():
    """load_resources and a process's first check run without collections (their ~1M lasting objects
    were walked again and again), then leave the collector on if it was on, off if it was off."""
    import subprocess
    import sys

    probe = (
        "import gc\n"
        "from summarizer import checks_worker as w\n"
        "gc.disable(); w.check_article('Harga naik 5 persen.', 'Prices rose 5 percent.', [], [], 'id'); assert not gc.isenabled()\n"
        "gc.enable(); w.check_article('Harga naik 5 persen.', 'Prices rose 5 percent.', [], [], 'id'); assert gc.isenabled()\n"
        "w._resources_loaded = False; w.load_resources(); assert gc.isenabled()\n"
        "print('ok')\n"
    )
    first = ("import gc\nfrom summarizer import checks_worker as w\ncount = lambda: sum(s['collections'] for s in gc.get_stats())\n"
             "before = count(); w.load_resources(); assert gc.isenabled()\nprint(count() - before)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
    loaded = subprocess.run([sys.executable, "-c", first], capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    # at most a library's explicit gc.collect() (which runs regardless); without the pause: ~110
    assert int(loaded.stdout.strip()) <= 2, "the collector ran during the loads"


def test_the_worker_starts_without_pydantic_plugins_unless_the_user_chose(monkeypatch):
    """Looking for pydantic plugins in every installed package took ~15-40 ms of the worker's start;
    the worker runs without them, unless PYDANTIC_DISABLE_PLUGINS was set (then as set)."""
    def worker_environment(pool: CheckPool) -> dict[str, str]:
        raw = (Path("/proc") / str(pool.pid) / "environ").read_bytes()
        return dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)

    monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    pool = CheckPool(siblings=0)
    try:
        wait_ready(pool)
        assert worker_environment(pool)["PYDANTIC_DISABLE_PLUGINS"] == "__all__"
        assert "PYDANTIC_DISABLE_PLUGINS" not in os.environ  # ours untouched
    finally:
        pool.close()
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "logfire")
    pool = CheckPool(siblings=0)
    try:
        wait_ready(pool)
        assert worker_environment(pool)["PYDANTIC_DISABLE_PLUGINS"] == "logfire"
    finally:
        pool.close()
