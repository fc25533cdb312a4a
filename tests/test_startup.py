"""`summarizer --help` stays fast because it imports nothing it does not need (issue 15: within 0.3 s of
`python -c pass`, measured by `benchmarks/startup.py`, not here: tests assert no timings).

What it must not import is pinned instead: the SDK, the HTTP stack, the template engine, the tokenizer,
pydantic, asyncio (with ssl, sockets and logging it was the largest import left: ~20 ms) and the library
itself. Each command imports what it needs inside its function.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import ROOT

NOT_FOR_HELP = (
    "openai", "httpx", "jinja2", "babel", "tiktoken", "trafilatura", "pydantic", "sacrebleu", "ray",
    "asyncio", "json",
    "summarizer.api", "summarizer.config", "summarizer.llm", "summarizer.pipeline", "summarizer.batch",
    "summarizer.checks", "summarizer.sources", "summarizer.report", "summarizer.evaluate",
)

# Runs the real entry point (`summarizer.cli.main`, what the console script calls) with --help and, as
# the interpreter exits, names the modules of NOT_FOR_HELP that were imported.
PROBE = f"""
import atexit, sys
NOT_FOR_HELP = {NOT_FOR_HELP!r}
atexit.register(lambda: print("imported:", sorted(m for m in NOT_FOR_HELP if m in sys.modules), file=sys.stderr))
sys.argv = ["summarizer", "--help"]
from summarizer.cli import main
main()
"""


def test_help_imports_none_of_the_heavy_modules():
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "summarize" in proc.stdout and "batch" in proc.stdout, proc.stdout  # the help was printed
    assert "imported: []" in proc.stderr, proc.stderr


# The real entry point with a module-level object that speaks when the interpreter frees it (its
# teardown) and an exit handler that speaks when exit handlers run.
EXIT_PROBE = """
import atexit, sys
class Freed:
    def __del__(self):
        sys.__stderr__.write("freed in the teardown\\n")
kept = Freed()
atexit.register(lambda: print("exit handler ran", file=sys.stderr))
sys.argv = ["summarizer", *sys.argv[1:]]
from summarizer.cli import main
main()
print("main returned", file=sys.stderr)
"""


@pytest.mark.parametrize(("args", "code"), [(["--help"], 0), (["estimate", "/no/such/file.txt"], 2)])
def test_the_cli_ends_with_its_code_after_the_exit_handlers_without_the_teardown(args, code):
    """`summarizer` skips the interpreter's teardown (~0.27 s after a 96-article batch), never the exit
    handlers (the checks worker's close, logging), and keeps the command's exit code and output."""
    proc = subprocess.run([sys.executable, "-c", EXIT_PROBE, *args], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == code, proc.stderr
    assert "exit handler ran" in proc.stderr
    assert "freed in the teardown" not in proc.stderr and "main returned" not in proc.stderr
    if code == 0:
        assert "batch" in proc.stdout  # the help, flushed before the process ended


def test_the_cli_waits_for_a_running_non_daemon_thread():
    """A thread that is not a daemon (a library user's, say) is still working when the command ends: the
    process ends the interpreter's way, after that thread is done, not cut off by `os._exit`."""
    probe = EXIT_PROBE.replace("from summarizer.cli import main", (
        "import threading, time\n"
        "threading.Thread(target=lambda: (time.sleep(0.5), sys.__stderr__.write('thread finished\\n'))).start()\n"
        "from summarizer.cli import main"))
    proc = subprocess.run([sys.executable, "-c", probe, "--help"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "thread finished" in proc.stderr and "exit handler ran" in proc.stderr
