"""The scripted server itself: every fault it fakes reaches the real openai SDK as the real thing."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request

import httpx2
import jsonschema
import openai
import pytest
from openai import OpenAI

from scripted_server import (
    RecordedRequest,
    Reply,
    ScriptedServer,
    completion,
    error,
    instance_for_schema,
    schema_responder,
)

MESSAGES = [{"role": "user", "content": "hi"}]


def client(server: ScriptedServer, **kw) -> OpenAI:
    kw.setdefault("api_key", "x")
    return OpenAI(base_url=server.base_url, max_retries=0, **kw)


def chat(c: OpenAI, **kw):
    kw.setdefault("model", "test-model")
    kw.setdefault("messages", MESSAGES)
    return c.chat.completions.create(**kw)


def get_json(url: str, **kw) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, **kw), timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


# ----------------------------------------------------------------- round trips and scripting


def test_canned_completion_round_trips_through_sdk(llm_server):
    llm_server.script(completion("hello", finish_reason="length", prompt_tokens=7, completion_tokens=3))
    resp = chat(client(llm_server))
    assert resp.choices[0].message.content == "hello"
    assert resp.choices[0].finish_reason == "length"
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens, resp.usage.total_tokens) == (7, 3, 10)
    assert resp.model == "test-model" and resp.object == "chat.completion"


def test_refusal_and_reasoning_content(llm_server):
    llm_server.script(completion(None, refusal="no", reasoning_content="thinking"))
    msg = chat(client(llm_server)).choices[0].message
    assert msg.content is None and msg.refusal == "no"
    assert llm_server.requests and msg.model_extra.get("reasoning_content") == "thinking"


def test_queue_order_then_responder_and_callables_get_the_request(llm_server):
    seen: list[RecordedRequest] = []

    def echo(req: RecordedRequest) -> Reply:
        seen.append(req)
        return completion("echo:" + req.body["messages"][-1]["content"])

    llm_server.script(completion("first"), echo, completion("third"))
    c = client(llm_server)
    out = [chat(c, messages=[{"role": "user", "content": f"m{i}"}]).choices[0].message.content for i in range(4)]
    assert out[:3] == ["first", "echo:m1", "third"]
    assert out[3] == "{}"  # queue empty -> schema_responder, no schema asked -> {}
    assert len(seen) == 1 and seen[0].body["messages"][0]["content"] == "m1"
    assert llm_server.pending == 0


def test_custom_responder(llm_server):
    llm_server.responder = lambda req: completion("from responder")
    assert chat(client(llm_server)).choices[0].message.content == "from responder"


def test_recorded_requests_are_parsed_json(llm_server):
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}, "strict": True}}
    chat(client(llm_server, api_key="sk-abc"), response_format=fmt, temperature=0.2)
    [req] = llm_server.chat_requests()
    assert req.method == "POST" and req.path == "/v1/chat/completions"
    assert req.body["model"] == "test-model"
    assert req.body["messages"] == MESSAGES
    assert req.body["response_format"] == fmt
    assert req.headers["authorization"] == "Bearer sk-abc"
    assert json.loads(req.raw) == req.body
    assert 0 < req.started <= req.finished


def test_reset(llm_server):
    llm_server.script(completion("a"), completion("b"))
    chat(client(llm_server))
    llm_server.reset()
    assert llm_server.requests == [] and llm_server.pending == 0 and llm_server.max_in_flight == 0
    assert chat(client(llm_server)).choices[0].message.content == "{}"


# ----------------------------------------------------------------- faults


def test_429_with_retry_after_reaches_sdk(llm_server):
    llm_server.script(error(429, "Rate limit reached", type_="requests", code="rate_limit_exceeded",
                            headers={"retry-after": "1"}))
    with pytest.raises(openai.RateLimitError) as info:
        chat(client(llm_server))
    assert info.value.status_code == 429
    assert info.value.response.headers["retry-after"] == "1"
    assert info.value.code == "rate_limit_exceeded"
    assert "Rate limit reached" in str(info.value)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx(llm_server, status):
    llm_server.script(error(status, "boom", type_="server_error"))
    with pytest.raises(openai.InternalServerError) as info:
        chat(client(llm_server))
    assert info.value.status_code == status


def test_non_json_body(llm_server):
    llm_server.script(Reply(status=502, body=b"<html>Bad Gateway</html>", headers={"content-type": "text/html"}))
    with pytest.raises(openai.InternalServerError) as info:
        chat(client(llm_server))
    assert "Bad Gateway" in info.value.response.text


def test_drop_is_connection_error(llm_server):
    llm_server.script(Reply(drop=True), completion("after"))
    c = client(llm_server)
    with pytest.raises(openai.APIConnectionError):
        chat(c)
    assert chat(c).choices[0].message.content == "after"  # the server keeps serving


def test_drop_mid_body_is_connection_error(llm_server):
    llm_server.script(Reply(drop_mid_body=True, json=completion("x" * 2000).json))
    with pytest.raises(openai.APIConnectionError):
        chat(client(llm_server))


def test_hang_times_out_and_does_not_block_stop():
    server = ScriptedServer().start()
    try:
        server.script(Reply(hang=True))
        t0 = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            chat(client(server, timeout=0.5))
        assert time.monotonic() - t0 < 3
    finally:
        t1 = time.monotonic()
        server.stop()
        assert time.monotonic() - t1 < 1.0


def test_stop_while_a_request_still_hangs():
    """The client is still waiting (long timeout) when the server stops: stop() must not wait for it."""
    server = ScriptedServer().start()
    server.script(Reply(hang=True))
    errors: list[BaseException] = []

    def call():
        try:
            chat(client(server, timeout=10))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    th = threading.Thread(target=call)
    th.start()
    deadline = time.monotonic() + 3
    while not server.chat_requests() and time.monotonic() < deadline:
        time.sleep(0.01)
    t0 = time.monotonic()
    server.stop()
    assert time.monotonic() - t0 < 1.0
    th.join(5)
    assert not th.is_alive()
    assert errors and isinstance(errors[0], openai.APIConnectionError)


def test_delay(llm_server):
    llm_server.script(Reply(delay=0.3, json=completion("slow").json))
    t0 = time.monotonic()
    assert chat(client(llm_server)).choices[0].message.content == "slow"
    assert time.monotonic() - t0 >= 0.3


def test_max_in_flight_counts_concurrent_requests(llm_server):
    barrier = threading.Barrier(3)

    def responder(req):  # all three must be inside the server at once: no timing luck involved
        barrier.wait(timeout=5)
        return Reply(delay=0.1, json=completion("ok").json)

    llm_server.responder = responder
    c = client(llm_server)
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(chat(c).choices[0].message.content)) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(5)
    assert results == ["ok"] * 3
    assert llm_server.max_in_flight == 3
    # the server leaves a request just after the client has its answer: give it a moment
    deadline = time.monotonic() + 2
    while llm_server.in_flight and time.monotonic() < deadline:
        time.sleep(0.01)
    assert llm_server.in_flight == 0


def test_unknown_model_is_404(llm_server):
    with pytest.raises(openai.NotFoundError) as info:
        chat(client(llm_server), model="gpt-nope")
    assert info.value.code == "model_not_found"
    llm_server.models = ["gpt-nope"]
    assert chat(client(llm_server), model="gpt-nope").model == "gpt-nope"


def test_require_key(llm_server):
    llm_server.require_key = "sk-right"
    with pytest.raises(openai.AuthenticationError):
        chat(client(llm_server, api_key="sk-wrong"))
    with pytest.raises(openai.AuthenticationError):
        client(llm_server, api_key="sk-wrong").models.list()
    assert chat(client(llm_server, api_key="sk-right")).choices[0].message.content == "{}"
    assert get_json(llm_server.root_url + "/health") == (200, {"status": "ok"})  # health stays open


# ----------------------------------------------------------------- other endpoints, raw clients


def test_models_endpoint(llm_server):
    llm_server.models = ["a", "b"]
    assert [m.id for m in client(llm_server).models.list()] == ["a", "b"]
    status, body = get_json(llm_server.base_url + "/models")
    assert status == 200 and body["object"] == "list" and "meta" not in body["data"][0]
    llm_server.context_length = 4096
    _, body = get_json(llm_server.base_url + "/models")
    assert body["data"][0]["meta"] == {"n_ctx_train": 4096}


def test_health_and_unknown_path(llm_server):
    assert get_json(llm_server.root_url + "/health") == (200, {"status": "ok"})
    status, body = get_json(llm_server.root_url + "/nope")
    assert status == 404 and "error" in body


def test_tokenize_only_when_enabled(llm_server):
    data = json.dumps({"content": "abcdefghi"}).encode()
    headers = {"content-type": "application/json"}
    status, _ = get_json(llm_server.root_url + "/tokenize", data=data, headers=headers)
    assert status == 404
    llm_server.tokenize_enabled = True
    status, body = get_json(llm_server.root_url + "/tokenize", data=data, headers=headers)
    assert status == 200 and len(body["tokens"]) == 3


def test_keep_alive_and_content_length_with_raw_httpx(llm_server):
    llm_server.script(completion("one"), completion("two"))
    with httpx2.Client(base_url=llm_server.base_url) as hc:
        payload = {"model": "test-model", "messages": MESSAGES}
        r1 = hc.post("/chat/completions", json=payload)
        r2 = hc.post("/chat/completions", json=payload)
    assert r1.http_version == "HTTP/1.1"
    assert int(r1.headers["content-length"]) == len(r1.content)
    assert [r.json()["choices"][0]["message"]["content"] for r in (r1, r2)] == ["one", "two"]
    # both requests arrived on the same connection (keep-alive): one client port
    first, second = llm_server.chat_requests()
    assert first.client_address == second.client_address


def test_keep_alive_raw_socket(llm_server):
    body = json.dumps({"model": "test-model", "messages": MESSAGES}).encode()
    request = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
    )
    with socket.create_connection(("127.0.0.1", llm_server.port), timeout=5) as s:
        f = s.makefile("rb")
        for _ in range(2):
            s.sendall(request)
            status = f.readline()
            headers = {}
            while (line := f.readline()) not in (b"\r\n", b""):
                k, v = line.decode().split(":", 1)
                headers[k.strip().lower()] = v.strip()
            content = f.read(int(headers["content-length"]))
            assert status.startswith(b"HTTP/1.1 200")
            assert json.loads(content)["object"] == "chat.completion"


def test_streaming_request_gets_sse(llm_server):
    llm_server.script(completion("streamed"))
    stream = chat(client(llm_server), stream=True)
    text = "".join((ch.choices[0].delta.content or "") for ch in stream if ch.choices)
    assert text == "streamed"


# ----------------------------------------------------------------- schema responder

SCHEMAS = {
    "flat": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 12, "maxLength": 20},
            "age": {"type": "integer", "minimum": 18, "maximum": 99},
            "score": {"type": "number", "exclusiveMinimum": 0, "maximum": 0.5},
            "ok": {"type": "boolean"},
            "nothing": {"type": "null"},
            "color": {"enum": ["red", "green"]},
            "kind": {"const": "article"},
            "maybe": {"type": ["string", "null"]},
            "either": {"anyOf": [{"type": "null"}, {"type": "integer", "minimum": 5}]},
            "one": {"oneOf": [{"type": "string", "maxLength": 3}, {"type": "null"}]},
            "when": {"type": "string", "format": "date-time"},
        },
        "required": ["name", "age", "score", "ok", "nothing", "color", "kind", "maybe", "either", "one"],
        "additionalProperties": False,
    },
    "defs_and_refs": {
        "$defs": {
            "Term": {
                "type": "object",
                "properties": {
                    "term": {"type": "string"},
                    "source_term": {"type": "string"},
                    "definition": {"type": "string", "maxLength": 200},
                },
                "required": ["term", "source_term", "definition"],
                "additionalProperties": False,
            },
            "Lang": {"type": "string", "enum": ["id", "en", "fr"]},
        },
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "source_language": {"$ref": "#/$defs/Lang"},
            "translation": {"type": "string"},
            "summary": {"type": "array", "items": {"type": "string"}, "minItems": 3, "maxItems": 5},
            "glossary": {"type": "array", "items": {"$ref": "#/$defs/Term"}, "minItems": 2, "maxItems": 10},
        },
        "required": ["title", "source_language", "translation", "summary", "glossary"],
        "additionalProperties": False,
    },
    "nested_arrays": {
        "type": "object",
        "properties": {
            "sections": {
                "type": "array",
                "minItems": 2,
                "items": {
                    "type": "object",
                    "properties": {
                        "heading": {"type": "string"},
                        "points": {
                            "type": "array",
                            "items": {"type": "object", "properties": {"text": {"type": "string"}},
                                      "required": ["text"]},
                            "maxItems": 1,
                            "minItems": 0,
                        },
                        "tags": {"type": "array", "items": {"enum": ["a", "b", "c"]}, "minItems": 3,
                                 "uniqueItems": True},
                    },
                    "required": ["heading", "points", "tags"],
                },
            },
            "empty": {"type": "array", "items": {"type": "string"}, "maxItems": 0},
        },
        "required": ["sections", "empty"],
    },
    "definitions_allof": {
        "definitions": {"Base": {"type": "object", "properties": {"id": {"type": "integer", "multipleOf": 5,
                                                                          "minimum": 3}},
                                 "required": ["id"]}},
        "allOf": [{"$ref": "#/definitions/Base"},
                  {"properties": {"label": {"type": "string", "pattern": "^label"}}, "required": ["label"]}],
    },
}

ARTICLE = "Kepala PHK di AWS bertemu OpenAI. Menurut PHK, AWS dan Google bekerja sama."


def _schema_request(schema, *, mode: str) -> dict:
    user = f"Translate this article.\n<article>\n{ARTICLE}\n</article>"
    if mode == "json_schema":
        return {
            "messages": [{"role": "system", "content": "You are a translator."}, {"role": "user", "content": user}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "out", "schema": schema,
                                                                        "strict": True}},
        }
    system = f"Answer with JSON valid for this schema:\n<json_schema>\n{json.dumps(schema)}\n</json_schema>"
    body = {"messages": [{"role": "system", "content": system}, {"role": "user", "content": user}]}
    if mode == "json_object":
        body["response_format"] = {"type": "json_object"}
    return body


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@pytest.mark.parametrize("mode", ["json_schema", "json_object", "prompt_only"])
def test_schema_responder_output_validates_via_sdk(llm_server, name, mode):
    schema = SCHEMAS[name]
    resp = chat(client(llm_server), **_schema_request(schema, mode=mode))
    instance = json.loads(resp.choices[0].message.content)
    if name != "definitions_allof":  # `pattern` is not generated; everything else must hold
        jsonschema.validate(instance, schema)
    else:
        assert instance["id"] % 5 == 0 and instance["id"] >= 3 and isinstance(instance["label"], str)


def test_schema_responder_meaningful_content():
    req = RecordedRequest("POST", "/v1/chat/completions", {}, _schema_request(SCHEMAS["defs_and_refs"],
                                                                             mode="json_schema"), b"", 0.0)
    out = json.loads(schema_responder(req).json["choices"][0]["message"]["content"])
    assert out["title"] == "Test title"
    assert out["source_language"] == "id"
    assert out["translation"] == "[EN] " + ARTICLE
    assert out["summary"] == ["Summary point 1.", "Summary point 2.", "Summary point 3."]
    assert [g["term"] for g in out["glossary"]] == ["Term 1", "Term 2"]
    assert [g["source_term"] for g in out["glossary"]] == ["Kepala", "PHK"]
    assert all(g["source_term"] in ARTICLE for g in out["glossary"])
    assert out["glossary"][1]["definition"] == "Definition 2."


def test_schema_responder_echoes_model_and_handles_no_schema():
    req = RecordedRequest("POST", "/v1/chat/completions", {}, {"model": "m", "messages": MESSAGES}, b"", 0.0)
    reply = schema_responder(req)
    assert reply.status == 200 and reply.json["model"] == "m"
    assert reply.json["choices"][0]["message"]["content"] == "{}"


def test_instance_for_schema_generic_strings_and_no_article():
    schema = {"type": "object", "properties": {"translation": {"type": "string"}, "items": {
        "type": "array", "items": {"type": "object", "properties": {"label": {"type": "string"}}}}}}
    out = instance_for_schema(schema, {})
    assert out == {"translation": "translation 1", "items": [{"label": "label 1"}]}


def test_standalone_main_module_importable_and_serves():
    """`python tests/scripted_server.py --port N` is what demos run; check the same code path in-process."""
    from scripted_server import main  # noqa: F401

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ScriptedServer(port=port).start()
    try:
        assert server.base_url == f"http://127.0.0.1:{port}/v1"
        assert get_json(server.root_url + "/health")[0] == 200
    finally:
        server.stop()


def test_isolation_fixture_scrubs_env():
    assert "OPENAI_API_KEY" not in os.environ and "OPENAI_BASE_URL" not in os.environ
    assert os.environ["SUMMARIZER_CACHE_DIR"] and os.path.isdir(os.environ["XDG_CONFIG_HOME"])
    # the only SUMMARIZER_* left are the fixture's own: per-test cache, session-wide language model copy
    own = {"SUMMARIZER_CACHE_DIR", "SUMMARIZER_LANGUAGE_MODEL_CACHE"}
    assert not any(k.startswith("SUMMARIZER_") and k not in own for k in os.environ)
