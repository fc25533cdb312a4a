"""The options several commands share, typed once, and the ONE table from a flag to its `Settings` field.

A command lists its parameters, in --help order, with `@command_options("files", *ENDPOINT, ...)`:
the shared ones come from `SHARED_OPTIONS` (typed once here), its own from its keyword-only parameters.
It receives the ones it does not declare in `**settings_options` and hands them to `settings_flags`,
which turns each into the value `load_settings` wants through `FLAG_TO_SETTING`: None means "not given",
so the environment, profile or default wins. (simonw/llm shares option bundles as decorators the same way.)
Imports only typer and the standard library, so every command module can import it at no cost.
"""

from __future__ import annotations

import inspect
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Callable, Mapping, Optional, TypeVar

import typer


class OutputFormat(str, Enum):
    md = "md"
    json = "json"


class ModeChoice(str, Enum):
    auto = "auto"
    json_schema_strict = "json_schema_strict"
    json_schema = "json_schema"
    json_object = "json_object"
    prompt = "prompt"


Files = Annotated[list[Path], typer.Argument(help="Article files (.txt, .md, .html; any encoding). '-' reads standard input.", show_default=False)]
FormatOpt = Annotated[Optional[OutputFormat], typer.Option("--format", "-f", help="Output format: Markdown brief or JSON (validates against the shipped schema). Env: SUMMARIZER_OUTPUT_FORMAT.", show_default="md")]
OutOpt = Annotated[Optional[Path], typer.Option("--out", "-o", help="Write one file per input into this folder (x.txt -> x.md). Default: standard output.")]
ModelOpt = Annotated[Optional[str], typer.Option("--model", "-m", help="Model name as the endpoint knows it. Env: SUMMARIZER_MODEL.")]
BaseUrlOpt = Annotated[Optional[str], typer.Option("--base-url", help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1. Env: OPENAI_BASE_URL.")]
ProfileOpt = Annotated[Optional[str], typer.Option("--profile", "-p", help="Endpoint profile: openai, ollama, vllm, llamacpp, lmstudio, litellm, or one of yours (`summarizer profiles list`).")]
PresetOpt = Annotated[Optional[str], typer.Option("--preset", help="A saved preset of options (`summarizer presets list`); flags and the environment win over it, it wins over the profile. Env: SUMMARIZER_PRESET.")]
PromptsOpt = Annotated[Optional[Path], typer.Option("--prompts", help="Folder with your own prompt templates (missing ones fall back to the built-ins).")]
CacheDirOpt = Annotated[Optional[Path], typer.Option("--cache-dir", help="Cache folder. Env: SUMMARIZER_CACHE_DIR. Default: the user cache dir.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the response cache.")]
GlossaryOpt = Annotated[Optional[Path], typer.Option("--glossary", help="CSV/TSV of 'source term, preferred English[, note]' to enforce.")]
InstructionsOpt = Annotated[Optional[str], typer.Option("--instructions", help="Extra guidance for the model, e.g. 'for a finance audience; formal tone'.")]
TargetOpt = Annotated[Optional[str], typer.Option("--target-lang", help="Language to translate into.", show_default="English")]
ContextOpt = Annotated[Optional[int], typer.Option("--context-window", help="The model's context size in tokens; chunks are cut to fit it.")]
MaxOutOpt = Annotated[Optional[int], typer.Option("--max-output-tokens", help="Upper bound of tokens per answer.", show_default="4096")]
ModeOpt = Annotated[Optional[ModeChoice], typer.Option("--structured-mode", help="Force a structured-output mode instead of trying them in order.", show_default="auto")]
TimeoutOpt = Annotated[Optional[float], typer.Option("--timeout", help="Seconds to wait for one answer.", show_default="120")]
RetriesOpt = Annotated[Optional[int], typer.Option("--max-retries", help="Retries of a transient failure (429, 5xx, timeout) per request.", show_default="4")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Fail an article (exit 4) when a check finds a changed or missing number, amount or date.")]
RepairOpt = Annotated[bool, typer.Option("--repair", help="When a check finds a changed number or date, send one re-ask naming it and keep the better answer.")]
NoChecksOpt = Annotated[bool, typer.Option("--no-checks", help="Skip the faithfulness checks (numbers, names, glossary, untranslated sentences).")]
NoThinkingOpt = Annotated[bool, typer.Option("--no-thinking", help="Ask a hybrid reasoning model (Qwen3, DeepSeek-R1 distills, ...) to answer without its thinking phase: faster, fewer tokens. Ollama, vLLM and llama.cpp servers (known from --profile or `summarizer doctor`).")]
RepairsOpt = Annotated[Optional[int], typer.Option("--max-repairs", min=0, help="Re-asks after an answer that is not valid JSON for the schema.", show_default="2")]
GgufOpt = Annotated[Optional[Path], typer.Option("--gguf", help="Run this GGUF model in an embedded llama.cpp server for the run (needs the 'local' extra); no separate server needed. Env: SUMMARIZER_GGUF.")]
NoHistoryOpt = Annotated[bool, typer.Option("--no-history", help="Do not record this run in the run history (`summarizer history`). Env: SUMMARIZER_NO_HISTORY=1.")]
MaxCostOpt = Annotated[Optional[float], typer.Option("--max-cost", help="Spend at most this many USD: refuse when the estimate passes it, send no request that could, stop cleanly when reached (exit 5). A higher cap resumes. Env: SUMMARIZER_MAX_COST.", show_default=False)]
MaxTokensOpt = Annotated[Optional[int], typer.Option("--max-tokens", min=1, help="Use at most this many tokens (prompt + answer), counted from the answers; as --max-cost. Env: SUMMARIZER_MAX_TOKENS.", show_default=False)]
StartAnywayOpt = Annotated[bool, typer.Option("--start-anyway", help="With --max-cost/--max-tokens: start even when the estimate passes the cap, and do what fits.")]
ConcurrencyOpt = Annotated[Optional[int], typer.Option("--concurrency", "-j", min=1, help="Requests in flight to the endpoint at once (its parallel slots); the next articles are read and checked meanwhile. Each 429 lowers it by one for 10 s. Env: SUMMARIZER_CONCURRENCY.", show_default="4")]
EngineOpt = Annotated[Optional[str], typer.Option("--engine", help="local: this process. ray: the articles as a Ray Dataset on Ray actors (needs the 'ray' extra; --out must be storage every node reaches). Env: SUMMARIZER_ENGINE.", show_default="local")]
RayAddressOpt = Annotated[Optional[str], typer.Option("--ray-address", help="With --engine ray: 'auto' (the cluster this machine belongs to) or ray://HEAD:10001. Default: start a local Ray.", show_default=False)]
ActorsOpt = Annotated[Optional[int], typer.Option("--actors", min=1, help="With --engine ray: how many actors; --concurrency/--rpm/--tpm are split among them.", show_default="2")]
RpmOpt = Annotated[Optional[int], typer.Option("--rpm", min=1, help="At most this many requests per minute (estimated per article, paced).", show_default=False)]
TpmOpt = Annotated[Optional[int], typer.Option("--tpm", min=1, help="At most this many tokens per minute (estimated prompt + answer per article, paced).", show_default=False)]
PriceInOpt = Annotated[Optional[float], typer.Option("--price-in", min=0.0, help="USD per 1M prompt tokens, for a model the price table lacks. Env: SUMMARIZER_PRICE_IN.", show_default=False)]
PriceOutOpt = Annotated[Optional[float], typer.Option("--price-out", min=0.0, help="USD per 1M answer tokens, for a model the price table lacks. Env: SUMMARIZER_PRICE_OUT.", show_default=False)]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks and per-file details.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on standard error.")]
HtmlOpt = Annotated[Optional[Path], typer.Option("--html", help="Also write the HTML review report (index.html + one page per article) into this folder; see `summarizer report`.", show_default=False)]


def _given(value: Any) -> Any:
    return value


def _off_when_set(switch: bool) -> bool | None:
    return False if switch else None


def _on_when_set(switch: bool) -> bool | None:
    return True if switch else None


def _enum_value(choice: Enum | None) -> Any:
    return None if choice is None else choice.value


# command parameter -> (Settings field, the flag's value as that field wants it; None = not given)
FLAG_TO_SETTING: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "fmt": ("output_format", _enum_value),
    "model": ("model", _given),
    "base_url": ("base_url", _given),
    "profile": ("profile", _given),
    "preset": ("preset", _given),
    "prompts": ("prompts_dir", _given),
    "cache_dir": ("cache_dir", _given),
    "no_cache": ("use_cache", _off_when_set),
    "glossary": ("glossary_file", _given),
    "instructions": ("instructions", _given),
    "target_lang": ("target_lang", _given),
    "context_window": ("context_window", _given),
    "max_output_tokens": ("max_output_tokens", _given),
    "structured_mode": ("structured_mode", _enum_value),
    "timeout": ("timeout", _given),
    "max_retries": ("max_retries", _given),
    "max_repairs": ("max_repairs", _given),
    "strict": ("strict", _on_when_set),
    "repair": ("repair", _on_when_set),
    "no_checks": ("run_checks", _off_when_set),
    "no_thinking": ("thinking", lambda switch: "off" if switch else None),
    "no_history": ("no_history", _on_when_set),
    "gguf": ("gguf", _given),
    "price_in": ("price_in", _given),
    "price_out": ("price_out", _given),
    "max_cost": ("max_cost", _given),
    "max_tokens": ("max_tokens", _given),
    "start_anyway": ("start_anyway", _on_when_set),
    "concurrency": ("concurrency", _given),
    "rpm": ("rpm", _given),
    "tpm": ("tpm", _given),
    "engine": ("engine", _given),
    "ray_address": ("ray_address", _given),
    "actors": ("actors", _given),
}


def settings_flags(params: Mapping[str, Any]) -> dict[str, Any]:
    """The `Settings` fields that a command's parameters set; parameters outside the table are left out."""
    return {field: convert(params[name]) for name, (field, convert) in FLAG_TO_SETTING.items() if name in params}


_EMPTY = inspect.Parameter.empty

# parameter -> (annotation, default) of every option more than one command takes
SHARED_OPTIONS: dict[str, tuple[Any, Any]] = {
    "files": (Files, _EMPTY),
    "fmt": (FormatOpt, None),
    "out": (OutOpt, None),
    "model": (ModelOpt, None),
    "base_url": (BaseUrlOpt, None),
    "profile": (ProfileOpt, None),
    "preset": (PresetOpt, None),
    "prompts": (PromptsOpt, None),
    "cache_dir": (CacheDirOpt, None),
    "no_cache": (NoCacheOpt, False),
    "glossary": (GlossaryOpt, None),
    "instructions": (InstructionsOpt, None),
    "target_lang": (TargetOpt, None),
    "context_window": (ContextOpt, None),
    "max_output_tokens": (MaxOutOpt, None),
    "structured_mode": (ModeOpt, None),
    "timeout": (TimeoutOpt, None),
    "max_retries": (RetriesOpt, None),
    "gguf": (GgufOpt, None),
    "strict": (StrictOpt, False),
    "repair": (RepairOpt, False),
    "no_checks": (NoChecksOpt, False),
    "max_repairs": (RepairsOpt, None),
    "no_thinking": (NoThinkingOpt, False),
    "no_history": (NoHistoryOpt, False),
    "max_cost": (MaxCostOpt, None),
    "max_tokens": (MaxTokensOpt, None),
    "start_anyway": (StartAnywayOpt, False),
    "price_in": (PriceInOpt, None),
    "price_out": (PriceOutOpt, None),
    "concurrency": (ConcurrencyOpt, None),
    "rpm": (RpmOpt, None),
    "tpm": (TpmOpt, None),
    "engine": (EngineOpt, None),
    "ray_address": (RayAddressOpt, None),
    "actors": (ActorsOpt, None),
    "verbose": (VerboseOpt, False),
    "quiet": (QuietOpt, False),
    "html": (HtmlOpt, None),
}
# The bundles the article commands and `batch` share, in their --help order.
ENDPOINT = ("model", "base_url", "profile", "preset", "prompts", "cache_dir")
WRITING = ("glossary", "instructions", "target_lang", "context_window", "max_output_tokens")
RUNNING = ("timeout", "max_retries", "gguf", "strict", "repair", "no_checks", "max_repairs", "no_thinking", "no_history")
SPENDING = ("max_cost", "max_tokens", "start_anyway", "price_in", "price_out")  # summarizer.budget
PACING = ("concurrency", "rpm", "tpm")  # batch: summarizer.pacing
ENGINE = ("engine", "ray_address", "actors")  # batch: summarizer.batch.ray

Command = TypeVar("Command", bound=Callable[..., Any])


def command_options(*order: str, shared: Mapping[str, tuple[Any, Any]] = SHARED_OPTIONS) -> Callable[[Command], Command]:
    """Give the decorated command the parameters `order` names, in that order (typer reads the signature).

    A name the function declares (keyword-only) keeps its own annotation and default, or takes the shared
    ones when it has none; the other names come from `shared` and arrive in `**settings_options`.
    `shared` is `SHARED_OPTIONS` unless a command group has its own bundle (`eval` and `compare`)."""

    def decorate(func: Command) -> Command:
        declared = {
            name: param for name, param in inspect.signature(func, eval_str=True).parameters.items()
            if param.kind is not inspect.Parameter.VAR_KEYWORD
        }
        stray = sorted(set(declared) - set(order)) + [name for name in order if name not in declared and name not in shared]
        if stray:
            raise TypeError(f"{func.__name__}: parameters {stray} are not in command_options(...) or not shared options")
        parameters = [_parameter(name, declared.get(name), shared) for name in order]
        func.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        func.__annotations__ = {param.name: param.annotation for param in parameters}
        return func

    return decorate


def _parameter(name: str, declared: inspect.Parameter | None, shared: Mapping[str, tuple[Any, Any]]) -> inspect.Parameter:
    annotation, default = shared.get(name, (_EMPTY, _EMPTY))
    if declared is not None and declared.annotation is not _EMPTY:
        annotation, default = declared.annotation, declared.default
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
