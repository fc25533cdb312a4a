"""Fault matrix: every way the endpoint can misbehave, through a real 2-article batch.

For each fault, article 0 meets the fault and article 1 is answered normally (the responder tells
them apart by the article text). We assert:
- article 0 either succeeds after a bounded number of retries/repairs, or fails with one clear line;
- article 1 still succeeds (the run goes on);
- the number of HTTP requests for article 0 stays within the documented bound
  (transient retries: max_retries+1 per logical request; repairs: max_repairs+1; mode fallback);
- nothing invalid was cached: a second run with a healthy server into a fresh --out (same cache)
  requests article 0 only, and takes article 1 from the cache.

Most cases run the library's `run_batch` in-process (the same code the CLI runs); the cases where
the process boundary matters (exit codes, stderr lines, memory, hung servers) run
`summarizer batch` as a subprocess. The README's fault table is what these tests pin.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from helpers import ROOT, run_cli
from scripted_server import Reply, completion, error, schema_responder
from test_batch import article_number, make_folder

from summarizer.api import Session
from summarizer.batch import BatchOptions, run_batch
from summarizer.llm import MAX_RESPONSE_BYTES

MAX_RETRIES = 1
MAX_REPAIRS = 2
MODES = 4
TIMEOUT = 1.0
HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
    b"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


# -- fault builders: each takes the request and the healthy reply (valid for the requested schema) ---------
def content_of(reply: Reply) -> str:
    return reply.json["choices"][0]["message"]["content"]


def with_content(req, content, **kwargs) -> Reply:
    return completion(content, model=req.body.get("model", "test-model"), **kwargs)


FAULTS = {
    # name: (fault(req, healthy) -> Reply, how many times (None: always), expected, bound on A's requests)
    "429 retry-after, always": (lambda req, ok: error(429, "Rate limit reached", type_="rate_limit_error", headers={"retry-after": "0.2"}), None, "429 Too Many Requests", MAX_RETRIES + 1),
    "429 retry-after-ms, once": (lambda req, ok: error(429, "slow down", type_="rate_limit_error", headers={"retry-after-ms": "150"}), 1, "ok", 2),
    "429 no retry-after, once": (lambda req, ok: error(429, "slow down", type_="rate_limit_error"), 1, "ok", 2),
    "500 always": (lambda req, ok: error(500, "Internal server error", type_="server_error"), None, "failed with 500", MAX_RETRIES + 1),
    "502 html page": (lambda req, ok: Reply(status=502, body=HTML_502, headers={"Content-Type": "text/html"}), None, "failed with 502", MAX_RETRIES + 1),
    "503 once": (lambda req, ok: error(503, "model is loading", type_="server_error"), 1, "ok", 2),
    "504 always": (lambda req, ok: error(504, "Gateway Timeout", type_="server_error"), None, "failed with 504", MAX_RETRIES + 1),
    "connection reset": (lambda req, ok: Reply(drop=True), None, "closed the connection", MAX_RETRIES + 1),
    "reset mid-body": (lambda req, ok: Reply(json=ok.json, drop_mid_body=True), None, "closed the connection", MAX_RETRIES + 1),
    "reset mid-body, once": (lambda req, ok: Reply(json=ok.json, drop_mid_body=True), 1, "ok", 2),
    "read timeout": (lambda req, ok: Reply(json=ok.json, delay=TIMEOUT * 3), None, f"did not answer within {TIMEOUT:g}s", MAX_RETRIES + 1),
    "html with status 200": (lambda req, ok: Reply(status=200, body=HTML_502, headers={"Content-Type": "text/html"}), None, "not a chat completion", 1),
    "broken json body": (lambda req, ok: Reply(status=200, body=b'{"id": "x", "choices": [', headers={"Content-Type": "application/json"}), None, "not valid JSON", 1),
    "not a chat completion": (lambda req, ok: Reply(json={"foo": 1}), None, "not a chat completion", 1),
    # an empty answer moves down the structured modes (one request each), then the prompt mode re-asks
    "empty choices": (lambda req, ok: Reply(json={**ok.json, "choices": []}), None, "the reply was empty", (MODES - 1) + MAX_REPAIRS + 1),
    "content null": (lambda req, ok: with_content(req, None), None, "the reply was empty", (MODES - 1) + MAX_REPAIRS + 1),
    "empty content, once": (lambda req, ok: with_content(req, ""), 1, "ok", 2),
    "refusal": (lambda req, ok: with_content(req, None, refusal="I can't help with that."), None, "the model refused", 1),
    "invalid json content": (lambda req, ok: with_content(req, '{"title": "x", "translation": '), None, "invalid JSON", MAX_REPAIRS + 1),
    "invalid json content, once": (lambda req, ok: with_content(req, "Sure! Here is the translation."), 1, "ok", 2),
    "schema violation": (lambda req, ok: with_content(req, json.dumps({"title": "x"})), None, "does not match the schema", MAX_REPAIRS + 1),
    "json in code fences": (lambda req, ok: with_content(req, "Here it is:\n```json\n" + content_of(ok) + "\n```\n"), None, "ok", 1),
    "think block": (lambda req, ok: with_content(req, '<think>maybe {"title": 1}</think>\n' + content_of(ok)), None, "ok", 1),
    "stray </think>": (lambda req, ok: with_content(req, "reasoning without its opening tag</think>" + content_of(ok)), None, "ok", 1),
    # cut off at max_tokens: never accepted; the article is split in halves (bounded depth), then gives up
    "finish_reason length": (lambda req, ok: with_content(req, content_of(ok)[:40], finish_reason="length"), None, "output limit", 12),
    "wrong model echoed": (lambda req, ok: completion(content_of(ok), model="some-other-model"), None, "ok", 1),
    "huge response": (lambda req, ok: Reply(status=200, body=b'{"choices": "' + b"x" * (MAX_RESPONSE_BYTES + 1024) + b'"}', headers={"Content-Type": "application/json"}), None, "too large to read", 1),
}


def faulty(fault, times):
    """Article 0 gets `fault` (`times` times, or always); everything else the healthy answer."""
    seen = Counter()

    def responder(req):
        healthy = schema_responder(req)
        if article_number(req) == 0 and (times is None or seen[0] < times):
            seen[0] += 1
            return fault(req, healthy)
        return healthy

    return responder


def batch(server, inputs: list[Path], out: Path, cache: Path, **settings):
    settings.setdefault("max_retries", MAX_RETRIES)
    settings.setdefault("timeout", TIMEOUT)

    async def run():
        session = Session(base_url=server.base_url, model="test-model", cache_dir=cache, max_repairs=MAX_REPAIRS, **settings)
        try:
            return await run_batch(session, inputs, BatchOptions(out_dir=out, concurrency=2, fmt="json"))
        finally:
            await session.aclose()

    return asyncio.run(run())


def requests_for(server, number: int) -> int:
    return sum(1 for r in server.chat_requests() if article_number(r) == number)


def one_line(message: str) -> None:
    assert "\n" not in message and "\r" not in message and len(message) < 600, message
    assert "Traceback" not in message and "<html" not in message.lower(), message


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_matrix(llm_server, tmp_path, name):
    fault, times, expected, bound = FAULTS[name]
    news = tmp_path / "news"
    make_folder(news, 2)
    llm_server.responder = faulty(fault, times)
    started = time.monotonic()
    report = batch(llm_server, [news], tmp_path / "out", tmp_path / "cache")
    assert time.monotonic() - started < 15

    a_requests = requests_for(llm_server, 0)
    assert 1 <= a_requests <= bound, (a_requests, bound)
    assert requests_for(llm_server, 1) == 1, "the healthy article is asked exactly once"
    results = {json.loads(line)["source"]: json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text().splitlines()}
    b_result = next(r for s, r in results.items() if s.endswith("artikel-1.txt"))
    assert b_result["translation"], "article 1 succeeded"
    if expected == "ok":
        assert (report.done, report.failed) == (2, 0), report.failures
        assert a_requests == bound, "the documented number of requests, not fewer (faults really happened)"
        a_result = next(r for s, r in results.items() if s.endswith("artikel-0.txt"))
        assert a_result["translation"].strip()
    else:
        assert (report.done, report.failed) == (1, 1), report.failures
        assert a_requests == bound or name == "finish_reason length", (a_requests, bound)
        failure = report.failures[0]
        assert failure["source"].endswith("artikel-0.txt")
        assert expected in failure["error"], failure["error"]
        one_line(failure["error"])
        assert not (tmp_path / "out" / "artikel-0.json").exists(), "no output for a failed article"

    # nothing invalid was cached: a healthy re-run asks for the failed article only
    before = len(llm_server.chat_requests())
    llm_server.responder = schema_responder
    again = batch(llm_server, [news], tmp_path / "out2", tmp_path / "cache")
    new = llm_server.chat_requests()[before:]
    assert (again.done, again.failed) == (2, 0), again.failures
    if expected == "ok":
        assert new == [] and again.cache_hits == 2
    else:
        assert {article_number(r) for r in new} == {0} and again.cache_hits == 1
    for path in (tmp_path / "out2").glob("artikel-*.json"):
        json.loads(path.read_text())  # every output is complete JSON


def test_wrong_model_is_accepted_with_a_warning_that_survives_the_cache(llm_server, tmp_path):
    news = tmp_path / "news"
    make_folder(news, 1)
    llm_server.responder = lambda req: completion(content_of(schema_responder(req)), model="llama-3-8b")
    for out in ("out", "out2"):  # the second run answers from the cache
        batch(llm_server, [news], tmp_path / out, tmp_path / "cache")
        result = json.loads((tmp_path / out / "artikel-0.json").read_text())
        assert any("asked for model 'test-model'" in w and "llama-3-8b" in w for w in result["metadata"]["warnings"]), result["metadata"]
    assert len(llm_server.chat_requests()) == 1
    # a dated snapshot of the same model is not a mismatch (OpenAI answers gpt-4o-mini-2024-07-18)
    llm_server.responder = lambda req: completion(content_of(schema_responder(req)), model="test-model-2024-07-18")
    batch(llm_server, [news], tmp_path / "out3", tmp_path / "cache3")
    assert not [w for w in json.loads((tmp_path / "out3" / "artikel-0.json").read_text())["metadata"]["warnings"] if "model" in w]


def test_retry_after_is_honoured_between_attempts(llm_server, tmp_path):
    news = tmp_path / "news"
    make_folder(news, 2)
    llm_server.responder = faulty(lambda req, ok: error(429, "slow", type_="rate_limit_error", headers={"retry-after": "0.6"}), 1)
    report = batch(llm_server, [news], tmp_path / "out", tmp_path / "cache")
    assert report.done == 2
    first, second = [r for r in llm_server.chat_requests() if article_number(r) == 0]
    assert second.started - first.started >= 0.55


# -- subprocess runs: exit codes, stderr lines, hung servers, memory ------------------------------------------
def cli_batch(server_url: str, news: Path, out: Path, cache: Path, *extra: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return run_cli(
        "batch", str(news), "--out", str(out), "--cache-dir", str(cache), "--base-url", server_url, "--model", "test-model",
        "--max-retries", str(MAX_RETRIES), "--timeout", str(TIMEOUT), *extra, timeout=timeout,
    )


def error_lines(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in proc.stderr.decode().splitlines() if line.startswith("error:")]


@pytest.mark.parametrize("fault", ["hang", "429"])
def test_cli_batch_survives_a_hung_or_rate_limiting_server(llm_server, tmp_path, fault):
    news = tmp_path / "news"
    make_folder(news, 2)
    reply = Reply(hang=True) if fault == "hang" else error(429, "Rate limit reached", type_="rate_limit_error", headers={"retry-after": "0.3"})
    llm_server.responder = faulty(lambda req, ok: reply, None)
    started = time.monotonic()
    proc = cli_batch(llm_server.base_url, news, tmp_path / "out", tmp_path / "cache")
    elapsed = time.monotonic() - started
    assert proc.returncode == 1, proc.stderr.decode()
    assert elapsed < 20, "our timeout ended the hung request"
    assert requests_for(llm_server, 0) == MAX_RETRIES + 1 and requests_for(llm_server, 1) == 1
    lines = error_lines(proc)
    assert len(lines) == 1 and "artikel-0.txt" in lines[0], proc.stderr.decode()
    assert ("did not answer within 1s" if fault == "hang" else "429 Too Many Requests") in lines[0]
    assert "Traceback" not in proc.stderr.decode()
    assert (tmp_path / "out" / "artikel-1.md").is_file() and not (tmp_path / "out" / "artikel-0.md").exists()

    llm_server.responder = schema_responder
    before = len(llm_server.chat_requests())
    again = cli_batch(llm_server.base_url, news, tmp_path / "out", tmp_path / "cache", "--retry-failed")
    assert again.returncode == 0, again.stderr.decode()
    assert [article_number(r) for r in llm_server.chat_requests()[before:]] == [0]
    assert (tmp_path / "out" / "artikel-0.md").is_file()


def test_cli_batch_connection_refused_then_resumes(llm_server, tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    news = tmp_path / "news"
    make_folder(news, 2)
    proc = cli_batch(dead, news, tmp_path / "out", tmp_path / "cache")
    assert proc.returncode == 1
    lines = error_lines(proc)
    assert len(lines) == 2 and all("cannot connect to" in line and "is the server running?" in line for line in lines), lines
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert (report["done"], report["failed"]) == (0, 2)
    # the same --out, now against a live server: both are retried and done, nothing stale was cached
    again = cli_batch(llm_server.base_url, news, tmp_path / "out", tmp_path / "cache", "--retry-failed")
    assert again.returncode == 0, again.stderr.decode()
    assert sorted(article_number(r) for r in llm_server.chat_requests()) == [0, 1]


_MEASURE = """
import atexit, re, runpy, sys
def _report(path=sys.argv.pop(1)):
    status = open("/proc/self/status").read()
    open(path, "w").write(re.search(r"VmHWM:\\s*(\\d+)", status).group(1))
atexit.register(_report)
sys.argv[0] = "summarizer"
runpy.run_module("summarizer", run_name="__main__", alter_sys=True)
"""


def run_measured(args: list[str], tmp_path: Path, stdin: Path | None = None) -> tuple[int, str, int]:
    """Run the CLI; return (exit code, stderr, peak RSS of that process in MB).

    The peak is the process's own VmHWM, read at exit: unlike getrusage/wait4's ru_maxrss it is not
    inflated by the pytest parent's memory copied at fork time."""
    err_path, peak_path = tmp_path / "stderr.txt", tmp_path / "peak-kb.txt"
    with open(err_path, "wb") as err, open(stdin or os.devnull, "rb") as inp:
        proc = subprocess.run([sys.executable, "-c", _MEASURE, str(peak_path), *args], cwd=ROOT, stdin=inp, stdout=subprocess.DEVNULL,
                              stderr=err, env=dict(os.environ, COLUMNS="120"), timeout=120)
    return proc.returncode, err_path.read_text(errors="replace"), int(peak_path.read_text()) // 1024


def test_cli_huge_response_fails_cleanly_without_reading_it(llm_server, tmp_path):
    news = tmp_path / "news"
    make_folder(news, 2)

    def args(out: str) -> list[str]:
        return ["batch", str(news), "--out", str(tmp_path / out), "--cache-dir", str(tmp_path / out / "cache"), "--base-url",
                llm_server.base_url, "--model", "test-model", "--max-retries", "1", "--timeout", "10", "--concurrency", "1"]

    code, stderr, baseline_mb = run_measured(args("healthy"), tmp_path)  # the same run with a healthy server
    assert code == 0, stderr
    huge = b'{"choices": [], "x": "' + b"x" * (30 * 1024 * 1024) + b'"}'
    llm_server.reset()
    llm_server.responder = faulty(lambda req, ok: Reply(status=200, body=huge, headers={"Content-Type": "application/json"}), None)
    code, stderr, peak_mb = run_measured(args("out"), tmp_path)
    assert code == 1, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "30.0 MB, more than the 16 MB limit" in lines[0], stderr
    assert requests_for(llm_server, 0) == 1, "a too-large answer is not retried"
    # Reading and parsing the 30 MB body would add well over 100 MB (bytes, text, parsed JSON); the
    # Content-Length check refuses it before reading. (The margin absorbs run-to-run noise of a few
    # tens of MB seen between the two runs; test_body_without_content_length... shows the hang-up.)
    assert peak_mb < baseline_mb + 60, (peak_mb, baseline_mb)


def test_body_without_content_length_is_cut_off_at_the_limit(tmp_path):
    """A chunked body (no Content-Length) is counted while it is read and refused past the limit."""
    import threading

    from summarizer import errors
    from summarizer.config import load_settings
    from summarizer.llm import LLMClient
    from summarizer.schemas import SummaryOutput

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    sent = [0]

    def serve():
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"x" * 65536
            try:
                for _ in range(MAX_RESPONSE_BYTES * 4 // len(chunk)):  # up to 64 MB, unless the client hangs up
                    conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent[0] += len(chunk)
                conn.sendall(b"0\r\n\r\n")
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    settings = load_settings(env_file=None, base_url=f"http://127.0.0.1:{listener.getsockname()[1]}/v1", model="m", max_retries=0, timeout=20)
    client = LLMClient(settings)

    async def go():
        try:
            return await client.structured(messages=[{"role": "system", "content": "s"}, {"role": "user", "content": "u"}],
                                           output=SummaryOutput, template_version="v")
        finally:
            await client.aclose()

    with pytest.raises(errors.ServerError) as info:
        asyncio.run(go())
    thread.join(timeout=10)
    listener.close()
    assert "more than the 16 MB limit" in str(info.value)
    assert sent[0] < MAX_RESPONSE_BYTES * 2, "the client hung up instead of reading everything"
