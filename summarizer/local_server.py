"""An embedded llama.cpp HTTP server (through the `xllamacpp` binary wheel), in a child process.

    with LocalServer(Path("model.gguf"), ctx=2048) as srv:
        client = OpenAI(base_url=srv.base_url, api_key="sk-no-key")
        client.chat.completions.create(model=srv.model, messages=[...])

`xllamacpp.Server(params)` starts llama.cpp's own server (the same C++ code as `llama-server`): the
constructor loads the model, binds the port and returns; the HTTP server and the decoding loop run
in native threads. We run it in a child process (`python -m summarizer.local_server`) because its
destructor can deadlock; `stop()` signals the child, which exits at once and frees the port. Port 0
lets the server bind any free port (no race with a probe socket); the child announces the real
address (`listening_address`) on its stdout.

Served: `/v1/chat/completions` (response_format json_schema and json_object), `/v1/models`
(`data[].meta.n_ctx` and `meta.n_ctx_train`), `/props` (`default_generation_settings.n_ctx`, per
slot), `POST /tokenize` (no /v1 prefix), `/health`.

llama.cpp logs to stderr from its own threads; `verbosity` is its global threshold (0/1 errors
only, 2 adds warnings, 3 adds info, 4 debug). The default, 1, keeps a test run quiet.
"""

from __future__ import annotations

import importlib.util
import json
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import ModuleType, TracebackType

from .errors import ConfigError, InputError

GGUF_MAGIC = b"GGUF"
_INSTALL_HINT = "pip install 'summarizer[local]'"


def require_xllamacpp() -> ModuleType:
    """Import and return `xllamacpp`, or say how to install it."""
    try:
        import xllamacpp
    except ImportError as exc:
        raise ConfigError(
            "the embedded llama.cpp server needs the 'local' extra", hint=_INSTALL_HINT
        ) from exc
    return xllamacpp


def check_gguf(path: str | Path) -> None:
    """Raise InputError unless `path` is a readable file that starts with the GGUF magic."""
    p = Path(path)
    hint = "pass the path of a .gguf model file (llama.cpp format)"
    if not p.is_file():
        what = "a directory" if p.is_dir() else "no such file"
        raise InputError(p, f"not a GGUF model file ({what})", hint=hint)
    try:
        with p.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise InputError(p, f"not a GGUF model file (cannot read it: {exc.strerror or exc})", hint=hint) from exc
    if magic != GGUF_MAGIC:
        raise InputError(p, f"not a GGUF model file (starts with {magic!r}, expected {GGUF_MAGIC!r})", hint=hint)


class LocalServer:
    """llama.cpp's HTTP server for one GGUF model, running inside this process."""

    def __init__(
        self,
        gguf_path: str | Path,
        *,
        port: int = 0,
        ctx: int = 2048,
        parallel: int = 1,
        host: str = "127.0.0.1",
        use_jinja: bool | None = None,
        model_alias: str | None = None,
        verbosity: int = 1,
        n_threads: int | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        if not 0 <= port <= 65535:
            raise ConfigError(f"port {port} is out of range", hint="use 1-65535, or 0 for any free port")
        if ctx < 0:
            raise ConfigError(f"context size {ctx} is negative", hint="use 0 for the model's own size")
        if parallel < 1:
            raise ConfigError(f"parallel {parallel} must be at least 1")
        self.gguf_path = Path(gguf_path)
        self.port = port
        self.ctx = ctx
        self.parallel = parallel
        self.host = host
        self.use_jinja = use_jinja  # None: llama.cpp's default (jinja on)
        self.model = model_alias or self.gguf_path.stem
        self.verbosity = verbosity
        self.n_threads = n_threads
        self.startup_timeout = startup_timeout
        self.root_url: str = ""  # "http://127.0.0.1:PORT", set by start()
        self.base_url: str = ""  # root_url + "/v1"
        self.start_seconds: float | None = None
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> "LocalServer":
        """Load the model, bind the port and wait until `/health` answers ok.

        llama.cpp runs in a child process (`python -m summarizer.local_server`), not in ours:
        xllamacpp's destructor can deadlock joining its threads (seen here in about 1 of 20 quick
        start/stop cycles), and a child can always be stopped with a signal, freeing the port."""
        with self._lock:
            if self._process is not None:
                return self
            check_gguf(self.gguf_path)
            if importlib.util.find_spec("xllamacpp") is None:
                require_xllamacpp()  # raises the install hint
            t0 = time.perf_counter()
            command = [
                sys.executable, "-m", "summarizer.local_server", "--gguf", str(self.gguf_path),
                "--host", self.host, "--port", str(self.port), "--ctx", str(self.ctx),
                "--parallel", str(self.parallel), "--alias", self.model, "--verbosity", str(self.verbosity),
            ]
            if self.use_jinja is not None:
                command += ["--jinja" if self.use_jinja else "--no-jinja"]
            if self.n_threads:
                command += ["--threads", str(self.n_threads)]
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            self._process = process
            try:
                announcement = _read_line(process, t0 + self.startup_timeout)
                if not announcement or "root_url" not in announcement:
                    reason = (announcement or {}).get("error") or f"exited with code {process.poll()}"
                    where = f"{self.host}:{self.port}" if self.port else self.host
                    raise ConfigError(
                        f"the embedded llama.cpp server did not start on {where} with {self.gguf_path.name}: {reason}",
                        hint="is the port in use or the model unsupported? raise verbosity to 3 for llama.cpp's log",
                    )
                root = announcement["root_url"]
                self.root_url = root
                self.base_url = root + "/v1"
                self.port = int(root.rsplit(":", 1)[1])
                self._wait_healthy(t0 + self.startup_timeout)
            except BaseException:
                self._drop()
                raise
            self.start_seconds = time.perf_counter() - t0
            return self

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        """Stop the server and free its port. Safe to call twice."""
        with self._lock:
            self._drop()

    def __enter__(self) -> "LocalServer":
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = self.base_url if self.running else "stopped"
        return f"LocalServer({self.gguf_path.name!r}, model={self.model!r}, {state})"

    # -- helpers ---------------------------------------------------------------------------------

    def get_json(self, path: str, timeout: float = 10.0) -> dict:
        """GET `root_url + path` and decode the JSON answer (for probes and tests)."""
        with urllib.request.urlopen(self.root_url + path, timeout=timeout) as resp:
            return json.loads(resp.read().decode("utf-8"))

    def post_json(self, path: str, body: dict, timeout: float = 30.0) -> dict:
        req = urllib.request.Request(
            self.root_url + path,
            data=json.dumps(body).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read().decode("utf-8"))

    def _wait_healthy(self, deadline: float) -> None:
        last = "no answer"
        delay = 0.005
        while True:
            try:
                with urllib.request.urlopen(self.root_url + "/health", timeout=2.0) as resp:
                    body = json.loads(resp.read().decode("utf-8") or "{}")
                if resp.status == 200 and body.get("status") == "ok":
                    return
                last = f"HTTP {resp.status} {body}"
            except urllib.error.HTTPError as exc:  # 503 while the model loads
                last = f"HTTP {exc.code}"
            except (urllib.error.URLError, OSError, ValueError) as exc:
                last = str(exc)
            if time.perf_counter() >= deadline:
                raise ConfigError(
                    f"the embedded llama.cpp server at {self.root_url} was not healthy after "
                    f"{self.startup_timeout:g} s (last: {last})",
                    hint="raise startup_timeout for a large model, or verbosity to 3 for llama.cpp's log",
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def _drop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


def _read_line(process: subprocess.Popen, deadline: float) -> dict | None:
    """The child's one-line JSON announcement, or None when it exits or the deadline passes."""
    import select

    while time.perf_counter() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.05)
        if ready:
            line = process.stdout.readline()
            if not line:
                return None
            try:
                return json.loads(line)
            except ValueError:
                continue
        if process.poll() is not None:
            return None
    return None


def _serve_child(argv: list[str] | None = None) -> None:
    """Child process: start llama.cpp's server, announce its address on stdout, serve until the
    parent closes our stdin or signals us, then exit at once (the OS frees the port)."""
    import argparse
    import os

    parser = argparse.ArgumentParser(prog="python -m summarizer.local_server")
    parser.add_argument("--gguf", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ctx", type=int, default=2048)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--alias", required=True)
    parser.add_argument("--verbosity", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0)
    jinja = parser.add_mutually_exclusive_group()
    jinja.add_argument("--jinja", dest="use_jinja", action="store_true", default=None)
    jinja.add_argument("--no-jinja", dest="use_jinja", action="store_false")
    args = parser.parse_args(argv)

    def quit_now(*_: object) -> None:
        os._exit(0)  # no destructors: the deadlock we avoid lives there

    signal.signal(signal.SIGTERM, quit_now)
    signal.signal(signal.SIGINT, quit_now)
    xlc = require_xllamacpp()
    p = xlc.CommonParams()
    p.model.path = args.gguf
    p.n_ctx = args.ctx
    p.n_parallel = args.parallel
    p.hostnames = [args.host]
    p.port = args.port
    p.model_alias = {args.alias}
    p.verbosity = args.verbosity
    if args.use_jinja is not None:
        p.use_jinja = args.use_jinja
    if args.threads:
        p.cpuparams.n_threads = args.threads
        p.cpuparams_batch.n_threads = args.threads
    saved = _save_signal_handlers()
    try:
        server = xlc.Server(p)
    except Exception as exc:  # RuntimeError("Failed to init server, ...")
        print(json.dumps({"error": str(exc)}), flush=True)
        os._exit(1)
    finally:
        _restore_signal_handlers(saved)
    root = str(server.listening_address).rstrip("/")
    if not root.startswith("http"):
        root = "http://" + root
    print(json.dumps({"root_url": root}), flush=True)
    sys.stdin.read()  # returns at EOF: the parent stopped us or died
    os._exit(0)


def _save_signal_handlers() -> list[tuple[int, object]]:
    """Python's SIGINT/SIGTERM handlers: some llama.cpp server builds install their own."""
    if threading.current_thread() is not threading.main_thread():
        return []
    return [(s, signal.getsignal(s)) for s in (signal.SIGINT, signal.SIGTERM)]


def _restore_signal_handlers(saved: list[tuple[int, object]]) -> None:
    for sig, handler in saved:
        if handler is not None:
            try:
                signal.signal(sig, handler)  # type: ignore[arg-type]
            except (ValueError, OSError, TypeError):  # pragma: no cover
                pass


if __name__ == "__main__":
    _serve_child()
