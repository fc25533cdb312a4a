"""One structured request to an OpenAI-compatible endpoint → a validated pydantic object.

Owns: structured-output modes and their fallback (json_schema strict → json_schema → json_object →
schema in the prompt, remembered per endpoint+model), repair/re-ask on invalid answers (a reply that
repeats one span over and over is invalid too), retries of transient errors (tenacity; the SDK's own
retries are off so attempts never multiply; a refused connection gets one quick retry only), and the
response cache. What servers differ in comes from `dialects`, errors are mapped by `errors`, the HTTP
limits are `transport`'s. Knows nothing about articles.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

from pydantic import BaseModel, ValidationError

from summarizer import errors
from summarizer._text import one_line, pydantic_problems, sdk_error_text
from summarizer.cache import EndpointMemory, ResponseCache, cache_key
from summarizer.config import Settings
from summarizer.jsonparse import NoJSONFound, extract_json_object
from summarizer.llm import dialects
from summarizer.llm.schema_bounds import bounded_schema
from summarizer.llm.errors import is_mode_rejection, is_transient, map_error, server_requested_wait
from summarizer.llm.transport import (
    MAX_RESPONSE_BYTES,
    REFUSED_RETRY_WAIT,
    ResponseTooLarge,
    is_connection_refused,
    request_timeout,
    size_limit_hooks,
    tls_context,
)
from summarizer.pacing import RequestSlots
from summarizer.schemas import Usage, shared_llm_schema

if TYPE_CHECKING:
    from summarizer.budget import Budget

# A looping small model repeats one span until max_tokens or the grammar's end: this many
# back-to-back copies of a span of at least REPEAT_MIN_CHARS characters make the answer invalid (one
# re-ask), unless the prompt itself holds that run (an article that repeats itself). Real news has
# no such runs; a list of short numbers ("1, 2, 3") is not one span repeated.
REPEAT_MIN_CHARS = 12
REPEAT_COPIES = 20
_REPEATED_SPAN = re.compile(r"(.{%d,200}?)\1{%d,}" % (REPEAT_MIN_CHARS, REPEAT_COPIES - 1), re.S)


def server_kind(settings: Settings, memory: EndpointMemory) -> str | None:
    """Which server this is (see dialects.kind_from_settings)."""
    learned = memory.get(settings.effective_base_url, settings.model)
    return dialects.kind_from_settings(settings.effective_base_url, settings.profile, learned)


def request_extra_fields(settings: Settings, memory: EndpointMemory) -> dict[str, Any]:
    """The non-standard request fields: the profile's extra_body, plus the thinking switch."""
    return dialects.extra_fields(settings.extra_body, settings.thinking, server_kind(settings, memory), settings.endpoint_host)


# The regex alone costs ~0.3 s on a 16k-character answer, so it runs only on stretches that zlib
# squeezes below LOOP_RATIO: prose compresses to ~45% per 1,200 characters, a loop to a few percent.
LOOP_WINDOW = 1200
LOOP_RATIO = 0.2


def repeated_span(text: str) -> str | None:
    """The span an answer repeats REPEAT_COPIES times or more in a row over at least a LOOP_WINDOW
    stretch (what a looping model writes), or None. ~0.1 ms for a 16k-character answer without one."""
    import zlib

    for start in range(0, max(1, len(text) - LOOP_WINDOW // 2), LOOP_WINDOW // 2):
        window = text[start : start + LOOP_WINDOW].encode("utf-8", "surrogatepass")
        if len(window) >= LOOP_WINDOW // 2 and len(zlib.compress(window, 1)) < LOOP_RATIO * len(window):
            match = _REPEATED_SPAN.search(text, start, start + LOOP_WINDOW)
            if match:
                return match.group(1)
    return None


def _model_mismatch(requested: str, served: Any) -> str | None:
    """A warning when the reply names another model than we asked for. Dated snapshots
    ("gpt-4o-mini" -> "gpt-4o-mini-2024-07-18") and provider prefixes ("openai/x") are the same model."""
    if not isinstance(served, str) or not served.strip() or not requested:
        return None
    a, b = requested.strip().lower().rsplit("/", 1)[-1], served.strip().lower().rsplit("/", 1)[-1]
    if a.startswith(b) or b.startswith(a) or a.removesuffix(".gguf") == b.removesuffix(".gguf"):
        return None
    return f"asked for model {requested!r} but the endpoint answered as {one_line(served, 100)!r}"


_MISMATCH = re.compile(r"^asked for model .* but the endpoint answered as '(.*)'$")


def answered_model(warnings: list[str]) -> str | None:
    """The other model an endpoint answered as, from its mismatch warning (kept in the cache too)."""
    for warning in warnings:
        match = _MISMATCH.match(warning)
        if match:
            return match.group(1)
    return None

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
    model: str | None = None  # the model that answered, as the endpoint named it (None: not told, or cached)




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
        # --timeout (flag, environment, profile) wins; without it the read timeout scales with max_tokens
        self._configured_timeout = settings.timeout if "timeout" in settings.model_fields_set else None

    @property
    def dialect(self) -> dialects.Dialect:
        return dialects.dialect(server_kind(self.settings, self.memory))

    # -- plumbing ----------------------------------------------------------------------------
    def _sdk(self):
        if self._sdk_client is None:
            import openai

            self._sdk_client = openai.AsyncOpenAI(
                base_url=self.settings.effective_base_url,
                api_key=self.settings.key_for_request(),
                max_retries=0,  # tenacity below owns retries; SDK retries would multiply them
                timeout=request_timeout(self.settings.max_output_tokens, self._configured_timeout),
                http_client=openai.DefaultAsyncHttpxClient(
                    verify=tls_context(),  # the process's one context: building it costs ~35 ms per client
                    timeout=request_timeout(self.settings.max_output_tokens, self._configured_timeout),
                    event_hooks=size_limit_hooks(MAX_RESPONSE_BYTES),
                ),
            )
        return self._sdk_client

    def _chat_completion(self, kwargs: dict, timeout: Any):
        """`chat.completions.create(**kwargs, timeout=timeout)` through the SDK's documented `post` for
        custom requests: the same body, headers, auth, response parsing and error types, without
        `create`'s TypedDict transform of the body and its argument checks. Those walk every message
        and the schema: the SDK's CPU per request 1.6-2.0 -> 1.1 ms (seed 000's brief request against
        benchmarks/bench_server.py), on the event loop that sends the batch's other requests. Our body
        is plain JSON already, which the transform returns unchanged (tests/test_client_modes.py
        compares what the server receives from both)."""
        from openai.types.chat import ChatCompletion

        body = {name: value for name, value in kwargs.items() if name != "extra_body"}
        options: dict[str, Any] = {"timeout": timeout}
        if "extra_body" in kwargs:
            options["extra_json"] = kwargs["extra_body"]
        return self._sdk().post("/chat/completions", cast_to=ChatCompletion, body=body, options=options)

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
        return self.dialect.token_limit_field

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
        max_tokens = int(kwargs.get(self._token_limit_field()) or settings.max_output_tokens)
        timeout = request_timeout(max_tokens, self._configured_timeout)

        def wait(retry_state) -> float:
            exc = retry_state.outcome.exception()
            if exc is not None and is_connection_refused(exc):
                return REFUSED_RETRY_WAIT
            requested = server_requested_wait(exc) if exc else None
            if requested is not None:
                return min(requested, settings.max_retry_wait)
            return backoff(retry_state)

        def stop(retry_state) -> bool:
            # nothing listens there: one quick retry (a server restarting) instead of the full backoff
            exc = retry_state.outcome.exception()
            if exc is not None and is_connection_refused(exc):
                return retry_state.attempt_number >= min(2, settings.max_retries + 1)
            return stop_after_attempt(settings.max_retries + 1)(retry_state)

        retrying = AsyncRetrying(
            stop=stop,
            wait=wait,
            retry=retry_if_exception(lambda e: is_transient(e) and not is_mode_rejection(e)),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    # the budget first (it may wait for requests in flight), then a slot: the HTTP exchange only, not the retry waits
                    async with self._spending(kwargs) as hold, self.slots or contextlib.nullcontext():
                        counter[0] += 1
                        try:
                            response = await self._chat_completion(kwargs, timeout)
                        except openai.RateLimitError:
                            if self.slots is not None:
                                self.slots.rate_limited()
                            raise
                        if hold is not None:
                            hold.settle(getattr(response, "usage", None))
                        return response
        except openai.APIStatusError as exc:
            if is_mode_rejection(exc) and "response_format" in kwargs:
                raise _ModeRejected(str(exc)) from exc
            mapped = map_error(exc, settings, timeout=timeout.read)
            self._learn_from(mapped)
            if self._mentions_key(exc):
                raise mapped from None  # the server echoed our key: keep it out of tracebacks too
            raise mapped from exc
        except (openai.APIError, ResponseTooLarge, ValueError) as exc:
            raise map_error(exc, settings, timeout=timeout.read) from exc

    def _learn_from(self, error: errors.EndpointError) -> None:
        """An overflow that states the server's context size: remember it, so every later plan (this
        run's re-plan, the next run, `estimate`) uses the real size."""
        size = getattr(error, "context_size", None)
        if isinstance(error, errors.ContextOverflowError) and size:
            self.memory.update(self.settings.effective_base_url, self.settings.model, context_limit=size)

    def _mentions_key(self, exc: BaseException) -> bool:
        secret = self.settings.api_key.get_secret_value() if self.settings.api_key is not None else ""
        return len(secret) >= 8 and secret in sdk_error_text(exc, with_body=True)

    # -- the public call ---------------------------------------------------------------------
    async def structured(
        self,
        *,
        messages: list[dict[str, str]],
        output: type[BaseModel],
        template_version: str,
        parameters: dict[str, Any] | None = None,
        max_tokens: int = 4096,
        source_chars: int | None = None,
        cite_limit: int | None = None,
        tokens_per_char: float | None = None,
        key_point_tokens: int | None = None,
    ) -> StructuredReply:
        """`source_chars`: the length of the text being translated; with it, a server that enforces
        schema bounds gets maxLength/maxItems sized to it (schema_bounds.bounded_schema), and citations
        bounded to the `cite_limit` numbered paragraphs the prompt shows. `tokens_per_char`: the
        server's tokens per character of the answer's text; with it the bounds are fitted so the
        longest answer they allow fits `max_tokens`; `key_point_tokens` bounds the key points too."""
        parameters = dict(parameters or {})
        kind = server_kind(self.settings, self.memory)
        if dialects.dialect(kind).sends_seed:
            parameters.setdefault("seed", dialects.REQUEST_SEED)  # a template or profile may set its own
        schema = shared_llm_schema(output)
        if source_chars is not None:
            schema = bounded_schema(schema, source_chars, kind, cite_limit=cite_limit, max_tokens=max_tokens,
                                   tokens_per_char=tokens_per_char, key_point_tokens=key_point_tokens)
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
            # get and set stay on the loop: a thread hop costs more CPU (~0.06 ms) than a get (~0.01 ms)
            # and triples a set's (~0.07 ms), and CPU is what a batch is short of (benchmarks/cache_on_loop.py)
            hit = self.cache.get(key)
            if hit is not None:
                try:
                    value = output.model_validate(hit["value"])
                    served = [str(w) for w in hit.get("model_warnings") or []]
                    return StructuredReply(value=value, cached=True, mode=hit.get("mode"), usage=Usage(), warnings=served, model=answered_model(served))
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
            return StructuredReply(value=value, usage=usage, requests=counter[0], mode=mode, warnings=warnings, model=answered_model(warnings))
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
            if attempt and isinstance(kwargs.get("seed"), int):
                kwargs["seed"] += attempt  # a re-ask draws a new sample (the same one on every re-run)
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
            elif (span := repeated_span(content)) is not None and not any(span * REPEAT_COPIES in str(m.get("content", "")) for m in messages):
                # a looping model: grammar-valid JSON, but one span over and over; never accept it
                last_content = content
                last_problem = f"the reply repeats {one_line(span, 60)!r} over and over; write each fact once"
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
