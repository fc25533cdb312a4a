"""Presets (`summarizer.presets`, `summarizer presets ...`, `--preset NAME`): saved sets of run options, a
layer of the settings (flags > environment > .env > preset > profile > defaults), never a secret."""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path

import pytest
from helpers import ROOT, SEED_000, SEED_002, run_cli, system_prompt, user_prompt

from summarizer import presets
from summarizer.config import load_settings, presets_dir, read_preset
from summarizer.errors import ConfigError


def preset_path(name: str) -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "summarizer" / "presets" / f"{name}.toml"


def profile_config(tmp_path: Path, **values) -> Path:
    """A user config file with profile `mine`; SUMMARIZER_CONFIG must point at it."""
    config = tmp_path / "config.toml"
    config.write_text("[profiles.mine]\n" + "".join(f"{key} = {value!r}\n".replace("'", '"') for key, value in values.items()))
    return config


# -- the round trip through the CLI -------------------------------------------------------------
def test_a_preset_round_trip(llm_server, tmp_path):
    glossary = tmp_path / "terms.csv"
    glossary.write_text("kecerdasan buatan,machine intelligence\n", encoding="utf-8")
    saved = run_cli("presets", "save", "finance", "--base-url", llm_server.base_url, "--model", "test-model",
                    "--glossary", "terms.csv", "--instructions", "for a finance desk", "--no-cache", cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    assert f"saved preset 'finance' to {preset_path('finance')}".encode() in saved.stderr
    stored = tomllib.loads(preset_path("finance").read_text())
    assert stored == {"base_url": llm_server.base_url, "model": "test-model", "glossary_file": str(glossary.resolve()),
                      "instructions": "for a finance desk", "use_cache": False}, "only what was given, paths absolute"

    listed = run_cli("presets", "list")
    assert listed.returncode == 0 and listed.stdout.decode().startswith("finance ") and "for a finance desk" in listed.stdout.decode()
    shown = run_cli("presets", "show", "finance")
    assert shown.returncode == 0 and shown.stdout.decode().startswith(f"# {preset_path('finance')}\n")
    assert tomllib.loads(shown.stdout.decode()) == stored

    # used from another folder: the glossary path still resolves; no cache, so each run asks again
    for _ in range(2):
        ran = run_cli("summarize", str(SEED_000), "--preset", "finance")
        assert ran.returncode == 0, ran.stderr
    requests = llm_server.chat_requests()
    assert len(requests) == 2 and all(r.body["model"] == "test-model" for r in requests)
    assert "for a finance desk" in system_prompt(requests[0]) + user_prompt(requests[0])
    assert "machine intelligence" in system_prompt(requests[0]) + user_prompt(requests[0])

    deleted = run_cli("presets", "delete", "finance")
    assert deleted.returncode == 0 and not preset_path("finance").exists()
    gone = run_cli("summarize", str(SEED_000), "--preset", "finance")
    assert gone.returncode == 2 and gone.stderr.decode() == (
        "error: unknown preset 'finance' (save it with `summarizer presets save finance --model ...`)\n")


def test_preset_on_translate_batch_and_estimate(llm_server, tmp_path):
    presets.save_preset("local", {"base_url": llm_server.base_url, "model": "test-model", "target_lang": "German"})
    assert run_cli("translate", str(SEED_002), "--preset", "local").returncode == 0
    batch = run_cli("batch", str(SEED_000), "--out", str(tmp_path / "out"), "--preset", "local")
    assert batch.returncode == 0, batch.stderr
    assert [r.body["model"] for r in llm_server.chat_requests()] == ["test-model", "test-model"]
    assert all("German" in system_prompt(r) + user_prompt(r) for r in llm_server.chat_requests())
    estimate = run_cli("estimate", str(SEED_000), "--preset", "local")
    assert estimate.returncode == 0 and b"Estimate for test-model" in estimate.stdout
    assert len(llm_server.chat_requests()) == 2, "estimate sends nothing"


# -- precedence ---------------------------------------------------------------------------------
def test_flags_beat_environment_beats_dotenv_beats_preset_beats_profile_beats_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARIZER_CONFIG", str(profile_config(tmp_path, model="from-profile", timeout=11.0, instructions="from-profile")))
    presets.save_preset("desk", {"profile": "mine", "model": "from-preset", "instructions": "from-preset", "max_retries": 7})
    dotenv = tmp_path / ".env"
    dotenv.write_text("")

    settings = load_settings(env_file=dotenv, preset="desk")
    assert (settings.preset, settings.profile) == ("desk", "mine"), "the preset names the profile below it"
    assert settings.model == "from-preset" and settings.instructions == "from-preset", "preset > profile"
    assert settings.timeout == 11.0, "the profile fills what the preset leaves out"
    assert settings.max_retries == 7 and settings.max_repairs == 2, "defaults fill the rest"

    dotenv.write_text("SUMMARIZER_MODEL=from-dotenv\n")
    assert load_settings(env_file=dotenv, preset="desk").model == "from-dotenv", ".env > preset"
    monkeypatch.setenv("SUMMARIZER_MODEL", "from-env")
    assert load_settings(env_file=dotenv, preset="desk").model == "from-env", "environment > .env"
    assert load_settings(env_file=dotenv, preset="desk", model="from-flag").model == "from-flag", "flag > environment"

    # a profile named by a flag or the environment wins over the preset's
    assert load_settings(env_file=None, preset="desk", profile="ollama").context_window == 2048
    monkeypatch.setenv("SUMMARIZER_PROFILE", "vllm")
    assert load_settings(env_file=None, preset="desk").profile == "vllm"
    monkeypatch.delenv("SUMMARIZER_PROFILE")

    # the preset itself from the environment or .env
    monkeypatch.setenv("SUMMARIZER_PRESET", "desk")
    assert load_settings(env_file=None).instructions == "from-preset"
    monkeypatch.delenv("SUMMARIZER_PRESET")
    dotenv.write_text("SUMMARIZER_PRESET=desk\n")
    assert load_settings(env_file=dotenv).max_retries == 7


def test_caps_and_pacing_follow_the_settings_order(tmp_path, monkeypatch):
    """Every kind of run option a preset can now hold (a USD cap, a token cap, a switch, the pacing)
    resolves flags > environment > preset > profile > defaults, like the others."""
    monkeypatch.setenv("SUMMARIZER_CONFIG", str(profile_config(tmp_path, max_cost=9.0, max_tokens=900, concurrency=9, rpm=90, tpm=9000)))
    defaults = load_settings(env_file=None)
    assert (defaults.max_cost, defaults.max_tokens, defaults.start_anyway, defaults.concurrency, defaults.rpm, defaults.tpm) == (None, None, False, 4, None, None)
    from_profile = load_settings(env_file=None, profile="mine")
    assert (from_profile.max_cost, from_profile.max_tokens, from_profile.concurrency, from_profile.rpm, from_profile.tpm) == (9.0, 900, 9, 90, 9000)

    presets.save_preset("spend", {"profile": "mine", "max_cost": 2.5, "max_tokens": 250, "start_anyway": True, "concurrency": 2, "rpm": 20})
    settings = load_settings(env_file=None, preset="spend")
    assert (settings.max_cost, settings.max_tokens, settings.start_anyway, settings.concurrency, settings.rpm) == (2.5, 250, True, 2, 20), "preset > profile"
    assert settings.tpm == 9000, "the profile fills what the preset leaves out"

    for variable, value in (("SUMMARIZER_MAX_COST", "1.5"), ("SUMMARIZER_MAX_TOKENS", "150"), ("SUMMARIZER_START_ANYWAY", "0"), ("SUMMARIZER_CONCURRENCY", "1"), ("SUMMARIZER_RPM", "10")):
        monkeypatch.setenv(variable, value)
    settings = load_settings(env_file=None, preset="spend")
    assert (settings.max_cost, settings.max_tokens, settings.start_anyway, settings.concurrency, settings.rpm) == (1.5, 150, False, 1, 10), "environment > preset"
    settings = load_settings(env_file=None, preset="spend", max_cost=0.5, max_tokens=50, start_anyway=True, concurrency=3, rpm=30, tpm=3000)
    assert (settings.max_cost, settings.max_tokens, settings.start_anyway, settings.concurrency, settings.rpm, settings.tpm) == (0.5, 50, True, 3, 30, 3000), "flags > environment"

    with pytest.raises(ConfigError, match="max_cost"):
        presets.save_preset("broke", {"max_cost": -1.0})
    with pytest.raises(ConfigError, match="concurrency"):
        presets.save_preset("stalled", {"concurrency": 0})


def test_a_preset_with_a_token_cap_stops_a_batch_and_flags_override_it(llm_server, tmp_path):
    from scripted_server import schema_responder
    from test_batch import make_folder, manifest

    billed: list[int] = []  # what each answer billed, counted here, not by our own bookkeeping

    def slow(request):  # answers that overlap when more than one request is in flight
        reply = schema_responder(request)
        reply.delay = 0.2
        billed.append(reply.json["usage"]["prompt_tokens"] + reply.json["usage"]["completion_tokens"])
        return reply

    llm_server.responder = slow
    saved = run_cli("presets", "save", "capped", "--base-url", llm_server.base_url, "--model", "test-model", "--max-tokens", "12000",
                    "--start-anyway", "--concurrency", "1", "--rpm", "6000", "--tpm", "60000000", "--price-in", "1", "--price-out", "2")
    assert saved.returncode == 0, saved.stderr
    stored = {"base_url": llm_server.base_url, "model": "test-model", "max_tokens": 12000, "start_anyway": True,
              "concurrency": 1, "rpm": 6000, "tpm": 60000000, "price_in": 1.0, "price_out": 2.0}
    assert tomllib.loads(preset_path("capped").read_text()) == stored
    shown = run_cli("presets", "show", "capped")
    assert shown.returncode == 0 and tomllib.loads(shown.stdout.decode()) == stored

    make_folder(tmp_path / "news", 8)
    out = tmp_path / "out"
    proc = run_cli("batch", str(tmp_path / "news"), "--out", str(out), "--preset", "capped", "--quiet")
    assert proc.returncode == 5, proc.stderr.decode()  # the preset's cap stopped it (the estimate passes it: its start_anyway let it start)
    budget = json.loads((out / "report.json").read_text())["budget"]
    assert budget["max_tokens"] == 12000 and budget["reached"] is True and budget["start_anyway"] is True
    assert sum(billed) == budget["spent_tokens"] <= 12000 and 0 < len(billed) < 8
    assert budget["price_per_million"] == [1.0, 2.0]
    assert llm_server.max_in_flight == 1, "the preset's --concurrency 1"

    llm_server.reset()
    proc = run_cli("batch", str(tmp_path / "news"), "--out", str(out), "--preset", "capped", "--max-tokens", "1000000", "--concurrency", "3", "--quiet")
    assert proc.returncode == 0, proc.stderr.decode()
    budget = json.loads((out / "report.json").read_text())["budget"]
    assert budget["max_tokens"] == 1000000 and budget["reached"] is False, "the flag's cap, over the preset's"
    assert llm_server.max_in_flight == 3, "the flag's --concurrency, over the preset's"
    assert len([e for e in manifest(out) if e["state"] == "done"]) == 8


def test_a_preset_cap_refuses_a_multi_file_run_unless_a_flag_raises_it(llm_server, tmp_path):
    presets.save_preset("tight", {"base_url": llm_server.base_url, "model": "test-model", "max_tokens": 1})
    files = [str(SEED_000), str(SEED_002)]
    refused = run_cli("summarize", *files, "--preset", "tight")
    assert refused.returncode == 5 and llm_server.chat_requests() == []
    assert "error: the estimate for 2 article(s) is " in refused.stderr.decode() and "over the cap of 1 tokens" in refused.stderr.decode()
    ran = run_cli("summarize", *files, "--out", str(tmp_path / "out"), "--preset", "tight", "--max-tokens", "1000000")
    assert ran.returncode == 0, ran.stderr.decode()
    assert len(llm_server.chat_requests()) == 2


def test_a_preset_with_a_format_and_what_overrides_it(llm_server, tmp_path):
    saved = run_cli("presets", "save", "jsondesk", "--format", "json", "--base-url", llm_server.base_url, "--model", "test-model")
    assert saved.returncode == 0, saved.stderr
    assert tomllib.loads(run_cli("presets", "show", "jsondesk").stdout.decode())["output_format"] == "json"

    ran = run_cli("summarize", str(SEED_000), "--preset", "jsondesk")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["task"] == "summarize", "the preset's --format json"
    for override in ({"args": ("--format", "md")}, {"env": {"SUMMARIZER_OUTPUT_FORMAT": "md"}}):
        ran = run_cli("summarize", str(SEED_000), "--preset", "jsondesk", *override.get("args", ()), env=override.get("env"))
        assert ran.returncode == 0, ran.stderr
        with pytest.raises(ValueError):
            json.loads(ran.stdout)  # Markdown: the flag, or the environment, over the preset

    batch = run_cli("batch", str(SEED_000), str(SEED_002), "--out", str(tmp_path / "out"), "--preset", "jsondesk")
    assert batch.returncode == 0, batch.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.name.startswith("00")) == [SEED_000.stem + ".json", SEED_002.stem + ".json"]
    assert json.loads((tmp_path / "out" / "run.json").read_text())["fmt"] == "json"


def test_a_preset_with_a_gguf_runs_it_and_a_flag_or_the_environment_names_another(llm_server, tmp_path):
    """A preset's --gguf starts the embedded server for it (here a file that is no model: the start's
    own clear error proves which GGUF was used, and that nothing went to the base URL given)."""
    saved = run_cli("presets", "save", "embedded", "--gguf", "missing.gguf", cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    assert tomllib.loads(preset_path("embedded").read_text()) == {"gguf": str(tmp_path / "missing.gguf")}, "stored absolute"
    for command, extra, env, used in (
        (("summarize", str(SEED_000)), (), None, tmp_path / "missing.gguf"),
        (("batch", str(SEED_000), "--out", str(tmp_path / "out")), (), None, tmp_path / "missing.gguf"),
        (("summarize", str(SEED_000)), (), {"SUMMARIZER_GGUF": str(tmp_path / "from-env.gguf")}, tmp_path / "from-env.gguf"),
        (("translate", str(SEED_000)), ("--gguf", str(tmp_path / "from-flag.gguf")), None, tmp_path / "from-flag.gguf"),
    ):
        proc = run_cli(*command, "--preset", "embedded", "--base-url", llm_server.base_url, *extra, env=env)
        assert proc.returncode == 2, proc.stderr
        assert f"error: {used}: not a GGUF model file (no such file)" in proc.stderr.decode()
    assert llm_server.chat_requests() == []


def test_a_preset_with_the_ray_engine_and_a_flag_that_runs_locally(llm_server, tmp_path):
    """The preset's --engine ray is used (here without Ray importable: its one-line error says so);
    --engine local on the command line wins over it."""
    hidden = tmp_path / "hide-ray" / "ray"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError(\"No module named 'ray'\")\n")
    no_ray = {"PYTHONPATH": os.pathsep.join([str(hidden.parent), str(ROOT)])}
    saved = run_cli("presets", "save", "cluster", "--engine", "ray", "--ray-address", "auto", "--actors", "8",
                    "--base-url", llm_server.base_url, "--model", "test-model")
    assert saved.returncode == 0, saved.stderr
    assert tomllib.loads(preset_path("cluster").read_text()) == {"engine": "ray", "ray_address": "auto", "actors": 8,
                                                                 "base_url": llm_server.base_url, "model": "test-model"}
    proc = run_cli("batch", str(SEED_000), "--out", str(tmp_path / "out"), "--preset", "cluster", env=no_ray)
    assert proc.returncode == 2 and proc.stderr.decode().strip().splitlines() == [
        "error: --engine ray needs Ray, which is not installed (install the extra: pip install 'summarizer[ray]')"]
    assert llm_server.chat_requests() == []
    proc = run_cli("batch", str(SEED_000), "--out", str(tmp_path / "out"), "--preset", "cluster", "--engine", "local", env=no_ray)
    assert proc.returncode == 0, proc.stderr.decode()
    assert len(llm_server.chat_requests()) == 1
    assert run_cli("presets", "save", "typo", "--engine", "rey").returncode == 2, "a wrong engine is refused at save"


def test_precedence_in_a_real_run(llm_server, tmp_path):
    presets.save_preset("desk", {"base_url": llm_server.base_url, "model": "preset-model", "instructions": "from the preset"})
    llm_server.models += ["preset-model", "env-model", "flag-model"]
    assert run_cli("summarize", str(SEED_000), "--preset", "desk").returncode == 0
    assert run_cli("summarize", str(SEED_000), "--preset", "desk", env={"SUMMARIZER_MODEL": "env-model"}).returncode == 0
    assert run_cli("summarize", str(SEED_000), "--no-cache", env={"SUMMARIZER_MODEL": "env-model", "SUMMARIZER_PRESET": "desk"}, cwd=tmp_path).returncode == 0
    assert run_cli("summarize", str(SEED_000), "--preset", "desk", "--model", "flag-model", env={"SUMMARIZER_MODEL": "env-model"}).returncode == 0
    requests = llm_server.chat_requests()
    assert [r.body["model"] for r in requests] == ["preset-model", "env-model", "env-model", "flag-model"]
    assert all("from the preset" in system_prompt(r) + user_prompt(r) for r in requests)


# -- errors -------------------------------------------------------------------------------------
def test_an_unknown_option_in_a_preset_is_one_clear_line(llm_server, tmp_path):
    path = preset_path("typo")
    path.parent.mkdir(parents=True)
    path.write_text('modle = "test-model"\nglossary = "terms.csv"\ntimeout = 30\n')
    proc = run_cli("summarize", str(SEED_000), "--base-url", llm_server.base_url, "--preset", "typo")
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"error: preset 'typo' ({path}): unknown option 'modle' (did you mean 'model'?), 'glossary' (did you mean 'glossary_file'?)")
    assert llm_server.chat_requests() == []
    assert b"unknown option 'modle'" in run_cli("presets", "show", "typo").stderr


def test_a_wrong_value_or_a_bad_name_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"preset 'slow': timeout: Input should be greater than 0"):
        presets.save_preset("slow", {"timeout": -1})
    with pytest.raises(ConfigError, match="preset name '../up'"):
        presets.save_preset("../up", {"model": "x"})
    with pytest.raises(ConfigError, match="nothing to save"):
        presets.save_preset("empty", {"model": None})
    assert not presets_dir().exists() or list(presets_dir().iterdir()) == []
    broken = preset_path("broken")
    broken.parent.mkdir(parents=True)
    broken.write_text("model = \n")
    with pytest.raises(ConfigError, match=r"broken.toml: not valid TOML"):
        read_preset("broken")


def test_presets_never_hold_an_api_key(tmp_path):
    secret = "sk-test-preset-0123456789abcdef"
    proc = run_cli("presets", "save", "leaky", "--model", "x", "--api-key", secret)
    assert proc.returncode == 2 and not preset_path("leaky").exists()
    assert b"OPENAI_API_KEY" in proc.stderr and secret.encode() not in proc.stderr + proc.stdout
    assert proc.stderr.count(b"\n") == 1
    assert b"--api-key" not in run_cli("presets", "save", "--help").stdout, "a hidden refusal, not an offer"

    with pytest.raises(ConfigError, match="never holds an API key") as info:
        presets.save_preset("leaky", {"model": "x", "api_key": secret})
    assert "OPENAI_API_KEY" in str(info.value) and secret not in str(info.value)
    with pytest.raises(ConfigError, match="base_url carries a password"):
        presets.save_preset("leaky", {"base_url": f"https://desk:{secret}@llm.example.com/v1"})
    assert not preset_path("leaky").exists()

    preset_path("leaky").parent.mkdir(parents=True, exist_ok=True)
    preset_path("leaky").write_text(f'model = "x"\napi_key = "{secret}"\n')  # written by hand
    run = run_cli("summarize", str(SEED_000), "--preset", "leaky")
    assert run.returncode == 2 and b"never holds an API key" in run.stderr and secret.encode() not in run.stderr


# -- the Python API -----------------------------------------------------------------------------
def test_python_api_saves_lists_and_uses_presets(llm_server):
    from summarizer import Session

    path = presets.save_preset("api", {"base_url": llm_server.base_url, "model": "test-model", "strict": True})
    assert presets.list_presets() == {"api": path}
    assert read_preset("api") == {"base_url": llm_server.base_url, "model": "test-model", "strict": True}
    with Session(preset="api") as session:
        assert session.settings.strict and session.settings.model == "test-model"
    assert presets.delete_preset("api") == path and presets.list_presets() == {}
    with pytest.raises(ConfigError, match="unknown preset 'api'"):
        presets.delete_preset("api")


def test_presets_save_offers_every_option_of_the_flag_table():
    from summarizer.cli.options import FLAG_TO_SETTING

    text = run_cli("presets", "save", "--help").stdout.decode()
    offered = set(re.findall(r"^\s+(?:-\w, )?(--[a-z-]+)", text, re.M)) - {"--help"}
    flag_of = {"fmt": "format"}  # the one parameter not named as its flag
    assert offered == {"--" + flag_of.get(name, name).replace("_", "-") for name in FLAG_TO_SETTING if name != "preset"}


def test_the_docs_name_exactly_the_options_a_preset_can_hold():
    """`presets --help` and the README's table list what `presets save` takes: they cannot drift from the table."""
    from helpers import ROOT

    text = run_cli("presets", "save", "--help").stdout.decode()
    savable = set(re.findall(r"^\s+(?:-\w, )?(--[a-z-]+)", text, re.M)) - {"--help"}
    from summarizer.cli.presets import presets_app

    group_help = presets_app.info.help  # the text `presets --help` prints (wrapped there)
    holds = group_help[group_help.index("A preset holds"):group_help.index("Not:")]
    assert set(re.findall(r"--[a-z][a-z-]*[a-z]", holds)) == savable
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("What a preset can hold"):readme.index("Not in a preset")]
    assert set(re.findall(r"`(--[a-z][a-z-]*[a-z])`", table)) == savable
