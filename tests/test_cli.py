"""The `summarizer` command as a real subprocess against the scripted server."""

from __future__ import annotations

import json
import socket

import jsonschema
import pytest
from helpers import SEED_000, SEED_002, run_cli

from summarizer.schemas import ARTICLE_RESULT_SCHEMA_FILE

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def endpoint(server) -> list[str]:
    return ["--base-url", server.base_url, "--model", "test-model"]


def test_summarize_seed_prints_a_markdown_brief(llm_server):
    proc = run_cli("summarize", str(SEED_000), *endpoint(llm_server))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    for heading in ("# ", "## Summary", "## Translation", "## Glossary"):
        assert heading in out
    assert "- Summary point 1." in out and "Raksasa e-commerce global" in out
    assert proc.stderr == b""
    assert len(llm_server.chat_requests()) == 1


def test_json_output_validates_against_the_shipped_schema(llm_server):
    proc = run_cli("summarize", str(SEED_002), *endpoint(llm_server), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    jsonschema.validate(document, json.loads(ARTICLE_RESULT_SCHEMA_FILE.read_text()))
    assert document["metadata"]["requests"] == 1 and document["source_language"] == "id"
    assert document["metadata"]["endpoint_host"].startswith("127.0.0.1:")


def test_second_run_makes_zero_requests(llm_server, tmp_path):
    args = ["summarize", str(SEED_000), str(SEED_002), *endpoint(llm_server), "--out", str(tmp_path / "out")]
    assert run_cli(*args).returncode == 0
    first = len(llm_server.chat_requests())
    assert first == 2
    proc = run_cli(*args)
    assert proc.returncode == 0
    assert len(llm_server.chat_requests()) == first
    assert b"1 cached" in proc.stderr


def test_out_folder_gets_one_file_per_input_and_bad_files_do_not_stop_the_rest(llm_server, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    image = tmp_path / "photo.txt"
    image.write_bytes(PNG)
    out = tmp_path / "out"
    proc = run_cli("summarize", str(empty), str(SEED_000), str(image), str(SEED_002), *endpoint(llm_server), "--out", str(out))
    assert proc.returncode == 2
    assert sorted(p.name for p in out.iterdir()) == ["000_248162aed851300f.md", "002_0c0c790569736fd7.md"]
    errors = [line for line in proc.stderr.decode().splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert str(empty) in errors[0] and str(image) in errors[1] and "PNG" in errors[1]
    assert "Traceback" not in proc.stderr.decode()
    assert "2 of 4 files done, 2 failed" in proc.stderr.decode()


def test_same_stem_twice_gets_distinct_names(llm_server, tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "berita.txt").write_bytes(SEED_000.read_bytes())
    out = tmp_path / "out"
    proc = run_cli("translate", str(tmp_path / "a" / "berita.txt"), str(tmp_path / "b" / "berita.txt"), *endpoint(llm_server), "-o", str(out), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["berita-2.json", "berita.json"]


def test_stdin_dash(llm_server):
    proc = run_cli("summarize", "-", *endpoint(llm_server), input_bytes=SEED_002.read_bytes())
    assert proc.returncode == 0, proc.stderr
    assert "Wang Minjie" in proc.stdout.decode()


def test_translate_has_no_summary(llm_server):
    proc = run_cli("translate", str(SEED_002), *endpoint(llm_server))
    assert proc.returncode == 0, proc.stderr
    assert "## Summary" not in proc.stdout.decode() and "## Translation" in proc.stdout.decode()


def test_missing_key_for_a_remote_endpoint_names_the_fix(tmp_path):
    proc = run_cli("summarize", str(SEED_000), "--profile", "openai")
    assert proc.returncode == 2
    assert proc.stderr.decode().strip().count("\n") == 0
    assert "OPENAI_API_KEY" in proc.stderr.decode()


def test_local_endpoint_needs_no_key(llm_server):
    proc = run_cli("summarize", str(SEED_000), *endpoint(llm_server))
    assert proc.returncode == 0
    assert llm_server.chat_requests()[0].headers["authorization"] == "Bearer sk-no-key-required"


def test_key_from_env_is_sent_and_never_printed(llm_server, tmp_path):
    llm_server.require_key = "sk-test-secret-123"
    proc = run_cli("summarize", str(SEED_000), *endpoint(llm_server), "--verbose", "-o", str(tmp_path / "out"), env={"OPENAI_API_KEY": "sk-test-secret-123"})
    assert proc.returncode == 0, proc.stderr
    proc_bad = run_cli("summarize", str(SEED_002), *endpoint(llm_server), "--verbose", env={"OPENAI_API_KEY": "sk-wrong-secret-456"})
    assert proc_bad.returncode == 3
    assert b"refused the API key" in proc_bad.stderr
    for blob in (proc.stdout, proc.stderr, proc_bad.stdout, proc_bad.stderr):
        assert b"secret-123" not in blob and b"secret-456" not in blob
    for path in (tmp_path / "out").rglob("*"):
        assert b"secret" not in path.read_bytes()


def test_dotenv_and_profile_precedence(llm_server, tmp_path):
    (tmp_path / ".env").write_text(f"OPENAI_BASE_URL={llm_server.base_url}\nSUMMARIZER_MODEL=test-model\n")
    proc = run_cli("summarize", str(SEED_000), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert llm_server.chat_requests()[0].body["model"] == "test-model"


def test_unreachable_endpoint_is_one_line_exit_3():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = run_cli("summarize", str(SEED_000), "--base-url", f"http://127.0.0.1:{port}/v1", "--max-retries", "0")
    assert proc.returncode == 3
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "cannot connect" in lines[0] and "--base-url" in lines[0]


def test_unknown_model_exit_3(llm_server):
    proc = run_cli("summarize", str(SEED_000), "--base-url", llm_server.base_url, "--model", "nope")
    assert proc.returncode == 3
    assert "model 'nope' not found" in proc.stderr.decode()


def test_verbose_shows_the_traceback(llm_server):
    proc = run_cli("summarize", str(SEED_000), "--base-url", llm_server.base_url, "--model", "nope", "--verbose")
    assert b"Traceback" in proc.stderr


def test_missing_file_and_binary_file_are_exit_2():
    proc = run_cli("summarize", "no/such/file.txt", "--base-url", "http://127.0.0.1:9/v1")
    assert proc.returncode == 2 and b"no/such/file.txt" in proc.stderr


def test_estimate_and_dry_run_send_nothing(llm_server):
    proc = run_cli("estimate", str(SEED_000), str(SEED_002), *endpoint(llm_server), "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["requests"] for r in rows] == [1, 1] and rows[0]["cost_usd"] is None
    table = run_cli("estimate", str(SEED_000), "--model", "gpt-4o-mini")
    assert table.returncode == 0 and b"cost" in table.stdout and b"0.00" in table.stdout
    dry = run_cli("summarize", str(SEED_000), *endpoint(llm_server), "--dry-run", "--context-window", "2048")
    assert dry.returncode == 0 and b"chunks" in dry.stdout
    # first contact probes the endpoint (so the estimate plans what a run will do), never generates
    assert llm_server.chat_requests() == []
    assert {r.path for r in llm_server.requests} <= {"/v1/models", "/props", "/tokenize", "/api/version", "/api/show", "/api/ps", "/api/v0/models", "/model/info"}


def test_show_cleaned_lists_removed_boilerplate(llm_server):
    proc = run_cli("summarize", str(SEED_002), *endpoint(llm_server), "--show-cleaned")
    assert proc.returncode == 0
    assert b"Baca Lainnya" in proc.stderr and b"Mode Gelap" in proc.stderr
    assert b"Baca Lainnya" not in proc.stdout


def test_prompts_list_show_and_custom_folder_changes_the_cache_key(llm_server, tmp_path):
    listed = run_cli("prompts", "list")
    assert listed.returncode == 0
    for name in (b"brief", b"translate_chunk", b"summarize"):
        assert name in listed.stdout
    shown = run_cli("prompts", "show", "brief")
    assert b"variables: article" in shown.stdout and b"output schema (BriefOutput)" in shown.stdout
    assert b"ChunkBriefOutput" not in shown.stdout
    chunk = run_cli("prompts", "show", "translate_chunk")
    assert b"key_points" in chunk.stdout.split(b"# variables:")[1].split(b"\n")[0]
    assert b"output schema (ChunkTranslationOutput)" in chunk.stdout and b"when the article is summarized (ChunkBriefOutput" in chunk.stdout
    assert run_cli("prompts", "show", "nope").returncode == 2

    assert run_cli("summarize", str(SEED_000), *endpoint(llm_server)).returncode == 0
    custom = tmp_path / "prompts"
    custom.mkdir()
    from summarizer.prompts import BUILTIN_PROMPTS_DIR

    text = (BUILTIN_PROMPTS_DIR / "brief.toml").read_text().replace("professional news translator", "careful news translator")
    (custom / "brief.toml").write_text(text)
    proc = run_cli("summarize", str(SEED_000), *endpoint(llm_server), "--prompts", str(custom))
    assert proc.returncode == 0, proc.stderr
    assert len(llm_server.chat_requests()) == 2, "a changed template is a cache miss"
    assert "careful news translator" in llm_server.chat_requests()[1].body["messages"][0]["content"]


def test_broken_custom_template_reports_all_missing_variables(llm_server, tmp_path):
    custom = tmp_path / "prompts"
    custom.mkdir()
    (custom / "brief.toml").write_text('output = "BriefOutput"\n[messages]\nsystem = "{{ tone }} {{ audience }}"\nuser = "{{ article }}"\n')
    proc = run_cli("summarize", str(SEED_000), *endpoint(llm_server), "--prompts", str(custom))
    assert proc.returncode == 2
    assert b"audience, tone" in proc.stderr


def test_cache_stats_and_clear(llm_server, tmp_path):
    cache = tmp_path / "c"
    # the language model copy in its default place, beside the answers in the same cache folder
    in_cache = {"SUMMARIZER_CACHE_DIR": str(cache), "SUMMARIZER_LANGUAGE_MODEL_CACHE": ""}
    assert run_cli("summarize", str(SEED_000), *endpoint(llm_server), env=in_cache).returncode == 0
    stats = run_cli("cache", "stats", env=in_cache)
    assert b"1 cached answer" in stats.stdout
    answers_kib = float(stats.stdout.decode().split("cached answer(s), ")[1].split(" KiB")[0])
    assert answers_kib < 10 * 1024, "the answers only, not the ~70 MB language model copy"
    assert f"{cache / 'language-model'}: uncompressed language model copy and English word list".encode() in stats.stdout
    cleared = run_cli("cache", "clear", "--cache-dir", str(cache))
    assert b"removed 1" in cleared.stdout
    assert run_cli("summarize", str(SEED_000), *endpoint(llm_server), "--cache-dir", str(cache)).returncode == 0
    assert len(llm_server.chat_requests()) == 2


def test_no_cache_flag(llm_server):
    for _ in range(2):
        assert run_cli("summarize", str(SEED_000), *endpoint(llm_server), "--no-cache").returncode == 0
    assert len(llm_server.chat_requests()) == 2


def test_profiles_list_includes_every_shipped_profile():
    proc = run_cli("profiles", "list")
    for name in (b"openai", b"ollama", b"vllm", b"llamacpp", b"lmstudio", b"litellm"):
        assert name in proc.stdout


def test_user_profile_from_config_file(llm_server, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.mine]\nbase_url = "{llm_server.base_url}"\nmodel = "test-model"\n')
    proc = run_cli("summarize", str(SEED_000), "--profile", "mine", env={"SUMMARIZER_CONFIG": str(config)})
    assert proc.returncode == 0, proc.stderr
    bad = run_cli("summarize", str(SEED_000), "--profile", "nosuch", env={"SUMMARIZER_CONFIG": str(config)})
    assert bad.returncode == 2 and b"unknown profile 'nosuch'" in bad.stderr and b"mine" in bad.stderr


@pytest.mark.parametrize("command", [[], ["summarize"], ["translate"], ["estimate"], ["prompts", "list"], ["cache", "stats"], ["profiles", "list"]])
def test_every_option_has_help(command):
    proc = run_cli(*command, "--help")
    assert proc.returncode == 0
    text = proc.stdout.decode()
    import re

    options = re.findall(r"^\s+(--[a-z-]+)(.*)$", text, re.M)
    for name, rest in options:
        assert rest.strip() or name in ("--help",), f"{command} {name} has no help text"


def test_strict_exit_code_and_checks_in_markdown(llm_server, tmp_path):
    import json as _json

    from scripted_server import completion as _completion

    article = tmp_path / "a.txt"
    article.write_text("Amazon memangkas 16.000 karyawan korporat dan berinvestasi US$50 miliar di OpenAI.", encoding="utf-8")
    answer = {"source_language": "id", "title": "T", "translation": "Amazon cut 18,000 corporate employees and invested US$50 billion in OpenAI.",
              "summary": ["a", "b", "c"], "glossary": []}
    llm_server.responder = lambda request: _completion(_json.dumps(answer))
    shown = run_cli("summarize", str(article), *endpoint(llm_server))
    assert shown.returncode == 0 and b"## Checks" in shown.stdout and b"number_missing" in shown.stdout
    strict = run_cli("summarize", str(article), *endpoint(llm_server), "--strict")
    assert strict.returncode == 4 and b"faithfulness error" in strict.stderr


def test_doctor_findings_are_used_by_later_runs(llm_server, tmp_path):
    """doctor learns the context window and /tokenize; the next summarize counts with the server and
    cuts chunks for that window."""
    llm_server.context_length = 1400
    llm_server.tokenize_enabled = True
    cache = ["--cache-dir", str(tmp_path / "cache")]
    doctor = run_cli("doctor", *endpoint(llm_server), *cache)
    assert doctor.returncode == 0, doctor.stdout.decode() + doctor.stderr.decode()
    estimate = run_cli("estimate", str(SEED_000), *endpoint(llm_server), *cache, "--json")
    row = json.loads(estimate.stdout)[0]
    assert row["context_window"] == 1400 and row["context_source"] == "probed by doctor"
    assert row["token_counter"].startswith("server tokenizer") and row["chunks"] > 1
    proc = run_cli("summarize", str(SEED_000), *endpoint(llm_server), *cache, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["metadata"]["chunks"] == row["chunks"]


def test_no_thinking_needs_a_known_server(llm_server):
    args = ["summarize", str(SEED_000), "--base-url", llm_server.base_url, "--model", "test-model", "--no-thinking"]
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert proc.stderr.decode().count("\n") <= 2 and "cannot tell how to switch thinking off" in proc.stderr.decode()
    assert llm_server.chat_requests() == []
    proc = run_cli(*args, "--profile", "vllm")
    assert proc.returncode == 0, proc.stderr.decode()
    assert llm_server.chat_requests()[0].body["chat_template_kwargs"] == {"enable_thinking": False}
