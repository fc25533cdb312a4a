"""`summarizer batch`: concurrency, pacing, manifest/resume, hostile ids, kill -9 and Ctrl-C.

The CLI runs as a real subprocess against the scripted server wherever signals or exit codes matter."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from helpers import ROOT, SEED_000, SEED_002, run_cli
from scripted_server import error, schema_responder

import pytest

from summarizer.api import Session
from summarizer.batch import BatchOptions, BatchReport, RateLimiter, iter_items, run_batch
from summarizer.errors import ConfigError

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MARKER = re.compile(r"Berita nomor (\d+):")


def endpoint(server) -> list[str]:
    return ["--base-url", server.base_url, "--model", "test-model"]


def slow(delay: float):
    def responder(req):
        reply = schema_responder(req)
        reply.delay = delay
        return reply

    return responder


def batch_in_process(server, inputs: list[Path], options: BatchOptions, progress=None, **session_settings) -> BatchReport:
    """run_batch through the library API (a Session on `server`), closed after."""
    async def run():
        session = Session(base_url=server.base_url, model="test-model", **session_settings)
        try:
            return await run_batch(session, inputs, options, progress=progress)
        finally:
            await session.aclose()

    return asyncio.run(run())


def assert_one_at_a_time(requests) -> None:
    """No two of these requests (started after the endpoint pushed back) overlapped."""
    spans = sorted((r.started, r.finished) for r in requests)
    assert len(spans) >= 2
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert start >= end - 0.01, spans


def refusing_first(count: int, *, retry_after: str, delay: float = 0.0, then=schema_responder):
    """The first `count` requests get 429 + retry-after (after `delay` s), the rest `then`."""
    import threading

    left = {"count": count}
    lock = threading.Lock()

    def responder(request):
        with lock:
            refuse = left["count"] > 0
            left["count"] -= refuse
        if not refuse:
            return then(request)
        reply = error(429, "Rate limit reached", type_="requests", code="rate_limit_exceeded", headers={"retry-after": retry_after})
        reply.delay = delay
        return reply

    return responder


def paragraphs(seed: Path) -> list[str]:
    return [p.strip() for p in seed.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 80]


def article(number: int) -> str:
    """A short, distinct article made from a seed; its first paragraph carries `Berita nomor N:`."""
    paras = paragraphs(SEED_000 if number % 2 == 0 else SEED_002)
    start = (number // 2) % max(1, len(paras) - 2)
    chosen = paras[start:start + 2]
    return f"Berita nomor {number}: {chosen[0]}\n\n" + "\n\n".join(chosen[1:]) + "\n"


def make_folder(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"artikel-{number}.txt"
        path.write_text(article(number), encoding="utf-8")
        paths.append(path)
    return paths


def article_number(request) -> int | None:
    match = MARKER.search(json.dumps(request.body, ensure_ascii=False))
    return int(match.group(1)) if match else None


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def outputs(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.suffix == ".md")


def start_cli(*args: str) -> subprocess.Popen:
    env = dict(os.environ, COLUMNS="120")
    return subprocess.Popen([sys.executable, "-m", "summarizer", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_folder_runs_concurrently_then_resumes_with_zero_requests(llm_server, tmp_path):
    llm_server.responder = slow(0.3)
    make_folder(tmp_path / "news", 6)
    out = tmp_path / "out"
    args = ["batch", str(tmp_path / "news"), "--out", str(out), "--concurrency", "3", *endpoint(llm_server)]
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    assert llm_server.max_in_flight == 3
    assert len(llm_server.chat_requests()) == 6
    assert outputs(out) == [f"artikel-{n}.md" for n in range(6)]
    report = json.loads((out / "report.json").read_text())
    assert (report["total"], report["done"], report["skipped"], report["failed"]) == (6, 6, 0, 0)
    assert report["requests"] == 6 and report["cache_hits"] == 0 and report["prompt_tokens"] > 0
    assert len((out / "results.jsonl").read_text().splitlines()) == 6
    assert {e["state"] for e in manifest(out)} == {"done"} and len(manifest(out)) == 6
    summary = proc.stderr.decode().strip().splitlines()[-1]
    assert "6 done, 0 skipped, 0 failed" in summary and str(out / "report.json") in summary

    again = run_cli(*args)
    assert again.returncode == 0, again.stderr
    assert len(llm_server.chat_requests()) == 6  # nothing new
    report = json.loads((out / "report.json").read_text())
    assert (report["done"], report["skipped"], report["requests"]) == (0, 6, 0)
    assert len(manifest(out)) == 6


def test_a_run_works_on_the_files_it_counted(llm_server, tmp_path):
    """A folder is listed once per run: a file added while the run starts is left for the next run,
    so the report's total and the work done agree (the count and the queue were two listings)."""
    make_folder(tmp_path / "news", 3)
    added = tmp_path / "news" / "artikel-late.txt"

    def progress(event):
        if event.kind == "start":
            added.write_text(article(9), encoding="utf-8")

    report = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=2), progress=progress)
    assert (report.total, report.done) == (3, 3)
    assert len(llm_server.chat_requests()) == 3
    again = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=2))
    assert (again.total, again.done, again.skipped) == (4, 1, 3)


def test_count_items_counts_what_a_run_reads_up_to_a_limit(tmp_path):
    from summarizer.batch.inputs import count_items

    make_folder(tmp_path / "news", 5)
    (tmp_path / "news" / "notes.csv").write_text("a,b", encoding="utf-8")  # not an article
    (tmp_path / "news" / ".hidden.txt").write_text("x", encoding="utf-8")
    records = tmp_path / "records.jsonl"
    records.write_text('{"id": "a", "text": "satu"}\n\n{"id": "b", "text": "dua"}\n', encoding="utf-8")
    inputs = [tmp_path / "news", records, SEED_000]
    assert count_items(inputs, at_most=100) == 5 + 2 + 1 == len(list(iter_items(inputs)))
    assert count_items(inputs, at_most=3) == 3
    assert count_items([tmp_path / "news"], exclude=(tmp_path / "news").resolve(), at_most=100) == 0


def test_bad_files_are_recorded_and_retry_failed_processes_only_them(llm_server, tmp_path):
    news = tmp_path / "news"
    make_folder(news, 2)
    (news / "empty.txt").write_text("  \n")
    (news / "photo.txt").write_bytes(PNG)
    out = tmp_path / "out"
    args = ["batch", str(news), "-o", str(out), *endpoint(llm_server)]
    proc = run_cli(*args)
    assert proc.returncode == 1, proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert (report["done"], report["failed"]) == (2, 2)
    reasons = {Path(f["source"]).name: f["error"] for f in report["failures"]}
    assert "empty" in reasons["empty.txt"] and "PNG" in reasons["photo.txt"]
    errors = [line for line in proc.stderr.decode().splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and "Traceback" not in proc.stderr.decode()
    assert len(llm_server.chat_requests()) == 2

    # without --retry-failed: nothing is retried, the failures are still reported
    proc = run_cli(*args)
    assert proc.returncode == 1 and len(llm_server.chat_requests()) == 2
    assert json.loads((out / "report.json").read_text())["skipped"] == 2

    (news / "empty.txt").write_text(article(7), encoding="utf-8")
    proc = run_cli(*args, "--retry-failed")
    assert proc.returncode == 1  # the PNG still fails
    chats = llm_server.chat_requests()
    assert len(chats) == 3 and article_number(chats[-1]) == 7
    report = json.loads((out / "report.json").read_text())
    assert (report["done"], report["skipped"], report["failed"]) == (1, 2, 1)
    assert (out / "empty.md").is_file()
    states = {Path(e["source"]).name: e["state"] for e in manifest(out)}  # the last line per id wins
    assert states == {"artikel-0.txt": "done", "artikel-1.txt": "done", "empty.txt": "done", "photo.txt": "failed"}


def test_jsonl_hostile_ids_stay_inside_out_dir(llm_server, tmp_path):
    records = tmp_path / "in" / "records.jsonl"
    records.parent.mkdir()
    (tmp_path / "in" / "side.txt").write_text(article(3), encoding="utf-8")
    lines = [
        json.dumps({"id": "../../etc/x", "text": article(0), "extra": 1}),
        json.dumps({"id": "/abs/evil", "text": article(1)}),
        json.dumps({"id": "..", "text": article(2)}),
        json.dumps({"id": "by-path", "path": "side.txt"}),
        "{not json",
        json.dumps({"id": "no-text"}),
    ]
    records.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "deep" / "out"
    out.parent.mkdir()
    before = {p for p in tmp_path.rglob("*")}
    proc = run_cli("batch", str(records), "-o", str(out), "-f", "json", *endpoint(llm_server))
    assert proc.returncode == 1, proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert (report["total"], report["done"], report["failed"]) == (6, 4, 2)
    created = {p for p in tmp_path.rglob("*")} - before
    root = out.resolve()
    for path in created:
        assert path.resolve() == root or path.resolve().is_relative_to(root), path
    for entry in manifest(out):
        assert (out / entry["output"]).resolve().parent == root
    assert not Path("/abs/evil.json").exists()
    names = sorted(p.name for p in out.iterdir())
    assert "etc_x.json" in names and "abs_evil.json" in names and "by-path.json" in names
    assert {f["error"].split(": ")[-1] for f in report["failures"]} >= {'a record needs a "text" string or a "path"'}


def test_rpm_paces_article_starts(llm_server, tmp_path):
    make_folder(tmp_path / "news", 4)
    proc = run_cli("batch", str(tmp_path / "news"), "-o", str(tmp_path / "out"), "--rpm", "60", "--concurrency", "4", "--quiet", *endpoint(llm_server))
    assert proc.returncode == 0, proc.stderr
    starts = sorted(r.started for r in llm_server.chat_requests())
    assert len(starts) == 4
    # 60/min = one slot a second. Slots are paced exactly; a request leaves its slot a little late when
    # the client is busy (first use, other articles being cleaned), so allow that much jitter per pair.
    for i in range(len(starts)):
        for j in range(i + 1, len(starts)):
            assert starts[j] - starts[i] >= (j - i) * 1.0 - 0.6, starts
    assert starts[-1] - starts[0] >= 2.4, starts  # about 3 s for 4 articles
    assert proc.stderr == b""  # --quiet


def test_tpm_paces_article_starts_by_their_estimated_tokens(llm_server, tmp_path):
    """--tpm against a real server: articles of equal size, TPM set to one article's estimate per second."""
    folder = tmp_path / "news"
    folder.mkdir()
    for number in range(4):  # the same length each, so each costs the same estimate
        (folder / f"artikel-{number}.txt").write_text(article(0).replace("Berita nomor 0:", f"Berita nomor {number}:"), encoding="utf-8")
    estimate = Session(base_url=llm_server.base_url, model="test-model").plan(folder / "artikel-0.txt").estimated_tokens("summarize")
    per_article = estimate.prompt_tokens + estimate.completion_tokens
    proc = run_cli("batch", str(folder), "-o", str(tmp_path / "out"), "--tpm", str(per_article * 60), "--concurrency", "4", "--quiet", *endpoint(llm_server))
    assert proc.returncode == 0, proc.stderr
    starts = sorted(r.started for r in llm_server.chat_requests())
    assert len(starts) == 4
    for i in range(len(starts)):  # one article's tokens per second: about a second apart (jitter as for --rpm)
        for j in range(i + 1, len(starts)):
            assert starts[j] - starts[i] >= (j - i) * 1.0 - 0.6, starts
    assert starts[-1] - starts[0] >= 2.4, starts


def signal_mid_batch(server, tmp_path: Path, delay: float, sig: int) -> tuple[list[str], Path, int, bytes]:
    """`summarizer batch` over 6 slow articles as a subprocess, sent `sig` once the first output is
    written; (its arguments, --out, exit code, stderr)."""
    server.responder = slow(delay)
    make_folder(tmp_path / "news", 6)
    out = tmp_path / "out"
    args = ["batch", str(tmp_path / "news"), "-o", str(out), "--concurrency", "2", *endpoint(server)]
    proc = start_cli(*args)
    try:
        wait_for(lambda: out.is_dir() and len(outputs(out)) >= 1)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return args, out, proc.returncode, stderr


def test_kill_9_mid_run_then_resume(llm_server, tmp_path):
    args, out, _, _ = signal_mid_batch(llm_server, tmp_path, 0.5, signal.SIGKILL)
    validated = {int(name.split("-")[1].split(".")[0]) for name in outputs(out)}
    assert validated and len(validated) < 6
    if (out / "manifest.jsonl").exists():  # killed before the first manifest line: also fine
        for line in (out / "manifest.jsonl").read_text().splitlines()[:-1]:
            json.loads(line)  # only the last line may be cut short

    llm_server.responder = schema_responder
    again = run_cli(*args)
    assert again.returncode == 0, again.stderr
    assert outputs(out) == [f"artikel-{n}.md" for n in range(6)]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    done = Counter(e["id"] for e in manifest(out) if e["state"] == "done")
    assert len(done) == 6 and set(done.values()) == {1}
    per_article = Counter(article_number(r) for r in llm_server.chat_requests())
    for number in validated:
        assert per_article[number] == 1, per_article
    assert set(per_article) == set(range(6))


def test_sigint_exits_130_and_leaves_a_readable_manifest(llm_server, tmp_path):
    _, out, returncode, stderr = signal_mid_batch(llm_server, tmp_path, 1.0, signal.SIGINT)
    assert returncode == 130, stderr
    lines = stderr.decode().strip().splitlines()
    assert lines[-1].startswith("interrupted: ") and "re-run the same command to resume" in lines[-1]
    entries = manifest(out)
    assert entries and all(e["state"] == "done" for e in entries)
    assert len(entries) == len(outputs(out)) < 6
    assert json.loads((out / "report.json").read_text())["interrupted"] is True


def test_library_resumes_after_a_truncated_manifest_line(llm_server, tmp_path):
    make_folder(tmp_path / "news", 3)
    out = tmp_path / "out"
    options = BatchOptions(out_dir=out, fmt="json", task="translate", concurrency=2)
    events = []

    def run():
        return batch_in_process(llm_server, [tmp_path / "news"], options, progress=events.append)

    report = run()
    assert (report.total, report.done, report.failed) == (3, 3, 0)
    assert [e.kind for e in events].count("finished") == 3 and events[0].kind == "start"
    # a kill in the middle of writing the last manifest line: that article is simply done again
    text = (out / "manifest.jsonl").read_text()
    (out / "manifest.jsonl").write_text(text[: len(text) - 10])
    report = run()
    assert (report.done, report.skipped, report.requests, report.cache_hits) == (1, 2, 0, 1)
    lines = (out / "manifest.jsonl").read_text().splitlines()
    assert [json.loads(line)["state"] for line in lines[:2] + lines[3:]] == ["done"] * 3  # lines[2] is the cut one
    assert len(llm_server.chat_requests()) == 3
    # another format into the same folder is another run: refused (issue 14 item 8), nothing written or sent
    options.fmt = "md"
    with pytest.raises(ConfigError, match="--format .*which used json"):
        run()
    assert not list(out.glob("*.md")) and len(llm_server.chat_requests()) == 3


def test_bad_usage_exits_2(tmp_path):
    proc = run_cli("batch", str(tmp_path / "missing"), "-o", str(tmp_path / "out"), "--base-url", "http://127.0.0.1:9/v1", "--model", "m")
    assert proc.returncode == 2
    assert "no such file or folder" in proc.stderr.decode() and "Traceback" not in proc.stderr.decode()
    (tmp_path / "file").write_text("x")
    proc = run_cli("batch", str(SEED_000), "-o", str(tmp_path / "file"), "--base-url", "http://127.0.0.1:9/v1", "--model", "m")
    assert proc.returncode == 2 and "is a file" in proc.stderr.decode()


def test_rate_limit_failure_lowers_concurrency_and_the_run_goes_on(llm_server, tmp_path):
    make_folder(tmp_path / "news", 5)
    llm_server.responder = slow(0.2)
    llm_server.script(error(429, "Rate limit reached", type_="rate_limit_error", code="rate_limit_exceeded"))
    options = BatchOptions(out_dir=tmp_path / "out", concurrency=2)

    report = batch_in_process(llm_server, [tmp_path / "news"], options, max_retries=0)
    assert (report.done, report.failed) == (4, 1)
    assert "429 Too Many Requests" in report.failures[0]["error"], report.failures
    chats = llm_server.chat_requests()
    assert_one_at_a_time([r for r in chats if r.started > chats[0].finished + 0.25])  # one slot left


def test_each_429_lowers_the_requests_in_flight_before_any_article_fails(llm_server, tmp_path):
    """Three 429s (retried, so no article fails) take concurrency 4 down to 1 for the cooldown."""
    # the refusals take 0.1 s, so all four first requests are in flight together
    llm_server.responder = refusing_first(3, retry_after="0.3", delay=0.1, then=slow(0.15))
    make_folder(tmp_path / "news", 8)
    options = BatchOptions(out_dir=tmp_path / "out", concurrency=4)

    report = batch_in_process(llm_server, [tmp_path / "news"], options, max_retries=3)
    assert (report.done, report.failed) == (8, 0), report.failures
    chats = llm_server.chat_requests()
    last_refusal = max(r.finished for r in chats[:4])
    later = [r for r in chats if r.started > last_refusal + 0.05]
    assert len(later) >= 6
    assert_one_at_a_time(later)  # after three 429s


def test_concurrency_caps_requests_not_articles(llm_server, tmp_path):
    """With one slot, the next article is loaded and ready while the first one's request is out;
    the endpoint still never sees two requests at once."""
    llm_server.responder = slow(0.4)
    make_folder(tmp_path / "news", 3)
    events: list[tuple[str, str, float]] = []

    report = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=1),
                              progress=lambda e: events.append((e.kind, Path(e.source or "").name, time.monotonic())))
    assert report.done == 3
    assert llm_server.max_in_flight == 1
    started = {name: t for kind, name, t in events if kind == "started"}
    finished = {name: t for kind, name, t in events if kind == "finished"}
    assert started["artikel-1.txt"] < finished["artikel-0.txt"]
    gaps = sorted(r.started for r in llm_server.chat_requests())
    assert all(b - a < 0.4 + 0.15 for a, b in zip(gaps, gaps[1:])), ("each request leaves right after the previous answer", [round(b - a, 3) for a, b in zip(gaps, gaps[1:])])


def slow_disk_loads(monkeypatch) -> list[tuple[float, float]]:
    """Every article load made 0.1 s slower (a slow disk), recorded as (began, ended)."""
    from summarizer.batch import runner

    loads: list[tuple[float, float]] = []
    real_load = runner.BatchRun._load_and_plan

    def slow_disk_load(self, item):
        began = time.monotonic()
        time.sleep(0.1)
        loaded = real_load(self, item)
        loads.append((began, time.monotonic()))
        return loaded

    monkeypatch.setattr(runner.BatchRun, "_load_and_plan", slow_disk_load)
    return loads


def test_at_most_two_articles_load_at_once(llm_server, tmp_path, monkeypatch):
    """A load holds the GIL (cleaning, language detection): many at once took it from the event loop
    that sends the requests. Four slots, eight articles: never more than LOADS_AT_ONCE loads overlap."""
    from summarizer.batch import runner

    loads = slow_disk_loads(monkeypatch)
    make_folder(tmp_path / "news", 8)
    report = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=4))
    assert report.done == 8 and len(loads) == 8
    at_once = max(sum(1 for b, e in loads if b <= began < e) for began, _end in loads)  # loads running as each began
    assert at_once == runner.LOADS_AT_ONCE == 2, loads


def test_answers_waiting_for_their_checks_leave_the_slots_to_other_articles(llm_server, tmp_path, monkeypatch):
    """Four article workers per request slot: while the first answers wait for their checks (a checks
    worker still starting), the next articles' requests go out. Two slots, checks that take 1 s:
    eight requests leave before the first article is done (with two workers per slot, four)."""
    from summarizer.pipeline import ArticlePipeline

    real_checked = ArticlePipeline._checked

    async def slow_checks(self, *arguments):
        await asyncio.sleep(1.0)
        return await real_checked(self, *arguments)

    monkeypatch.setattr(ArticlePipeline, "_checked", slow_checks)
    llm_server.responder = slow(0.05)
    make_folder(tmp_path / "news", 12)
    finished: list[float] = []
    report = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=2),
                              progress=lambda e: e.kind == "finished" and finished.append(time.monotonic()))
    assert report.done == 12 and llm_server.max_in_flight <= 2
    before_first_done = [r for r in llm_server.chat_requests() if r.started < min(finished)]
    assert len(before_first_done) == 8, len(before_first_done)


def test_the_first_wave_loads_before_the_articles_that_must_wait_for_a_slot(llm_server, tmp_path, monkeypatch):
    """2 slots, 8 articles held at once: articles 3 and on start loading only when the first two loads
    have ended (they cannot be sent before an answer is back; loading them alongside slowed the first requests)."""
    loads = slow_disk_loads(monkeypatch)  # without the turn, the next loads would start during the first ones
    make_folder(tmp_path / "news", 6)
    report = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=2))
    assert report.done == 6 and len(loads) == 6
    loads.sort()
    first_wave_done = max(end for _, end in loads[:2])
    assert all(began >= first_wave_done for began, _ in loads[2:]), loads


def test_the_checks_warm_up_waits_for_the_first_wave_of_loads(llm_server, tmp_path, monkeypatch):
    """The checks' one-time loads (~0.5 s of GIL in a fresh process) start once the first wave is
    loaded: before, they slowed the first loads, and so the first requests."""
    from summarizer.batch import runner
    from summarizer.pipeline import ArticlePipeline

    loads_ended: list[float] = []
    warm_ups: list[float] = []
    real_load, real_warm_up = runner.BatchRun._load_and_plan, ArticlePipeline.warm_up_checks

    def recorded_load(self, item):
        loaded = real_load(self, item)
        loads_ended.append(time.monotonic())
        return loaded

    def recorded_warm_up(self):
        warm_ups.append(time.monotonic())
        real_warm_up(self)

    monkeypatch.setattr(runner.BatchRun, "_load_and_plan", recorded_load)
    monkeypatch.setattr(ArticlePipeline, "warm_up_checks", recorded_warm_up)
    make_folder(tmp_path / "news", 5)
    report = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=3))
    assert report.done == 5 and len(warm_ups) == 1
    assert warm_ups[0] >= sorted(loads_ended)[2]  # after the first 3 loads
    # a batch with every article done before has no first wave: it ends, without warming up
    again = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=3))
    assert again.skipped == 5 and len(warm_ups) == 1


def test_rate_limiter_gives_each_acquire_its_own_slot():
    async def run() -> list[float]:
        limiter = RateLimiter(600)  # 10 units per second
        times: list[float] = []

        async def one(cost: float) -> None:
            await limiter.acquire(cost)
            times.append(time.monotonic())

        await asyncio.gather(one(1), one(1), one(3), one(1))
        return times

    times = asyncio.run(run())
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert gaps[0] >= 0.095 and gaps[1] >= 0.095 and gaps[2] >= 0.295, times  # the 3-unit one holds 0.3 s


def test_429_storm_is_absorbed(llm_server, tmp_path):
    """The first dozen requests are refused with 429 + retry-after; every article still finishes."""
    llm_server.responder = refusing_first(12, retry_after="0.2")
    folder = tmp_path / "news"
    make_folder(folder, 4)
    out = tmp_path / "out"
    proc = run_cli("batch", str(folder), "--out", str(out), *endpoint(llm_server), "--concurrency", "4", "--max-retries", "6", "--quiet")
    assert proc.returncode == 0, proc.stderr.decode()
    report = json.loads((out / "report.json").read_text())
    assert report["done"] == 4 and report["failed"] == 0
    chats = llm_server.chat_requests()
    assert len(chats) == 4 + 12, "each refused request was retried once it was allowed, nothing more"


def test_symlinked_manifest_cannot_redirect_writes(llm_server, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.jsonl").symlink_to(outside)
    proc = run_cli("batch", str(SEED_000), "--out", str(out), *endpoint(llm_server))
    assert proc.returncode == 2
    assert b"manifest.jsonl" in proc.stderr and b"not a link" in proc.stderr and b"Traceback" not in proc.stderr
    assert outside.read_text() == "precious\n"


def test_strict_batch_records_the_faithfulness_failure(llm_server, tmp_path):
    import json as _json

    from scripted_server import completion

    answer = {"source_language": "id", "title": "T", "translation": "Amazon cut 18,000 corporate employees.",
              "summary": ["a", "b", "c"], "glossary": []}
    llm_server.responder = lambda request: completion(_json.dumps(answer))
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text("Amazon memangkas 16.000 karyawan korporat pada tahun ini.", encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("batch", str(folder), "--out", str(out), *endpoint(llm_server), "--strict", "--quiet")
    assert proc.returncode == 1
    report = json.loads((out / "report.json").read_text())
    assert report["failed"] == 1 and "faithfulness" in report["failures"][0]["error"]
    relaxed = run_cli("batch", str(folder), "--out", str(tmp_path / "out2"), *endpoint(llm_server), "--no-checks", "--quiet")
    assert relaxed.returncode == 0
    assert json.loads((tmp_path / "out2" / "results.jsonl").read_text().splitlines()[0])["checks"] == []
