"""One structured request to an OpenAI-compatible endpoint → a validated pydantic object.

Owns: structured-output modes and their fallback (json_schema strict → json_schema → json_object →
schema in the prompt, remembered per endpoint+model), repair/re-ask on invalid answers, retries of
transient errors (tenacity; the SDK's own retries are off so attempts never multiply), mapping the
SDK's exceptions to ours, and the response cache. Knows nothing about articles.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from typing import TYPE_CHECKING, Any, Iterator

from pydantic import BaseModel, ValidationError

from summarizer import errors
from summarizer._text import one_line, pydantic_problems
from summarizer.cache import EndpointMemory, ResponseCache, cache_key
from summarizer.config import Settings
from summarizer.jsonparse import NoJSONFound, extract_json_object
from summarizer.pacing import RequestSlots
from summarizer.schemas import Usage, llm_schema

if TYPE_CHECKING:
    from summarizer.budget import Budget

_MODE_REJECTION = re.compile(r"response_format|json_schema|json schema|schema|grammar|structured output|json_object", re.I)
_CONTEXT_OVERFLOW = re.compile(
    r"context length|context_length|maximum context|context window|exceed_context|exceeds? the (?:maximum|context)"
    r"|too many tokens|must be <=|prompt is too long|input is too long",
    re.I,
)
_RESET_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")

# The largest HTTP response body we read. A real answer is a few hundred KB at most (it is bounded by
# max_tokens); a misbehaving server or proxy must not make us buffer gigabytes. Checked against
# Content-Length before reading, and counted while reading when there is none; compressed bodies
# are refused (Accept-Encoding: identity) so a small gzip bomb cannot expand past the limit.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024


# How to switch off the thinking phase of hybrid reasoning models, per server (each server's own field).
# Non-standard fields go only to a server known to accept them: OpenAI itself rejects unknown ones.
THINKING_OFF_FIELDS: dict[str, dict[str, Any]] = {
    "ollama": {"reasoning_effort": "none"},  # Ollama's /v1 maps it to think=false (ollama/ollama#14820)
    "vllm": {"chat_template_kwargs": {"enable_thinking": False}},
    "llama.cpp": {"chat_template_kwargs": {"enable_thinking": False}},
}
_PROFILE_KINDS = {"ollama": "ollama", "vllm": "vllm", "llamacpp": "llama.cpp", "embedded llama.cpp": "llama.cpp"}


def server_kind(settings: Settings, memory: EndpointMemory) -> str | None:
    """Which server this is: what `doctor` learned, else the profile's name, else Ollama's port."""
    learned = memory.get(settings.effective_base_url, settings.model).get("server_kind")
    if learned and learned != "unknown":
        return str(learned)
    if settings.profile in _PROFILE_KINDS:
        return _PROFILE_KINDS[settings.profile]
    return "ollama" if urlsplit(settings.effective_base_url).port == 11434 else None


def request_extra_fields(settings: Settings, memory: EndpointMemory) -> dict[str, Any]:
    """The non-standard request fields: the profile's extra_body, plus the thinking switch."""
    fields = dict(settings.extra_body)
    if settings.thinking == "off":
        kind = server_kind(settings, memory)
        if kind not in THINKING_OFF_FIELDS:
            raise errors.ConfigError(
                f"--no-thinking: cannot tell how to switch thinking off on {settings.endpoint_host} "
                f"({'a ' + kind + ' server' if kind else 'server not identified'})",
                hint="run `summarizer doctor` once so it identifies the server, or use --profile ollama|vllm|llamacpp; "
                "supported: Ollama, vLLM, llama.cpp",
            )
        fields.update(THINKING_OFF_FIELDS[kind])
    return fields


class ResponseTooLarge(Exception):
    """The endpoint's answer is larger than MAX_RESPONSE_BYTES (raised while reading it)."""

    def __init__(self, size: int | None, limit: int) -> None:
        self.size = size
        self.limit = limit
        told = f"{size / 1048576:.1f} MB, " if size is not None else ""
        super().__init__(f"the answer is {told}more than the {limit // 1048576} MB limit")


_LIMITED_STREAM_CLASSES: dict[type, type] = {}


def _limited_stream(response: Any, limit: int) -> Any:
    """The response's body stream, cut off with ResponseTooLarge past `limit` bytes. The subclass of
    the HTTP library's stream base (httpx, or the SDK's vendored copy) is made once, not per response."""
    import sys

    base = sys.modules[type(response).__module__.split(".")[0]].AsyncByteStream
    inner = response.stream
    cls = _LIMITED_STREAM_CLASSES.get(base)
    if cls is None:

        class _Limited(base):  # type: ignore[misc, valid-type]
            def __init__(self, inner: Any, limit: int) -> None:
                self._inner, self._limit = inner, limit

            async def __aiter__(self):
                seen = 0
                async for chunk in self._inner:
                    seen += len(chunk)
                    if seen > self._limit:
                        raise ResponseTooLarge(None, self._limit)
                    yield chunk

            async def aclose(self) -> None:
                await self._inner.aclose()

        cls = _LIMITED_STREAM_CLASSES[base] = _Limited
    return cls(inner, limit)


def _size_limit_hooks(limit: int) -> dict[str, list]:
    """httpx event hooks: ask for an uncompressed body; refuse or cut off one larger than `limit`."""

    async def on_request(request) -> None:
        request.headers["Accept-Encoding"] = "identity"

    async def on_response(response) -> None:
        length = response.headers.get("content-length", "")
        if length.strip().isdigit() and int(length) > limit:
            raise ResponseTooLarge(int(length), limit)
        response.stream = _limited_stream(response, limit)

    return {"request": [on_request], "response": [on_response]}


def redact(text: str, secret: str | None) -> str:
    """`text` with every occurrence of `secret` (and of its long-enough tail) blanked out."""
    if not secret or len(secret) < 8:
        return text
    return text.replace(secret, "[redacted API key]")


def _model_mismatch(requested: str, served: Any) -> str | None:
    """A warning when the reply names another model than we asked for. Dated snapshots
    ("gpt-4o-mini" -> "gpt-4o-mini-2024-07-18") and provider prefixes ("openai/x") are the same model."""
    if not isinstance(served, str) or not served.strip() or not requested:
        return None
    a, b = requested.strip().lower().rsplit("/", 1)[-1], served.strip().lower().rsplit("/", 1)[-1]
    if a.startswith(b) or b.startswith(a) or a.removesuffix(".gguf") == b.removesuffix(".gguf"):
        return None
    return f"asked for model {requested!r} but the endpoint answered as {one_line(served, 100)!r}"
_SCHEMAS: dict[type, dict[str, Any]] = {}  # output model -> its llm_schema (4 ms to build; never mutated)


def _schema_for(output: type[BaseModel]) -> dict[str, Any]:
    if output not in _SCHEMAS:
        _SCHEMAS[output] = llm_schema(output)
    return _SCHEMAS[output]


class _ModeRejected(Exception):
    """The endpoint does not do this structured mode; try the next one down."""


@dataclass
class StructuredReply:
    value: BaseModel
    usage: Usage = field(default_factory=Usage)
    requests: int = 0
    cached: bool = False
    mode: str | None = None
    warnings: list[str] = field(default_factory=list)


def _header(exc: BaseException, name: str) -> str | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    return headers.get(name) if headers is not None else None


def _parse_duration(text: str) -> float | None:
    """'1s', '6m0s', '20ms', '0.5' → seconds (the x-ratelimit-reset-* formats)."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    parts = _RESET_PART.findall(text)
    if not parts:
        return None
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(float(value) * scale[unit] for value, unit in parts)


def server_requested_wait(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait: retry-after-ms, retry-after, then x-ratelimit-reset-*."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = _header(exc, name)
        if value:
            try:
                return max(0.0, float(value) * scale)
            except ValueError:
                from email.utils import parsedate_to_datetime

                try:
                    return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
                except (TypeError, ValueError):
                    pass
    waits = [_parse_duration(v) for v in (_header(exc, "x-ratelimit-reset-requests"), _header(exc, "x-ratelimit-reset-tokens")) if v]
    waits = [w for w in waits if w is not None]
    return max(waits) if waits else None


def _error_text(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    parts = [str(getattr(exc, "message", "") or exc)]
    if body is not None:
        parts.append(json.dumps(body, default=str) if not isinstance(body, str) else body)
    return " ".join(parts)


def _error_code(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    if code:
        return str(code)
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            return str(inner.get("code") or inner.get("type") or "")
    return ""


def is_transient(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 429:
            return _error_code(exc) != "insufficient_quota"  # quota: retrying cannot help
        return exc.status_code in (408, 409) or exc.status_code >= 500
    return False


def map_error(exc: BaseException, settings: Settings) -> errors.EndpointError:
    """The one place where SDK exceptions become ours."""
    import openai

    where = settings.effective_base_url
    if isinstance(exc, ResponseTooLarge):
        return errors.ServerError(
            f"{where} sent an answer too large to read: {exc}",
            hint="the endpoint or a proxy in front of it is misbehaving; check --base-url",
        )
    if isinstance(exc, ValueError):  # the SDK's response.json() on a body that is not JSON
        return errors.ServerError(
            f"{where} answered with a body that is not valid JSON ({one_line(exc, 120)})",
            hint="check --base-url points at an OpenAI-compatible API (usually ending in /v1)",
        )
    if isinstance(exc, openai.APITimeoutError):
        return errors.EndpointUnreachableError(
            f"{where} did not answer within {settings.timeout:g}s",
            hint="the server may be overloaded or the model still loading; raise --timeout or try again",
        )
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        if cause is not None and type(cause).__name__ in ("RemoteProtocolError", "ReadError", "EndOfStream"):
            return errors.EndpointUnreachableError(
                f"{where} closed the connection before the answer was complete (after {settings.max_retries} retries)",
                hint="the server or a proxy dropped the connection; check its logs, or try again",
            )
        return errors.EndpointUnreachableError(
            f"cannot connect to {where}",
            hint="is the server running? check --base-url / OPENAI_BASE_URL (usually ends in /v1) or --profile",
        )
    if not isinstance(exc, openai.APIStatusError):
        return errors.ServerError(f"unexpected reply from {where}: {one_line(exc, 300)}")
    status = exc.status_code
    secret = settings.api_key.get_secret_value() if settings.api_key is not None else None
    text = redact(_error_text(exc), secret)
    short = one_line(redact(getattr(exc, "message", "") or text, secret), 300)
    if status in (401, 403):
        return errors.AuthenticationError(
            f"{where} refused the API key ({status}): {short}",
            hint="set a valid key in OPENAI_API_KEY or SUMMARIZER_API_KEY (or .env) for this endpoint",
            status=status,
        )
    if status == 404:
        if "model" in text.lower():
            return errors.ModelNotFoundError(
                f"model {settings.model!r} not found at {where}",
                hint="pass --model with a model this endpoint serves (`summarizer doctor` lists them)",
                status=status,
            )
        return errors.EndpointError(
            f"{where} answered 404 Not Found: {short}", hint="check --base-url: it usually ends in /v1", status=status
        )
    if status in (400, 413, 422) and _CONTEXT_OVERFLOW.search(text):
        return errors.ContextOverflowError(
            f"the prompt is longer than the context window of {settings.model!r}: {short}",
            hint="set --context-window to the model's real size so chunks are cut smaller",
            status=status,
        )
    if status == 429:
        if _error_code(exc) == "insufficient_quota":
            return errors.RateLimitError(
                f"{where}: quota exhausted: {short}", hint="check the account's plan and billing", status=status
            )
        return errors.RateLimitError(
            f"{where} kept answering 429 Too Many Requests after {settings.max_retries} retries",
            hint="lower the request rate or raise --max-retries",
            status=status,
        )
    if status >= 500:
        return errors.ServerError(
            f"{where} failed with {status} after {settings.max_retries} retries: {short}",
            hint="the server is failing; try again later or check its logs",
            status=status,
        )
    return errors.EndpointError(f"{where} rejected the request ({status}): {short}", status=status)


class LLMClient:
    """Structured calls against one endpoint+model. Create per run; `await aclose()` at the end."""

    def __init__(self, settings: Settings, *, cache: ResponseCache | None = None, memory: EndpointMemory | None = None) -> None:
        self.settings = settings
        self.cache = cache
        self.memory = memory or EndpointMemory(None)
        self._sdk_client = None
        # Provider-batch mode: when a list, a cache miss is appended here as an OpenAI Batch API
        # request line and raises RequestDeferred instead of being sent.
        self.deferred: list[dict[str, Any]] | None = None
        # Non-standard request fields (checked now: a --no-thinking the server cannot take fails before any request)
        self.extra_fields = request_extra_fields(settings, self.memory)
        # Set by a batch run: caps the HTTP requests in flight and backs off on 429 (summarizer.pacing).
        self.slots: RequestSlots | None = None
        # Set by a capped run (--max-cost/--max-tokens): every request reserves, then settles (summarizer.budget).
        self.budget: Budget | None = None

    # -- plumbing ----------------------------------------------------------------------------
    def _sdk(self):
        if self._sdk_client is None:
            import openai

            self._sdk_client = openai.AsyncOpenAI(
                base_url=self.settings.effective_base_url,
                api_key=self.settings.key_for_request(),
                max_retries=0,  # tenacity below owns retries; SDK retries would multiply them
                timeout=self.settings.timeout,
                http_client=openai.DefaultAsyncHttpxClient(
                    timeout=self.settings.timeout, event_hooks=_size_limit_hooks(MAX_RESPONSE_BYTES)
                ),
            )
        return self._sdk_client

    def warm_up(self) -> None:
        """Create the SDK client and import its resources (and tenacity) now, so the first request
        of a run leaves on time instead of after ~0.1 s of imports and TLS set-up. A missing key is
        not raised here: the first request that needs it reports it."""
        import tenacity  # noqa: F401  (imported by the first request otherwise)

        try:
            self._sdk().chat.completions  # noqa: B018 - attribute access triggers the lazy imports
        except errors.SummarizerError:
            pass

    async def aclose(self) -> None:
        if self._sdk_client is not None:
            await self._sdk_client.close()
            self._sdk_client = None

    # -- scoped modes: set for a block, restored when it ends, however it ends ------------------
    @contextlib.contextmanager
    def exporting(self) -> Iterator[list[dict[str, Any]]]:
        """Provider-batch mode for the block: nothing is sent; a cache miss is appended to the yielded
        list as an OpenAI Batch API request line and raises RequestDeferred."""
        previous, self.deferred = self.deferred, []
        try:
            yield self.deferred
        finally:
            self.deferred = previous

    @contextlib.contextmanager
    def limited(self, slots: int) -> Iterator[RequestSlots]:
        """At most `slots` HTTP requests in flight during the block, one fewer for a while after each
        429 (summarizer.pacing.RequestSlots)."""
        previous, self.slots = self.slots, RequestSlots(slots)
        try:
            yield self.slots
        finally:
            self.slots = previous

    @contextlib.contextmanager
    def budgeted(self, budget: Budget | None) -> Iterator[Budget | None]:
        """Every request of the block reserves its bound from `budget` and settles to its real usage
        (summarizer.budget); one that cannot fit raises BudgetReached instead of being sent."""
        previous, self.budget = self.budget, budget
        try:
            yield budget
        finally:
            self.budget = previous

    @contextlib.asynccontextmanager
    async def _spending(self, kwargs: dict):
        if self.budget is None:
            yield None
            return
        # in a thread: the counter may be the server's own /tokenize (an HTTP call per message)
        bound = await asyncio.to_thread(self.budget.request_bound, kwargs["messages"], kwargs[self._token_limit_field()], kwargs.get("response_format"))
        async with self.budget.hold(*bound) as hold:
            yield hold

    def _modes(self) -> list[str]:
        modes = self.settings.modes_to_try()
        if self.settings.structured_mode == "auto":
            known = self.memory.get(self.settings.effective_base_url, self.settings.model).get("structured_mode")
            if known in modes:
                modes = modes[modes.index(known) :]
        return modes

    def _token_limit_field(self) -> str:
        # OpenAI's newer models reject max_tokens; most other servers only know max_tokens.
        return "max_completion_tokens" if "api.openai.com" in self.settings.endpoint_host else "max_tokens"

    def _request_kwargs(self, mode: str, messages: list[dict], output: type[BaseModel], schema: dict, parameters: dict, max_tokens: int) -> dict:
        messages = [dict(m) for m in messages]
        if mode in ("json_object", "prompt"):
            # Without a schema-constrained decoder the model must be told the shape in words.
            instruction = (
                "\n\nReply with only one JSON object, no prose and no code fences, valid against this JSON Schema:\n"
                f"<json_schema>\n{json.dumps(schema, ensure_ascii=False)}\n</json_schema>"
            )
            messages[0]["content"] += instruction
        kwargs: dict[str, Any] = {
            "model": self.settings.model,
            "messages": messages,
            self._token_limit_field(): max_tokens,
            **parameters,
        }
        if mode in ("json_schema_strict", "json_schema"):
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": output.__name__, "schema": schema, "strict": mode == "json_schema_strict"},
            }
        elif mode == "json_object":
            kwargs["response_format"] = {"type": "json_object"}
        if self.extra_fields:
            kwargs["extra_body"] = json.loads(json.dumps(self.extra_fields))  # a copy: the SDK must not share our dicts
        return kwargs

    async def _send(self, kwargs: dict, counter: list[int]):
        """One logical request with tenacity retries of transient failures."""
        import openai
        from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

        backoff = wait_exponential_jitter(multiplier=0.5, max=20, jitter=0.5)
        settings = self.settings

        def wait(retry_state) -> float:
            exc = retry_state.outcome.exception()
            requested = server_requested_wait(exc) if exc else None
            if requested is not None:
                return min(requested, settings.max_retry_wait)
            return backoff(retry_state)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(settings.max_retries + 1),
            wait=wait,
            retry=retry_if_exception(lambda e: is_transient(e) and not self._is_mode_rejection(e)),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    # the budget first (it may wait for requests in flight), then a slot: the HTTP exchange only, not the retry waits
                    async with self._spending(kwargs) as hold, self.slots or contextlib.nullcontext():
                        counter[0] += 1
                        try:
                            response = await self._sdk().chat.completions.create(**kwargs)
                        except openai.RateLimitError:
                            if self.slots is not None:
                                self.slots.rate_limited()
                            raise
                        if hold is not None:
                            hold.settle(getattr(response, "usage", None))
                        return response
        except openai.APIStatusError as exc:
            if self._is_mode_rejection(exc) and "response_format" in kwargs:
                raise _ModeRejected(str(exc)) from exc
            mapped = map_error(exc, settings)
            if self._mentions_key(exc):
                raise mapped from None  # the server echoed our key: keep it out of tracebacks too
            raise mapped from exc
        except (openai.APIError, ResponseTooLarge, ValueError) as exc:
            raise map_error(exc, settings) from exc

    def _mentions_key(self, exc: BaseException) -> bool:
        secret = self.settings.api_key.get_secret_value() if self.settings.api_key is not None else ""
        return len(secret) >= 8 and secret in _error_text(exc)

    @staticmethod
    def _is_mode_rejection(exc: BaseException) -> bool:
        import openai

        return (
            isinstance(exc, openai.APIStatusError)
            and exc.status_code in (400, 422, 500, 501)
            and bool(_MODE_REJECTION.search(_error_text(exc)))
            and not _CONTEXT_OVERFLOW.search(_error_text(exc))
        )

    # -- the public call ---------------------------------------------------------------------
    async def structured(
        self,
        *,
        messages: list[dict[str, str]],
        output: type[BaseModel],
        template_version: str,
        parameters: dict[str, Any] | None = None,
        max_tokens: int = 4096,
    ) -> StructuredReply:
        parameters = dict(parameters or {})
        schema = _schema_for(output)
        key = cache_key(
            base_url=self.settings.effective_base_url,
            model=self.settings.model,
            template_version=template_version,
            # non-standard fields change answers too (thinking off): part of the key when there are any
            parameters={**parameters, "extra_body": self.extra_fields} if self.extra_fields else parameters,
            schema=schema,
            messages=messages,
        )
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                try:
                    value = output.model_validate(hit["value"])
                    served = [str(w) for w in hit.get("model_warnings") or []]
                    return StructuredReply(value=value, cached=True, mode=hit.get("mode"), usage=Usage(), warnings=served)
                except ValidationError:
                    pass  # schema changed under an old entry: treat as a miss

        if self.deferred is not None:
            self._defer(key, messages, output, schema, parameters, max_tokens)

        counter = [0]
        usage = Usage()
        warnings: list[str] = []
        modes = self._modes()
        for index, mode in enumerate(modes):
            try:
                value = await self._ask_with_repairs(mode, messages, output, schema, parameters, max_tokens, counter, usage, warnings)
            except _ModeRejected as exc:
                if index + 1 == len(modes):
                    raise errors.EndpointError(
                        f"{self.settings.effective_base_url} accepts none of the structured output modes tried ({', '.join(modes)})",
                        hint="try --structured-mode prompt",
                    ) from exc
                warnings.append(f"{mode} not supported by the endpoint ({str(exc)[:120]}); falling back to {modes[index + 1]}")
                continue
            if self.settings.structured_mode == "auto":
                self.memory.update(self.settings.effective_base_url, self.settings.model, structured_mode=mode)
            if self.cache is not None:
                model_warnings = [w for w in warnings if w.startswith("asked for model ")]
                self.cache.set(key, {"value": value.model_dump(mode="json"), "mode": mode, "usage": usage.model_dump(), "model_warnings": model_warnings})
            return StructuredReply(value=value, usage=usage, requests=counter[0], mode=mode, warnings=warnings)
        raise AssertionError("unreachable")  # pragma: no cover

    def _defer(self, key: str, messages, output, schema, parameters, max_tokens) -> None:
        mode = self.settings.modes_to_try()[0]
        body = self._request_kwargs(mode, messages, output, schema, parameters, max_tokens)
        body.update(body.pop("extra_body", {}))
        custom_id = f"{output.__name__}.{key}"
        if all(line["custom_id"] != custom_id for line in self.deferred):
            self.deferred.append({"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body})
        raise errors.RequestDeferred(f"an answer is not available yet (request {custom_id[:24]}... exported)")

    def store_batch_result(self, custom_id: str, completion: dict[str, Any]) -> StructuredReply:
        """Validate one answer from a provider batch (OpenAI Batch API / `vllm run-batch` output) and
        cache it under the key its request was exported with. Raises OutputValidationError."""
        name, _, key = custom_id.partition(".")
        from summarizer.schemas import OUTPUT_MODELS

        output = OUTPUT_MODELS.get(name)
        if output is None or len(key) != 64:
            raise errors.OutputValidationError(f"custom_id {custom_id!r} was not exported by summarizer")
        choices = completion.get("choices") if isinstance(completion, dict) else None
        if not choices or not isinstance(choices, list) or not isinstance(choices[0], dict):
            raise errors.OutputValidationError(f"{custom_id[:30]}...: the result has no choices")
        choice = choices[0]
        if choice.get("finish_reason") == "length":
            raise errors.OutputTruncatedError(f"{custom_id[:30]}...: the answer was cut off at the token limit")
        content = (choice.get("message") or {}).get("content") or ""
        try:
            value = output.model_validate(extract_json_object(content))
        except (NoJSONFound, ValidationError) as exc:
            raise errors.OutputValidationError(f"{custom_id[:30]}...: the answer is not valid: {str(exc)[:200]}") from exc
        raw_usage = completion.get("usage") or {}
        usage = Usage(prompt_tokens=raw_usage.get("prompt_tokens") or 0, completion_tokens=raw_usage.get("completion_tokens") or 0)
        if self.cache is not None:
            self.cache.set(key, {"value": value.model_dump(mode="json"), "mode": "provider batch", "usage": usage.model_dump()})
        return StructuredReply(value=value, usage=usage, mode="provider batch")

    async def _ask_with_repairs(self, mode, messages, output, schema, parameters, max_tokens, counter, usage, warnings):
        conversation = [dict(m) for m in messages]
        last_problem = ""
        last_content: str | None = None
        attempts = self.settings.max_repairs + 1
        for attempt in range(attempts):
            kwargs = self._request_kwargs(mode, conversation, output, schema, parameters, max_tokens)
            response = await self._send(kwargs, counter)
            choice, content = self._unpack(response, usage)
            mismatch = _model_mismatch(self.settings.model, getattr(response, "model", None))
            if mismatch and mismatch not in warnings:
                warnings.append(mismatch)
            finish = getattr(choice, "finish_reason", None) if choice is not None else None
            if finish == "length":
                raise errors.OutputTruncatedError(
                    f"the answer hit the {max_tokens}-token output limit and was cut off",
                    hint="raise --max-output-tokens or lower the chunk size with --context-window",
                    attempts=counter[0],
                    last_content=content,
                )
            refusal = getattr(getattr(choice, "message", None), "refusal", None) if choice is not None else None
            if not content or not content.strip():
                if refusal:
                    raise errors.OutputValidationError(f"the model refused: {str(refusal)[:200]}", attempts=counter[0])
                if mode != "prompt" and attempt == 0:
                    # Servers that accept response_format but cannot honour it often answer empty.
                    raise _ModeRejected("empty reply in " + mode)
                last_problem = "the reply was empty"
            else:
                last_content = content
                try:
                    value = output.model_validate(extract_json_object(content))
                    if attempt:
                        warnings.append(f"answer repaired after {attempt} re-ask(s)")
                    return value
                except NoJSONFound as exc:
                    last_problem = str(exc)
                except ValidationError as exc:
                    last_problem = "the JSON does not match the schema: " + pydantic_problems(exc, limit=8)
            if attempt + 1 < attempts:
                if content:
                    conversation.append({"role": "assistant", "content": content[:8000]})
                conversation.append(
                    {
                        "role": "user",
                        "content": f"Your previous reply could not be used: {last_problem}. "
                        "Reply again with only the complete JSON object, valid against the schema.",
                    }
                )
        raise errors.OutputValidationError(
            f"the model's answer was not valid after {attempts} attempt(s): {last_problem}",
            hint="try a stronger model, --structured-mode json_schema, or raise --max-repairs",
            attempts=counter[0],
            last_content=last_content,
        )

    def _unpack(self, response: Any, usage: Usage):
        """(first choice, its text) from whatever came back; tolerant of servers that omit fields."""
        reply_usage = getattr(response, "usage", None)
        if reply_usage is not None:
            usage.add(Usage(prompt_tokens=getattr(reply_usage, "prompt_tokens", 0) or 0, completion_tokens=getattr(reply_usage, "completion_tokens", 0) or 0))
        choices = getattr(response, "choices", None)
        if not isinstance(choices, list):
            raise errors.ServerError(
                f"{self.settings.effective_base_url} answered with something that is not a chat completion",
                hint="check --base-url points at an OpenAI-compatible API (usually ending in /v1)",
            )
        if not choices:
            return None, None
        choice = choices[0]
        message = getattr(choice, "message", None)
        content = getattr(message, "content", None)
        return choice, content if isinstance(content, str) else None
