"""The structured client against a real scripted HTTP server: modes, repairs, retries, errors, cache."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest
from helpers import dump, response_format_type, system_prompt
from scripted_server import Reply, completion, error, schema_responder

from summarizer import errors
from summarizer.cache import EndpointMemory, ResponseCache
from summarizer.config import load_settings
from summarizer.llm import LLMClient
from summarizer.schemas import BriefOutput, SummaryOutput

GOOD_SUMMARY = {"summary": ["One.", "Two.", "Three."]}
MESSAGES = [{"role": "system", "content": "Summarize. Answer in JSON."}, {"role": "user", "content": "<article>Teks.</article>"}]


def make_client(server, tmp_path, *, cache=True, **overrides):
    overrides.setdefault("model", "test-model")
    settings = load_settings(env_file=None, base_url=server.base_url, cache_dir=tmp_path / "cache", **overrides)
    cache_obj = ResponseCache(tmp_path / "cache") if cache else None
    memory = EndpointMemory(tmp_path / "cache" / "endpoints.json")
    return LLMClient(settings, cache=cache_obj, memory=memory)


def ask(client, messages=MESSAGES, output=SummaryOutput, max_tokens=512):
    async def go():
        try:
            return await client.structured(messages=messages, output=output, template_version="v1", parameters={"temperature": 0.2}, max_tokens=max_tokens)
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_strict_json_schema_first_and_one_request(llm_server, tmp_path):
    reply = ask(make_client(llm_server, tmp_path))
    assert reply.requests == 1 and reply.mode == "json_schema_strict"
    request = llm_server.chat_requests()[0]
    assert request.body["response_format"]["json_schema"]["strict"] is True
    assert request.body["response_format"]["json_schema"]["schema"]["additionalProperties"] is False
    assert request.body["max_tokens"] == 512 and request.body["temperature"] == 0.2
    assert len(reply.value.summary) == 3


def test_falls_back_through_modes_and_remembers(llm_server, tmp_path):
    def no_json_schema(request):
        if response_format_type(request) in ("json_schema_strict", "json_schema"):
            return error(400, "response_format json_schema is not supported by this server")
        return schema_responder(request)

    llm_server.responder = no_json_schema
    reply = ask(make_client(llm_server, tmp_path, cache=False))
    assert [response_format_type(r) for r in llm_server.chat_requests()] == ["json_schema_strict", "json_schema", "json_object"]
    assert reply.mode == "json_object"
    # json_object carries no schema, so the schema goes into the system prompt
    assert "<json_schema>" in system_prompt(llm_server.chat_requests()[-1])
    assert any("falling back" in w for w in reply.warnings)

    llm_server.reset()
    ask(make_client(llm_server, tmp_path, cache=False), messages=[MESSAGES[0], {"role": "user", "content": "other"}])
    assert [response_format_type(r) for r in llm_server.chat_requests()] == ["json_object"], "remembered per endpoint+model"


def test_lm_studio_style_rejection_falls_to_prompt_only(llm_server, tmp_path):
    def lmstudio(request):
        if request.body.get("response_format"):
            return Reply(status=400, json={"error": "'response_format.type' must be 'json_schema' or 'text'"})
        return schema_responder(request)

    llm_server.responder = lmstudio
    reply = ask(make_client(llm_server, tmp_path, cache=False))
    assert reply.mode == "prompt"
    last = llm_server.chat_requests()[-1]
    assert "response_format" not in last.body and "<json_schema>" in system_prompt(last)


def test_empty_reply_in_json_mode_moves_down(llm_server, tmp_path):
    llm_server.script(completion(""))
    reply = ask(make_client(llm_server, tmp_path, cache=False))
    assert reply.mode == "json_schema" and reply.requests == 2


def test_invalid_json_is_repaired_with_the_error_quoted(llm_server, tmp_path):
    llm_server.script(completion('{"summary": ["a", "b", '), completion(dump(GOOD_SUMMARY)))
    reply = ask(make_client(llm_server, tmp_path))
    assert reply.requests == 2 and [b.text for b in reply.value.summary] == ["One.", "Two.", "Three."]
    repair = llm_server.chat_requests()[1].body["messages"]
    assert repair[-2]["role"] == "assistant" and repair[-1]["role"] == "user"
    assert "invalid JSON" in repair[-1]["content"]
    assert any("repaired" in w for w in reply.warnings)


def test_schema_violation_is_repaired_naming_the_field(llm_server, tmp_path):
    llm_server.script(completion(dump({"summary": ["only one"]})), completion(dump(GOOD_SUMMARY)))
    ask(make_client(llm_server, tmp_path))
    assert "summary" in llm_server.chat_requests()[1].body["messages"][-1]["content"]
    assert "at least 3" in llm_server.chat_requests()[1].body["messages"][-1]["content"]


def test_repairs_are_bounded_and_nothing_invalid_is_cached(llm_server, tmp_path):
    bad = lambda request: completion("not json at all")  # noqa: E731
    llm_server.responder = bad
    with pytest.raises(errors.OutputValidationError) as info:
        ask(make_client(llm_server, tmp_path, max_repairs=2))
    assert len(llm_server.chat_requests()) == 3 and info.value.attempts == 3
    assert "not json at all" in info.value.last_content
    llm_server.reset()
    llm_server.responder = schema_responder
    reply = ask(make_client(llm_server, tmp_path))
    assert not reply.cached and reply.requests == 1


def test_fenced_json_with_think_block_is_extracted(llm_server, tmp_path):
    llm_server.script(completion("<think>{\"summary\": []} hmm</think>\nHere you go:\n```json\n" + dump(GOOD_SUMMARY) + "\n```"))
    reply = ask(make_client(llm_server, tmp_path))
    assert reply.requests == 1 and reply.value.summary[0].text == "One."


def test_length_finish_is_truncation_not_accepted(llm_server, tmp_path):
    llm_server.script(completion('{"summary": ["a", "b"', finish_reason="length"))
    with pytest.raises(errors.OutputTruncatedError):
        ask(make_client(llm_server, tmp_path))
    assert len(llm_server.chat_requests()) == 1


def test_429_honours_retry_after_and_sdk_does_not_retry_itself(llm_server, tmp_path):
    llm_server.script(error(429, "slow down", type_="rate_limit_error", headers={"retry-after": "0.4"}))
    started = time.monotonic()
    reply = ask(make_client(llm_server, tmp_path))
    waited = time.monotonic() - started
    assert reply.requests == 2 and len(llm_server.chat_requests()) == 2
    first, second = llm_server.chat_requests()
    assert second.started - first.started >= 0.35, "retry-after was honoured"
    assert waited < 10


def test_5xx_retried_then_gives_up_with_bounded_requests(llm_server, tmp_path):
    llm_server.responder = lambda request: error(503, "overloaded", type_="server_error")
    with pytest.raises(errors.ServerError) as info:
        ask(make_client(llm_server, tmp_path, max_retries=2))
    assert len(llm_server.chat_requests()) == 3
    assert "503" in str(info.value)


def test_insufficient_quota_is_not_retried(llm_server, tmp_path):
    llm_server.script(error(429, "You exceeded your current quota", type_="insufficient_quota", code="insufficient_quota"))
    with pytest.raises(errors.RateLimitError) as info:
        ask(make_client(llm_server, tmp_path))
    assert len(llm_server.chat_requests()) == 1 and "quota" in str(info.value)


def test_auth_model_and_context_errors_are_specific(llm_server, tmp_path):
    llm_server.require_key = "right-key"
    with pytest.raises(errors.AuthenticationError) as info:
        ask(make_client(llm_server, tmp_path, api_key="wrong-key"))
    assert "wrong-key" not in str(info.value)
    llm_server.require_key = None
    with pytest.raises(errors.ModelNotFoundError):
        ask(make_client(llm_server, tmp_path, model="no-such-model"))
    llm_server.script(error(400, "This model's maximum context length is 2048 tokens. However, you requested 4000 tokens", code="context_length_exceeded"))
    with pytest.raises(errors.ContextOverflowError):
        ask(make_client(llm_server, tmp_path))


def test_connection_refused_and_timeout(tmp_path, llm_server):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = load_settings(env_file=None, base_url=f"http://127.0.0.1:{port}/v1", model="m", max_retries=1)
    with pytest.raises(errors.EndpointUnreachableError) as info:
        ask(LLMClient(settings))
    assert f"127.0.0.1:{port}" in str(info.value)

    llm_server.script(Reply(hang=True))
    with pytest.raises(errors.EndpointUnreachableError) as info:
        ask(make_client(llm_server, tmp_path, timeout=0.5, max_retries=0))
    assert "did not answer within 0.5s" in str(info.value)


def test_cache_hit_makes_no_request_and_ignores_the_api_key(llm_server, tmp_path):
    first = ask(make_client(llm_server, tmp_path, api_key="sk-secret-one"))
    assert first.requests == 1
    second = ask(make_client(llm_server, tmp_path, api_key="sk-secret-two"))
    assert second.cached and second.requests == 0 and len(llm_server.chat_requests()) == 1
    assert second.value == first.value
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"sk-secret" not in data, path


def test_cache_key_changes_with_template_version_and_messages(llm_server, tmp_path):
    client = make_client(llm_server, tmp_path)
    ask(client)

    async def other_version():
        try:
            return await client.structured(messages=MESSAGES, output=SummaryOutput, template_version="v2", parameters={"temperature": 0.2})
        finally:
            await client.aclose()

    assert not asyncio.run(other_version()).cached
    assert not ask(make_client(llm_server, tmp_path), messages=[MESSAGES[0], {"role": "user", "content": "x"}]).cached


def test_refusal_is_a_clear_failure(llm_server, tmp_path):
    llm_server.script(completion(None, refusal="I can't help with that."))
    with pytest.raises(errors.OutputValidationError) as info:
        ask(make_client(llm_server, tmp_path))
    assert "refused" in str(info.value)


def test_brief_output_validates_nested_glossary(llm_server, tmp_path):
    reply = ask(make_client(llm_server, tmp_path), messages=[MESSAGES[0], {"role": "user", "content": "<article>Amazon dan AWS.</article>"}], output=BriefOutput)
    assert isinstance(reply.value, BriefOutput)
    schema = llm_server.chat_requests()[0].body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["glossary"]["items"]["required"] == ["term", "source_term", "definition"]  # nested models inline
    assert json.dumps(schema).count('"additionalProperties": false') == 3  # the article, a glossary entry, a summary bullet


@pytest.mark.parametrize(("how", "expected"), [
    ({"profile": "ollama"}, {"reasoning_effort": "none"}),
    ({"profile": "vllm"}, {"chat_template_kwargs": {"enable_thinking": False}}),
    ({"learned": "llama.cpp"}, {"chat_template_kwargs": {"enable_thinking": False}}),
])
def test_thinking_off_sends_the_servers_own_switch(llm_server, tmp_path, how, expected):
    if "learned" in how:  # what `summarizer doctor` stores after identifying the server
        EndpointMemory(tmp_path / "cache" / "endpoints.json").update(llm_server.base_url, "test-model", server_kind=how["learned"])
    client = make_client(llm_server, tmp_path, thinking="off", **({"profile": how["profile"]} if "profile" in how else {}))
    ask(client)
    body = llm_server.chat_requests()[0].body
    assert {k: body[k] for k in expected} == expected
    ask(make_client(llm_server, tmp_path))  # thinking on: another cache key, and no extra field
    assert len(llm_server.chat_requests()) == 2
    assert not set(expected) & set(llm_server.chat_requests()[1].body)


def test_thinking_off_on_an_unidentified_server_is_a_config_error_before_any_request(llm_server, tmp_path):
    with pytest.raises(errors.ConfigError, match="cannot tell how to switch thinking off") as caught:
        make_client(llm_server, tmp_path, thinking="off")
    assert "summarizer doctor" in caught.value.hint
    assert llm_server.chat_requests() == []
