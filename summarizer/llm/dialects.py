"""Server dialects: the ONE place that knows Ollama from vLLM from llama.cpp.

Owns, per kind of OpenAI-compatible server:
- detection (`detect_kind`) and the probes that read it without generating (`probe_endpoint`):

      kind        read                                                    context window from
      llama.cpp   GET /props, POST /tokenize                              /props n_ctx (per slot)
      vllm        GET /v1/models, POST /tokenize                          max_model_len
      ollama      GET /api/version, POST /api/show, GET /api/ps           loaded / num_ctx / default
      lmstudio    GET /api/v0/models                                      loaded_context_length
      litellm     GET /model/info                                         model_info.max_input_tokens

- the non-standard request fields: thinking switches, the token-limit field name, whether the
  server's constrained decoder enforces string/array bounds (the bounds themselves: `schema_bounds`),
  how to ask it for compact JSON, and whether it takes a `seed` (local servers: a fixed one is sent,
  so the same article and settings sample the same answer: `REQUEST_SEED`);
- the parsing of error messages: is it a context overflow, a structured-mode rejection, and what
  context size the server says it has.

A new dialect is one `Dialect` entry, one reader of its probe answers, and one detection rule.
Hosted APIs (api.openai.com and the like) are never probed: they serve no such endpoints, and a
probe costs them a round trip per path.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

from summarizer import errors

OLLAMA_PORT = 11434
LMSTUDIO_PORT = 1234
OLLAMA_DEFAULT_NUM_CTX = 2048  # what old Ollama builds use when neither the Modelfile nor the server says more
PROBE_BUDGET = 2.0  # seconds for all first-contact probes together (issue 14: "at most 2 s in all")
HOSTED_SUFFIXES = (
    "openai.com", "azure.com", "anthropic.com", "groq.com", "together.xyz", "together.ai", "openrouter.ai",
    "mistral.ai", "deepseek.com", "googleapis.com", "fireworks.ai", "x.ai", "perplexity.ai", "cohere.com",
)


@dataclass(frozen=True)
class Dialect:
    kind: str
    thinking_off: dict[str, Any] | None = None  # fields that turn a hybrid model's thinking off
    token_limit_field: str = "max_tokens"
    enforces_schema_bounds: bool = False  # grammar-constrained decoding honours maxLength/maxItems
    # llama.cpp's grammar parser rejects a repetition of 2,000 or more (and less when nested:
    # ggml-org/llama.cpp#25746, #27859): bounds at or above this are not sent
    max_repetition: int | None = None
    # top-level schema keys that make the constrained decoder write compact JSON. llama.cpp built
    # with llguidance (the xllamacpp wheel is) allows ANY run of whitespace between JSON tokens by
    # default: a random or looping model then spends all of max_tokens on blanks and no bound ends
    # it. llguidance reads "x-guidance"; llama.cpp's own GBNF converter ignores the key (its
    # whitespace is bounded: at most 22 characters per gap).
    compact_json: dict[str, Any] | None = None
    # accepts the OpenAI `seed` field: we send a fixed one, so a re-run samples the same answer
    sends_seed: bool = False


DIALECTS: dict[str, Dialect] = {
    "openai": Dialect("openai", token_limit_field="max_completion_tokens"),  # newer models reject max_tokens
    # Ollama's /v1 maps reasoning_effort to think=false (ollama/ollama#14820)
    "ollama": Dialect("ollama", thinking_off={"reasoning_effort": "none"}, sends_seed=True),
    "vllm": Dialect("vllm", thinking_off={"chat_template_kwargs": {"enable_thinking": False}}, enforces_schema_bounds=True,
                    sends_seed=True),
    "llama.cpp": Dialect("llama.cpp", thinking_off={"chat_template_kwargs": {"enable_thinking": False}}, enforces_schema_bounds=True,
                         max_repetition=1500, compact_json={"x-guidance": {"whitespace_flexible": False}}, sends_seed=True),
    "lmstudio": Dialect("lmstudio"),
    "litellm": Dialect("litellm"),
}
# The seed sent to servers that take one (llama.cpp, vLLM, Ollama: all document `seed` on their
# OpenAI-compatible chat endpoint). Without it llama.cpp draws a random seed per request, so a re-run
# of the same article could answer differently (and cost a re-ask the first run did not).
REQUEST_SEED = 0
PROFILE_KINDS = {"ollama": "ollama", "vllm": "vllm", "llamacpp": "llama.cpp", "embedded llama.cpp": "llama.cpp",
                 "lmstudio": "lmstudio", "litellm": "litellm", "openai": "openai"}
# kept for callers that imported the table from summarizer.llm
THINKING_OFF_FIELDS: dict[str, dict[str, Any]] = {k: dict(d.thinking_off) for k, d in DIALECTS.items() if d.thinking_off}


# --------------------------------------------------------------------------- URLs and kinds


def root_url(base_url: str) -> str:
    """The server root: base_url without a trailing `/v1`."""
    url = base_url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def is_hosted(base_url: str) -> bool:
    """A commercial API that serves no probe endpoints (api.openai.com and the like)."""
    host = (urlsplit(base_url).hostname or "").lower()
    return any(host == suffix or host.endswith("." + suffix) for suffix in HOSTED_SUFFIXES)


def kind_from_settings(base_url: str, profile: str | None, learned: dict[str, Any]) -> str | None:
    """What a probe or `doctor` learned, else the profile's name, else the host or Ollama's port."""
    known = learned.get("server_kind")
    if known and known != "unknown":
        return str(known)
    if profile in PROFILE_KINDS:
        return PROFILE_KINDS[profile]
    parts = urlsplit(base_url)
    if (parts.hostname or "").endswith("openai.com"):
        return "openai"
    return "ollama" if parts.port == OLLAMA_PORT else None


def dialect(kind: str | None) -> Dialect:
    return DIALECTS.get(kind or "", Dialect("unknown"))


def extra_fields(extra_body: dict[str, Any], thinking: str, kind: str | None, host: str) -> dict[str, Any]:
    """The non-standard request fields: the profile's extra_body, plus the thinking switch.
    Non-standard fields go only to a server known to accept them: OpenAI itself rejects unknown ones."""
    fields = dict(extra_body)
    if thinking == "off":
        switch = dialect(kind).thinking_off
        if switch is None:
            raise errors.ConfigError(
                f"--no-thinking: cannot tell how to switch thinking off on {host} "
                f"({'a ' + kind + ' server' if kind else 'server not identified'})",
                hint="run `summarizer doctor` once so it identifies the server, or use --profile ollama|vllm|llamacpp; "
                "supported: Ollama, vLLM, llama.cpp",
            )
        fields.update(switch)
    return fields


def tokenize_body(text: str, model: str | None = None) -> dict[str, Any]:
    """One body both /tokenize dialects read: llama.cpp takes `content`, vLLM `prompt` (+ `model`);
    each ignores the other's field."""
    body: dict[str, Any] = {"content": text, "prompt": text, "add_special": False, "add_special_tokens": False}
    if model:
        body["model"] = model
    return body


# --------------------------------------------------------------------------- error messages

MODE_REJECTION = re.compile(r"response_format|json_schema|json schema|schema|grammar|structured output|json_object", re.I)
CONTEXT_OVERFLOW = re.compile(
    r"context length|context_length|maximum context|context window|exceed_context|exceeds? the (?:maximum|context|available context)"
    r"|too many tokens|must be <=|prompt is too long|input is too long",
    re.I,
)
# The size the server states, most specific first: llama.cpp, vLLM/OpenAI, TGI, llama.cpp's n_ctx field.
_CONTEXT_SIZE = (
    re.compile(r"available context size \((\d+) tokens?\)", re.I),
    re.compile(r"maximum context length is (\d+) tokens?", re.I),
    re.compile(r"context (?:length|window) of (?:only )?(\d+) tokens?", re.I),
    re.compile(r"must be <= (\d+)", re.I),
    re.compile(r'"n_ctx"\s*:\s*(\d+)'),
)


def is_context_overflow(text: str) -> bool:
    return bool(CONTEXT_OVERFLOW.search(text))


def is_mode_rejection(text: str) -> bool:
    return bool(MODE_REJECTION.search(text)) and not is_context_overflow(text)


def context_size_from_error(text: str) -> int | None:
    """The context size an overflow message states ("exceeds the available context size (2048
    tokens)", "maximum context length is 4096 tokens"), or None."""
    for pattern in _CONTEXT_SIZE:
        match = pattern.search(text)
        if match and int(match.group(1)) > 0:
            return int(match.group(1))
    return None


# --------------------------------------------------------------------------- reading probe answers


def _positive_int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def context_from_models(entry: dict | None) -> tuple[int | None, str | None]:
    """A `/v1/models` entry's context size (llama.cpp meta, vLLM, OpenRouter and friends)."""
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


def context_from_props(props: Any) -> int | None:
    """llama.cpp `/props`: the per-slot context (n_ctx divided by the parallel slots)."""
    if not isinstance(props, dict):
        return None
    generation = props.get("default_generation_settings")
    if isinstance(generation, dict) and _positive_int(generation.get("n_ctx")):
        return _positive_int(generation.get("n_ctx"))
    return _positive_int(props.get("n_ctx"))


def ollama_context(show: Any, ps: Any, model: str) -> tuple[int | None, str | None, str | None]:
    """(window the /v1 API really uses, its source, a note) from Ollama's native API.

    `/v1` ignores num_ctx and silently cuts prompts at the loaded context, which is the Modelfile's
    num_ctx or the server default (OLLAMA_CONTEXT_LENGTH), often far below what the model supports."""
    if not isinstance(show, dict):
        return None, None, None
    trained = None
    info = show.get("model_info")
    if isinstance(info, dict):
        trained = next((_positive_int(v) for k, v in info.items() if k.endswith(".context_length") and _positive_int(v)), None)
    num_ctx = None
    parameters = show.get("parameters")
    if isinstance(parameters, str):
        match = re.search(r"^\s*num_ctx\s+(\d+)", parameters, re.M)
        num_ctx = _positive_int(match.group(1)) if match else None
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


def lmstudio_context(models: Any, model: str) -> tuple[int | None, str | None]:
    """LM Studio `/api/v0/models`: the loaded context of `model`, else its maximum."""
    entries = models.get("data") if isinstance(models, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("id") == model:
            loaded = _positive_int(entry.get("loaded_context_length"))
            if loaded:
                return loaded, "LM Studio /api/v0/models loaded_context_length"
            most = _positive_int(entry.get("max_context_length"))
            if most:
                return most, "LM Studio /api/v0/models max_context_length"
    return None, None


def litellm_context(info: Any, model: str) -> tuple[int | None, str | None]:
    """LiteLLM `/model/info`: the model group's max_input_tokens (else max_tokens)."""
    entries = info.get("data") if isinstance(info, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("model_name") == model and isinstance(entry.get("model_info"), dict):
            for name in ("max_input_tokens", "max_tokens"):
                size = _positive_int(entry["model_info"].get(name))
                if size:
                    return size, f"LiteLLM /model/info {name}"
    return None, None


def _is_ollama(answers: dict[str, Any]) -> bool:
    show, version = answers.get("ollama_show"), answers.get("ollama_version")
    return (isinstance(show, dict) and bool({"model_info", "modelfile", "parameters"} & set(show))) or (
        isinstance(version, dict) and isinstance(version.get("version"), str) and len(version) == 1
    )


def detect_kind(answers: dict[str, Any], entries: list[dict], base_url: str, headers: dict[str, str] | None = None) -> str:
    """The server kind from the probe answers, the /models entries and the response headers."""
    headers = headers or {}
    parts = urlsplit(base_url)
    owners = {str(e.get("owned_by", "")).lower() for e in entries}
    if context_from_props(answers.get("props")) is not None or "llama.cpp" in headers.get("server", "").lower() or "llamacpp" in owners:
        return "llama.cpp"
    if _is_ollama(answers) or "ollama" in owners or parts.port == OLLAMA_PORT:
        return "ollama"
    if "vllm" in owners or any("max_model_len" in e for e in entries):
        return "vllm"
    lmstudio = answers.get("lmstudio_models")
    if (isinstance(lmstudio, dict) and isinstance(lmstudio.get("data"), list)) or "organization_owner" in owners or parts.port == LMSTUDIO_PORT:
        return "lmstudio"
    litellm = answers.get("litellm_info")
    if isinstance(litellm, dict) and isinstance(litellm.get("data"), list) and any(isinstance(e, dict) and "model_name" in e for e in litellm["data"]):
        return "litellm"
    if (parts.hostname or "").endswith("openai.com") or any(h.startswith("openai-") for h in headers):
        return "openai"
    return "unknown"


@dataclass
class EndpointFacts:
    """What the probes found. `reachable` False: nothing answered at all (refused, timeout)."""

    reachable: bool = False
    server_kind: str | None = None
    models: list[str] | None = None  # None: the endpoint does not list its models
    context_window: int | None = None
    context_source: str | None = None
    context_note: str | None = None
    tokenize_url: str | None = None
    seconds: float = 0.0
    answers: dict[str, Any] = field(default_factory=dict)

    def memory_facts(self) -> dict[str, Any]:
        """The facts worth remembering per endpoint+model (never a key, never a body)."""
        return memory_facts("first contact", self.server_kind, self.context_window, self.context_source, self.tokenize_url, self.models)


def memory_facts(learned_by: str, server_kind: str | None, context_window: int | None, context_source: str | None,
                 tokenize_url: str | None, models: list[str] | None) -> dict[str, Any]:
    """The endpoint-memory entry for what a probe (first contact or `doctor`) established: only the
    facts it found, so a failed check never overwrites a fact learned earlier."""
    facts: dict[str, Any] = {"probed": True, "learned_by": learned_by}
    if server_kind:
        facts["server_kind"] = server_kind
    if context_window:
        facts["context_window"] = context_window
        facts["context_source"] = context_source
    if tokenize_url:
        facts["tokenize_url"] = tokenize_url
    if models is not None:
        facts["served_models"] = list(models)
    return facts


def read_facts(answers: dict[str, Any], entries: list[dict], base_url: str, model: str, headers: dict[str, str] | None = None) -> EndpointFacts:
    """Interpret the probe answers for `model`: kind, context window (most specific source first), tokenize."""
    kind = detect_kind(answers, entries, base_url, headers)
    facts = EndpointFacts(reachable=True, server_kind=kind, answers=answers)
    tokenized = answers.get("tokenize")
    if isinstance(tokenized, dict) and isinstance(tokenized.get("tokens"), list) and tokenized["tokens"]:
        facts.tokenize_url = root_url(base_url) + "/tokenize"
    entry = next((e for e in entries if e.get("id") == model), None)
    window, source, note = context_from_props(answers.get("props")), "llama.cpp /props n_ctx (per slot)", None
    if window is None and kind == "ollama":
        window, source, note = ollama_context(answers.get("ollama_show"), answers.get("ollama_ps"), model)
    if window is None and kind == "lmstudio":
        window, source = lmstudio_context(answers.get("lmstudio_models"), model)
    if window is None and kind == "litellm":
        window, source = litellm_context(answers.get("litellm_info"), model)
    if window is None:
        window, source = context_from_models(entry if entry is not None else (entries[0] if len(entries) == 1 else None))
    facts.context_window, facts.context_source, facts.context_note = window, (source if window else None), note
    return facts


# --------------------------------------------------------------------------- probing

# name -> (method, path at the server root, body for the model or None)
ROOT_PROBES: dict[str, tuple[str, str, Callable[[str], dict] | None]] = {
    "props": ("GET", "/props", None),
    "tokenize": ("POST", "/tokenize", lambda model: tokenize_body("Hello, world.", model)),
    "ollama_version": ("GET", "/api/version", None),
    "ollama_show": ("POST", "/api/show", lambda model: {"model": model}),
    "ollama_ps": ("GET", "/api/ps", None),
    "lmstudio_models": ("GET", "/api/v0/models", None),
    "litellm_info": ("GET", "/model/info", None),
}


class _Prober:
    """Plain HTTP with one deadline for every request. Every answer that is not a 200 JSON is None."""

    def __init__(self, key: str | None, timeout: float, *, tls: bool = True) -> None:
        import httpx2

        headers = {"Authorization": f"Bearer {key}"} if key else {}
        # Plain-http servers (local ones) need no TLS context: building one costs ~0.1-0.3 s, a
        # good part of the probe budget. follow_redirects is off, so no https is reached from http.
        self._client = httpx2.AsyncClient(timeout=timeout, headers=headers, follow_redirects=False, trust_env=False, verify=tls)
        self.refused = 0
        self.answered = 0
        self.headers: dict[str, str] = {}

    async def json(self, method: str, url: str, body: dict | None = None) -> Any:
        try:
            response = await self._client.request(method, url, json=body)
        except Exception:  # refused, timeout, reset: this probe found nothing
            self.refused += 1
            return None
        self.answered += 1
        if url.endswith("/models") and not self.headers:
            self.headers = {k.lower(): v for k, v in response.headers.items()}
        if response.status_code != 200:
            return None
        try:
            return response.json()
        except ValueError:
            return None

    async def close(self) -> None:
        try:
            await self._client.aclose()
        except Exception:
            pass


async def fetch_root_probes(root: str, model: str, key: str | None, timeout: float, *, prober: _Prober | None = None) -> dict[str, Any]:
    """Every root probe at once; what each answered (None when nothing usable)."""
    own = prober is None
    prober = prober or _Prober(key, timeout, tls=root.startswith("https:"))
    try:
        results = await asyncio.gather(
            *(prober.json(method, root + path, body(model) if body else None) for method, path, body in ROOT_PROBES.values())
        )
    finally:
        if own:
            await prober.close()
    return dict(zip(ROOT_PROBES, results))


def model_entries(payload: Any) -> list[dict] | None:
    """The `data` entries of a `/v1/models` answer, or None when it is not a model list."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list):
        return None
    return [e for e in data if isinstance(e, dict) and isinstance(e.get("id"), str)]


async def probe_endpoint(base_url: str, model: str | None, key: str | None, *, budget: float = PROBE_BUDGET) -> EndpointFacts:
    """First contact: list the models, then read every dialect's probe for `model` (or, without one,
    for the only model served), all within `budget` seconds. Never raises, never generates."""
    started = time.monotonic()
    prober = _Prober(key, budget / 2, tls=base_url.startswith("https:"))
    try:
        try:
            listed = await asyncio.wait_for(prober.json("GET", base_url.rstrip("/") + "/models"), budget / 2)
        except asyncio.TimeoutError:
            listed = None
        if prober.answered == 0:
            return EndpointFacts(reachable=False, seconds=time.monotonic() - started)
        entries = model_entries(listed)
        chosen = model or (entries[0]["id"] if entries and len(entries) == 1 else "")
        left = max(0.1, budget - (time.monotonic() - started))
        try:
            answers = await asyncio.wait_for(fetch_root_probes(root_url(base_url), chosen, key, left, prober=prober), left)
        except asyncio.TimeoutError:
            answers = {}
    finally:
        await prober.close()
    facts = read_facts(answers, entries or [], base_url, chosen, prober.headers)
    facts.models = [e["id"] for e in entries] if entries is not None else None
    facts.seconds = time.monotonic() - started
    return facts


def probe_endpoint_sync(base_url: str, model: str | None, key: str | None, *, budget: float = PROBE_BUDGET) -> EndpointFacts:
    """`probe_endpoint` from sync code, also when the caller's thread runs an event loop."""
    box: list[EndpointFacts] = []
    worker = threading.Thread(target=lambda: box.append(asyncio.run(probe_endpoint(base_url, model, key, budget=budget))), daemon=True)
    worker.start()
    worker.join(budget + 0.25)  # the budget holds even if the probe thread is slow to start or stop
    return box[0] if box else EndpointFacts(reachable=False, seconds=budget)
