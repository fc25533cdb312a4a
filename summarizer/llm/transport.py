"""The HTTP layer under the SDK: response size limits and timeouts.

The largest HTTP response body we read is MAX_RESPONSE_BYTES. A real answer is a few hundred KB at
most (it is bounded by max_tokens); a misbehaving server or proxy must not make us buffer gigabytes.
Checked against Content-Length before reading, and counted while reading when there is none;
compressed bodies are refused (Accept-Encoding: identity) so a small gzip bomb cannot expand past it.

One TLS context serves every client of the process (`tls_context`): building one reads the system's
CA bundle (~35 ms of CPU), which each new Session's client paid again before its first request.

Timeouts keep silence short: connecting takes CONNECT_TIMEOUT at most (a server that is down or a
wrong address is known in seconds, not after the read timeout), and the read timeout scales with the
answer's max_tokens unless the user set --timeout.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

MAX_RESPONSE_BYTES = 16 * 1024 * 1024
CONNECT_TIMEOUT = 5.0  # seconds; local servers accept in microseconds, remote ones in well under a second
# Read timeout without --timeout: a floor for the prompt's processing plus the answer at a slow
# CPU-only decoding rate. 4,096 tokens -> 15 + 4096/20 = 220 s; a 512-token answer -> 41 s.
READ_TIMEOUT_FLOOR = 15.0
SLOW_DECODE_TOKENS_PER_SECOND = 20.0
REFUSED_RETRY_WAIT = 0.3  # one quick retry after "connection refused" (a server restarting), then give up


def read_timeout(max_tokens: int, configured: float | None) -> float:
    """Seconds to wait for an answer of up to `max_tokens` tokens; the user's --timeout wins."""
    if configured is not None:
        return configured
    return READ_TIMEOUT_FLOOR + max_tokens / SLOW_DECODE_TOKENS_PER_SECOND


def request_timeout(max_tokens: int, configured: float | None) -> Any:
    """The httpx timeout of one request: short connect, read scaled to the answer."""
    import httpx2

    read = read_timeout(max_tokens, configured)
    return httpx2.Timeout(read, connect=min(CONNECT_TIMEOUT, read))


def tls_context() -> Any:
    """The TLS context the HTTP library would build for `verify=True` (system CA bundle, or the
    SSL_CERT_FILE / SSL_CERT_DIR it names), built once per process and per value of those two.
    A context is safe to share between clients and threads once configured; nobody changes it."""
    return _tls_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.lru_cache(maxsize=4)
def _tls_context(cert_file: str | None, cert_dir: str | None) -> Any:
    import httpx2

    return httpx2.create_ssl_context()  # reads the same two variables itself


def is_connection_refused(exc: BaseException) -> bool:
    """The SDK's connection error caused by nothing listening there (not a timeout, not a reset)."""
    import openai

    if not isinstance(exc, openai.APIConnectionError) or isinstance(exc, openai.APITimeoutError):
        return False
    cause: BaseException | None = exc.__cause__
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError) or type(cause).__name__ == "ConnectError":
            return True
        cause = cause.__cause__ or cause.__context__
    return False


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


def size_limit_hooks(limit: int = MAX_RESPONSE_BYTES) -> dict[str, list]:
    """httpx event hooks: ask for an uncompressed body; refuse or cut off one larger than `limit`."""

    async def on_request(request) -> None:
        request.headers["Accept-Encoding"] = "identity"

    async def on_response(response) -> None:
        length = response.headers.get("content-length", "")
        if length.strip().isdigit() and int(length) > limit:
            raise ResponseTooLarge(int(length), limit)
        response.stream = _limited_stream(response, limit)

    return {"request": [on_request], "response": [on_response]}
