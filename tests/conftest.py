"""Shared fixtures: a scripted OpenAI-compatible server, and isolation from the user's own state."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:  # `from scripted_server import ...` works from every test file
    sys.path.insert(0, str(TESTS_DIR))

from scripted_server import ScriptedServer  # noqa: E402

_SCRUBBED = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID")


@pytest.fixture(scope="session")
def _language_model_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One uncompressed language-model copy (~70 MB) for the whole session, not one per test's cache.
    return tmp_path_factory.mktemp("language-model")


@pytest.fixture(autouse=True)
def _isolate_user_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, _language_model_copy: Path) -> None:
    """No test reads or writes the real user's cache, config, keys or summarizer settings."""
    for name in list(os.environ):
        if name.startswith("SUMMARIZER_") or name in _SCRUBBED:
            monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("user")
    for var, sub in (
        ("SUMMARIZER_CACHE_DIR", "summarizer-cache"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
    ):
        path = home / sub
        path.mkdir()
        monkeypatch.setenv(var, str(path))
    monkeypatch.setenv("SUMMARIZER_LANGUAGE_MODEL_CACHE", str(_language_model_copy))
    from summarizer import checks_worker

    # a batch's checks pool closes with it, unless a test asks for one kept for the next batch
    monkeypatch.setattr(checks_worker, "POOL_LINGER", 0.0)


@pytest.fixture
def llm_server() -> Iterator[ScriptedServer]:
    """A started ScriptedServer on 127.0.0.1 (ephemeral port), stopped after the test."""
    server = ScriptedServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
