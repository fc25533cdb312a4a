"""A small, fast OpenAI-compatible server for benchmarks: raw asyncio HTTP/1.1 (keep-alive), one process.

    python benchmarks/bench_server.py --latency 0.2 --cap 8      # prints "PORT <n>" and serves until killed

`POST .../chat/completions` waits `--latency` seconds while holding one of `--cap` slots (requests
beyond the cap queue server-side, like a real inference server with N parallel slots), then answers
with a JSON instance valid for the schema the request asked for (`tests/scripted_server.py`'s
generator, memoised per schema; the `translation` field echoes the article). `GET /stats` returns
{"requests", "max_in_flight", "arrivals"} (`arrivals`: the `time.monotonic()` at which each chat request
arrived, in order: the machine's one monotonic clock, so a client process can compare it with its own); `POST /reset` zeroes them. With `--latency 0` and `--cap 0` it
answers instantly with no cap.

Run it in its own process (see `start_server`), so its CPU never competes with the client's GIL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

_ARTICLE = re.compile(r"<article>(.*?)</article>", re.S)


class Stats:
    requests = 0
    in_flight = 0
    max_in_flight = 0
    arrivals: list[float] = []


def _answer(body: dict, memo: dict, translation: str | None = None) -> bytes:
    from scripted_server import _requested_schema, instance_for_schema

    fmt = body.get("response_format")
    memo_key = json.dumps(fmt, sort_keys=True) if isinstance(fmt, dict) and fmt.get("type") == "json_schema" else None
    article = None
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            found = _ARTICLE.search(str(message.get("content") or ""))
            article = found.group(1).strip() if found else None
            break
    if memo_key is not None and memo_key in memo:
        instance = dict(memo[memo_key])
    else:
        schema = _requested_schema(body)
        instance = instance_for_schema(schema, {}) if schema is not None else {}
        if memo_key is not None:
            memo[memo_key] = dict(instance)
    if "translation" in instance and article is not None:
        # a fixed real translation (--translation), else the article echoed: the checks then read
        # Indonesian as the "translation", about twice the work they do on real English
        instance["translation"] = translation if translation is not None else "[EN] " + article
    content = json.dumps(instance, ensure_ascii=False)
    prompt_chars = sum(len(str(m.get("content") or "")) for m in body.get("messages") or [] if isinstance(m, dict))
    reply = {
        "id": f"chatcmpl-bench-{Stats.requests}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(body.get("model") or "bench-model"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": max(1, prompt_chars // 4), "completion_tokens": max(1, len(content) // 4),
                  "total_tokens": max(1, prompt_chars // 4) + max(1, len(content) // 4)},
    }
    return json.dumps(reply, ensure_ascii=False).encode("utf-8")


def _response(status: int, payload: bytes) -> bytes:
    reason = {200: "OK", 404: "Not Found", 400: "Bad Request"}.get(status, "OK")
    head = f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: keep-alive\r\n\r\n"
    return head.encode("ascii") + payload


async def serve(host: str, port: int, latency: float, cap: int, translation: str | None = None) -> None:
    slots = asyncio.Semaphore(cap) if cap > 0 else None
    memo: dict = {}

    async def chat(body: dict) -> bytes:
        Stats.requests += 1
        Stats.arrivals.append(time.monotonic())
        if slots is not None:
            await slots.acquire()
        Stats.in_flight += 1
        Stats.max_in_flight = max(Stats.max_in_flight, Stats.in_flight)
        try:
            if latency > 0:
                await asyncio.sleep(latency)
            return _response(200, _answer(body, memo, translation))
        finally:
            Stats.in_flight -= 1
            if slots is not None:
                slots.release()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                length = 0
                for line in lines[1:]:
                    if line[:15].lower() == "content-length:":
                        length = int(line[15:].strip())
                raw = await reader.readexactly(length) if length else b""
                if method == "POST" and path.rstrip("/").endswith("/chat/completions"):
                    out = await chat(json.loads(raw))
                elif path == "/stats":
                    out = _response(200, json.dumps({"requests": Stats.requests, "max_in_flight": Stats.max_in_flight,
                                                  "arrivals": Stats.arrivals}).encode())
                elif path == "/reset":
                    Stats.requests = Stats.max_in_flight = 0
                    Stats.arrivals = []
                    out = _response(200, b"{}")
                elif path.rstrip("/").endswith("/models"):
                    out = _response(200, b'{"object":"list","data":[{"id":"bench-model","object":"model","created":0,"owned_by":"bench"}]}')
                else:
                    out = _response(404, b'{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}')
                writer.write(out)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host, port, backlog=1024)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


@contextmanager
def start_server(latency: float = 0.0, cap: int = 0, translation: Path | None = None) -> Iterator[str]:
    """Run the server in a child process; yield its base URL (".../v1"); stop it (by its pid) after."""
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--latency", str(latency), "--cap", str(cap),
         *(["--translation", str(translation)] if translation is not None else [])],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


def server_stats(base_url: str, reset: bool = False) -> dict:
    import urllib.request

    root = base_url.rsplit("/v1", 1)[0]
    with urllib.request.urlopen(urllib.request.Request(root + ("/reset" if reset else "/stats"), method="POST" if reset else "GET", data=b"" if reset else None)) as r:
        return json.loads(r.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per request (0: instant)")
    parser.add_argument("--cap", type=int, default=8, help="concurrent requests served; extra ones queue (0: no cap)")
    parser.add_argument("--translation", type=Path, help="answer this file's text as every translation (instead of the article echoed)")
    args = parser.parse_args()
    translation = args.translation.read_text(encoding="utf-8") if args.translation else None
    try:
        asyncio.run(serve(args.host, args.port, args.latency, args.cap, translation))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
