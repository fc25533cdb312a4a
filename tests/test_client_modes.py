"""The client's scoped modes, against a real scripted HTTP server: `with client.exporting()` (nothing is
sent, misses become Batch API lines) and `with client.limited(n)` (at most n requests in flight).
Both are restored when the block ends, also when it ends with an exception."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from scripted_server import schema_responder

from summarizer import errors
from summarizer.cache import EndpointMemory, ResponseCache
from summarizer.config import load_settings
from summarizer.llm import LLMClient
from summarizer.schemas import SummaryOutput


def make_client(server, tmp_path) -> LLMClient:
    settings = load_settings(env_file=None, base_url=server.base_url, model="test-model", cache_dir=tmp_path / "cache")
    return LLMClient(settings, cache=ResponseCache(tmp_path / "cache"), memory=EndpointMemory(tmp_path / "cache" / "endpoints.json"))


def messages(n: int) -> list[dict[str, str]]:
    return [{"role": "system", "content": "Summarize. Answer in JSON."}, {"role": "user", "content": f"<article>Teks {n}.</article>"}]


async def ask(client: LLMClient, n: int):
    return await client.structured(messages=messages(n), output=SummaryOutput, template_version="v1", max_tokens=256)


def test_exporting_sends_nothing_and_collects_one_line_per_request(llm_server, tmp_path):
    client = make_client(llm_server, tmp_path)

    async def go():
        try:
            with client.exporting() as lines:
                for n in (1, 2, 1):  # the same request twice is exported once
                    with pytest.raises(errors.RequestDeferred):
                        await ask(client, n)
            exported = list(lines)
            sent = await ask(client, 3)  # after the block, requests are sent again
            return exported, sent
        finally:
            await client.aclose()

    exported, sent = asyncio.run(go())
    assert [line["url"] for line in exported] == ["/v1/chat/completions"] * 2
    assert all(line["custom_id"].startswith("SummaryOutput.") for line in exported)
    assert sent.requests == 1 and len(llm_server.chat_requests()) == 1


def test_exporting_is_restored_after_an_exception(llm_server, tmp_path):
    client = make_client(llm_server, tmp_path)
    with pytest.raises(KeyError):
        with client.exporting():
            raise KeyError("boom")
    reply = asyncio.run(_ask_and_close(client, 1))
    assert reply.requests == 1 and len(llm_server.chat_requests()) == 1


async def _ask_and_close(client: LLMClient, n: int):
    try:
        return await ask(client, n)
    finally:
        await client.aclose()


def _counting_responder():
    """A responder that holds each request 0.3 s and records the most it saw in flight at once."""
    lock, state = threading.Lock(), {"now": 0, "most": 0}

    def respond(request):
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.3)
        with lock:
            state["now"] -= 1
        return schema_responder(request)

    return respond, state


def _four_at_once(client: LLMClient, first: int):
    async def go():
        try:
            return await asyncio.gather(*(ask(client, first + n) for n in range(4)))
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_limited_caps_requests_in_flight_and_is_restored(llm_server, tmp_path):
    client = make_client(llm_server, tmp_path)
    llm_server.responder, state = _counting_responder()
    with client.limited(1):
        _four_at_once(client, 0)
    assert state["most"] == 1
    with pytest.raises(RuntimeError):
        with client.limited(2):
            raise RuntimeError("stop")
    state["most"] = 0
    _four_at_once(client, 10)  # no limit any more: the four go out together
    assert state["most"] == 4
    assert len(llm_server.chat_requests()) == 8


def test_a_request_sends_what_the_sdks_create_sends(llm_server, tmp_path):
    """The client posts its body through the SDK's `post` (skipping `create`'s transform of a body
    that is plain JSON already): the server must see exactly what `chat.completions.create` sends,
    the non-standard fields (extra_body), the key and the SDK's own headers included."""
    settings = load_settings(env_file=None, base_url=llm_server.base_url, model="test-model", cache_dir=tmp_path / "cache",
                             api_key="sk-test-equal-requests")
    client = LLMClient(settings, cache=None, memory=EndpointMemory(None))
    kwargs = {"model": "test-model", "messages": messages(7), "max_tokens": 64, "temperature": 0.2, "seed": 11,
              "response_format": {"type": "json_schema", "json_schema": {"name": "SummaryOutput", "schema": {"type": "object"}, "strict": True}},
              "extra_body": {"chat_template_kwargs": {"enable_thinking": False}}}

    async def go():
        try:
            ours = await client._chat_completion(kwargs, 30.0)
            theirs = await client._sdk().chat.completions.create(**kwargs, timeout=30.0)  # the same SDK client
        finally:
            await client.aclose()
        return ours, theirs

    ours, theirs = asyncio.run(go())
    assert type(ours) is type(theirs) and ours.choices[0].message.content
    sent, expected = llm_server.chat_requests()
    assert sent.body == expected.body and "enable_thinking" in str(sent.body)
    varying = {"content-length"}  # the same JSON, its keys in another order
    assert sent.headers["authorization"] == "Bearer sk-test-equal-requests"
    assert {k: v for k, v in sent.headers.items() if k not in varying} == {k: v for k, v in expected.headers.items() if k not in varying}
