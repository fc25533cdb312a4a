"""SDK exceptions → ours, through one table (the way httpx's transport maps its backend's errors).

`map_error` walks STATUS_RULES top to bottom: the first rule whose statuses include the answer's
status and whose pattern (if any) matches the error text (message plus body, key redacted) builds
the error. Transport failures (refused, timeout, dropped) are mapped before the table. Callers
raise the result `from` the SDK exception, so --verbose shows the cause.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Callable

from summarizer import errors
from summarizer._text import one_line, redact, sdk_error_text
from summarizer.config import Settings
from summarizer.llm import dialects
from summarizer.llm.transport import ResponseTooLarge, is_connection_refused

_RESET_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_KEY_HINT = "set a valid key in OPENAI_API_KEY or SUMMARIZER_API_KEY (or .env) for this endpoint"


def error_code(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    if code:
        return str(code)
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            return str(inner.get("code") or inner.get("type") or "")
    return ""


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


def is_transient(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 429:
            return error_code(exc) != "insufficient_quota"  # quota: retrying cannot help
        return exc.status_code in (408, 409) or exc.status_code >= 500
    return False


def is_mode_rejection(exc: BaseException) -> bool:
    """A 400/422/500/501 that says the server cannot do the structured-output mode we asked for."""
    import openai

    return (
        isinstance(exc, openai.APIStatusError)
        and exc.status_code in (400, 422, 500, 501)
        and dialects.is_mode_rejection(sdk_error_text(exc, with_body=True))
    )


@dataclass(frozen=True)
class _Failure:
    """What the table's builders get: where, the status, the redacted texts, the settings."""

    where: str
    status: int
    text: str  # message and body, redacted: for matching
    short: str  # the server's message on one line, redacted: for people
    code: str
    settings: Settings


def _overflow(f: _Failure) -> errors.EndpointError:
    size = dialects.context_size_from_error(f.text)
    told = f" of {size} tokens" if size else ""
    err = errors.ContextOverflowError(
        f"the prompt is longer than the context window{told} of {f.settings.model!r}: {f.short}",
        hint="set --context-window to the model's real size so chunks are cut smaller",
        status=f.status,
    )
    err.context_size = size
    return err


def _rate_limited(f: _Failure) -> errors.EndpointError:
    if f.code == "insufficient_quota":
        return errors.RateLimitError(f"{f.where}: quota exhausted: {f.short}", hint="check the account's plan and billing", status=f.status)
    return errors.RateLimitError(
        f"{f.where} kept answering 429 Too Many Requests after {f.settings.max_retries} retries",
        hint="lower the request rate or raise --max-retries",
        status=f.status,
    )


_MODEL = re.compile(r"model", re.I)
# (statuses, pattern the error text must match or None, builder): the first match wins.
STATUS_RULES: tuple[tuple[Callable[[int], bool], re.Pattern | None, Callable[[_Failure], errors.EndpointError]], ...] = (
    (lambda s: s in (401, 403), None, lambda f: errors.AuthenticationError(
        f"{f.where} refused the API key ({f.status}): {f.short}", hint=_KEY_HINT, status=f.status)),
    (lambda s: s == 404, _MODEL, lambda f: errors.ModelNotFoundError(
        f"model {f.settings.model!r} not found at {f.where}",
        hint="pass --model with a model this endpoint serves (`summarizer doctor` lists them)", status=f.status)),
    (lambda s: s == 404, None, lambda f: errors.EndpointError(
        f"{f.where} answered 404 Not Found: {f.short}", hint="check --base-url: it usually ends in /v1", status=f.status)),
    (lambda s: s in (400, 413, 422), dialects.CONTEXT_OVERFLOW, _overflow),
    (lambda s: s == 429, None, _rate_limited),
    (lambda s: s >= 500, None, lambda f: errors.ServerError(
        f"{f.where} failed with {f.status} after {f.settings.max_retries} retries: {f.short}",
        hint="the server is failing; try again later or check its logs", status=f.status)),
    (lambda s: True, None, lambda f: errors.EndpointError(f"{f.where} rejected the request ({f.status}): {f.short}", status=f.status)),
)


def _transport_error(exc: BaseException, settings: Settings, where: str, timeout: float) -> errors.EndpointError | None:
    """Failures before or outside an HTTP status: size limit, bad JSON, timeout, connection."""
    import openai

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
            f"{where} did not answer within {timeout:g}s",
            hint="the server may be overloaded, hung or still loading the model; raise --timeout or try again",
        )
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        if cause is not None and type(cause).__name__ in ("RemoteProtocolError", "ReadError", "EndOfStream"):
            return errors.EndpointUnreachableError(
                f"{where} closed the connection before the answer was complete (after {settings.max_retries} retries)",
                hint="the server or a proxy dropped the connection; check its logs, or try again",
            )
        refused = " (connection refused)" if is_connection_refused(exc) else ""
        return errors.EndpointUnreachableError(
            f"cannot connect to {where}{refused}",
            hint="is the server running? check --base-url / OPENAI_BASE_URL (usually ends in /v1) or --profile",
        )
    if not isinstance(exc, openai.APIStatusError):
        return errors.ServerError(f"unexpected reply from {where}: {one_line(exc, 300)}")
    return None


def map_error(exc: BaseException, settings: Settings, *, timeout: float | None = None) -> errors.EndpointError:
    """The one place where SDK exceptions become ours. `timeout`: the read timeout the request had."""
    where = settings.effective_base_url
    early = _transport_error(exc, settings, where, timeout if timeout is not None else settings.timeout)
    if early is not None:
        return early
    secret = settings.api_key.get_secret_value() if settings.api_key is not None else None
    text = redact(sdk_error_text(exc, with_body=True), secret)
    failure = _Failure(
        where=where,
        status=exc.status_code,  # type: ignore[attr-defined]
        text=text,
        short=one_line(redact(getattr(exc, "message", "") or text, secret), 300),
        code=error_code(exc),
        settings=settings,
    )
    for matches_status, pattern, build in STATUS_RULES:
        if matches_status(failure.status) and (pattern is None or pattern.search(text)):
            return build(failure)
    raise AssertionError("unreachable: the last rule matches every status")  # pragma: no cover
