"""Offline / provider batches: --export-jsonl writes OpenAI Batch API lines, --import-jsonl caches and renders."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from helpers import SEED_000, SEED_002, run_cli


def endpoint(server) -> list[str]:
    return ["--base-url", server.base_url, "--model", "test-model"]


def run_provider_batch(server, requests_file: Path, results_file: Path, *, broken: set[str] = frozenset()) -> int:
    """What OpenAI's Batch API or `vllm run-batch` does: send each body, write the results file."""
    lines = [json.loads(line) for line in requests_file.read_text().splitlines() if line.strip()]
    with results_file.open("w") as out:
        for line in lines:
            assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
            request = urllib.request.Request(server.root_url + line["url"], data=json.dumps(line["body"]).encode(), headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request) as response:
                body = json.loads(response.read())
            if line["custom_id"] in broken:
                body["choices"][0]["message"]["content"] = "not json"
            out.write(json.dumps({"id": "batch_req_1", "custom_id": line["custom_id"], "response": {"status_code": 200, "request_id": "r", "body": body}, "error": None}) + "\n")
    return len(lines)


def test_export_sends_nothing_and_writes_batch_api_lines(llm_server, tmp_path):
    requests_file = tmp_path / "requests.jsonl"
    proc = run_cli("batch", str(SEED_000), str(SEED_002), *endpoint(llm_server), "--export-jsonl", str(requests_file))
    assert proc.returncode == 0, proc.stderr
    assert llm_server.chat_requests() == []  # first contact probes the endpoint; nothing is generated
    lines = [json.loads(line) for line in requests_file.read_text().splitlines()]
    assert len(lines) == 2
    for line in lines:
        assert set(line) == {"custom_id", "method", "url", "body"}
        assert line["body"]["model"] == "test-model" and line["body"]["response_format"]["type"] == "json_schema"
        assert line["custom_id"].startswith("BriefOutput.")
    assert b"exported 2 request(s) for 2 article(s)" in proc.stderr


def test_round_trip_renders_every_article_without_sending(llm_server, tmp_path):
    requests_file, results_file, out = tmp_path / "requests.jsonl", tmp_path / "results.jsonl", tmp_path / "out"
    assert run_cli("batch", str(SEED_000), str(SEED_002), *endpoint(llm_server), "--export-jsonl", str(requests_file)).returncode == 0
    assert run_provider_batch(llm_server, requests_file, results_file) == 2
    seen = len(llm_server.requests)
    proc = run_cli("batch", str(SEED_000), str(SEED_002), *endpoint(llm_server), "--import-jsonl", str(results_file), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert len(llm_server.requests) == seen, "import and render send nothing"
    assert sorted(p.name for p in out.glob("*.md")) == ["000_248162aed851300f.md", "002_0c0c790569736fd7.md"]
    assert b"imported 2 of 2" in proc.stderr
    # everything is cached now: a normal batch run costs nothing either
    again = run_cli("batch", str(SEED_000), str(SEED_002), *endpoint(llm_server), "--out", str(tmp_path / "out2"))
    assert again.returncode == 0 and len(llm_server.requests) == seen


def test_long_article_takes_rounds_until_nothing_is_pending(llm_server, tmp_path):
    article = tmp_path / "long.txt"
    article.write_text("\n\n".join(f"Paragraf {i}: Amazon memangkas 16.000 karyawan dan berinvestasi US$50 miliar di AWS." for i in range(14)), encoding="utf-8")
    out = tmp_path / "out"
    rounds = []
    for round_number in range(12):
        requests_file, results_file = tmp_path / f"req{round_number}.jsonl", tmp_path / f"res{round_number}.jsonl"
        exported = run_cli("batch", str(article), *endpoint(llm_server), "--context-window", "1400", "--export-jsonl", str(requests_file))
        assert exported.returncode == 0, exported.stderr
        count = len(requests_file.read_text().splitlines())
        rounds.append(count)
        if count == 0:
            break
        run_provider_batch(llm_server, requests_file, results_file)
        rendered = run_cli("batch", str(article), *endpoint(llm_server), "--context-window", "1400", "--import-jsonl", str(results_file), "--out", str(out))
        assert rendered.returncode in (0, 1), rendered.stderr
    assert rounds[-1] == 0 and len(rounds) >= 4, rounds  # several chunks, then the summary, then done
    assert (out / "long.md").is_file()


def test_invalid_answers_are_reported_and_not_cached(llm_server, tmp_path):
    requests_file, results_file, out = tmp_path / "requests.jsonl", tmp_path / "results.jsonl", tmp_path / "out"
    assert run_cli("batch", str(SEED_000), str(SEED_002), *endpoint(llm_server), "--export-jsonl", str(requests_file)).returncode == 0
    first_id = json.loads(requests_file.read_text().splitlines()[0])["custom_id"]
    run_provider_batch(llm_server, requests_file, results_file, broken={first_id})
    proc = run_cli("batch", str(SEED_000), str(SEED_002), *endpoint(llm_server), "--import-jsonl", str(results_file), "--out", str(out))
    assert proc.returncode == 1
    assert b"imported 1 of 2" in proc.stderr and b"not valid" in proc.stderr
    assert len(list(out.glob("*.md"))) == 1
    assert b"1 waiting for another provider-batch round" in proc.stderr
    again = run_cli("batch", str(SEED_000), str(SEED_002), *endpoint(llm_server), "--export-jsonl", str(tmp_path / "again.jsonl"))
    assert len((tmp_path / "again.jsonl").read_text().splitlines()) == 1, "the invalid answer was not cached"
    assert again.returncode == 0


def test_usage_errors(llm_server, tmp_path):
    assert run_cli("batch", str(SEED_000), *endpoint(llm_server)).returncode == 2
    proc = run_cli("batch", str(SEED_000), *endpoint(llm_server), "--import-jsonl", str(tmp_path / "x.jsonl"))
    assert proc.returncode == 2 and b"--out" in proc.stderr
    missing = run_cli("batch", str(SEED_000), *endpoint(llm_server), "--import-jsonl", str(tmp_path / "x.jsonl"), "--out", str(tmp_path / "o"))
    assert missing.returncode == 2 and b"cannot read the results file" in missing.stderr
