"""Schema bounds for servers that enforce them (issue 14 item 6): the longest answer the bounded
schema allows must fit max_tokens in the server's tokens, so grammar-constrained decoding of a
random or looping model ends instead of being cut off; and llama.cpp is asked for compact JSON.

The real-server proof is tests/test_e2e_zero_config.py (the byte model's random answers end within
max_tokens); these tests pin the arithmetic and what goes over the wire, on the scripted server."""

from __future__ import annotations

import json
import math

import pytest
from scripted_server import Reply, ScriptedServer, completion
from test_first_contact import ARTICLE_TEXT, session_for
from test_pipeline import long_article

from summarizer.llm.schema_bounds import DENSITY_MARGIN, bounded_schema, longest_answer_tokens
from summarizer.schemas import ChunkBriefOutput, SummaryOutput, llm_schema

BYTE_VOCAB_DENSITY = 1.3  # the byte test model: a token per UTF-8 byte, 3 for SentencePiece's "▁"


def test_the_longest_answer_the_schema_allows_fits_max_tokens() -> None:
    schema = llm_schema(ChunkBriefOutput)
    natural = bounded_schema(schema, 378, "llama.cpp", cite_limit=3)
    fitted = bounded_schema(schema, 378, "llama.cpp", cite_limit=3, max_tokens=981, tokens_per_char=BYTE_VOCAB_DENSITY)
    worst = BYTE_VOCAB_DENSITY * DENSITY_MARGIN
    assert longest_answer_tokens(natural, worst) > 10 * 981, "the natural bounds alone let a random model run far past max_tokens"
    assert longest_answer_tokens(fitted, worst) <= 981
    # the translation gives way last, and never below its source's length (it would be silently cut)
    assert fitted["properties"]["translation"]["maxLength"] >= 378
    assert schema == llm_schema(ChunkBriefOutput), "the shared schema is not mutated"


def test_ample_max_tokens_keep_the_natural_bounds() -> None:
    schema = llm_schema(SummaryOutput)
    natural = bounded_schema(schema, 800, "llama.cpp", cite_limit=5)
    fitted = bounded_schema(schema, 800, "llama.cpp", cite_limit=5, max_tokens=8192, tokens_per_char=0.25)
    assert fitted == natural
    assert natural["properties"]["summary"]["maxItems"] == 7


def test_an_unbounded_translation_is_not_shrunk_around() -> None:
    """A chunk so long its translation bound is not sent (llama.cpp's repetition limit): nothing can make
    the answer fit, so the other fields keep their natural bounds instead of being cut for nothing."""
    schema = llm_schema(ChunkBriefOutput)
    fitted = bounded_schema(schema, 5000, "llama.cpp", cite_limit=3, max_tokens=500, tokens_per_char=1.0)
    assert "maxLength" not in fitted["properties"]["translation"]
    assert math.isinf(longest_answer_tokens(fitted, 1.0))
    assert fitted["properties"]["glossary"]["maxItems"] == 30


def test_key_points_fit_their_share_of_the_merge_request() -> None:
    schema = llm_schema(ChunkBriefOutput)
    fitted = bounded_schema(schema, 300, "llama.cpp", cite_limit=3, max_tokens=4000, tokens_per_char=1.0, key_point_tokens=60)
    points = fitted["properties"]["key_points"]
    text = points["items"]["properties"]["text"]["maxLength"]
    assert points["maxItems"] * (text * DENSITY_MARGIN + 8) <= 60
    assert text >= 16, "fewer points before points too short to state a fact"


@pytest.mark.parametrize("kind, compact", [("llama.cpp", True), ("vllm", False), (None, False)])
def test_compact_json_is_asked_only_of_llama_cpp(kind, compact) -> None:
    fitted = bounded_schema(llm_schema(SummaryOutput), 100, kind, max_tokens=1000, tokens_per_char=0.3)
    assert ("x-guidance" in fitted) == compact
    if compact:
        assert fitted["x-guidance"] == {"whitespace_flexible": False}


def _llamacpp_at(server: ScriptedServer, n_ctx: int) -> None:
    server.routes[("GET", "/props")] = Reply(json={"default_generation_settings": {"n_ctx": n_ctx}, "total_slots": 1, "model_alias": "tiny"})
    server.tokenize_enabled = True


def test_llama_cpp_requests_carry_a_seed_and_bounds_that_fit_max_tokens(tmp_path) -> None:
    with ScriptedServer(models=["tiny"]) as server:
        _llamacpp_at(server, 2048)  # parts short enough that their translation's bound is sent (under 1,500)
        with session_for(server, tmp_path, model="tiny", run_checks=False) as session:
            session.run(session.load("a.txt", data=long_article(40).encode()))
        chats = server.chat_requests()
    with ScriptedServer() as plain:
        with session_for(plain, tmp_path / "plain", model="test-model", run_checks=False) as session:
            session.run(session.load("a.txt", data=long_article(3).encode()))
        assert "seed" not in plain.chat_requests()[0].body, "OpenAI-like servers get no seed"
    assert len(chats) > 2
    fitted = 0
    for chat in chats:
        body = chat.body
        assert body["seed"] == 0  # the same article and settings sample the same answer
        schema = body["response_format"]["json_schema"]["schema"]
        if "maxLength" not in schema["properties"].get("translation", {"maxLength": 0}):
            continue  # a part whose translation bound passes llama.cpp's repetition limit: not sent, nothing fits
        # the scripted /tokenize counts 4 characters a token
        assert longest_answer_tokens(schema, 0.25 * DENSITY_MARGIN) <= body["max_tokens"], json.dumps(schema)[:400]
        fitted += 1
    assert fitted >= 1  # the merge of the key points at least


def test_estimate_predicts_the_key_point_merge_at_a_small_window(tmp_path) -> None:
    """At a small window the parts' key points share the merge request: one merge, as estimate says,
    however long the model would have written them (the scripted model writes 40+ characters a point)."""
    article = long_article(60)
    with ScriptedServer(models=["tiny"]) as server:
        _llamacpp_at(server, 2048)
        with session_for(server, tmp_path, model="tiny", run_checks=False) as session:
            estimate = session.estimate(session.load("a.txt", data=article.encode()))
            result = session.run(session.load("a.txt", data=article.encode()))
        chats = server.chat_requests()
    assert estimate.chunks > 5  # several parts: their key points (120 tokens a part unbounded) would not fit one merge
    assert len(chats) == result.metadata.requests == estimate.requests == estimate.chunks + 1


def test_a_re_ask_draws_a_new_sample(tmp_path) -> None:
    """The fixed seed makes a run reproducible; a re-ask with the same seed would often sample the same
    invalid answer again (the tiny model's blank translation of seed 002, three times), so attempt k
    sends seed + k: still the same on every re-run."""
    blank = json.dumps({"source_language": "id", "title": "x", "translation": " ", "summary": [{"text": s, "paragraphs": []} for s in "abc"],
                        "glossary": []})
    with ScriptedServer(models=["tiny"]) as server:
        _llamacpp_at(server, 4096)
        server.script(completion(blank))  # then the default responder answers properly
        with session_for(server, tmp_path, model="tiny", use_cache=False, run_checks=False) as session:
            session.run(session.load("a.txt", data=ARTICLE_TEXT.encode()))
        chats = server.chat_requests()
    assert [chat.body["seed"] for chat in chats] == [0, 1]
