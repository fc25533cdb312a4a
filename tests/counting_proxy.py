"""A recording reverse proxy on 127.0.0.1, for counting what a client really sent to a real server.

    with CountingProxy(server.root_url) as proxy:
        run_cli("summarize", ..., "--base-url", proxy.root_url + "/v1")
        chats = proxy.exchanges(method="POST", path="/v1/chat/completions")
        assert not [x for x in chats if x.is_context_overflow]

Every request is forwarded unchanged (method, path, body, headers but the hop-by-hop ones) to the
upstream server, and its answer is passed back unchanged and recorded. So a test reads the real
server's own verdicts (llama.cpp's 400 `exceed_context_size_error`) instead of trusting what the
client says about itself. Answers are buffered whole: our client does not stream.

Standard library only; one thread per connection, keep-alive supported (the OpenAI SDK reuses
connections).
"""

from __future__ import annotations

import http.client
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

_HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
    "transfer-encoding", "upgrade", "host", "content-length",
}
# how llama.cpp, vLLM and OpenAI word a prompt that does not fit (their 400 bodies)
_OVERFLOW_MARKERS = ("exceed_context_size_error", "exceeds the available context size", "maximum context length",
                     "context_length_exceeded")


@dataclass(frozen=True)
class Exchange:
    """One forwarded request and the upstream server's answer to it."""

    method: str
    path: str
    request_body: bytes
    status: int
    response_body: bytes

    @property
    def request_json(self) -> dict | None:
        try:
            return json.loads(self.request_body) if self.request_body else None
        except ValueError:
            return None

    @property
    def is_context_overflow(self) -> bool:
        """The server refused the request because the prompt (plus max_tokens) exceeds its context."""
        if self.status < 400:
            return False
        text = self.response_body.decode("utf-8", "replace")
        return any(marker in text for marker in _OVERFLOW_MARKERS)

    def summary(self) -> str:
        detail = self.response_body[:160].decode("utf-8", "replace") if self.status >= 400 else ""
        return f"{self.method} {self.path} -> {self.status} {detail}".rstrip()


class CountingProxy:
    """Forwards everything to `upstream_root` ("http://127.0.0.1:PORT") and records each exchange."""

    def __init__(self, upstream_root: str, *, upstream_timeout: float = 900.0) -> None:
        parts = urlsplit(upstream_root)
        if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost"):
            raise ValueError(f"the counting proxy forwards to loopback http only, not {upstream_root!r}")
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.upstream_timeout = upstream_timeout
        self.root_url = ""  # "http://127.0.0.1:PORT", set by start()
        self._exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return self.root_url + "/v1"

    def exchanges(self, *, method: str | None = None, path: str | None = None) -> list[Exchange]:
        """What went through so far, in arrival order of the answers, optionally filtered."""
        with self._lock:
            recorded = list(self._exchanges)
        return [x for x in recorded if (method is None or x.method == method) and (path is None or x.path == path)]

    def chat_completions(self) -> list[Exchange]:
        return self.exchanges(method="POST", path="/v1/chat/completions")

    def clear(self) -> None:
        with self._lock:
            self._exchanges.clear()

    def _record(self, exchange: Exchange) -> None:
        with self._lock:
            self._exchanges.append(exchange)

    def start(self) -> "CountingProxy":
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.root_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="counting-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "CountingProxy":
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def _handler_for(proxy: CountingProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: every answer carries a Content-Length

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
            pass  # quiet tests

        def do_GET(self) -> None:
            self._forward()

        def do_POST(self) -> None:
            self._forward()

        def do_DELETE(self) -> None:
            self._forward()

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=proxy.upstream_timeout)
            try:
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                answer = upstream.getresponse()
                status, reply, reply_headers = answer.status, answer.read(), answer.getheaders()
            except OSError as exc:  # upstream down or hung: a 502 the client sees, recorded like any answer
                status, reply, reply_headers = 502, json.dumps({"error": f"proxy: {exc}"}).encode(), []
            finally:
                upstream.close()
            proxy._record(Exchange(self.command, self.path, body, status, reply))
            # send_response_only: the upstream's own Server and Date headers pass through, not ours
            # (a client may tell llama.cpp from others by them)
            self.send_response_only(status)
            for name, value in reply_headers:
                if name.lower() not in _HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    return Handler
