"""Secrets never reach the disk or the terminal; a damaged or shared cache never breaks a run."""

from __future__ import annotations

import json
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

from helpers import ROOT, SEED_000, run_cli
from scripted_server import error, schema_responder
from test_batch import make_folder

from summarizer.config import load_settings


def key() -> str:
    return "sk-test-" + secrets.token_hex(16)


def scan(folder: Path, secret: str) -> list[Path]:
    """Every file under `folder` holding the key (or its bytes in UTF-16, or its tail)."""
    needles = [secret.encode(), secret.encode("utf-16-le"), secret[-16:].encode()]
    return [p for p in folder.rglob("*") if p.is_file() and any(n in p.read_bytes() for n in needles)]


def assert_clean(proc: subprocess.CompletedProcess, secret: str) -> None:
    for stream in (proc.stdout, proc.stderr):
        assert secret.encode() not in stream and secret[-16:].encode() not in stream


def test_key_never_written_or_printed(llm_server, tmp_path):
    secret = key()
    llm_server.require_key = secret
    env = {"OPENAI_API_KEY": secret}
    cache, out = tmp_path / "cache", tmp_path / "out"
    news = tmp_path / "news"
    make_folder(news, 2)
    common = ["--base-url", llm_server.base_url, "--model", "test-model", "--cache-dir", str(cache)]
    runs = [
        run_cli("summarize", str(SEED_000), "--verbose", *common, env=env),
        run_cli("summarize", str(news / "artikel-0.txt"), "--out", str(out / "single"), "--format", "json", "--verbose", *common, env=env),
        run_cli("batch", str(news), "--out", str(out / "batch"), "--verbose", *common, env=env),
    ]
    for proc in runs:
        assert proc.returncode == 0, proc.stderr.decode()
        assert_clean(proc, secret)
    # a failure with --verbose (traceback shown): the server fails every request
    llm_server.responder = lambda req: error(500, "boom", type_="server_error")
    failed = run_cli("batch", str(news), "--out", str(out / "failed"), "--verbose", "--max-retries", "0", *common[:-2], "--cache-dir", str(tmp_path / "cache2"), env=env)
    assert failed.returncode == 1 and "Traceback" in failed.stderr.decode()
    assert_clean(failed, secret)
    assert all(r.headers.get("authorization") == f"Bearer {secret}" for r in llm_server.chat_requests()), "the key was really used"
    assert scan(tmp_path, secret) == []
    assert (out / "batch" / "manifest.jsonl").is_file() and (out / "batch" / "report.json").is_file()


def test_401_does_not_echo_the_key_even_when_the_server_does(llm_server, tmp_path):
    secret = key()
    # some servers (and OpenAI, partly masked) quote the key they refused
    llm_server.responder = lambda req: error(401, f"Incorrect API key provided: {secret}. You can find your API key at ...", code="invalid_api_key")
    proc = run_cli("summarize", str(SEED_000), "--verbose", "--base-url", llm_server.base_url, "--model", "test-model",
                   "--cache-dir", str(tmp_path / "cache"), env={"OPENAI_API_KEY": secret})
    assert proc.returncode == 3, proc.stderr.decode()
    stderr = proc.stderr.decode()
    assert "refused the API key (401)" in stderr and "[redacted API key]" in stderr
    assert_clean(proc, secret)
    assert scan(tmp_path, secret) == []


def test_settings_repr_and_str_hide_the_key():
    secret = key()
    settings = load_settings(env_file=None, api_key=secret, base_url="http://127.0.0.1:1/v1")
    for text in (repr(settings), str(settings), f"{settings!r}", repr(settings.api_key), str(settings.model_dump())):
        assert secret not in text


def corrupt_cache(cache: Path) -> None:
    database = cache / "responses" / "cache.db"
    with sqlite3.connect(database) as conn:  # garbage in every stored value
        conn.execute("UPDATE Cache SET value = ?, mode = 4, filename = NULL", (b"\x80\x04garbage",))
    for path in (cache / "responses").rglob("*.val"):
        path.write_bytes(b"\x00truncated")


def test_corrupt_cache_entries_and_files_are_misses_not_crashes(llm_server, tmp_path):
    cache = tmp_path / "cache"
    args = ["summarize", str(SEED_000), "--base-url", llm_server.base_url, "--model", "test-model", "--cache-dir", str(cache), "--format", "json"]
    assert run_cli(*args).returncode == 0
    assert len(llm_server.chat_requests()) == 1
    corrupt_cache(cache)
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr.decode()
    assert len(llm_server.chat_requests()) == 2, "a garbage entry is a miss"
    json.loads(proc.stdout)
    # the whole database overwritten with garbage: still a miss, never a crash
    (cache / "responses" / "cache.db").write_bytes(b"this is not sqlite" * 100)
    for run in range(2):
        proc = run_cli(*args)
        assert proc.returncode == 0, proc.stderr.decode()
        json.loads(proc.stdout)
    assert len(llm_server.chat_requests()) <= 5
    # a corrupt endpoint memory file is ignored too
    (cache / "endpoints.json").write_text("{not json")
    assert run_cli(*args).returncode == 0


def test_two_batches_share_one_cache_dir_at_once(llm_server, tmp_path):
    def slow(req):
        reply = schema_responder(req)
        reply.delay = 0.05
        return reply

    llm_server.responder = slow
    news = tmp_path / "news"
    make_folder(news, 8)
    cache = tmp_path / "cache"
    procs = [
        subprocess.Popen([sys.executable, "-m", "summarizer", "batch", str(news), "--out", str(tmp_path / f"out{i}"), "-f", "json",
                          "--base-url", llm_server.base_url, "--model", "test-model", "--cache-dir", str(cache), "-j", "3"],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for i in range(2)
    ]
    for proc in procs:
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr.decode()
    for i in range(2):
        report = json.loads((tmp_path / f"out{i}" / "report.json").read_text())
        assert (report["done"], report["failed"]) == (8, 0)
        for n in range(8):
            result = json.loads((tmp_path / f"out{i}" / f"artikel-{n}.json").read_text())
            assert f"Berita nomor {n}:" in result["translation"]
    assert len(llm_server.chat_requests()) <= 16
    # afterwards every answer is in the cache: a third run makes no request
    before = len(llm_server.chat_requests())
    assert run_cli("batch", str(news), "--out", str(tmp_path / "out3"), "--base-url", llm_server.base_url, "--model", "test-model", "--cache-dir", str(cache)).returncode == 0
    assert len(llm_server.chat_requests()) == before
