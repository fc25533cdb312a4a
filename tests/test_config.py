"""Settings precedence: flags > environment > .env > profile > defaults; keys stay secret."""

from __future__ import annotations

import pytest

from summarizer.config import NO_KEY_PLACEHOLDER, available_profiles, load_settings
from summarizer.errors import ConfigError


def test_defaults(tmp_path):
    settings = load_settings(env_file=tmp_path / "none.env")
    assert settings.model == "gpt-4o-mini" and settings.effective_base_url == "https://api.openai.com/v1"
    assert settings.needs_key and settings.structured_mode == "auto"


def test_precedence_flags_env_dotenv_profile(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text("SUMMARIZER_MODEL=from-dotenv\nSUMMARIZER_TIMEOUT=33\nSUMMARIZER_PROFILE=ollama\n")
    settings = load_settings(env_file=dotenv)
    assert settings.profile == "ollama" and settings.model == "from-dotenv" and settings.timeout == 33
    assert settings.effective_base_url == "http://localhost:11434/v1" and settings.context_window == 2048

    monkeypatch.setenv("SUMMARIZER_MODEL", "from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9999/v1")
    settings = load_settings(env_file=dotenv)
    assert settings.model == "from-env" and settings.effective_base_url == "http://127.0.0.1:9999/v1"

    settings = load_settings(env_file=dotenv, model="from-flag", profile="vllm")
    assert settings.model == "from-flag" and settings.profile == "vllm"
    assert settings.effective_base_url == "http://127.0.0.1:9999/v1", "env beats the profile"


def test_none_flags_mean_not_given(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARIZER_MODEL", "from-env")
    assert load_settings(env_file=None, model=None).model == "from-env"


def test_local_endpoints_need_no_key_remote_ones_do(tmp_path):
    local = load_settings(env_file=None, base_url="http://localhost:8080/v1")
    assert local.key_for_request() == NO_KEY_PLACEHOLDER
    remote = load_settings(env_file=None, base_url="https://llm.example.com/v1")
    with pytest.raises(ConfigError) as info:
        remote.key_for_request()
    assert "OPENAI_API_KEY" in str(info.value)
    forced = load_settings(env_file=None, base_url="https://llm.example.com/v1", requires_key=False)
    assert forced.key_for_request() == NO_KEY_PLACEHOLDER


def test_key_never_in_repr_or_str(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    settings = load_settings(env_file=None)
    assert settings.key_for_request() == "sk-very-secret"
    for text in (repr(settings), str(settings), str(settings.model_dump())):
        assert "sk-very-secret" not in text


def test_unknown_profile_and_bad_values_are_config_errors():
    with pytest.raises(ConfigError) as info:
        load_settings(env_file=None, profile="nope")
    assert "ollama" in str(info.value)
    with pytest.raises(ConfigError) as info:
        load_settings(env_file=None, timeout=-1)
    assert "timeout" in str(info.value)


def test_user_profiles_override_and_extend(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[profiles.ollama]\ncontext_window = 8192\n[profiles.work]\nbase_url = "https://llm.corp/v1"\nrequires_key = true\n')
    monkeypatch.setenv("SUMMARIZER_CONFIG", str(config))
    profiles = available_profiles()
    assert profiles["ollama"]["context_window"] == 8192 and profiles["ollama"]["base_url"].startswith("http://localhost:11434")
    assert load_settings(env_file=None, profile="work").needs_key
    config.write_text("not toml [")
    with pytest.raises(ConfigError):
        available_profiles()


def test_lmstudio_skips_json_object():
    assert load_settings(env_file=None, profile="lmstudio").modes_to_try() == ["json_schema", "prompt"]
    assert load_settings(env_file=None, structured_mode="prompt").modes_to_try() == ["prompt"]
