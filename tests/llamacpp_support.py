"""Fixtures for end-to-end tests against a real, embedded llama.cpp server (xllamacpp).

    tiny_gguf          session: the biased ("better-behaved") tiny random model, built once
    tiny_gguf_random   session: the unbiased one (random unicode babble)
    llamacpp_server    session: a started LocalServer on tiny_gguf (model id "tiny"), stopped at the end
    byte_gguf          session: the second model, built differently (tiny_model.build_byte_model): byte-level
                       SentencePiece vocabulary, unbiased random weights, Gemma turns; serve it with
                       use_jinja=BYTE_MODEL_USE_JINJA (the built-in template path)

    llamacpp_test_server(gguf, ctx=, parallel=, use_jinja=, alias=)   an unstarted LocalServer the way
                       tests want it: loopback, any free port, one decoding thread (TEST_THREADS)

Without xllamacpp / gguf / numpy these tests skip, except in CI (env CI=true), where they fail: the
suite must really run there. Use them from a test module with
`from llamacpp_support import tiny_gguf, llamacpp_server` (or list this module in `pytest_plugins`).
"""

from __future__ import annotations

import importlib
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

TINY_MODEL_ID = "tiny"
BYTE_MODEL_TRAIN_CONTEXT = 16384  # above every test server's n_ctx, so the server's size is what binds
# One decoding thread: llama.cpp's threads spin at barriers, so on a shared 2-core machine two of them
# decode the tiny models far slower than one (measured at load average 12: 5 vs 660 tokens/s; the shared
# server's tests in test_local_server.py: 34 s -> 1.5 s).
TEST_THREADS = 1
_REQUIRED = ("xllamacpp", "gguf", "numpy")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def require_llamacpp_deps() -> None:
    """Skip (locally) or fail (CI=true) when the 'local' extra is missing."""
    missing = []
    for name in _REQUIRED:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if not missing:
        return
    msg = f"llama.cpp tests need {', '.join(missing)} (pip install 'summarizer[local]')"
    if in_ci():
        pytest.fail(msg + "; CI=true, so this is a failure, not a skip", pytrace=False)
    pytest.skip(msg)


def http_json(url: str, body: dict | None = None, timeout: float = 10.0) -> tuple[int, dict]:
    """GET (or POST `body` as JSON to) `url` with the standard library; (status, decoded JSON)."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read().decode("utf-8") or "{}")


def openai_client(server, **kwargs):
    """The real OpenAI SDK pointed at `server` (or at `base_url=`, e.g. a proxy in front of it), without its own retries."""
    from openai import OpenAI

    kwargs.setdefault("base_url", server.base_url)
    kwargs.setdefault("max_retries", 0)
    kwargs.setdefault("timeout", 30.0)
    return OpenAI(api_key="sk-no-key", **kwargs)


def llamacpp_test_server(gguf: Path, *, ctx: int = 2048, parallel: int = 1, use_jinja: bool | None = None, alias: str | None = None):
    """A LocalServer for `gguf` (not started; use it as a context manager). n_parallel=`parallel` slots
    share `ctx`, so each slot gets ctx // parallel tokens, which llama.cpp reports in /props."""
    from summarizer.local_server import LocalServer

    return LocalServer(gguf, ctx=ctx, parallel=parallel, use_jinja=use_jinja, model_alias=alias, n_threads=TEST_THREADS)


@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_llamacpp_deps()
    from summarizer.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model") / "tiny-biased.gguf", biased=True, seed=0)


@pytest.fixture(scope="session")
def tiny_gguf_random(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_llamacpp_deps()
    from summarizer.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model") / "tiny-random.gguf", biased=False, seed=0)


@pytest.fixture(scope="session")
def byte_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_llamacpp_deps()
    from summarizer.tiny_model import build_byte_model

    return build_byte_model(tmp_path_factory.mktemp("byte-model") / "tiny-bytes.gguf", seed=0, n_ctx=BYTE_MODEL_TRAIN_CONTEXT)


@pytest.fixture(scope="session")
def llamacpp_server(tiny_gguf: Path) -> Iterator[object]:
    server = llamacpp_test_server(tiny_gguf, alias=TINY_MODEL_ID, ctx=2048, parallel=1).start()
    try:
        yield server
    finally:
        server.stop()
