"""Settings, resolved once per run: CLI flags > environment > .env > preset > profile > defaults.

Environment names: `OPENAI_BASE_URL`/`SUMMARIZER_BASE_URL`, `OPENAI_API_KEY`/`SUMMARIZER_API_KEY`, and
`SUMMARIZER_<FIELD>` for every other field (e.g. `SUMMARIZER_MODEL`, `SUMMARIZER_CACHE_DIR`).
The resolved `Settings` object is passed down; nothing below reads the environment again.

A preset (`--preset NAME`, SUMMARIZER_PRESET) is a TOML file of `Settings` fields in the user config
folder's `presets/` (`summarizer.presets` saves, lists and deletes them). It may name a profile, which
then sits below it; a profile named by a flag or the environment wins over the preset's. A preset never
holds a secret: an `api_key` in one is an error, not a value.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, InitSettingsSource, SettingsConfigDict

from summarizer._text import pydantic_problems
from summarizer.errors import ConfigError

BUILTIN_PROFILES_FILE = Path(__file__).parent / "profiles.toml"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
NO_KEY_PLACEHOLDER = "sk-no-key-required"  # local servers ignore the key, the SDK insists on one
StructuredMode = Literal["json_schema_strict", "json_schema", "json_object", "prompt"]
ALL_MODES: tuple[str, ...] = ("json_schema_strict", "json_schema", "json_object", "prompt")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


def _is_near(host: str) -> bool:
    """Loopback, a private (RFC 1918 / ULA / link-local) address, or a name that only a local
    network resolves (localhost, *.local, *.lan, a single label): a server that speaks plain http."""
    import ipaddress

    host = host.strip("[]").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host in LOCAL_HOSTS or host.endswith((".local", ".lan", ".internal", ".localhost")) or ("." not in host and bool(host))
    return address.is_loopback or address.is_private or address.is_link_local or address.is_unspecified


def with_scheme(base_url: str) -> str:
    """`base_url` with its scheme: `http://` is added for a loopback or private address
    ("127.0.0.1:8080/v1"); any other scheme-less URL is a ConfigError naming the missing scheme."""
    url = base_url.strip()
    if not url or "://" in url:
        return url
    netloc = url.split("/", 1)[0]
    host = netloc.rsplit("@", 1)[-1]
    host = host[: host.index("]") + 1] if host.startswith("[") and "]" in host else host.split(":", 1)[0]
    if _is_near(host):
        return "http://" + url
    raise ConfigError(
        f"base URL {base_url!r} has no scheme (http:// or https://)",
        hint=f"write it as https://{url} (or http://{url} for a server without TLS)",
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SUMMARIZER_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    profile: str | None = None
    preset: str | None = None
    base_url: str | None = Field(None, validation_alias=_env("base_url", "SUMMARIZER_BASE_URL", "OPENAI_BASE_URL"))
    api_key: SecretStr | None = Field(None, validation_alias=_env("api_key", "SUMMARIZER_API_KEY", "OPENAI_API_KEY"))
    model: str = "gpt-4o-mini"
    requires_key: bool | None = Field(None, description="None: only for non-local hosts")

    temperature: float = 0.2
    max_output_tokens: int = Field(4096, ge=64)
    context_window: int | None = Field(None, ge=256, description="None: probe/known table/8192")
    structured_mode: Literal["auto", "json_schema_strict", "json_schema", "json_object", "prompt"] = "auto"
    structured_modes: list[StructuredMode] = Field(default_factory=lambda: list(ALL_MODES))
    timeout: float = Field(120.0, gt=0, description="seconds per request")
    max_retries: int = Field(4, ge=0, description="retries of transient errors per request")
    max_repairs: int = Field(2, ge=0, description="re-asks after an invalid answer")
    max_retry_wait: float = Field(60.0, ge=0, description="longest Retry-After we honour, seconds")
    extra_body: dict[str, Any] = Field(default_factory=dict)
    thinking: Literal["auto", "off"] = Field("auto", description="off: ask a hybrid reasoning model (Qwen3, ...) to answer without its thinking phase")
    gguf: Path | None = Field(None, description="CLI: run this GGUF model in an embedded llama.cpp server for the run (--gguf)")
    tokenize_url: str | None = Field(None, description="llama.cpp/vLLM POST /tokenize for exact token counts")
    price_in: float | None = Field(None, ge=0, description="USD per 1M prompt tokens, for a model the price table lacks")
    price_out: float | None = Field(None, ge=0, description="USD per 1M completion tokens, for a model the price table lacks")
    # spending caps, pacing and engine of a run of many articles (summarizer.budget, summarizer.batch): settings, so a preset,
    # the environment or a profile can hold them like any other option
    max_cost: float | None = Field(None, gt=0, description="spend at most this many USD in a run (--max-cost)")
    max_tokens: int | None = Field(None, ge=1, description="use at most this many prompt + answer tokens in a run (--max-tokens)")
    start_anyway: bool = Field(False, description="start a capped run even when its estimate passes the cap, and do what fits")
    concurrency: int = Field(4, ge=1, description="batch: requests in flight to the endpoint at once")
    rpm: int | None = Field(None, ge=1, description="batch: at most this many requests per minute")
    tpm: int | None = Field(None, ge=1, description="batch: at most this many tokens per minute")
    engine: Literal["local", "ray"] = Field("local", description="batch: this process, or Ray actors (--engine)")
    ray_address: str | None = Field(None, description="batch --engine ray: 'auto' or ray://HEAD:10001; None: a local Ray")
    actors: int = Field(2, ge=1, description="batch --engine ray: how many actors")

    cache_dir: Path | None = None
    use_cache: bool = True
    prompts_dir: Path | None = None
    target_lang: str = "English"
    instructions: str | None = None
    glossary_file: Path | None = None
    notes: str | None = None
    run_checks: bool = Field(True, description="compare numbers, names and terms of output and source")
    strict: bool = Field(False, description="an error-severity check finding fails the article")
    repair: bool = Field(False, description="one re-ask naming the facts a check found changed")
    output_format: Literal["md", "json"] | None = Field(None, description="md or json results (--format); None: md, or the format of the batch run in --out")
    no_history: bool = Field(False, description="do not record runs in the run history")
    history_file: Path | None = Field(None, description="None: history.db in the user data folder")

    @field_validator("base_url")
    @classmethod
    def _base_url_scheme(cls, value: str | None) -> str | None:
        return with_scheme(value) if value else value

    # -- derived -----------------------------------------------------------------------------
    @property
    def effective_base_url(self) -> str:
        return (self.base_url or DEFAULT_BASE_URL).rstrip("/")

    @property
    def endpoint_host(self) -> str:
        parts = urlsplit(self.effective_base_url)
        return parts.netloc or self.effective_base_url

    @property
    def is_local(self) -> bool:
        return (urlsplit(self.effective_base_url).hostname or "") in LOCAL_HOSTS

    @property
    def needs_key(self) -> bool:
        return self.requires_key if self.requires_key is not None else not self.is_local

    def key_for_request(self) -> str:
        """The key to send; a placeholder for servers that need none. Raises when one is needed."""
        if self.api_key is not None and self.api_key.get_secret_value():
            return self.api_key.get_secret_value()
        if self.needs_key:
            raise ConfigError(
                f"no API key for {self.endpoint_host}",
                hint="set OPENAI_API_KEY (or SUMMARIZER_API_KEY, or put it in .env), "
                "or point --base-url / --profile at a local server that needs none",
            )
        return NO_KEY_PLACEHOLDER

    def resolved_cache_dir(self) -> Path:
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("summarizer"))

    def modes_to_try(self) -> list[str]:
        if self.structured_mode != "auto":
            return [self.structured_mode]
        return [m for m in ALL_MODES if m in self.structured_modes] or list(ALL_MODES)

    def spending_caps(self) -> dict[str, Any]:
        """The caps as `Session.budget` and `BatchOptions` name them (max_cost_usd, max_tokens, start_anyway)."""
        return {"max_cost_usd": self.max_cost, "max_tokens": self.max_tokens, "start_anyway": self.start_anyway}

    def __repr__(self) -> str:  # never show the key, even in a traceback
        return f"Settings(profile={self.profile!r}, base_url={self.effective_base_url!r}, model={self.model!r})"


def user_config_file() -> Path:
    override = os.environ.get("SUMMARIZER_CONFIG")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("summarizer")) / "config.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}", hint="fix the file or remove it") from exc


def available_profiles() -> dict[str, dict[str, Any]]:
    """Built-in profiles, overlaid by the user's `[profiles.NAME]` tables (user keys win)."""
    profiles: dict[str, dict[str, Any]] = {k: dict(v) for k, v in _read_toml(BUILTIN_PROFILES_FILE).items()}
    user = _read_toml(user_config_file()).get("profiles", {})
    for name, values in user.items():
        if not isinstance(values, dict):
            raise ConfigError(f"{user_config_file()}: [profiles.{name}] must be a table")
        profiles.setdefault(name, {}).update(values)
    return profiles


PRESET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
SECRET_FIELDS = frozenset({"api_key"})
NOT_IN_A_PRESET = SECRET_FIELDS | {"preset"}
KEY_HINT = "set OPENAI_API_KEY (or SUMMARIZER_API_KEY) in the environment or .env instead: presets are plain files and never hold a key"


def presets_dir() -> Path:
    """Where presets live: `presets/` in the user config folder (beside `config.toml`)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("summarizer")) / "presets"


def preset_file(name: str) -> Path:
    """The file of preset `name`; the name must be a plain word (it becomes a file name)."""
    if not PRESET_NAME.fullmatch(name):
        raise ConfigError(f"preset name {name!r}: use letters, digits, '.', '_' or '-' (64 at most), starting with a letter or digit")
    return presets_dir() / f"{name}.toml"


def check_preset_values(values: dict[str, Any], origin: str) -> dict[str, Any]:
    """`values` if every key is a `Settings` field a preset may hold and every value fits it; else a
    ConfigError naming `origin` (the preset) and the fix. Reports every unknown key at once."""
    secrets = sorted(key for key in values if key in SECRET_FIELDS)
    if secrets:
        raise ConfigError(f"{origin}: a preset never holds an API key ({', '.join(secrets)})", hint=KEY_HINT)
    unknown = [key for key in values if key not in Settings.model_fields or key in NOT_IN_A_PRESET]
    if unknown:
        allowed = [name for name in Settings.model_fields if name not in NOT_IN_A_PRESET]
        guesses = {key: difflib.get_close_matches(key, allowed, n=1) for key in unknown}
        named = ", ".join(f"{key!r}" + (f" (did you mean {guesses[key][0]!r}?)" if guesses[key] else "") for key in unknown)
        raise ConfigError(f"{origin}: unknown option {named}", hint=f"a preset holds settings: {', '.join(allowed)}")
    base_url = values.get("base_url")
    if isinstance(base_url, str) and urlsplit(base_url).password:
        raise ConfigError(f"{origin}: base_url carries a password", hint=KEY_HINT)

    class _OnlyTheseValues(Settings):
        @classmethod
        def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings):
            return (init_settings,)

    try:
        _OnlyTheseValues(**values)
    except ValidationError as exc:
        raise ConfigError(f"{origin}: {pydantic_problems(exc, root='settings')}", hint="fix the value (`summarizer presets show` prints them)") from None
    return values


def read_preset(name: str) -> dict[str, Any]:
    """The checked values of preset `name`; a ConfigError when it is missing or holds a wrong option."""
    path = preset_file(name)
    if not path.is_file():
        known = sorted(p.stem for p in presets_dir().glob("*.toml")) if presets_dir().is_dir() else []
        raise ConfigError(
            f"unknown preset {name!r}",
            hint=(f"choose one of: {', '.join(known)}; or " if known else "") + f"save it with `summarizer presets save {name} --model ...`",
        )
    return check_preset_values(_read_toml(path), f"preset {name!r} ({path})")


def _name_from_env_or_dotenv(variable: str, env_file: Path | None) -> str | None:
    if os.environ.get(variable):
        return os.environ[variable]
    if env_file and env_file.is_file():
        from dotenv import dotenv_values

        return dotenv_values(env_file).get(variable) or None
    return None


def _profile_layer(profile_name: str | None) -> dict[str, Any]:
    if not profile_name:
        return {}
    profiles = available_profiles()
    if profile_name not in profiles:
        raise ConfigError(
            f"unknown profile {profile_name!r}",
            hint=f"choose one of: {', '.join(sorted(profiles))}, or add [profiles.{profile_name}] to {user_config_file()}",
        )
    return {**profiles[profile_name], "profile": profile_name}


def load_settings(env_file: Path | None = Path(".env"), **flags: Any) -> Settings:
    """Resolve settings. `flags` are CLI values; None means "not given" and is dropped."""
    given = {k: v for k, v in flags.items() if v is not None}
    preset_name = given.get("preset") or _name_from_env_or_dotenv("SUMMARIZER_PRESET", env_file)
    preset_values = {**read_preset(preset_name), "preset": preset_name} if preset_name else {}
    profile_name = given.get("profile") or _name_from_env_or_dotenv("SUMMARIZER_PROFILE", env_file) or preset_values.get("profile")
    profile_values = _profile_layer(profile_name)

    class _Resolved(Settings):
        @classmethod
        def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings):
            return (init_settings, env_settings, dotenv_settings,
                    InitSettingsSource(settings_cls, preset_values), InitSettingsSource(settings_cls, profile_values))

    try:
        return _Resolved(_env_file=env_file, **given)
    except ValidationError as exc:
        raise ConfigError(f"invalid settings: {pydantic_problems(exc, root='settings')}", hint="check your flags, SUMMARIZER_* variables, preset and profile") from None
