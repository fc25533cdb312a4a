"""`summarizer demo` and `summarizer serve`, as real subprocesses on a real llama.cpp server.

The demo's stdout is the Markdown brief (CI greps it); everything else goes to stderr, including,
since issue 14 item 9, where the demo's GGUF is and a `summarizer serve --gguf ...` line that works
when pasted into a shell.
"""

from __future__ import annotations

import os
import re
import select
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT, run_cli
from llamacpp_support import http_json, require_llamacpp_deps

pytestmark = pytest.mark.llamacpp

SERVE_LINE = re.compile(r"^\s*(summarizer serve --gguf .+)$", re.MULTILINE)
MODEL_LINE = re.compile(r"^The demo model is (.+); serve it yourself", re.MULTILINE)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    """One demo run (about 10-70 s on a shared 2-core machine), in a cache folder with a space in its name."""
    require_llamacpp_deps()
    cache = tmp_path_factory.mktemp("demo") / "my cache"
    proc = run_cli("demo", env={"SUMMARIZER_CACHE_DIR": str(cache)}, timeout=600)
    return proc, cache


def test_demo_stdout_is_only_the_brief(demo_run) -> None:
    proc, _ = demo_run
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    stdout = proc.stdout.decode()
    assert re.search(r"^## Translation", stdout, re.MULTILINE)  # what .ci/run greps
    assert stdout.startswith("# ")
    assert "summarizer serve" not in stdout and ".gguf" not in stdout


def test_demo_says_where_its_gguf_is(demo_run) -> None:
    proc, cache = demo_run
    stderr = proc.stderr.decode()
    found = MODEL_LINE.search(stderr)
    assert found, stderr
    model = Path(found.group(1))
    assert model.is_file() and model.read_bytes()[:4] == b"GGUF"
    assert model.is_relative_to(cache), "the demo keeps its model in the cache folder"


def test_the_printed_serve_line_serves_the_demo_model(demo_run) -> None:
    """Paste the line (quoting and all: the cache path has a space), add --port 0, and a server answers."""
    proc, _ = demo_run
    found = SERVE_LINE.search(proc.stderr.decode())
    assert found, proc.stderr.decode()
    argv = shlex.split(found.group(1))
    assert argv[:3] == ["summarizer", "serve", "--gguf"] and Path(argv[3]).is_file()
    serve = subprocess.Popen([sys.executable, "-m", *argv, "--port", "0"], cwd=ROOT, stderr=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, env=dict(os.environ), text=True)
    try:
        url = _announced_url(serve, deadline=time.monotonic() + 120)
        assert http_json(url.removesuffix("/v1") + "/health") == (200, {"status": "ok"})
        status, models = http_json(url + "/models")
        assert status == 200 and [m["id"] for m in models["data"]] == [Path(argv[3]).stem]
        assert models["data"][0]["meta"]["n_ctx"] == int(argv[argv.index("--ctx") + 1])
        serve.send_signal(signal.SIGINT)  # what Ctrl-C does
        assert serve.wait(timeout=30) == 0
        assert "stopped" in serve.stderr.read()
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()


def _announced_url(serve: subprocess.Popen, *, deadline: float) -> str:
    """The base URL from serve's "serving X as model 'Y' at URL (Ctrl-C stops)" line on stderr."""
    seen = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([serve.stderr], [], [], 0.1)
        if ready:
            line = serve.stderr.readline()
            if not line:
                break
            seen.append(line)
            found = re.search(r" at (http://127\.0\.0\.1:\d+/v1) ", line)
            if found:
                return found.group(1)
        elif serve.poll() is not None:
            break
    pytest.fail("summarizer serve did not announce its URL:\n" + "".join(seen))
