"""`doctor`: check that an endpoint will work before a long batch, and remember what was learned.

Probes, each with a short timeout, none of which ever raises out of `run_doctor`:
- `GET {base_url}/models` with the OpenAI SDK: reachable? key accepted? which models? context length
  (vLLM `max_model_len`, llama.cpp `meta.n_ctx` / `meta.n_ctx_train`, OpenRouter `context_length`).
- At the server root (base_url minus `/v1`), every dialect's probe (`summarizer.llm.dialects`, the
  one place that reads them): llama.cpp `/props` and `/tokenize`, vLLM `/tokenize`, Ollama
  `/api/version`, `/api/show`, `/api/ps`, LM Studio `/api/v0/models`, LiteLLM `/model/info`.
- One tiny structured request per structured-output mode, best mode first, stopping at the first that
  returns a schema-valid answer (through `LLMClient`, so exactly the code path a run uses).

Each fact that was established (structured mode, context window, tokenize URL, server kind, served
models) is stored in `EndpointMemory` even when another check fails, so later runs start from it
and skip the first-contact probe. The API key is sent only to the configured endpoint, never printed or stored.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from io import StringIO
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from summarizer import errors
from summarizer._text import one_line, redact, sdk_error_text
from summarizer.cache import EndpointMemory
from summarizer.config import NO_KEY_PLACEHOLDER, Settings
from summarizer.llm import dialects
from summarizer.llm.dialects import root_url  # noqa: F401  (kept: callers imported it from here)

CHECK_NAMES = ("reachable", "auth", "models", "model present", "structured output", "context length", "tokenize", "latency")
PROBE_TIMEOUT = 10.0  # seconds, for the metadata probes (chat requests use settings.timeout)
STRUCTURED_MAX_TOKENS = 512
OLLAMA_DEFAULT_NUM_CTX = dialects.OLLAMA_DEFAULT_NUM_CTX
_KEY_HINT = "set a valid key in OPENAI_API_KEY or SUMMARIZER_API_KEY (or .env) for this endpoint"

_DOCTOR_ARTICLE = (
    "The city council of Bandung opened a new public library on Monday. "
    "The library has 20,000 books and is open every day from 8 am to 8 pm."
)
_DOCTOR_MESSAGES = [
    {
        "role": "system",
        "content": "Give the article a short English title and summarize it in 1 to 3 short bullet points. "
        "Answer with JSON only.",
    },
    {"role": "user", "content": f"<article>{_DOCTOR_ARTICLE}</article>"},
]


class DoctorProbeOutput(BaseModel):
    """What the structured-output probe asks for: plain JSON Schema, no checks beyond it, so a
    failure means the endpoint's structured output does not work, not that the model is weak."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(description="A short title.")
    points: list[str] = Field(min_length=1, max_length=3, description="1 to 3 summary bullets.")


@dataclass
class Check:
    name: str
    ok: bool | None  # None: unknown / not applicable
    detail: str


@dataclass
class DoctorReport:
    base_url: str
    model: str
    checks: list[Check] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    structured_mode: str | None = None
    context_window: int | None = None
    context_source: str | None = None
    tokenize_url: str | None = None
    latency_ms: float | None = None
    server_kind: str | None = None
    ok: bool = False

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- helpers


def _list_models_text(ids: list[str], limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" (+{len(ids) - limit} more)" if len(ids) > limit else "")


# --------------------------------------------------------------------------- the checks


async def _structured_probe(settings: Settings, report: DoctorReport) -> tuple[Check, errors.SummarizerError | None]:
    """Try each mode best-first; (the check, the error that should stop everything else or None)."""
    from summarizer.llm import LLMClient

    failures: list[str] = []
    for mode in settings.modes_to_try():
        trial = settings.model_copy(update={"structured_mode": mode, "max_repairs": 0, "max_retries": 0})
        client = LLMClient(trial, cache=None, memory=None)
        started = time.perf_counter()
        try:
            await client.structured(
                messages=_DOCTOR_MESSAGES,
                output=DoctorProbeOutput,
                template_version="doctor",
                parameters={"temperature": 0.0},
                max_tokens=STRUCTURED_MAX_TOKENS,
            )
        except (errors.AuthenticationError, errors.ModelNotFoundError, errors.EndpointUnreachableError) as exc:
            return Check("structured output", False, one_line(str(exc), 300, mark="…")), exc
        except errors.SummarizerError as exc:
            cause = exc.__cause__
            reason = cause if cause is not None and "accepts none of the structured output modes" in exc.message else exc
            text = str(reason)
            if text.startswith("empty reply in"):
                text = "the reply was empty"
            failures.append(f"{mode}: {one_line(text, 140, mark='…')}")
            continue
        except Exception as exc:  # never let an unexpected failure escape the doctor
            failures.append(f"{mode}: {type(exc).__name__}: {one_line(str(exc), 120, mark='…')}")
            continue
        finally:
            await client.aclose()
        report.latency_ms = (time.perf_counter() - started) * 1000
        report.structured_mode = mode
        detail = f"{mode} works"
        if failures:
            detail += f" (failed: {'; '.join(failures)})"
        return Check("structured output", True, detail), None
    tried = ", ".join(settings.modes_to_try())
    return (
        Check(
            "structured output",
            False,
            f"no mode produced a schema-valid answer (tried {tried}): {'; '.join(failures)}; "
            "try a stronger model or --structured-mode prompt",
        ),
        None,
    )


async def _plain_latency(settings: Settings, key: str) -> float | None:
    """Round trip of a 1-token chat request, when no structured request worked."""
    import openai

    client = openai.AsyncOpenAI(base_url=settings.effective_base_url, api_key=key, max_retries=0, timeout=settings.timeout)
    try:
        started = time.perf_counter()
        await client.chat.completions.create(
            model=settings.model, messages=[{"role": "user", "content": "Say OK."}], max_tokens=1
        )
        return (time.perf_counter() - started) * 1000
    except Exception:
        return None
    finally:
        await client.close()


async def _models_check(settings: Settings, key: str, probe_timeout: float, report: DoctorReport, checks: dict[str, Check]) -> tuple[list[dict], dict[str, str], bool]:
    """`GET /models` with the SDK: fills the reachable/auth/models checks and `report.models`;
    (the model entries, the response headers, whether a model list came back)."""
    import openai

    base_url = settings.effective_base_url
    sdk = openai.AsyncOpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=probe_timeout)
    entries: list[dict] = []
    response_headers: dict[str, str] = {}
    models_ok = False
    try:
        raw = await sdk.models.with_raw_response.list()
        response_headers = {k.lower(): v for k, v in raw.headers.items()}
        try:
            payload = raw.http_response.json()
        except ValueError:
            payload = None
        data = payload.get("data") if isinstance(payload, dict) else None
        checks["reachable"] = Check("reachable", True, f"{base_url} answers")
        if isinstance(data, list):
            entries = [e for e in data if isinstance(e, dict) and isinstance(e.get("id"), str)]
            report.models = [e["id"] for e in entries]
            models_ok = True
            checks["models"] = Check("models", True, f"{len(report.models)} model(s): {_list_models_text(report.models)}" if report.models else "the endpoint lists no models")
        else:
            checks["models"] = Check(
                "models", False, f"GET {base_url}/models did not return an OpenAI model list; check --base-url (it usually ends in /v1)"
            )
    except openai.APITimeoutError:
        checks["reachable"] = Check("reachable", False, f"{base_url} did not answer within {probe_timeout:g}s: is the server overloaded or still starting? check --base-url")
    except openai.APIConnectionError:
        checks["reachable"] = Check("reachable", False, f"cannot connect to {base_url}: is the server running? check --base-url")
    except openai.APIStatusError as exc:
        checks["reachable"] = Check("reachable", True, f"{base_url} answers")
        status = exc.status_code
        response_headers = {k.lower(): v for k, v in exc.response.headers.items()}
        message = one_line(redact(sdk_error_text(exc), key), 160, mark="…")
        if status in (401, 403):
            checks["auth"] = Check("auth", False, f"the key was refused ({status}: {message}); {_KEY_HINT}")
        elif status == 404:
            checks["models"] = Check("models", None, f"GET {base_url}/models answered 404; if requests fail too, check --base-url (it usually ends in /v1)")
        else:
            checks["models"] = Check("models", False, f"GET {base_url}/models failed ({status}: {message})")
    except Exception as exc:  # anything else the SDK may raise: a reachability problem for the user
        checks["reachable"] = Check("reachable", False, f"cannot talk to {base_url} ({type(exc).__name__}: {one_line(str(exc), 120, mark='…')}); check --base-url")
    finally:
        await sdk.close()

    return entries, response_headers, models_ok


async def run_doctor(settings: Settings, *, memory: EndpointMemory | None = None, probe_timeout: float = PROBE_TIMEOUT) -> DoctorReport:
    """Check the endpoint in `settings`; never raises for endpoint problems (they become failed checks)."""
    base_url = settings.effective_base_url
    report = DoctorReport(base_url=base_url, model=settings.model)
    checks: dict[str, Check] = {}
    probe_timeout = min(probe_timeout, settings.timeout)

    key_error: errors.ConfigError | None = None
    try:
        key = settings.key_for_request()
    except errors.ConfigError as exc:
        key_error, key = exc, NO_KEY_PLACEHOLDER

    # -- /models: reachable, auth, model list -------------------------------------------------
    entries, response_headers, models_ok = await _models_check(settings, key, probe_timeout, report, checks)

    if not checks["reachable"].ok:
        if key_error is not None:
            checks["auth"] = Check("auth", False, one_line(str(key_error), 300, mark="…"))
        return _finish(report, checks, settings, memory)

    if key_error is not None:  # the server answered, but we have no key to send it
        checks["auth"] = Check("auth", False, one_line(str(key_error), 300, mark="…"))
    elif "auth" not in checks:
        checks["auth"] = Check("auth", True, "key accepted" if key != NO_KEY_PLACEHOLDER else "no key needed")

    # -- model present ---------------------------------------------------------------------
    entry = next((e for e in entries if e["id"] == settings.model), None)
    if models_ok and report.models:
        if entry is not None:
            checks["model present"] = Check("model present", True, f"{settings.model} is served")
        else:
            checks["model present"] = Check(
                "model present",
                False,
                f"{settings.model!r} is not served here; available: {_list_models_text(report.models)}; pass --model with one of them",
            )

    # -- root probes (every dialect's; summarizer.llm.dialects reads them) ----------------------
    answers = await dialects.fetch_root_probes(root_url(base_url), settings.model, None if key_error else key, probe_timeout)
    facts = dialects.read_facts(answers, entries, base_url, settings.model, response_headers)
    report.server_kind, report.tokenize_url = facts.server_kind, facts.tokenize_url
    report.context_window, report.context_source = facts.context_window, facts.context_source
    note = facts.context_note

    # -- structured output (and latency) -----------------------------------------------------
    if key_error is not None or checks["auth"].ok is False:
        checks["structured output"] = Check("structured output", None, "not tried: fix the API key first")
    else:
        check, fatal = await _structured_probe(settings, report)
        checks["structured output"] = check
        if isinstance(fatal, errors.AuthenticationError):
            checks["auth"] = Check("auth", False, f"the key was refused for chat requests; {_KEY_HINT}")
        if report.structured_mode is None and fatal is None:
            report.latency_ms = await _plain_latency(settings, key)

    _context_check(checks, settings, report, note)
    return _finish(report, checks, settings, memory)


def _context_check(checks: dict[str, Check], settings: Settings, report: DoctorReport, note: str | None) -> None:
    window = report.context_window
    if window is None:
        detail = "not exposed by this server"
        if settings.context_window:
            checks["context length"] = Check("context length", True, f"{detail}; using your --context-window {settings.context_window}")
        else:
            checks["context length"] = Check("context length", None, f"{detail}; set --context-window to the model's real size")
        return
    detail = f"{window} tokens ({report.context_source})"
    if note:
        detail += f"; {note}"
    ok: bool | None = True
    if settings.context_window and settings.context_window > window:
        ok = False
        detail += f"; your --context-window {settings.context_window} is larger: lower it to {window} or less"
    elif settings.context_window:
        detail += f"; your --context-window {settings.context_window} is used"
    checks["context length"] = Check("context length", ok, detail)


def _finish(report: DoctorReport, checks: dict[str, Check], settings: Settings, memory: EndpointMemory | None) -> DoctorReport:
    reachable = checks.get("reachable")
    auth_failed = checks.get("auth") is not None and checks["auth"].ok is False
    for name in CHECK_NAMES:
        if name not in checks:
            if not reachable.ok:
                checks[name] = Check(name, None, "not checked: the server is unreachable")
            elif auth_failed and name in ("models", "model present"):
                checks[name] = Check(name, None, "not checked: fix the API key first")
            else:
                checks[name] = Check(name, None, "unknown")
    tokenize = checks["tokenize"]
    if reachable.ok and tokenize.detail == "unknown":
        checks["tokenize"] = (
            Check("tokenize", True, f"POST {report.tokenize_url} works")
            if report.tokenize_url
            else Check("tokenize", None, "no /tokenize endpoint; token counts are estimated locally")
        )
    if reachable.ok and checks["latency"].detail == "unknown":
        checks["latency"] = (
            Check("latency", True, f"{report.latency_ms:.0f} ms for a tiny request")
            if report.latency_ms is not None
            else Check("latency", None, "no request succeeded")
        )
    if reachable.ok and checks["models"].detail == "unknown":
        checks["models"] = Check("models", None, "not listed")
    if reachable.ok and checks["model present"].detail == "unknown":
        checks["model present"] = Check("model present", None, "the endpoint does not list its models")
    report.checks = [checks[name] for name in CHECK_NAMES]
    report.ok = bool(
        checks["reachable"].ok
        and checks["auth"].ok
        and checks["model present"].ok is not False
        and report.structured_mode is not None
    )
    if memory is not None and reachable.ok:
        _remember(report, checks, settings, memory)
    return report


def _remember(report: DoctorReport, checks: dict[str, Check], settings: Settings, memory: EndpointMemory) -> None:
    """Store each fact that was established, whatever else failed: a weak model's structured output
    does not make the context size or /tokenize it found less true."""
    served = list(report.models) if checks["models"].ok and report.models else None
    facts = dialects.memory_facts("doctor", report.server_kind, report.context_window, report.context_source, report.tokenize_url, served)
    if report.structured_mode and settings.structured_mode == "auto":  # a forced mode says nothing about better ones
        facts["structured_mode"] = report.structured_mode
    memory.update(settings.effective_base_url, settings.model, **facts)


# --------------------------------------------------------------------------- rendering

_MARKS = {True: "✓", False: "✗", None: "?"}


def render_report(report: DoctorReport) -> str:
    """A plain-text table, one row per check, ✓/✗/? in front."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    title = f"{report.base_url}  model {report.model}"
    if report.server_kind:
        title += f"  ({report.server_kind})"
    table = Table(title=title, box=box.SIMPLE, show_header=True, expand=False)
    table.add_column("", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("detail", overflow="fold")
    for check in report.checks:
        table.add_row(_MARKS[check.ok], check.name, check.detail)
    out = StringIO()
    console = Console(file=out, width=100, color_system=None, force_terminal=False, highlight=False, emoji=False)
    console.print(table)
    verdict = "ready" if report.ok else "NOT ready: fix the ✗ rows above"
    console.print(f"{_MARKS[report.ok]} {verdict}", markup=False)
    return out.getvalue()
