"""A scripted, OpenAI-compatible HTTP server for tests (stdlib only).

Tests run the CLI as a subprocess, or the library in-process, against a *real* HTTP server on
127.0.0.1 whose every answer the test decides, so faults (429 + retry-after, 5xx, a dropped
socket, a half-sent body, a hung or slow server) are exact and repeatable.

    with ScriptedServer() as server:
        server.script(completion('{"title": "x"}'), error(429, "slow down", headers={"retry-after": "1"}))
        ...  # point the client at server.base_url
        assert server.chat_requests()[0].body["model"] == "test-model"

`POST /v1/chat/completions` answers from the FIFO queue filled by `script()`; when the queue is
empty, `server.responder(request)` answers (default `schema_responder`, which fabricates a JSON
instance valid for the schema the request asked for). Also served: `GET /v1/models`,
`GET /health`, `POST /tokenize` when `server.tokenize_enabled` is True, and whatever
`server.routes[(method, path)]` holds (a dialect's probe endpoints: see tests/test_first_contact.py).

Standalone: `python tests/scripted_server.py --port 8011` serves the default responder until Ctrl-C.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import re
import select
import signal
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Union
from urllib.parse import urlsplit

__all__ = [
    "Reply",
    "RecordedRequest",
    "ScriptedServer",
    "completion",
    "error",
    "schema_responder",
    "instance_for_schema",
    "extract_article",
    "extract_embedded_schema",
]

_ids = itertools.count(1)


# --------------------------------------------------------------------------- replies


@dataclass
class Reply:
    """One scripted answer. `json` is serialized unless `body` (raw bytes) is given."""

    status: int = 200
    json: Any = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (cut short by stop())
    hang: bool = False  # never answer; ends when the client goes away or the server stops
    drop: bool = False  # close the socket without any response (TCP reset)
    drop_mid_body: bool = False  # send headers + half the body, then close

    def payload(self) -> bytes:
        if self.body is not None:
            return self.body
        if self.json is None:
            return b""
        return json.dumps(self.json, ensure_ascii=False).encode("utf-8")


def completion(
    content: str | None,
    *,
    finish_reason: str | None = "stop",
    model: str = "test-model",
    prompt_tokens: int = 10,
    completion_tokens: int = 20,
    refusal: str | None = None,
    reasoning_content: str | None = None,
) -> Reply:
    """A 200 reply carrying a real `chat.completion` object."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if refusal is not None:
        message["refusal"] = refusal
    if reasoning_content is not None:
        message["reasoning_content"] = reasoning_content
    return Reply(
        json={
            "id": f"chatcmpl-test-{next(_ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    )


def error(
    status: int,
    message: str,
    *,
    type_: str = "invalid_request_error",
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """An OpenAI-shaped error reply: {"error": {"message", "type", "param", "code"}}."""
    return Reply(
        status=status,
        json={"error": {"message": message, "type": type_, "param": None, "code": code}},
        headers=dict(headers or {}),
    )


# --------------------------------------------------------------------------- requests


@dataclass
class RecordedRequest:
    method: str
    path: str  # without the query string
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None when empty / not JSON
    raw: bytes
    started: float  # time.monotonic() when the request was fully read
    finished: float = 0.0  # time.monotonic() when the answer was sent (0.0 while pending / dropped early)
    client_address: tuple[str, int] | None = None  # the client's (host, port): same port = same keep-alive connection

    @property
    def is_chat(self) -> bool:
        return self.method == "POST" and self.path.rstrip("/").endswith("/chat/completions")


Responder = Callable[[RecordedRequest], Reply]
Scripted = Union[Reply, Responder]


# --------------------------------------------------------------------------- schema responder

_PARAGRAPH_NUMBER_RE = re.compile(r"^¶\d+ ", re.M)  # summarizer numbers the paragraphs of a text it wants cited
_ARTICLE_RE = re.compile(r"<article>(.*?)</article>", re.S)
_EMBEDDED_SCHEMA_RE = re.compile(r"<json_schema>(.*?)</json_schema>", re.S)
_CAPWORD_RE = re.compile(r"\b[A-Z][A-Za-z]{2,}\b")


def _message_text(message: Any) -> str:
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "\n".join(
            p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)
        )
    return ""


def _messages(body: Any) -> list[Any]:
    if isinstance(body, dict) and isinstance(body.get("messages"), list):
        return body["messages"]
    return []


def extract_article(body: Any) -> str | None:
    """Text between <article> and </article> in the last user message, if any."""
    users = [m for m in _messages(body) if isinstance(m, dict) and m.get("role") == "user"]
    if not users:
        return None
    match = _ARTICLE_RE.search(_message_text(users[-1]))
    return match.group(1).strip() if match else None


def extract_embedded_schema(body: Any) -> dict | None:
    """A JSON schema embedded in any message between <json_schema> and </json_schema>."""
    for message in _messages(body):
        for match in _EMBEDDED_SCHEMA_RE.finditer(_message_text(message)):
            text = match.group(1).strip()
            if text.startswith("```"):
                text = text.split("\n", 1)[1] if "\n" in text else ""
                text = text.rsplit("```", 1)[0]
            try:
                schema = json.loads(text)
            except ValueError:
                continue
            if isinstance(schema, dict):
                return schema
    return None


def _requested_schema(body: Any) -> dict | None:
    fmt = body.get("response_format") if isinstance(body, dict) else None
    if isinstance(fmt, dict):
        if fmt.get("type") == "json_schema":
            spec = fmt.get("json_schema") or {}
            schema = spec.get("schema") if isinstance(spec, dict) else None
            if isinstance(schema, dict):
                return schema
        if isinstance(fmt.get("schema"), dict):  # llama.cpp style {"type": "json_object", "schema": S}
            return fmt["schema"]
    return extract_embedded_schema(body)


def schema_responder(req: RecordedRequest) -> Reply:
    """Answer with a JSON instance valid for the schema the request asked for ({} if none)."""
    body = req.body if isinstance(req.body, dict) else {}
    schema = _requested_schema(body)
    article = extract_article(body)
    hints = {"article": article} if article is not None else {}
    instance = instance_for_schema(schema, hints) if schema is not None else {}
    content = json.dumps(instance, ensure_ascii=False)
    prompt_chars = sum(len(_message_text(m)) for m in _messages(body))
    return completion(
        content,
        model=str(body.get("model") or "test-model"),
        prompt_tokens=max(1, prompt_chars // 4),
        completion_tokens=max(1, len(content) // 4),
    )


class _Gen:
    def __init__(self, root: dict, hints: dict[str, Any]):
        self.root = root
        self.article: str | None = hints.get("article")
        words: list[str] = []
        for w in _CAPWORD_RE.findall(self.article or ""):
            if w not in words:
                words.append(w)
        self.capwords = words

    # -- helpers
    def resolve(self, schema: Any, depth: int = 0) -> Any:
        while isinstance(schema, dict) and "$ref" in schema and depth < 50:
            ref = schema["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#"):
                raise ValueError(f"only local $ref is supported, got {ref!r}")
            target: Any = self.root
            for part in [p for p in ref[1:].split("/") if p]:
                part = part.replace("~1", "/").replace("~0", "~")
                target = target[int(part)] if isinstance(target, list) else target[part]
            extra = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **extra} if extra and isinstance(target, dict) else target
            depth += 1
        return schema

    def merge_all_of(self, schema: dict) -> dict:
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for sub in schema.get("allOf") or []:
            sub = self.resolve(sub)
            if not isinstance(sub, dict):
                continue
            sub = self.merge_all_of(sub) if "allOf" in sub else sub
            for k, v in sub.items():
                if k == "properties":
                    merged["properties"] = {**merged.get("properties", {}), **v}
                elif k == "required":
                    merged["required"] = list(dict.fromkeys([*merged.get("required", []), *v]))
                else:
                    merged.setdefault(k, v)
        return merged

    @staticmethod
    def is_null_schema(s: Any) -> bool:
        return isinstance(s, dict) and (s.get("type") == "null" or s.get("const", 0) is None)

    # -- generation
    def gen(self, schema: Any, name: str | None, k: int, parent_props: set[str] | None = None) -> Any:
        schema = self.resolve(schema)
        if schema is True or schema is None or schema == {}:
            return self.string(name, k, {}, parent_props)
        if schema is False:
            raise ValueError("schema `false` admits no instance")
        if "allOf" in schema:
            schema = self.merge_all_of(schema)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema and schema["enum"]:
            return schema["enum"][(k - 1) % len(schema["enum"])]
        for key in ("anyOf", "oneOf"):
            if schema.get(key):
                branches = [self.resolve(b) for b in schema[key]]
                chosen = next((b for b in branches if not self.is_null_schema(b)), branches[0])
                base = {kk: v for kk, v in schema.items() if kk != key}
                if isinstance(chosen, dict) and base:
                    chosen = {**base, **chosen}
                return self.gen(chosen, name, k, parent_props)
        typ = schema.get("type")
        if isinstance(typ, list):
            non_null = [t for t in typ if t != "null"]
            typ = non_null[0] if non_null else "null"
        if typ is None:
            if "properties" in schema or "required" in schema:
                typ = "object"
            elif "items" in schema or "prefixItems" in schema:
                typ = "array"
            elif any(x in schema for x in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
                typ = "number"
            else:
                typ = "string"
        if typ == "object":
            return self.obj(schema, k, name)
        if typ == "array":
            return self.array(schema, name, k)
        if typ == "string":
            return self.string(name, k, schema, parent_props)
        if typ in ("integer", "number"):
            return self.number(schema, k, integer=(typ == "integer"))
        if typ == "boolean":
            return True
        if typ == "null":
            return None
        raise ValueError(f"unsupported schema type {typ!r}")

    def obj(self, schema: dict, k: int, name: str | None = None) -> dict:
        props: dict[str, Any] = schema.get("properties") or {}
        names = set(props)
        out: dict[str, Any] = {}
        for pname, pschema in props.items():
            # the `text` of an item of `summary` / `key_points` is written as that item would be
            out[pname] = self.gen(pschema, name if pname == "text" and name else pname, k, names)
        additional = schema.get("additionalProperties", True)
        for pname in schema.get("required") or []:
            if pname not in out:
                sub = additional if isinstance(additional, dict) else {}
                out[pname] = self.gen(sub, pname, k, names)
        return out

    def array(self, schema: dict, name: str | None, k: int) -> list:
        lo = int(schema.get("minItems", 0))
        hi = schema.get("maxItems")
        n = max(lo, 1)
        if hi is not None:
            n = min(n, int(hi))
        prefix = schema.get("prefixItems") or []
        items = schema.get("items", {})
        if isinstance(items, list):  # draft-4..2019 tuple form
            prefix, items = items, schema.get("additionalItems", {})
        out = []
        for i in range(1, n + 1):
            sub = prefix[i - 1] if i - 1 < len(prefix) else items
            out.append(self.gen(sub, name, i))
        return out

    def string(self, name: str | None, k: int, schema: dict, parent_props: set[str] | None) -> str:
        value = self.meaningful(name, k, parent_props)
        fmt = schema.get("format")
        if fmt == "date-time":
            value = "2024-01-01T00:00:00Z"
        elif fmt == "date":
            value = "2024-01-01"
        elif fmt == "time":
            value = "00:00:00Z"
        elif fmt in ("uri", "url", "iri"):
            value = f"https://example.com/{k}"
        elif fmt == "email":
            value = f"user{k}@example.com"
        elif fmt == "uuid":
            value = f"00000000-0000-4000-8000-{k:012d}"
        lo = int(schema.get("minLength", 0))
        hi = schema.get("maxLength")
        if len(value) < lo:
            value = value + "x" * (lo - len(value))
        if hi is not None and len(value) > int(hi):
            value = value[: int(hi)]
        return value

    def meaningful(self, name: str | None, k: int, parent_props: set[str] | None) -> str:
        if name is None:
            return f"item {k}"
        lname = name.lower()
        glossary_like = bool(parent_props and parent_props & {"term", "source_term", "definition"})
        if lname == "translation":  # without the "¶N " paragraph numbers, as the prompts ask
            return f"[EN] {_PARAGRAPH_NUMBER_RE.sub('', self.article)}" if self.article is not None else f"{name} {k}"
        if lname == "title":
            return "Test title"
        if lname == "source_language":
            return "id"
        if lname == "summary":
            return f"Summary point {k}."
        if lname == "key_points":  # names its part, so a test can follow it into the merge request
            return f"Key point {k} of: {_PARAGRAPH_NUMBER_RE.sub('', self.article or '').strip()[:40]}"
        if glossary_like and lname == "term":
            return f"Term {k}"
        if glossary_like and lname == "source_term":
            if self.capwords:
                return self.capwords[(k - 1) % len(self.capwords)]
            return f"{name} {k}"
        if glossary_like and lname == "definition":
            return f"Definition {k}."
        return f"{name} {k}"

    @staticmethod
    def number(schema: dict, k: int, *, integer: bool) -> int | float:
        lo = schema.get("minimum")
        hi = schema.get("maximum")
        xlo = schema.get("exclusiveMinimum")
        xhi = schema.get("exclusiveMaximum")
        if isinstance(xlo, bool):  # draft-4 boolean form
            xlo, lo = (lo if xlo else None), (None if xlo else lo)
        if isinstance(xhi, bool):
            xhi, hi = (hi if xhi else None), (None if xhi else hi)
        step = schema.get("multipleOf")
        value: float = k
        if lo is not None:
            value = max(value, lo)
        if xlo is not None and value <= xlo:
            value = math.floor(xlo) + 1 if integer else xlo + (step or 0.5)
        if hi is not None:
            value = min(value, hi)
        if xhi is not None and value >= xhi:
            value = math.ceil(xhi) - 1 if integer else xhi - (step or 0.5)
        if integer and value != int(value):
            up = math.ceil(value)
            value = up if (hi is None or up <= hi) and (xhi is None or up < xhi) else math.floor(value)
        if step:
            m = math.ceil(value / step) * step
            if hi is not None and m > hi or xhi is not None and m >= xhi:
                m = math.floor(value / step) * step
            value = m
        return int(value) if integer else float(value)


def instance_for_schema(schema: Any, hints: dict[str, Any] | None = None) -> Any:
    """A JSON value valid for `schema`. `hints` may carry {"article": str} for meaningful strings."""
    root = schema if isinstance(schema, dict) else {}
    return _Gen(root, hints or {}).gen(schema, None, 1)


# --------------------------------------------------------------------------- HTTP plumbing


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ScriptedOpenAI/1.0"
    sys_version = ""
    server: "_HTTPServer"

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.owner.verbose:
            super().log_message(format, *args)

    # -- reading
    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        raw = self._read_body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        req = RecordedRequest(
            method=self.command,
            path=urlsplit(self.path).path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            raw=raw,
            started=time.monotonic(),
            client_address=tuple(self.client_address[:2]),
        )
        owner = self.server.owner
        owner._record(req)
        chat = req.is_chat
        if chat:
            owner._enter()
        try:
            reply = owner._dispatch(req)
            self._send(req, reply)
        finally:
            if chat:
                owner._leave()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    # -- writing
    def _send(self, req: RecordedRequest, reply: Reply) -> None:
        stop = self.server.owner._stopping
        if reply.delay > 0 and stop.wait(reply.delay):
            self._abort()
            return
        if reply.hang:
            while not stop.wait(0.05):
                if self._client_gone():
                    break
            self._abort()
            return
        if reply.drop:
            self._abort(reset=True)
            return
        payload = reply.payload()
        if (
            isinstance(req.body, dict)
            and req.body.get("stream") is True
            and req.is_chat
            and reply.status == 200
            and reply.body is None
            and isinstance(reply.json, dict)
            and reply.json.get("object") == "chat.completion"
        ):
            payload = _as_sse(reply.json)
            headers = {"Content-Type": "text/event-stream", **reply.headers}
        else:
            default_ct = "application/json" if reply.body is None else "application/octet-stream"
            headers = {"Content-Type": default_ct, **reply.headers}
        self.send_response(reply.status)
        names = {k.lower() for k in headers}
        for k, v in headers.items():
            if k.lower() not in ("content-length", "connection"):
                self.send_header(k, v)
        if "content-length" in names:  # a test may lie on purpose
            self.send_header("Content-Length", headers[next(k for k in headers if k.lower() == "content-length")])
        else:
            self.send_header("Content-Length", str(len(payload)))
        if reply.drop_mid_body:
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self._abort()
            return
        self.end_headers()
        # stamped before the body goes out: once the client has the answer, `finished` is already set
        req.finished = time.monotonic()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()

    def _client_gone(self) -> bool:
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _abort(self, reset: bool = False) -> None:
        self.close_connection = True
        try:
            if reset:  # RST instead of FIN: "connection reset by peer"
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
            self.connection.close()
        except OSError:
            pass


def _as_sse(obj: dict) -> bytes:
    """A chat.completion rendered as chat.completion.chunk server-sent events."""
    choice = obj["choices"][0]
    base = {"id": obj["id"], "object": "chat.completion.chunk", "created": obj["created"], "model": obj["model"]}
    msg = choice.get("message") or {}
    delta = {"role": "assistant", "content": msg.get("content") or ""}
    events = [
        {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]},
        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": choice.get("finish_reason")}],
         "usage": obj.get("usage")},
    ]
    out = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)
    return out + b"data: [DONE]\n\n"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    owner: "ScriptedServer"

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.owner.verbose:
            super().handle_error(request, client_address)


# --------------------------------------------------------------------------- the server


class ScriptedServer:
    """OpenAI-compatible server on 127.0.0.1 whose answers the test scripts. See module doc."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        responder: Responder | None = None,
        models: list[str] | None = None,
        require_key: str | None = None,
        context_length: int | None = None,
        tokenize_enabled: bool = False,
        verbose: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.responder: Responder = responder or schema_responder
        self.models: list[str] = list(models) if models is not None else ["test-model"]
        self.require_key = require_key
        self.context_length = context_length
        self.tokenize_enabled = tokenize_enabled
        self.verbose = verbose
        # (method, path) -> Reply or callable(request) -> Reply: a server's own endpoints (llama.cpp
        # /props, Ollama /api/show, LM Studio /api/v0/models, LiteLLM /model/info, ...), checked first
        self.routes: dict[tuple[str, str], Scripted] = {}
        self.requests: list[RecordedRequest] = []
        self.max_in_flight = 0
        self.in_flight = 0
        self._queue: list[Scripted] = []
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- URLs
    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/v1"

    # -- scripting
    def script(self, *replies: Scripted) -> None:
        """Queue answers for the next chat-completion requests, in order."""
        with self._lock:
            self._queue.extend(replies)

    @property
    def pending(self) -> int:
        """How many scripted answers are still queued."""
        with self._lock:
            return len(self._queue)

    def chat_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.is_chat]

    def reset(self) -> None:
        """Forget recorded requests, queued answers and max_in_flight (configuration stays)."""
        with self._lock:
            self.requests.clear()
            self._queue.clear()
            self.max_in_flight = 0  # a request still leaving the server must not count for the next test step

    # -- lifecycle
    def start(self) -> "ScriptedServer":
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _HTTPServer((self.host, self.port), _Handler)
        httpd.owner = self
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=f"scripted-server-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()  # wakes hung and delayed handlers
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:  # idle keep-alive connections: unblock their handler threads
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def __enter__(self) -> "ScriptedServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def serve_until_interrupted(self) -> None:
        self.start()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    # -- internals (called from handler threads)
    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def _record(self, req: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(req)

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _authorized(self, req: RecordedRequest) -> bool:
        if self.require_key is None:
            return True
        return req.headers.get("authorization", "") == f"Bearer {self.require_key}"

    def _dispatch(self, req: RecordedRequest) -> Reply:
        path = req.path.rstrip("/") or "/"
        route = self.routes.get((req.method, path))
        if route is not None:
            return route(req) if callable(route) else route
        if path == "/health" and req.method == "GET":
            return Reply(json={"status": "ok"})
        api = path.startswith("/v1/") or path in ("/models", "/chat/completions")
        if api and not self._authorized(req):
            return error(
                401,
                "Incorrect API key provided. You can find your API key in your account settings.",
                code="invalid_api_key",
            )
        if path in ("/v1/models", "/models") and req.method == "GET":
            return Reply(json={"object": "list", "data": [self._model_entry(m) for m in self.models]})
        if path in ("/tokenize", "/v1/tokenize") and req.method == "POST" and self.tokenize_enabled:
            text = req.body.get("content", "") if isinstance(req.body, dict) else ""
            return Reply(json={"tokens": list(range(math.ceil(len(str(text)) / 4)))})
        if req.is_chat:
            return self._chat(req)
        return error(404, f"Not found: {req.method} {req.path}", code="not_found")

    def _model_entry(self, model: str) -> dict:
        entry: dict[str, Any] = {"id": model, "object": "model", "created": 0, "owned_by": "scripted"}
        if self.context_length is not None:
            entry["meta"] = {"n_ctx_train": self.context_length}
        return entry

    def _chat(self, req: RecordedRequest) -> Reply:
        if not isinstance(req.body, dict):
            return error(400, "We could not parse the JSON body of your request.")
        model = req.body.get("model")
        if model is not None and self.models and model not in self.models:
            return error(
                404,
                f"The model `{model}` does not exist or you do not have access to it.",
                code="model_not_found",
            )
        with self._lock:
            entry = self._queue.pop(0) if self._queue else None
        if entry is None:
            entry = self.responder
        return entry(req) if callable(entry) else entry


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a scripted OpenAI-compatible API (default responder).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--model", action="append", dest="models", help="model id to serve (repeatable)")
    parser.add_argument("--require-key", default=None)
    parser.add_argument("--context-length", type=int, default=None)
    parser.add_argument("--tokenize", action="store_true", help="enable POST /tokenize")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    server = ScriptedServer(
        args.host,
        args.port,
        models=args.models,
        require_key=args.require_key,
        context_length=args.context_length,
        tokenize_enabled=args.tokenize,
        verbose=not args.quiet,
    )
    def _interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # also when started in the background (SIGINT ignored there) or stopped with `kill`
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    server.start()
    print(f"serving on {server.base_url} (models: {', '.join(server.models)}); Ctrl-C to stop", flush=True)
    server.serve_until_interrupted()


if __name__ == "__main__":
    main()
