"""First contact with an endpoint: probe once, settle the model, remember what was found.

`discover(settings, memory)` runs before any plan (so `estimate` and a run plan alike):
- hosted APIs are not probed (dialects.is_hosted); neither is an endpoint+model probed before,
  since endpoint memory (kept apart from the response cache, so --no-cache keeps it) says so;
- without --model and exactly one served model, that model is used (and said on stderr); with
  several, the error lists them;
- a --model the server does not list fails here, before any generation request, listing the
  served ones (llama.cpp would otherwise answer for any name);
- what the probes read (kind, per-slot context, /tokenize) is stored per endpoint+model.
A server that does not answer the probes is left to the first real request, which fails fast.
"""

from __future__ import annotations

from typing import Callable

from summarizer import errors
from summarizer.cache import EndpointMemory
from summarizer.config import Settings
from summarizer.llm import dialects

MODELS_SHOWN = 8


def _listing(models: list[str]) -> str:
    shown = ", ".join(models[:MODELS_SHOWN])
    return shown + (f" (+{len(models) - MODELS_SHOWN} more)" if len(models) > MODELS_SHOWN else "")


def _key(settings: Settings) -> str | None:
    try:
        key = settings.key_for_request()
    except errors.ConfigError:
        return None
    return None if key == "sk-no-key-required" else key


def _choose_model(settings: Settings, served: list[str] | None, say: Callable[[str], None]) -> Settings:
    """The settings with the model settled: the given one (checked), else the only one served."""
    host = settings.endpoint_host
    if "model" not in settings.model_fields_set:
        if served and len(served) == 1:
            say(f"using model {served[0]!r}, the one {host} serves (pass --model to choose another)")
            return settings.model_copy(update={"model": served[0]})
        if served and len(served) > 1:
            raise errors.ConfigError(
                f"{host} serves {len(served)} models and no --model was given: {_listing(served)}",
                hint="pass --model with one of them (or set SUMMARIZER_MODEL)",
            )
        return settings
    if served and settings.model not in served:
        raise errors.ModelNotFoundError(
            f"model {settings.model!r} not found at {settings.effective_base_url}; it serves: {_listing(served)}",
            hint="pass --model with one of them",
        )
    return settings


def discover(settings: Settings, memory: EndpointMemory, *, say: Callable[[str], None] = lambda _: None,
             budget: float = dialects.PROBE_BUDGET) -> Settings:
    """Settings for the run after first contact (the model may be filled in). Raises ConfigError /
    ModelNotFoundError for a model problem; never for an endpoint that does not answer."""
    base = settings.effective_base_url
    if dialects.is_hosted(base):
        return settings
    if "model" in settings.model_fields_set:
        known = memory.get(base, settings.model)
        if known.get("probed"):
            return _choose_model(settings, known.get("served_models"), say)
    facts = dialects.probe_endpoint_sync(base, settings.model if "model" in settings.model_fields_set else None, _key(settings), budget=budget)
    if not facts.reachable:
        return settings
    settings = _choose_model(settings, facts.models, say)
    memory.update(base, settings.model, **facts.memory_facts())
    return settings
