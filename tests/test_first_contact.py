"""Issue 14: first contact with a local server, through real HTTP servers and real CLI runs.

Scripted servers emulate each dialect's probe endpoints (llama.cpp, vLLM, Ollama, LM Studio, LiteLLM)
and overflow messages; the CLI runs as a subprocess for the scheme-less URL, a server that is down,
no --model and a wrong --model.
"""

from __future__ import annotations

import json
import socket
import time

import pytest
from helpers import SEED_000, run_cli
from scripted_server import Reply, ScriptedServer, completion, error, schema_responder
from test_pipeline import long_article

from summarizer import errors
from summarizer.api import Session
from summarizer.cache import EndpointMemory
from summarizer.llm import dialects, repeated_span

ARTICLE_TEXT = "Pemerintah kota Bandung membuka perpustakaan baru pada hari Senin. Perpustakaan itu memiliki 20.000 buku."


def session_for(server, tmp_path, **overrides) -> Session:
    overrides.setdefault("base_url", server.base_url)
    return Session(cache_dir=tmp_path / "cache", env_file=None, notify=lambda note: None, **overrides)


def endpoint_facts(tmp_path, server, model):
    return EndpointMemory(tmp_path / "cache" / "endpoints.json").get(server.base_url, model)


# --------------------------------------------------------------------------- dialect probes

def _llamacpp(server):
    server.routes[("GET", "/props")] = Reply(json={"default_generation_settings": {"n_ctx": 2048}, "total_slots": 2, "model_alias": "tiny"})
    server.tokenize_enabled = True
    return "llama.cpp", 2048, "/props"


def _vllm(server):
    server.models = []  # the /v1/models answer below replaces the default one
    server.routes[("GET", "/v1/models")] = Reply(json={"object": "list", "data": [
        {"id": "test-model", "object": "model", "owned_by": "vllm", "max_model_len": 3072}]})
    server.routes[("POST", "/tokenize")] = lambda req: (
        Reply(json={"count": 3, "max_model_len": 3072, "tokens": [1, 2, 3]}) if "prompt" in (req.body or {})
        else error(400, "field required: prompt"))
    return "vllm", 3072, "max_model_len"


def _ollama(server):
    server.routes[("GET", "/api/version")] = Reply(json={"version": "0.6.2"})
    server.routes[("POST", "/api/show")] = Reply(json={"parameters": "num_ctx 4096", "model_info": {"llama.context_length": 131072}})
    return "ollama", 4096, "num_ctx"


def _lmstudio(server):
    server.routes[("GET", "/api/v0/models")] = Reply(json={"object": "list", "data": [
        {"id": "test-model", "type": "llm", "state": "loaded", "max_context_length": 32768, "loaded_context_length": 5120}]})
    return "lmstudio", 5120, "loaded_context_length"


def _litellm(server):
    server.routes[("GET", "/model/info")] = Reply(json={"data": [
        {"model_name": "test-model", "litellm_params": {"model": "openai/x"}, "model_info": {"max_input_tokens": 6144, "max_tokens": 8192}}]})
    return "litellm", 6144, "max_input_tokens"


@pytest.mark.parametrize("emulate", [_llamacpp, _vllm, _ollama, _lmstudio, _litellm], ids=lambda f: f.__name__[1:])
def test_first_contact_reads_each_dialects_probe(emulate, tmp_path):
    with ScriptedServer() as server:
        kind, window, source = emulate(server)
        started = time.monotonic()
        with session_for(server, tmp_path, model="test-model") as session:
            probed = time.monotonic() - started
            plan = session.plan(session.load("a.txt", data=ARTICLE_TEXT.encode()))
        assert server.chat_requests() == []  # probing never generates
        facts = endpoint_facts(tmp_path, server, "test-model")
        assert facts["server_kind"] == kind and facts["probed"] is True
        assert facts["context_window"] == window and source in facts["context_source"]
        assert plan.context_window == window and plan.context_source.startswith("probed")
        if kind in ("llama.cpp", "vllm"):
            assert facts["tokenize_url"] == server.root_url + "/tokenize"
            assert plan.token_counter.startswith("server tokenizer")
        assert probed < 2.0

        # once per endpoint+model: a second session sends no probe at all
        server.reset()
        with session_for(server, tmp_path, model="test-model", use_cache=False):
            pass
        assert {r.path for r in server.requests} <= {"/tokenize"}  # the token counter's own check only


def test_hosted_apis_are_not_probed():
    assert dialects.is_hosted("https://api.openai.com/v1") and dialects.is_hosted("https://openrouter.ai/api/v1")
    assert not dialects.is_hosted("http://127.0.0.1:8080/v1") and not dialects.is_hosted("http://gpu-box:8000/v1")


@pytest.mark.parametrize("message, size", [
    ("request (4476 tokens) exceeds the available context size (2048 tokens)", 2048),
    ("This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.", 4096),
    ("Input validation error: `inputs` tokens + `max_new_tokens` must be <= 8192. Given: 9000", 8192),
    ("the prompt is too long", None),
])
def test_context_size_is_read_from_overflow_messages(message, size):
    assert dialects.is_context_overflow(message)
    assert dialects.context_size_from_error(message) == size


# --------------------------------------------------------------------------- learning from overflows

OVERFLOW_REPLIES = {
    "llama.cpp": lambda: error(400, "request (5210 tokens) exceeds the available context size (2048 tokens)", type_="exceed_context_size_error"),
    "vllm": lambda: error(400, "This model's maximum context length is 2048 tokens. However, you requested 5210 tokens "
                               "(4210 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
                          type_="BadRequestError"),
}
PROMPT_CHARS_THAT_FIT = 2048 * 4  # the scripted server's "context": messages longer than this overflow


def _overflowing(kind):
    def responder(req):
        size = sum(len(m.get("content") or "") for m in req.body["messages"])
        return OVERFLOW_REPLIES[kind]() if size > PROMPT_CHARS_THAT_FIT else schema_responder(req)
    return responder


@pytest.mark.parametrize("kind", sorted(OVERFLOW_REPLIES))
def test_overflow_message_re_plans_the_article_and_is_remembered(kind, tmp_path):
    article = tmp_path / "long.txt"
    article.write_text(long_article(40), encoding="utf-8")
    with ScriptedServer(responder=_overflowing(kind)) as server:
        with session_for(server, tmp_path, model="test-model") as session:
            assert session.plan(article).single_request  # the default 8192-token guess: one request
            result = session.run(article)
        statuses = [r for r in server.chat_requests() if sum(len(m["content"]) for m in r.body["messages"]) > PROMPT_CHARS_THAT_FIT]
        assert len(statuses) == 1  # one overflow, then a plan for the real size: no blind halving
        assert any("re-planned" in w and "2048" in w for w in result.metadata.warnings)
        assert not any("split in" in w for w in result.metadata.warnings)
        assert endpoint_facts(tmp_path, server, "test-model")["context_limit"] == 2048

        # the next run (and its estimate) plans for 2048 from the start: zero overflows
        server.reset()
        with session_for(server, tmp_path, model="test-model", use_cache=False) as session:
            estimate = session.estimate(article)
            again = session.run(article)
        assert estimate.context_window == 2048 and estimate.context_source == "the server's context-overflow message"
        assert again.metadata.chunks == estimate.chunks and again.metadata.requests == len(server.chat_requests())
        assert all(sum(len(m["content"]) for m in r.body["messages"]) <= PROMPT_CHARS_THAT_FIT for r in server.chat_requests())


# --------------------------------------------------------------------------- model, runaway guard

def test_doctor_stores_each_fact_even_when_structured_output_fails(tmp_path):
    import asyncio

    from summarizer.config import load_settings
    from summarizer.doctor import run_doctor

    memory = EndpointMemory(tmp_path / "endpoints.json")
    with ScriptedServer(context_length=4096, tokenize_enabled=True, responder=lambda req: completion("not json at all")) as server:
        settings = load_settings(env_file=None, base_url=server.base_url, model="test-model", max_repairs=0)
        report = asyncio.run(run_doctor(settings, memory=memory))
    assert not report.ok and report.structured_mode is None
    facts = memory.get(server.base_url, "test-model")
    assert facts["context_window"] == 4096 and facts["tokenize_url"] == server.root_url + "/tokenize"
    assert "structured_mode" not in facts


def test_an_answer_repeating_one_span_is_re_asked(tmp_path):
    loop = json.dumps({"title": "x", "translation": "Paragraph one. " + "the minister said that " * 200, "summary": ["a", "b", "c"],
                       "glossary": [], "source_language": "id"})
    assert repeated_span(loop) == "the minister said that " or repeated_span(loop).strip() == "the minister said that"
    with ScriptedServer() as server:
        server.script(completion(loop))  # then the default responder answers properly
        with session_for(server, tmp_path, model="test-model", use_cache=False, run_checks=False) as session:
            result = session.run(session.load("a.txt", data=ARTICLE_TEXT.encode()))
        chats = server.chat_requests()
    assert len(chats) == 2 and "over and over" in chats[1].body["messages"][-1]["content"]
    assert "the minister said that the minister" not in result.translation


def test_model_check_uses_the_served_list_before_any_generation(tmp_path):
    with ScriptedServer(models=["alpha", "beta"]) as server:
        with pytest.raises(errors.ModelNotFoundError) as info:
            session_for(server, tmp_path, model="gamma")
        assert "alpha, beta" in str(info.value)
        with pytest.raises(errors.ConfigError) as several:
            Session(cache_dir=tmp_path / "cache2", env_file=None, base_url=server.base_url, notify=lambda n: None)
        assert "serves 2 models" in str(several.value) and "--model" in str(several.value)
        assert server.chat_requests() == []


# --------------------------------------------------------------------------- the CLI

def test_cli_without_model_uses_the_only_served_one(tmp_path):
    with ScriptedServer(models=["qwen-local"]) as server:
        proc = run_cli("summarize", str(SEED_000), "--base-url", server.base_url, "--format", "json", "--cache-dir", str(tmp_path / "c"))
        chats = server.chat_requests()
    assert proc.returncode == 0, proc.stderr.decode()
    assert "using model 'qwen-local'" in proc.stderr.decode()
    assert chats and all(r.body["model"] == "qwen-local" for r in chats)
    assert json.loads(proc.stdout)["metadata"]["model"] == "qwen-local"


def test_cli_wrong_model_fails_before_generating_and_lists_served(tmp_path):
    with ScriptedServer(models=["qwen-local", "llama-local"]) as server:
        proc = run_cli("summarize", str(SEED_000), "--base-url", server.base_url, "--model", "gpt-4o-mini", "--cache-dir", str(tmp_path / "c"))
        chats = server.chat_requests()
    assert proc.returncode == 3 and chats == []
    line = proc.stderr.decode().strip()
    assert "'gpt-4o-mini' not found" in line and "qwen-local, llama-local" in line and "Traceback" not in line


def test_cli_answer_from_another_model_is_a_stderr_warning(tmp_path):
    with ScriptedServer(responder=lambda req: Reply(json={**schema_responder(req).json, "model": "other-model"})) as server:
        proc = run_cli("summarize", str(SEED_000), "--base-url", server.base_url, "--model", "test-model", "--format", "json",
                       "--cache-dir", str(tmp_path / "c"))
    assert proc.returncode == 0, proc.stderr.decode()
    assert "warning:" in proc.stderr.decode() and "'other-model'" in proc.stderr.decode()
    assert json.loads(proc.stdout)["metadata"]["model"] == "other-model"  # names the model that answered


def test_cli_scheme_less_base_url(tmp_path):
    with ScriptedServer() as server:
        local = run_cli("summarize", str(SEED_000), "--base-url", f"127.0.0.1:{server.port}/v1", "--model", "test-model", "--cache-dir", str(tmp_path / "c"))
    assert local.returncode == 0, local.stderr.decode()
    remote = run_cli("summarize", str(SEED_000), "--base-url", "api.example.com/v1", "--model", "x")
    assert remote.returncode == 2
    line = remote.stderr.decode().strip()
    assert "no scheme" in line and "https://api.example.com/v1" in line and "API key" not in line and len(line.splitlines()) == 1


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


def test_refused_connection_gets_one_quick_retry_then_fails(tmp_path):
    """Measured in-process, after warm-up: CLI start-up (imports) on a loaded 2-core machine would
    drown the number. The default 4 retries with backoff took ~7.5 s per file before."""
    import asyncio

    with Session(cache_dir=tmp_path / "cache", env_file=None, base_url=_dead_url(), model="m", run_checks=False) as session:
        session.warm_up()
        sources = [session.load(f"{name}.txt", data=ARTICLE_TEXT.encode()) for name in "ab"]

        async def both() -> list[float]:
            took = []
            for source in sources:
                started = time.monotonic()
                with pytest.raises(errors.EndpointUnreachableError, match="connection refused"):
                    await session.arun(source)
                took.append(time.monotonic() - started)
            await session.aclose()
            return took

        took = asyncio.run(both())
    assert all(seconds < 2.0 for seconds in took), took


def test_cli_server_down_names_each_file_and_the_url(tmp_path):
    dead = _dead_url()
    files = [tmp_path / "a.txt", tmp_path / "b.txt"]
    for path in files:
        path.write_text(ARTICLE_TEXT, encoding="utf-8")
    proc = run_cli("summarize", *map(str, files), "--base-url", dead, "--model", "m", "--no-checks", "--cache-dir", str(tmp_path / "c"))
    assert proc.returncode == 3
    lines = [line for line in proc.stderr.decode().splitlines() if line.startswith("error:")]
    assert len(lines) == 2 and "Traceback" not in proc.stderr.decode(), proc.stderr.decode()
    for path, line in zip(files, lines):
        assert str(path) in line and dead in line and "cannot connect" in line


def _response_schema(request) -> dict:
    return request.body["response_format"]["json_schema"]["schema"]


def test_schema_bounds_go_only_to_servers_that_enforce_them(tmp_path):
    with ScriptedServer() as server:
        _llamacpp(server)
        with session_for(server, tmp_path, model="test-model", run_checks=False) as session:
            session.run(session.load("a.txt", data=ARTICLE_TEXT.encode()))
        bounded = _response_schema(server.chat_requests()[0])
    with ScriptedServer() as plain:
        with session_for(plain, tmp_path / "plain", model="test-model", run_checks=False) as session:
            session.run(session.load("a.txt", data=ARTICLE_TEXT.encode()))
        unbounded = _response_schema(plain.chat_requests()[0])
    props = bounded["properties"]
    # the natural bounds (a title of 200, a glossary of 30) allow answers longer than max_tokens:
    # fitted so the longest one the grammar allows fits it (tests/test_schema_bounds.py)
    assert 0 < props["title"]["maxLength"] <= 200 and 0 < props["glossary"]["maxItems"] <= 30
    assert props["translation"]["maxLength"] == 3 * len(ARTICLE_TEXT) + 200  # sized to the chunk
    bullet = props["summary"]["items"]["properties"]
    assert 0 < bullet["text"]["maxLength"] <= 400  # bullets are {text, paragraphs} objects: bounded too
    paragraphs = len([p for p in ARTICLE_TEXT.split("\n\n") if p.strip()])
    # citations can only name the paragraphs the prompt numbers: a weak model cannot cost a re-ask
    assert bullet["paragraphs"]["items"] == {"type": "integer", "minimum": 1, "maximum": paragraphs}
    assert "maxLength" not in json.dumps(unbounded) and "maximum" not in json.dumps(unbounded)
