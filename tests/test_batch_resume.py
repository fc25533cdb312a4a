"""A batch folder remembers its run (run.json): a re-run with no endpoint flags resumes it, a flag
that contradicts it is refused before anything is sent, and the key is never stored.

Real subprocess CLI runs against the scripted server, which serves TWO models: without the stored
model, a re-run with no --model would stop at "serves 2 models and no --model was given"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import ROOT, run_cli
from scripted_server import error, schema_responder
from test_batch import article_number, make_folder, manifest

from summarizer.prompts import BUILTIN_PROMPTS_DIR

KEY = "sk-test-h8-never-stored-0123456789abcdef"


def failing_article(number: int):
    def responder(request):
        if article_number(request) == number:
            return error(500, "the model crashed")
        return schema_responder(request)

    return responder


def start(llm_server, tmp_path: Path, *extra: str):
    llm_server.models = ["model-a", "model-b"]
    news, out = tmp_path / "news", tmp_path / "briefs"
    make_folder(news, 3)
    llm_server.responder = failing_article(1)
    proc = run_cli("batch", str(news), "--out", str(out), "--base-url", llm_server.base_url, "--model", "model-a",
                   "-f", "json", "--translate-only", "--max-retries", "0", *extra, env={"OPENAI_API_KEY": KEY})
    assert proc.returncode == 1, proc.stderr.decode()
    assert [e["state"] for e in manifest(out)].count("failed") == 1
    llm_server.responder = schema_responder
    return news, out


def test_resume_with_no_flags_uses_the_stored_settings(llm_server, tmp_path):
    news, out = start(llm_server, tmp_path)
    before = len(llm_server.chat_requests())
    proc = run_cli("batch", str(news), "--out", str(out), "--retry-failed", env={"OPENAI_API_KEY": KEY})
    stderr = proc.stderr.decode()
    assert proc.returncode == 0, stderr
    assert f"resuming with the settings of the run in {out}: model model-a at {llm_server.base_url}" in stderr
    assert len(llm_server.chat_requests()) > before  # the failed article was done now
    assert {r.body["model"] for r in llm_server.chat_requests()} == {"model-a"}
    outputs = sorted(out.glob("artikel-*.json"))  # the stored --format json, not the default md
    assert len(outputs) == 3 and not list(out.glob("*.md"))
    assert {json.loads(p.read_text())["metadata"]["model"] for p in outputs} == {"model-a"}
    assert {e["task"] for e in manifest(out)} == {"translate"}  # the stored --translate-only
    stored = json.loads((out / "run.json").read_text())
    assert (stored["model"], stored["endpoint"], stored["task"], stored["fmt"]) == ("model-a", llm_server.base_url, "translate", "json")


def test_flags_that_do_not_change_results_are_allowed(llm_server, tmp_path):
    news, out = start(llm_server, tmp_path)
    proc = run_cli("batch", str(news), "--out", str(out), "--retry-failed", "--model", "model-a", "-f", "json",
                   "--concurrency", "1", "--rpm", "600", "--quiet", env={"OPENAI_API_KEY": KEY})
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr.decode() == ""  # --quiet: not even the resuming line


def test_a_conflicting_flag_is_one_line_exit_2_and_nothing_is_sent(llm_server, tmp_path):
    news, out = start(llm_server, tmp_path)
    cases = [
        (["--model", "model-b"], "--model model-b", "--model model-a"),
        (["--base-url", "http://127.0.0.1:9/v1"], "--base-url http://127.0.0.1:9/v1", f"--base-url {llm_server.base_url}"),
        (["-f", "md"], "--format md", "--format json"),
    ]
    for flags, named, stored in cases:
        llm_server.reset()
        proc = run_cli("batch", str(news), "--out", str(out), *flags, env={"OPENAI_API_KEY": KEY})
        stderr = proc.stderr.decode()
        assert proc.returncode == 2, stderr
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:") and named in lines[0] and stored in lines[0], stderr
        assert "new --out" in lines[0] and "Traceback" not in stderr
        assert llm_server.requests == []  # not even a probe


def test_another_task_is_refused(llm_server, tmp_path):
    news, out = tmp_path / "news", tmp_path / "briefs"
    make_folder(news, 1)
    base = ["--base-url", llm_server.base_url, "--model", "test-model"]
    assert run_cli("batch", str(news), "--out", str(out), *base).returncode == 0
    proc = run_cli("batch", str(news), "--out", str(out), *base, "--translate-only")
    assert proc.returncode == 2 and "--translate-only" in proc.stderr.decode() and "task summarize" in proc.stderr.decode()


def test_an_edited_template_is_refused_naming_it(llm_server, tmp_path):
    news, out, prompts = tmp_path / "news", tmp_path / "briefs", tmp_path / "prompts"
    make_folder(news, 1)
    shutil.copytree(BUILTIN_PROMPTS_DIR, prompts)
    base = ["--base-url", llm_server.base_url, "--model", "test-model"]
    assert run_cli("batch", str(news), "--out", str(out), *base, "--prompts", str(prompts)).returncode == 0
    brief = prompts / "brief.toml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("\n", "\n\n", 1), encoding="utf-8")
    llm_server.reset()
    proc = run_cli("batch", str(news), "--out", str(out), "--retry-failed")  # --prompts remembered too
    stderr = proc.stderr.decode()
    assert proc.returncode == 2, stderr
    assert "template 'brief' changed" in stderr and "new --out" in stderr and "Traceback" not in stderr
    assert llm_server.chat_requests() == []


def test_the_key_is_in_no_file_of_the_folder(llm_server, tmp_path):
    news, out = start(llm_server, tmp_path)
    assert run_cli("batch", str(news), "--out", str(out), "--retry-failed", env={"OPENAI_API_KEY": KEY}).returncode == 0
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "run.json" for p in files)
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path


def test_the_readme_resume_line_resumes_with_no_flags(llm_server, tmp_path):
    """The README's `summarizer batch news/ --out briefs/` (run as written, in a folder with news/) resumes."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if line.startswith("summarizer batch news/ --out briefs/ ") and "# again" in line)
    args = line.split("#")[0].split()[1:]
    assert args == ["batch", "news/", "--out", "briefs/"]
    llm_server.models = ["model-a", "model-b"]
    make_folder(tmp_path / "news", 2)
    first = run_cli("batch", "news/", "--out", "briefs/", "--base-url", llm_server.base_url, "--model", "model-b", cwd=tmp_path)
    assert first.returncode == 0, first.stderr.decode()
    (tmp_path / "news" / "artikel-2.txt").write_text((tmp_path / "news" / "artikel-0.txt").read_text().replace("nomor 0", "nomor 2"))
    proc = run_cli(*args, cwd=tmp_path, env={"OPENAI_BASE_URL": "", "SUMMARIZER_MODEL": ""})
    stderr = proc.stderr.decode()
    assert proc.returncode == 0, stderr
    assert "resuming with the settings of the run in briefs: model model-b at " + llm_server.base_url in stderr
    assert "1 done, 2 skipped" in stderr
    assert {r.body["model"] for r in llm_server.chat_requests()} == {"model-b"}
