"""`doctor` against real servers: the scripted OpenAI-compatible server and an embedded llama.cpp."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest
from llamacpp_support import llamacpp_server, tiny_gguf  # noqa: F401  (fixtures)
from scripted_server import ScriptedServer, error, schema_responder

from summarizer.cache import EndpointMemory
from summarizer.config import load_settings
from summarizer.doctor import CHECK_NAMES, DoctorReport, render_report, run_doctor
from summarizer.pipeline import context_window_for


def settings_for(base_url: str, **overrides):
    overrides.setdefault("model", "test-model")
    return load_settings(env_file=None, base_url=base_url, **overrides)


def doctor(settings, memory=None) -> DoctorReport:
    return asyncio.run(run_doctor(settings, memory=memory))


def check(report: DoctorReport, name: str):
    found = report.check(name)
    assert found is not None, name
    return found


def test_healthy_endpoint_is_ok_and_remembered(tmp_path):
    memory = EndpointMemory(tmp_path / "endpoints.json")
    with ScriptedServer(context_length=4096, tokenize_enabled=True) as server:
        settings = settings_for(server.base_url)
        report = doctor(settings, memory)
        chats = server.chat_requests()

    assert report.ok, render_report(report)
    assert [c.name for c in report.checks] == list(CHECK_NAMES)
    assert report.structured_mode == "json_schema_strict"
    assert len(chats) == 1  # stopped at the first mode that worked
    assert report.models == ["test-model"]
    assert report.context_window == 4096
    assert "n_ctx_train" in report.context_source
    assert report.tokenize_url == f"{server.root_url}/tokenize"
    assert report.latency_ms is not None and report.latency_ms > 0
    for name in ("reachable", "auth", "models", "model present", "structured output", "context length", "tokenize", "latency"):
        assert check(report, name).ok is True, (name, check(report, name).detail)

    stored = json.loads((tmp_path / "endpoints.json").read_text())
    facts = stored[f"{server.base_url}|test-model"]
    assert facts["structured_mode"] == "json_schema_strict"
    assert facts["context_window"] == 4096
    assert facts["tokenize_url"] == f"{server.root_url}/tokenize"
    # the pipeline now sizes chunks with the probed window
    assert context_window_for(settings, memory.get(settings.effective_base_url, settings.model)) == (4096, "probed by doctor")
    assert json.loads(json.dumps(report.as_dict()))["structured_mode"] == "json_schema_strict"


def test_falls_back_when_json_schema_is_rejected(tmp_path):
    def responder(req):
        fmt = (req.body or {}).get("response_format") or {}
        if fmt.get("type") == "json_schema":
            return error(400, "response_format not supported")
        return schema_responder(req)

    memory = EndpointMemory(tmp_path / "endpoints.json")
    with ScriptedServer(responder=responder) as server:
        report = doctor(settings_for(server.base_url), memory)
        modes = [(r.body.get("response_format") or {}).get("type") for r in server.chat_requests()]

    assert report.ok, render_report(report)
    assert report.structured_mode in ("json_object", "prompt")
    assert report.structured_mode == "json_object"
    assert modes == ["json_schema", "json_schema", "json_object"]
    detail = check(report, "structured output").detail
    assert "json_schema_strict" in detail and "not supported" in detail
    assert check(report, "context length").ok is None  # the server does not expose it
    assert check(report, "tokenize").ok is None
    assert report.context_window is None
    facts = memory.get(server.base_url, "test-model")
    assert facts["structured_mode"] == "json_object"
    assert "context_window" not in facts


def test_no_mode_works_is_reported_not_raised():
    with ScriptedServer(responder=lambda req: error(400, "response_format is not supported; json schema grammar failed")) as server:
        report = doctor(settings_for(server.base_url, structured_modes=["json_schema_strict", "json_object"]))
    assert not report.ok
    assert report.structured_mode is None
    structured = check(report, "structured output")
    assert structured.ok is False and "json_schema_strict" in structured.detail and "json_object" in structured.detail


def test_unknown_model_lists_the_available_ones(tmp_path):
    models = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"]
    memory = EndpointMemory(tmp_path / "endpoints.json")
    with ScriptedServer(models=models) as server:
        report = doctor(settings_for(server.base_url, model="no-such-model"), memory)

    assert not report.ok
    present = check(report, "model present")
    assert present.ok is False
    assert "no-such-model" in present.detail
    assert "alpha, beta, gamma, delta, epsilon" in present.detail and "+2 more" in present.detail
    assert "zeta" not in present.detail
    assert check(report, "models").ok is True
    assert report.models == models
    assert check(report, "structured output").ok is False
    facts = memory.get(server.base_url, "no-such-model")
    assert "structured_mode" not in facts  # nothing learned from the failed check...
    assert facts["served_models"] == models  # ...but what the other checks found is kept


def test_wrong_key_fails_auth_and_never_leaks_the_key():
    secret = "sk-wrong-secret-1234567890"
    with ScriptedServer(require_key="sk-right") as server:
        report = doctor(settings_for(server.base_url, api_key=secret))
        chats = server.chat_requests()

    assert not report.ok
    auth = check(report, "auth")
    assert auth.ok is False
    assert "OPENAI_API_KEY" in auth.detail
    assert check(report, "reachable").ok is True
    assert check(report, "structured output").ok is None
    assert chats == []
    text = render_report(report) + json.dumps(report.as_dict())
    assert secret not in text


def test_missing_key_for_remote_host_is_an_auth_failure():
    with ScriptedServer(require_key="sk-right") as server:
        report = doctor(settings_for(server.base_url, requires_key=True))
    auth = check(report, "auth")
    assert auth.ok is False and "OPENAI_API_KEY" in auth.detail
    assert not report.ok


def test_closed_port_is_unreachable_without_exception():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}/v1"
    report = doctor(settings_for(base_url))

    assert not report.ok
    reachable = check(report, "reachable")
    assert reachable.ok is False
    assert f"cannot connect to {base_url}" in reachable.detail and "--base-url" in reachable.detail
    for name in CHECK_NAMES[1:]:
        assert check(report, name).ok is None, name
    assert report.structured_mode is None and report.latency_ms is None
    assert "✗" in render_report(report)


def test_render_report_names_every_check():
    with ScriptedServer(context_length=4096, tokenize_enabled=True) as server:
        report = doctor(settings_for(server.base_url))
    text = render_report(report)
    for name in CHECK_NAMES:
        assert name in text
    assert text.count("✓") == len(CHECK_NAMES) + 1  # every row, and the verdict
    assert "json_schema_strict" in text and "ready" in text


@pytest.mark.llamacpp
def test_real_llamacpp_server(llamacpp_server, tmp_path):  # noqa: F811
    memory = EndpointMemory(tmp_path / "endpoints.json")
    settings = settings_for(llamacpp_server.base_url, model=llamacpp_server.model, timeout=60)
    report = doctor(settings, memory)

    assert report.ok, render_report(report)
    assert report.server_kind == "llama.cpp"
    assert report.models == [llamacpp_server.model]
    assert report.context_window == 2048
    assert report.context_source and ("/props" in report.context_source or "meta" in report.context_source)
    assert report.tokenize_url == f"{llamacpp_server.root_url}/tokenize"
    assert check(report, "tokenize").ok is True
    assert report.structured_mode in ("json_schema_strict", "json_schema", "json_object", "prompt")
    facts = memory.get(settings.effective_base_url, settings.model)
    assert facts["context_window"] == 2048 and facts["structured_mode"] == report.structured_mode
    text = render_report(report)
    for name in CHECK_NAMES:
        assert name in text


def _chat_reply(request):
    from werkzeug import Response

    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": request.json["model"],
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": '{"title": "Library", "points": ["A library opened."]}'}}],
        "usage": {"prompt_tokens": 50, "completion_tokens": 12, "total_tokens": 62},
    }
    return Response(json.dumps(body), status=200, content_type="application/json")


def test_ollama_window_is_the_runtime_num_ctx_not_the_model_maximum(httpserver):
    httpserver.expect_request("/v1/models").respond_with_json(
        {"object": "list", "data": [{"id": "llama3.2:latest", "object": "model", "created": 0, "owned_by": "library"}]}
    )
    httpserver.expect_request("/api/show", method="POST").respond_with_json(
        {"parameters": 'stop "<|eot_id|>"\nnum_ctx 8192', "model_info": {"general.architecture": "llama", "llama.context_length": 131072}}
    )
    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_handler(_chat_reply)
    report = doctor(settings_for(httpserver.url_for("/v1"), model="llama3.2:latest"))

    assert report.ok, render_report(report)
    assert report.server_kind == "ollama"
    assert report.context_window == 8192 and "num_ctx" in report.context_source
    assert "131072" in check(report, "context length").detail
    assert report.tokenize_url is None


def test_ollama_without_num_ctx_assumes_the_small_default(httpserver):
    httpserver.expect_request("/v1/models").respond_with_json({"object": "list", "data": [{"id": "qwen3:4b", "object": "model", "owned_by": "library"}]})
    httpserver.expect_request("/api/show", method="POST").respond_with_json({"parameters": "", "model_info": {"qwen3.context_length": 40960}})
    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_handler(_chat_reply)
    report = doctor(settings_for(httpserver.url_for("/v1"), model="qwen3:4b", context_window=32768))

    assert report.context_window == 2048
    length = check(report, "context length")
    assert length.ok is False and "OLLAMA_CONTEXT_LENGTH" in length.detail and "lower it" in length.detail


def test_vllm_max_model_len(httpserver):
    httpserver.expect_request("/v1/models").respond_with_json(
        {"object": "list", "data": [{"id": "Qwen/Qwen3-8B", "object": "model", "owned_by": "vllm", "max_model_len": 32768}]}
    )
    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_handler(_chat_reply)
    report = doctor(settings_for(httpserver.url_for("/v1"), model="Qwen/Qwen3-8B"))

    assert report.ok, render_report(report)
    assert report.server_kind == "vllm"
    assert (report.context_window, report.context_source) == (32768, "/v1/models max_model_len")
