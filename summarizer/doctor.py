"""`doctor`: check that an endpoint will work before a long batch, and remember what was learned.

Probes, each with a short timeout, none of which ever raises out of `run_doctor`:
- `GET {base_url}/models` with the OpenAI SDK: reachable? key accepted? which models? context length
  (vLLM `max_model_len`, llama.cpp `meta.n_ctx` / `meta.n_ctx_train`, OpenRouter `context_length`).
- At the server root (base_url minus `/v1`), with plain HTTP: llama.cpp `GET /props`
  (`default_generation_settings.n_ctx`, per slot), `POST /tokenize` (`{"content"}` → `{"tokens"}`),
  Ollama `POST /api/show` (`model_info.*.context_length`, `num_ctx` in `parameters`) and `GET /api/ps`.
- One tiny structured request per structured-output mode, best mode first, stopping at the first that
  returns a schema-valid answer (through `LLMClient`, so exactly the code path a run uses).

What worked (structured mode, context window, tokenize URL) is stored in `EndpointMemory`, so later
runs start from it. The API key is sent only to the configured endpoint, never printed or stored.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import asdict, dataclass, field
from io import StringIO
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from summarizer import errors
from summarizer._text import one_line
from summarizer.cache import EndpointMemory
from summarizer.config import NO_KEY_PLACEHOLDER, Settings

CHECK_NAMES = ("reachable", "auth", "models", "model present", "structured output", "context length", "tokenize", "latency")
PROBE_TIMEOUT = 10.0  # seconds, for the metadata probes (chat requests use settings.timeout)
STRUCTURED_MAX_TOKENS = 512
OLLAMA_DEFAULT_NUM_CTX = 2048  # what old Ollama builds use when neither the Modelfile nor the server says more
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


def root_url(base_url: str) -> str:
    """The server root: base_url without a trailing `/v1`."""
    url = base_url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def _positive_int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _redact(text: str, secret: str | None) -> str:
    if secret and secret != NO_KEY_PLACEHOLDER and len(secret) >= 4:
        text = text.replace(secret, "***")
    return text


def _sdk_error_text(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return str(getattr(exc, "message", "") or exc)


def _list_models_text(ids: list[str], limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" (+{len(ids) - limit} more)" if len(ids) > limit else "")


class _Probe:
    """Plain HTTP to the server root (non-/v1 endpoints). Every method returns None on any failure."""

    def __init__(self, root: str, key: str | None, timeout: float) -> None:
        import httpx2

        headers = {"Authorization": f"Bearer {key}"} if key and key != NO_KEY_PLACEHOLDER else {}
        self.root = root
        self._client = httpx2.AsyncClient(timeout=timeout, headers=headers, follow_redirects=False)

    async def close(self) -> None:
        try:
            await self._client.aclose()
        except Exception:
            pass

    async def json(self, method: str, path: str, body: dict | None = None) -> Any:
        try:
            response = await self._client.request(method, self.root + path, json=body)
            if response.status_code != 200:
                return None
            return response.json()
        except Exception:  # refused, timeout, not JSON, ...: the probe just found nothing
            return None


# --------------------------------------------------------------------------- context window sources


def _context_from_models(entry: dict | None) -> tuple[int | None, str | None]:
    if not isinstance(entry, dict):
        return None, None
    meta = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}
    for value, source in (
        (meta.get("n_ctx"), "/v1/models meta.n_ctx"),
        (entry.get("max_model_len"), "/v1/models max_model_len"),
        (entry.get("context_length"), "/models context_length"),
        (entry.get("context_window"), "/models context_window"),
        (meta.get("n_ctx_train"), "/v1/models meta.n_ctx_train"),
    ):
        number = _positive_int(value)
        if number:
            return number, source
    top = entry.get("top_provider")  # OpenRouter
    if isinstance(top, dict) and _positive_int(top.get("context_length")):
        return _positive_int(top.get("context_length")), "/models top_provider.context_length"
    return None, None


def _context_from_props(props: Any) -> int | None:
    if not isinstance(props, dict):
        return None
    settings = props.get("default_generation_settings")
    if isinstance(settings, dict) and _positive_int(settings.get("n_ctx")):
        return _positive_int(settings.get("n_ctx"))
    return _positive_int(props.get("n_ctx"))


def _ollama_context(show: Any, ps: Any, model: str) -> tuple[int | None, str | None, str | None]:
    """(window the /v1 API really uses, its source, a note) from Ollama's native API.

    `/v1` ignores num_ctx and silently cuts prompts at the loaded context, which is the Modelfile's
    num_ctx or the server default (OLLAMA_CONTEXT_LENGTH), often far below what the model supports."""
    if not isinstance(show, dict):
        return None, None, None
    trained = None
    info = show.get("model_info")
    if isinstance(info, dict):
        for key, value in info.items():
            if key.endswith(".context_length") and _positive_int(value):
                trained = _positive_int(value)
                break
    num_ctx = None
    parameters = show.get("parameters")
    if isinstance(parameters, str):
        match = re.search(r"^\s*num_ctx\s+(\d+)", parameters, re.M)
        if match:
            num_ctx = _positive_int(match.group(1))
    loaded = None
    if isinstance(ps, dict) and isinstance(ps.get("models"), list):
        for entry in ps["models"]:
            if isinstance(entry, dict) and model in (entry.get("name"), entry.get("model")):
                loaded = _positive_int(entry.get("context_length"))
    supports = f"the model supports {trained}" if trained else "the model's own limit is unknown"
    if loaded:
        return loaded, "Ollama /api/ps (loaded context)", supports
    if num_ctx:
        return (min(num_ctx, trained) if trained else num_ctx), "Ollama /api/show num_ctx", supports
    if trained:
        return (
            min(trained, OLLAMA_DEFAULT_NUM_CTX),
            "Ollama default num_ctx (assumed)",
            f"{supports}, but Ollama's /v1 cuts prompts at the server's num_ctx; "
            "start it with OLLAMA_CONTEXT_LENGTH=N and pass --context-window N",
        )
    return None, None, None


def _guess_kind(host: str, port: int | None, server_header: str, owners: set[str], props: Any, ollama: bool, headers: dict) -> str:
    owners = {o.lower() for o in owners}
    if _context_from_props(props) is not None or "llama.cpp" in server_header or "llamacpp" in owners:
        return "llama.cpp"
    if ollama or "ollama" in owners or port == 11434:
        return "ollama"
    if "vllm" in owners:
        return "vllm"
    if "organization_owner" in owners or port == 1234:
        return "lmstudio"
    if host.endswith("openai.com") or any(h.startswith("openai-") for h in headers):
        return "openai"
    return "unknown"


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


async def run_doctor(settings: Settings, *, memory: EndpointMemory | None = None, probe_timeout: float = PROBE_TIMEOUT) -> DoctorReport:
    """Check the endpoint in `settings`; never raises for endpoint problems (they become failed checks)."""
    import openai

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
    sdk = openai.AsyncOpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=probe_timeout)
    entries: list[dict] = []
    server_header = ""
    response_headers: dict[str, str] = {}
    models_ok = False
    try:
        raw = await sdk.models.with_raw_response.list()
        response_headers = {k.lower(): v for k, v in raw.headers.items()}
        server_header = response_headers.get("server", "").lower()
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
        server_header = response_headers.get("server", "").lower()
        message = one_line(_redact(_sdk_error_text(exc), key), 160, mark="…")
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

    # -- root probes: /props, /tokenize, Ollama native API -------------------------------------
    parts = urlsplit(base_url)
    probe = _Probe(root_url(base_url), None if key_error else key, probe_timeout)
    try:
        props, tokenized, show, ps = await asyncio.gather(
            probe.json("GET", "/props"),
            probe.json("POST", "/tokenize", {"content": "Hello, world."}),
            probe.json("POST", "/api/show", {"model": settings.model}),
            probe.json("GET", "/api/ps"),
        )
    finally:
        await probe.close()
    ollama = isinstance(show, dict) and ("model_info" in show or "modelfile" in show or "parameters" in show)
    owners = {str(e.get("owned_by")) for e in entries if e.get("owned_by")}
    report.server_kind = _guess_kind(parts.hostname or "", parts.port, server_header, owners, props, ollama, response_headers)

    if isinstance(tokenized, dict) and isinstance(tokenized.get("tokens"), list) and tokenized["tokens"]:
        report.tokenize_url = root_url(base_url) + "/tokenize"

    # -- context window ----------------------------------------------------------------------
    note = None
    window = _context_from_props(props)
    source = "llama.cpp /props n_ctx (per slot)" if window else None
    if window is None and ollama:
        window, source, note = _ollama_context(show, ps, settings.model)
    if window is None:
        window, source = _context_from_models(entry if entry is not None else (entries[0] if len(entries) == 1 else None))
    report.context_window, report.context_source = window, source

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
        present = checks.get("model present")
        if present is not None and present.ok is False and report.structured_mode is not None:
            present.ok = None
            present.detail = f"{settings.model!r} is not listed (available: {_list_models_text(report.models)}), but the server answers requests for it"

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
    if memory is not None and report.ok:
        facts: dict[str, Any] = {}
        if settings.structured_mode == "auto":  # a forced mode says nothing about better ones
            facts["structured_mode"] = report.structured_mode
        if report.context_window:
            facts["context_window"] = report.context_window
        if report.tokenize_url:
            facts["tokenize_url"] = report.tokenize_url
        if report.server_kind:
            facts["server_kind"] = report.server_kind
        if facts:
            memory.update(settings.effective_base_url, settings.model, **facts)
    return report


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
