"""Zero config against a real llama.cpp server (issue 14): fresh cache, no `doctor`, no `--model`.

A new user points `estimate` and then `summarize` at a local server they just started. The first run
must plan right: the server never answers "exceeds the available context size", and the run sends
exactly the requests `estimate` predicted. A counting reverse proxy on 127.0.0.1 sits between the
CLI and llama.cpp and records the server's own answers, so these tests read llama.cpp's verdicts
(its 400 `exceed_context_size_error`) instead of the client's account of itself.

Servers: the project's tiny model (gpt2-style BPE, biased weights, jinja template path) and the byte
model (byte-level SentencePiece vocabulary with about 4.3 tokens per tiktoken token on seed 000,
unbiased random weights, built-in template path). Both are trained for 16k tokens and served with
less, so a client that believes `n_ctx_train`, the total `n_ctx` of several slots, or tiktoken's
count, overflows: 4096 tokens; 8192 over 2 slots (n_parallel 2: 4096 per slot); and 2048 (alone, or
4096 over 2 slots).

At 4096 tokens per slot seed 000 must be summarized. At 2048 the prompts alone take most of the
window in these models' tokens (1852 of 2048 with the tiny model's), so a client may instead refuse
before generating, with a one-line reason naming the window; then `estimate` must refuse the same way.
Either way what `estimate` says is what the run does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from counting_proxy import CountingProxy
from helpers import SEED_000, run_cli
from llamacpp_support import (  # noqa: F401  (byte_gguf, llamacpp_server, tiny_gguf: fixtures)
    BYTE_MODEL_TRAIN_CONTEXT,
    byte_gguf,
    http_json,
    llamacpp_server,
    llamacpp_test_server,
    openai_client,
    require_llamacpp_deps,
    tiny_gguf,
)

pytestmark = pytest.mark.llamacpp

RUN_TIMEOUT = 600  # seconds for one CLI run: the machine is shared, the byte model writes long answers
EXIT_BAD_INPUT = 2  # errors.py: bad input or settings (a window too small for the prompts is one)


@dataclass(frozen=True)
class ServerCase:
    model: str  # "tiny" (tiny_model.build_tiny_model) or "bytes" (tiny_model.build_byte_model)
    ctx: int  # llama.cpp's n_ctx: all slots together
    parallel: int = 1  # llama.cpp's n_parallel: slots, each with ctx // parallel tokens

    @property
    def id(self) -> str:
        return f"{self.model}-ctx{self.ctx}" + (f"-parallel{self.parallel}" if self.parallel > 1 else "")

    @property
    def per_slot_ctx(self) -> int:
        return self.ctx // self.parallel

    @property
    def alias(self) -> str:
        return "tiny" if self.model == "tiny" else "tiny-bytes"


# The byte model's random answers used to run past max_tokens (exit 4): llguidance let them write
# any run of whitespace, and the schema bounds allowed answers longer than max_tokens. Compact JSON,
# bounds fitted to max_tokens in the server's tokens and a fixed seed make them end (schema_bounds).
CASES = [
    ServerCase("tiny", 4096),
    ServerCase("tiny", 2048),
    ServerCase("tiny", 8192, parallel=2),
    ServerCase("bytes", 4096),
    ServerCase("bytes", 8192, parallel=2),
    ServerCase("bytes", 4096, parallel=2),
]
MUST_FIT = 4096  # per-slot context at which seed 000 must be summarized, not refused


@pytest.fixture(scope="module")
def tiny_gguf_16k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_llamacpp_deps()
    from summarizer.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("zero-config") / "tiny-16k.gguf", n_ctx=BYTE_MODEL_TRAIN_CONTEXT)


@pytest.fixture(params=CASES, ids=lambda case: case.id)
def served(request: pytest.FixtureRequest, tiny_gguf_16k: Path, byte_gguf: Path) -> Iterator[tuple[ServerCase, object]]:
    """A real llama.cpp server for the case, started for one test and stopped after it."""
    from summarizer.tiny_model import BYTE_MODEL_USE_JINJA

    case: ServerCase = request.param
    gguf, use_jinja = (tiny_gguf_16k, None) if case.model == "tiny" else (byte_gguf, BYTE_MODEL_USE_JINJA)
    with llamacpp_test_server(gguf, ctx=case.ctx, parallel=case.parallel, use_jinja=use_jinja, alias=case.alias) as server:
        yield case, server


def test_the_counting_proxy_records_llama_cpps_own_verdicts(llamacpp_server) -> None:
    """The instrument first: through the proxy, the SDK gets llama.cpp's answers unchanged, and each is recorded."""
    import openai

    with CountingProxy(llamacpp_server.root_url) as proxy:
        client = openai_client(llamacpp_server, base_url=proxy.base_url)
        ok = client.chat.completions.create(model=llamacpp_server.model, messages=[{"role": "user", "content": "Halo"}], max_tokens=8)
        with pytest.raises(openai.BadRequestError) as too_long:
            client.chat.completions.create(model=llamacpp_server.model, messages=[{"role": "user", "content": "kata " * 3000}], max_tokens=8)
        assert http_json(proxy.root_url + "/props")[1]["total_slots"] == 1
        chats = proxy.chat_completions()
    assert ok.model == llamacpp_server.model and too_long.value.body["type"] == "exceed_context_size_error"
    assert [(x.status, x.is_context_overflow) for x in chats] == [(200, False), (400, True)]
    assert chats[0].request_json["max_tokens"] == 8
    assert [x.path for x in proxy.exchanges()] == ["/v1/chat/completions", "/v1/chat/completions", "/props"]


def test_the_server_has_the_per_slot_context_the_case_says(served) -> None:
    """The premise of the zero-config tests: llama.cpp splits n_ctx between n_parallel slots and says so."""
    case, server = served
    status, props = http_json(server.root_url + "/props")
    assert status == 200
    assert props["total_slots"] == case.parallel
    assert props["default_generation_settings"]["n_ctx"] == case.per_slot_ctx
    status, models = http_json(server.base_url + "/models")
    assert [m["id"] for m in models["data"]] == [case.alias]
    assert models["data"][0]["meta"]["n_ctx_train"] == BYTE_MODEL_TRAIN_CONTEXT


def test_zero_config_run_never_overflows_and_makes_the_predicted_requests(served, tmp_path: Path) -> None:
    case, server = served
    with CountingProxy(server.root_url) as proxy:
        endpoint = ["--base-url", proxy.base_url]  # no --model, no --context-window, no doctor
        estimate = run_cli("estimate", str(SEED_000), *endpoint, "--json", "--cache-dir", str(tmp_path / "estimate-cache"))
        assert proxy.chat_completions() == [], "estimate must not generate"

        proxy.clear()
        out = tmp_path / "out"
        run = run_cli("summarize", str(SEED_000), *endpoint, "--format", "json", "-o", str(out),
                      "--cache-dir", str(tmp_path / "run-cache"), timeout=RUN_TIMEOUT)
        chats = proxy.chat_completions()

    log = "\n".join(x.summary() for x in chats) + "\n" + run.stderr.decode()[-2000:]
    assert [x for x in chats if x.is_context_overflow] == [], log
    if estimate.returncode != 0 and case.per_slot_ctx < MUST_FIT:
        _assert_both_refused_before_generating(case, estimate, run, chats, log)
        return
    assert estimate.returncode == 0, estimate.stderr.decode()[-2000:]
    predicted = json.loads(estimate.stdout)[0]["requests"]
    assert run.returncode == 0, log
    assert len(chats) == predicted, f"estimate predicted {predicted} request(s), the run made {len(chats)}\n{log}"
    meta = json.loads((out / (SEED_000.stem + ".json")).read_text(encoding="utf-8"))["metadata"]
    assert meta["requests"] == len(chats)
    assert meta["model"] == case.alias, "without --model, the one model the server lists is used and named"


def _assert_both_refused_before_generating(case: ServerCase, estimate, run, chats, log: str) -> None:
    """A window too small for the prompts: estimate and the run both say so in one line, and nothing is sent."""
    for proc in (estimate, run):
        stderr = proc.stderr.decode()
        assert proc.returncode == EXIT_BAD_INPUT, stderr[-2000:]
        assert str(case.per_slot_ctx) in stderr and "Traceback" not in stderr, stderr[-2000:]
    assert chats == [], f"the run refused, but only after generating:\n{log}"
