"""The benchmark scripts still run (tiny sizes, real subprocesses): a refactor must not leave
`benchmarks/` broken until someone reruns them. No timing is asserted here (see benchmarks/README.md):
only that each script finishes, prints its table and reaches a verdict, and that run_all writes
results.md where it is told to."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"

# script -> tiny arguments (each run takes a few seconds)
TINY = {
    "batch_throughput": ["--articles", "16", "--latency", "0.02", "--cap", "4", "--concurrency", "4"],
    "client_overhead": ["--requests", "12", "--rounds", "2"],
    "token_economy": ["--repeat", "2", "--long-tokens", "2500", "--long-window", "2048"],
    "cache_rerun": ["--articles", "12", "--latency", "0.01"],
    "startup": ["--runs", "2"],
    "scale": ["--articles", "120", "--mb", "0.2"],
    "eval_corpus": ["--corpus", str(ROOT / "tests" / "data" / "id-en-news-slice"), "--lines", "60"],
    "report_build": ["--articles", "6", "--long-tokens", "1500", "--runs", "1"],
    "batch_rampup": ["--articles", "4", "--concurrency", "2", "--tokens", "200", "--rounds", "1"],
    "checks_speed": ["--runs", "2"],
}


def run_script(name: str, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCHMARKS / f"{name}.py"), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)


@pytest.mark.parametrize("name", sorted(TINY))
def test_benchmark_script_runs_and_reaches_a_verdict(name):
    proc = run_script(name, *TINY[name])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "|" in proc.stdout and ("PASS" in proc.stdout or "FAIL" in proc.stdout), proc.stdout[-2000:]
    user_data = Path(os.environ["XDG_DATA_HOME"])  # the user's data folder, isolated by conftest
    assert not list(user_data.rglob("history.db*")), "a benchmark wrote into the user's run history"


def test_token_economy_reports_the_break_even_length():
    proc = run_script("token_economy", *TINY["token_economy"])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Break-even" in proc.stdout and "article tokens with the schema OpenAI bills" in proc.stdout


def test_run_all_writes_the_results_where_told(tmp_path):
    out = tmp_path / "results.md"
    proc = run_script("run_all", "--quick", "--only", "token_economy", "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results") and "## 3. Token economy" in text
    assert "1. Batch throughput" not in text  # --only ran one script


def test_batch_throughput_can_do_the_one_time_start_before_its_timed_rounds():
    proc = run_script("batch_throughput", *TINY["batch_throughput"], "--warm-start", "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "--warm-start: ours' one-time start" in proc.stdout and "whole run" in proc.stdout, proc.stdout[-2000:]
    measured = json.loads(proc.stdout.strip().splitlines()[-1])
    assert measured["warm_start_worker_ready"] is True and measured["warm_start_seconds"] > 0, measured
    assert "NOT ready" not in proc.stdout
