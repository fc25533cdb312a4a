"""The run history (`summarizer.history`, `summarizer history ...`): every article run recorded in SQLite,
by many processes at once, searchable, never failing a run, never holding the API key."""

from __future__ import annotations

import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from helpers import ROOT, SEED_000, SEED_002, run_cli
from scripted_server import error, schema_responder
from test_batch import make_folder
from test_provider_batch import run_provider_batch

from summarizer.history import RunHistory, RunRecord, default_history_file, host_of, parse_since


def endpoint(server) -> list[str]:
    return ["--base-url", server.base_url, "--model", "test-model"]


def history_db() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "summarizer" / "history.db"


def run_here(server, path: Path, task: str = "summarize", **overrides):
    """One article through the library in this process (cheaper than a CLI subprocess), as `summarizer.Session`."""
    from summarizer import Session

    with Session(base_url=server.base_url, model=overrides.pop("model", "test-model"), **overrides) as session:
        return session.run(path, task)


def a_record(source: str) -> RunRecord:
    return RunRecord(command="test", source=source, content_sha256="0" * 64, task="summarize", model="m", endpoint_host="h")


def recorded_in(db: Path) -> list[RunRecord]:
    with RunHistory(db) as history:
        return list(history.iter_all())


def recorded() -> list[RunRecord]:
    return recorded_in(history_db())


def with_translation_words(words: str):
    """The default answers, with `words` appended to every translation (and nowhere in the source)."""

    def responder(request):
        reply = schema_responder(request)
        message = reply.json["choices"][0]["message"]
        answer = json.loads(message["content"])
        if "translation" in answer:
            answer["translation"] += f" {words}"
        message["content"] = json.dumps(answer, ensure_ascii=False)
        return reply

    return responder


# -- recording ----------------------------------------------------------------------------------
def test_a_summarize_run_records_every_field(llm_server, tmp_path):
    out = tmp_path / "out"
    proc = run_cli("summarize", str(SEED_000), *endpoint(llm_server), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    [run] = recorded()
    assert history_db().is_file()
    assert (run.command, run.task, run.status, run.model) == ("summarize", "summarize", "ok", "test-model")
    assert run.source == str(SEED_000.resolve())
    assert run.endpoint_host == f"127.0.0.1:{llm_server.port}"
    assert len(run.content_sha256) == 64 and run.output == str((out / "000_248162aed851300f.md").resolve())
    assert run.prompt_versions == {"brief": run.result["metadata"]["prompt_versions"]["brief"]}
    assert run.prompt_tokens > 0 and run.completion_tokens > 0 and run.requests == 1 and run.cache_hits == 0
    assert run.cost_usd is None  # a local endpoint costs nothing we know of
    assert sum(run.findings.values()) == len(run.result["checks"]) and set(run.findings) == {"error", "warning", "info"}
    assert run.result["translation"].startswith("[EN]") and run.result["summary"]
    datetime.fromisoformat(run.created_at)  # a real timestamp, UTC
    assert run.created_at.endswith("+00:00")


def test_translate_batch_and_import_jsonl_runs_are_recorded_with_their_command(llm_server, tmp_path):
    assert run_cli("translate", str(SEED_002), *endpoint(llm_server)).returncode == 0
    news = tmp_path / "news"
    make_folder(news, 2)
    assert run_cli("batch", str(news), *endpoint(llm_server), "--out", str(tmp_path / "batch")).returncode == 0
    requests_file, results_file = tmp_path / "requests.jsonl", tmp_path / "results.jsonl"
    exported = run_cli("batch", str(SEED_000), *endpoint(llm_server), "--export-jsonl", str(requests_file))
    assert exported.returncode == 0, exported.stderr
    assert len(recorded()) == 3, "exporting runs nothing, so it records nothing"
    run_provider_batch(llm_server, requests_file, results_file)
    imported = run_cli("batch", str(SEED_000), *endpoint(llm_server), "--import-jsonl", str(results_file), "--out", str(tmp_path / "imported"))
    assert imported.returncode == 0, imported.stderr
    runs = recorded()
    assert [(r.command, r.task) for r in runs] == [("translate", "translate"), ("batch", "summarize"), ("batch", "summarize"), ("import-jsonl", "summarize")]
    assert runs[0].output is None  # standard output
    assert sorted(Path(r.output).name for r in runs[1:3]) == ["artikel-0.md", "artikel-1.md"]
    assert all(Path(r.output).parent == (tmp_path / "batch").resolve() for r in runs[1:3])
    assert runs[3].requests == 0 and Path(runs[3].output).is_file()


def test_a_failed_run_is_recorded_and_listed_with_errors(llm_server):
    from summarizer.errors import ServerError

    run_here(llm_server, SEED_002, run_checks=False)  # no findings, so not an "error" run
    llm_server.responder = lambda request: error(500, "the GPU caught fire", type_="server_error")
    with pytest.raises(ServerError):
        run_here(llm_server, SEED_000, max_retries=0, use_cache=False)
    failed = [r for r in recorded() if r.status == "failed"]
    assert len(failed) == 1 and failed[0].result is None and "500" in failed[0].error
    listing = run_cli("history", "list", "--errors")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.decode().splitlines()
    assert len(lines) == 1 and "failed" in lines[0] and "000_248162aed851300f.txt" in lines[0]
    assert len(run_cli("history", "list").stdout.decode().splitlines()) == 2


def test_python_api_records_too_and_no_history_turns_it_off(llm_server, tmp_path):
    from summarizer import Session

    with Session(base_url=llm_server.base_url, model="test-model") as session:
        session.run(SEED_000)
    with Session(base_url=llm_server.base_url, model="test-model", no_history=True) as session:
        session.run(SEED_002)
    assert [(r.command, Path(r.source).name) for r in recorded()] == [("python", SEED_000.name)]


def test_no_history_flag_and_environment_variable_record_nothing(llm_server, monkeypatch):
    assert run_cli("summarize", str(SEED_000), *endpoint(llm_server), "--no-history").returncode == 0
    monkeypatch.setenv("SUMMARIZER_NO_HISTORY", "1")
    run_here(llm_server, SEED_002, "translate")
    assert not history_db().exists()
    monkeypatch.delenv("SUMMARIZER_NO_HISTORY")
    run_here(llm_server, SEED_002, "translate")
    assert len(recorded()) == 1


def test_history_file_setting_moves_it_and_path_prints_it(llm_server, tmp_path, monkeypatch):
    assert run_cli("history", "path").stdout.decode().strip() == str(history_db())
    elsewhere = tmp_path / "desk" / "runs.db"
    env = {"SUMMARIZER_HISTORY_FILE": str(elsewhere)}
    assert run_cli("history", "path", env=env).stdout.decode().strip() == str(elsewhere)
    monkeypatch.setenv("SUMMARIZER_HISTORY_FILE", str(elsewhere))
    run_here(llm_server, SEED_000)
    assert elsewhere.is_file() and not history_db().exists()
    assert len(run_cli("history", "list", env=env).stdout.decode().splitlines()) == 1


# -- many processes, locks, kills ---------------------------------------------------------------
def test_eight_parallel_summarize_processes_are_all_recorded(llm_server, tmp_path):
    # The server answers no one until all 8 have asked, so the 8 records land within milliseconds.
    everyone_asked = threading.Barrier(8, timeout=90)

    def together(request):
        everyone_asked.wait()
        return schema_responder(request)

    llm_server.responder = together
    files = make_folder(tmp_path / "news", 8)
    env = dict(os.environ, COLUMNS="120")
    procs = [
        subprocess.Popen([sys.executable, "-m", "summarizer", "summarize", str(path), *endpoint(llm_server), "--out", str(tmp_path / "out")],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for path in files
    ]
    outcomes = [(proc.wait(timeout=120), proc.stderr.read()) for proc in procs]
    for proc in procs:
        proc.stdout.close()
        proc.stderr.close()
    assert [code for code, _ in outcomes] == [0] * 8, [err for _, err in outcomes]
    assert not any(b"warning" in err for _, err in outcomes)
    runs = recorded()
    assert sorted(r.source for r in runs) == sorted(str(p.resolve()) for p in files)
    assert all(r.status == "ok" for r in runs)


WRITER = textwrap.dedent("""
    import sys
    from summarizer.history import RunHistory, RunRecord
    path, name, count, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    history = RunHistory(path)
    for number in range(count):
        result = {"title": f"{name} {number}", "summary": ["a", "b", "c"], "translation": "kata " * size}
        if history.record(RunRecord(command="test", source=f"{name}-{number}", content_sha256="0" * 64, task="summarize",
                                    model="m", endpoint_host="h", result=result)) is None:
            sys.exit(3)
        print(number, flush=True)
""")


def test_eight_processes_writing_at_once_lose_no_record(tmp_path):
    db = tmp_path / "history.db"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), f"writer{n}", "40", "200"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for n in range(8)]
    outcomes = [(proc.wait(timeout=120), proc.stderr.read()) for proc in procs]
    for proc in procs:
        proc.stderr.close()
    assert outcomes == [(0, b"")] * 8
    with RunHistory(db) as history:
        sources = {r.source for r in history.iter_all()}
    assert sources == {f"writer{n}-{i}" for n in range(8) for i in range(40)}


def test_a_killed_writer_leaves_a_readable_database(tmp_path):
    db = tmp_path / "history.db"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), "killed", "100000", "20000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for _ in range(30):  # let it commit some (each result is ~100 KB), then kill it mid-stream
        writer.stdout.readline()
    time.sleep(0.05)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    writer.stdout.close()
    writer.stderr.close()
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        runs, indexed = check.execute("SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM runs_text)").fetchone()
    check.close()
    assert runs >= 30 and runs == indexed, "a record and its search entry are one transaction"
    listing = run_cli("history", "list", "--limit", "5", env={"SUMMARIZER_HISTORY_FILE": str(db)})
    assert listing.returncode == 0 and len(listing.stdout.splitlines()) == 5
    with RunHistory(db) as history:  # and it takes new records
        assert history.record(a_record("after")) == runs + 1


def test_a_locked_history_delays_the_record_but_not_the_run(llm_server, tmp_path):
    with RunHistory(history_db()) as history:
        history.record(a_record("earlier"))
    holder = sqlite3.connect(history_db(), isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")  # every writer must wait until we let go

    def release_later():
        time.sleep(2.0)
        holder.execute("COMMIT")

    releaser = threading.Thread(target=release_later)
    releaser.start()
    started = time.monotonic()
    proc = run_cli("summarize", str(SEED_000), *endpoint(llm_server), "--out", str(tmp_path / "out"))
    releaser.join()
    holder.close()
    assert proc.returncode == 0, proc.stderr
    assert b"warning" not in proc.stderr
    assert time.monotonic() - started >= 2.0
    assert [Path(r.source).name for r in recorded()] == ["earlier", SEED_000.name]


def test_a_history_locked_too_long_gives_up_with_one_warning(tmp_path, capfd):
    db = tmp_path / "history.db"
    with RunHistory(db) as history:
        history.record(a_record("first"))
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with RunHistory(db, busy_timeout=0.2, max_wait=1.0) as history:
            assert history.record(a_record("second")) is None
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert 0.9 <= waited < 5
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and err.startswith("warning: run history: second not recorded in") and "locked" in err


def test_queued_records_never_wait_on_a_locked_file_and_close_gives_up_once(tmp_path, capfd):
    db = tmp_path / "history.db"
    with RunHistory(db) as history:
        history.record(a_record("first"))
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        history = RunHistory(db, busy_timeout=0.2, max_wait=1.0)
        started = time.monotonic()
        for number in range(20):
            history.record_later(a_record(f"queued-{number}"))
        queued = time.monotonic() - started
        history.close()
        closed = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert queued < 0.5, "queueing never waits for the lock"
    assert closed < 6, "close waits about max_wait per batch, not per record"
    lines = capfd.readouterr().err.splitlines()
    assert 1 <= len(lines) <= 2 and all(line.startswith("warning: run history:") for line in lines)
    with RunHistory(db) as history:  # what queued up is written in one go once the file is free
        for number in range(3):
            history.record_later(a_record(f"later-{number}"))
    assert [r.source for r in recorded_in(db)] == ["first", "later-0", "later-1", "later-2"]


def test_a_garbage_history_file_never_fails_a_run(llm_server, tmp_path):
    history_db().parent.mkdir(parents=True)
    history_db().write_bytes(b"this is not a database" * 100)
    out = tmp_path / "out"
    proc = run_cli("summarize", str(SEED_000), *endpoint(llm_server), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert (out / "000_248162aed851300f.md").is_file()
    assert proc.stderr.decode().startswith("warning: run history:") and "Traceback" not in proc.stderr.decode()
    listing = run_cli("history", "list")
    assert listing.returncode == 1 and listing.stderr.decode().count("\n") == 1 and "move the file away" in listing.stderr.decode()


# -- reading: search, show, export, filters ----------------------------------------------------
def test_search_finds_an_article_by_a_word_of_its_translation(llm_server):
    llm_server.responder = with_translation_words("A quokka watched the central bank.")
    run_here(llm_server, SEED_000)
    llm_server.responder = schema_responder
    run_here(llm_server, SEED_002)
    found = run_cli("history", "search", "Quokka", "bank")  # every word; case does not matter
    assert found.returncode == 0, found.stderr
    lines = found.stdout.decode().splitlines()
    assert len(lines) == 2 and SEED_000.name in lines[0] and "[quokka]" in lines[1]
    nothing = run_cli("history", "search", "quokka", "platypus")
    assert nothing.returncode == 0 and nothing.stdout == b"" and b"no run matches" in nothing.stderr
    with RunHistory(history_db()) as history:
        assert [Path(r.source).name for r in history.search('"quokka" (bank')] == [SEED_000.name]  # FTS5 syntax is just words
        assert [Path(r.source).name for r in history.search("Pinduoduo")] == [SEED_002.name]
        assert history.search("   ") == []


def test_show_prints_the_brief_or_the_whole_record(llm_server):
    first = run_cli("summarize", str(SEED_000), *endpoint(llm_server))
    [run] = recorded()
    shown = run_cli("history", "show", str(run.id))
    assert shown.returncode == 0
    assert shown.stdout.decode().startswith(first.stdout.decode()), "the brief as summarize printed it"
    assert f"run {run.id} · ".encode() in shown.stdout
    as_json = json.loads(run_cli("history", "show", str(run.id), "--format", "json").stdout)
    assert as_json["result"]["title"] == run.result["title"] and as_json["source"] == str(SEED_000.resolve())
    missing = run_cli("history", "show", "999")
    assert missing.returncode == 1 and b"no run 999" in missing.stderr and missing.stderr.count(b"\n") == 1


def test_export_writes_one_json_line_per_run(llm_server, tmp_path):
    for seed in (SEED_000, SEED_002):
        run_here(llm_server, seed)
    printed = run_cli("history", "export", "--jsonl")
    lines = [json.loads(line) for line in printed.stdout.decode().splitlines()]
    assert [Path(line["source"]).name for line in lines] == [SEED_000.name, SEED_002.name]
    assert all(line["result"]["translation"] for line in lines)
    target = tmp_path / "runs.jsonl"
    saved = run_cli("history", "export", "--jsonl", "--out", str(target))
    assert saved.returncode == 0 and target.read_bytes() == printed.stdout and b"exported 2 run(s)" in saved.stderr


def test_list_filters_by_model_and_time(llm_server, tmp_path):
    llm_server.models.append("other-model")
    run_here(llm_server, SEED_000)
    run_here(llm_server, SEED_002, model="other-model")
    other = run_cli("history", "list", "--model", "other-model", "--since", "10m").stdout.decode().splitlines()
    assert len(other) == 1 and SEED_002.name in other[0]
    tomorrow = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%d")
    with RunHistory(history_db()) as history:
        assert len(history.runs(since="10m")) == 2 and history.runs(since=tomorrow) == []
        assert len(history.runs(limit=1)) == 1
    bad = run_cli("history", "list", "--since", "last tuesday")
    assert bad.returncode == 2 and b"--since 'last tuesday'" in bad.stderr


def test_parse_since_reads_relative_and_absolute_times():
    now = datetime(2025, 6, 10, 12, 0, tzinfo=timezone.utc)
    assert parse_since("90m", now=now) == "2025-06-10T10:30:00.000+00:00"
    assert parse_since("2d", now=now) == "2025-06-08T12:00:00.000+00:00"
    assert parse_since("1w", now=now) == "2025-06-03T12:00:00.000+00:00"
    assert parse_since("2025-06-01T08:00:00+02:00") == "2025-06-01T06:00:00.000+00:00"


def test_endpoint_host_never_keeps_a_user_or_password():
    assert host_of("http://user:pw-secret@127.0.0.1:8080/v1") == "127.0.0.1:8080"
    assert host_of("https://api.openai.com/v1") == "api.openai.com"
    assert host_of("http://[::1]:11434/v1") == "[::1]:11434"


def test_reading_an_absent_history_creates_nothing(tmp_path):
    listing = run_cli("history", "list")
    assert listing.returncode == 0 and listing.stdout == b"" and b"no runs recorded" in listing.stderr
    assert not history_db().exists()
    assert default_history_file() == history_db()


# -- secrets ------------------------------------------------------------------------------------
def test_the_api_key_is_never_in_the_database_or_its_wal(llm_server, tmp_path):
    secret = "sk-test-" + secrets.token_hex(16)
    llm_server.require_key = secret
    env = {"OPENAI_API_KEY": secret}
    with RunHistory(history_db()) as history:
        history.record(a_record("earlier"))
    # An open connection keeps the -wal file from being checkpointed away when the runs end.
    reader = sqlite3.connect(history_db())
    reader.execute("SELECT count(*) FROM runs").fetchone()
    news = tmp_path / "news"
    make_folder(news, 2)
    runs = [
        run_cli("summarize", str(SEED_000), *endpoint(llm_server), "--verbose", "--out", str(tmp_path / "out"), env=env),
        run_cli("batch", str(news), *endpoint(llm_server), "--out", str(tmp_path / "batch"), env=env),
    ]
    llm_server.responder = lambda request: error(500, "boom", type_="server_error")
    runs.append(run_cli("translate", str(SEED_000), *endpoint(llm_server), "--verbose", "--max-retries", "0", "--no-cache", env=env))
    assert [proc.returncode for proc in runs] == [0, 0, 3], [proc.stderr for proc in runs]
    files = sorted(history_db().parent.iterdir())
    wal = history_db().with_name("history.db-wal")
    assert wal in files and wal.stat().st_size > 0
    assert b"artikel-1" in wal.read_bytes(), "the scan reads where the new records are"
    needles = [secret.encode(), secret.encode("utf-16-le"), secret[-16:].encode()]
    assert [path.name for path in files if any(needle in path.read_bytes() for needle in needles)] == []
    reader.close()
    assert len(recorded()) == 5
    assert {r.endpoint_host for r in recorded()[1:]} == {f"127.0.0.1:{llm_server.port}"}


@pytest.mark.parametrize("command", [["history", "list"], ["history", "search"], ["history", "show"], ["history", "export"]])
def test_every_history_option_has_help(command):
    proc = run_cli(*command, "--help")
    assert proc.returncode == 0
    import re

    for name, rest in re.findall(r"^\s+(--[a-z-]+)(.*)$", proc.stdout.decode(), re.M):
        assert rest.strip() or name == "--help", f"{command} {name} has no help text"


def history_writers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "summarizer-history" and thread.is_alive()]


def test_one_writer_thread_stores_the_records_of_a_run_one_after_another(tmp_path):
    # A batch queues a record per article: the writer stays for the next one instead of a new thread
    # per record (starting a thread held up the batch's event loop on a busy machine).
    db = tmp_path / "history.db"
    history = RunHistory(db)
    writers = set()
    try:
        for number in range(5):
            history.record_later(a_record(f"article-{number}"))
            while len(recorded_in(db)) < number + 1:  # stored before the next one is queued
                time.sleep(0.01)
            writers.update(history_writers())
    finally:
        history.close()
    assert len(writers) == 1
    assert history_writers() == [], "close ends the writer without waiting for more records"
    assert [r.source for r in recorded_in(db)] == [f"article-{n}" for n in range(5)]
