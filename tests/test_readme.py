"""The README's Python examples run, as written, against the scripted server, so they cannot rot
(the first one once crashed with IndexError on an article whose glossary was empty).

The only change made to an example is its endpoint: `http://localhost:8080/v1` becomes the scripted
server's URL (which serves the examples' model names), and the `ollama` profile is pointed at it through `OPENAI_BASE_URL` (the environment
beats a profile). Each example runs in its own interpreter, in a folder holding the files it names.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from helpers import ROOT, SEED_000, SEED_002
from scripted_server import ScriptedServer, completion, schema_responder

README_URL = "http://localhost:8080/v1"


def python_examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)


def run_example(code: str, server: ScriptedServer, folder) -> subprocess.CompletedProcess:
    (folder / "article.txt").write_bytes(SEED_000.read_bytes())
    (folder / "long.txt").write_bytes(SEED_002.read_bytes())
    (folder / "terms.csv").write_text("source,preferred,note\nPHK,layoffs,\n", encoding="utf-8")
    env = dict(os.environ, OPENAI_BASE_URL=server.base_url)
    return subprocess.run(
        [sys.executable, "-c", code.replace(README_URL, server.base_url)],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120,
    )


def without_glossary(request):
    """A valid answer for the schema asked for, with an empty glossary."""
    reply = schema_responder(request)
    answer = json.loads(reply.json["choices"][0]["message"]["content"])
    if "glossary" in answer:
        answer["glossary"] = []
    return completion(json.dumps(answer, ensure_ascii=False))


def test_the_readme_has_python_examples_that_call_the_api():
    examples = python_examples()
    assert examples and README_URL in examples[0]
    assert "from summarizer import" in examples[0]


@pytest.mark.parametrize("glossary", ["with glossary", "empty glossary"])
def test_readme_python_examples_run(tmp_path, glossary):
    responder = schema_responder if glossary == "with glossary" else without_glossary
    server = ScriptedServer(responder=responder, models=["default", "qwen2.5"]).start()  # the examples' models
    try:
        printed = []
        for number, code in enumerate(python_examples()):
            folder = tmp_path / f"example-{number}"
            folder.mkdir()
            proc = run_example(code, server, folder)
            assert proc.returncode == 0, f"README example {number} failed:\n{proc.stderr}"
            printed.append(proc.stdout)
        assert server.chat_requests(), "the examples sent no request to the scripted server"
        title, *rest = printed[0].splitlines()
        assert title and any(line.startswith("- ") for line in rest)  # the title, then the bullets
        assert any(" = " in line for line in rest) is (glossary == "with glossary")  # then the glossary, if any
    finally:
        server.stop()
