"""Small helpers shared by the tests (not fixtures: plain functions)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_000 = SEEDS / "000_248162aed851300f.txt"
SEED_002 = SEEDS / "002_0c0c790569736fd7.txt"


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, input_bytes: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `python -m summarizer ARGS` as a real subprocess with the test's environment."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env.setdefault("COLUMNS", "120")
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args],
        cwd=cwd or ROOT,
        env=full_env,
        input=input_bytes,
        capture_output=True,
        timeout=timeout,
    )


def system_prompt(request) -> str:
    return request.body["messages"][0]["content"]


def user_prompt(request) -> str:
    return request.body["messages"][1]["content"]


def response_format_type(request) -> str | None:
    fmt = request.body.get("response_format")
    if not fmt:
        return None
    if fmt["type"] == "json_schema":
        return "json_schema_strict" if fmt["json_schema"].get("strict") else "json_schema"
    return fmt["type"]


def dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)
