"""`summarizer --help` stays fast because it imports nothing it does not need (issue 15: within 0.3 s of
`python -c pass`, measured by `benchmarks/startup.py`, not here: tests assert no timings).

What it must not import is pinned instead: the SDK, the HTTP stack, the template engine, the tokenizer,
pydantic, asyncio (with ssl, sockets and logging it was the largest import left: ~20 ms) and the library
itself. Each command imports what it needs inside its function.
"""

from __future__ import annotations

import subprocess
import sys

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
