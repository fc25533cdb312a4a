"""The on-disk response cache and the per-endpoint memory (what structured mode worked, context size).

Cache keys hash everything that changes an answer: endpoint URL, model, template version, request
parameters, output schema and the exact messages. Never the API key: two keys for the same
endpoint give the same answers, and a key must never reach the disk.
Only validated answers are stored, so a hit never needs a repair.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from summarizer.outputs import write_atomic

CACHE_FORMAT = 1  # bump when the stored value's shape changes

# SQLite memory of the response cache. diskcache's defaults are a 2**13-page (32 MB) page cache per
# connection and a 64 MB mmap of cache.db; both fill as the DB grows (~2 KB per stored answer), so a
# long batch's RSS grew with every article. benchmarks/cache_memory.py, 10,000 answers of ~1.5 KB
# (20 MB DB), RSS from the 1,000th to the 10,000th set: defaults +28.9 MB, defaults without mmap
# +20.4 MB, 1,024 pages +2.1 MB, 256 pages +0.0 MB (50,000 answers: defaults +61.7 MB, 256 pages
# +0.0 MB); get miss / set / get hit stayed at ~0.01 / ~0.10 / ~0.015 ms for all of them (the OS
# file cache serves what SQLite's own cache no longer holds). 64 pages began to cost set time.
# diskcache persists constructor settings in the DB's Settings table (overriding stored ones) and
# every new connection applies them, so caches created with the defaults get these values too.
SQLITE_SETTINGS: dict[str, int] = {"sqlite_cache_size": 2**8, "sqlite_mmap_size": 0}  # 1 MB of pages, no mmap


def cache_key(
    *,
    base_url: str,
    model: str,
    template_version: str,
    parameters: dict[str, Any],
    schema: dict[str, Any],
    messages: list[dict[str, str]],
) -> str:
    payload = {
        "format": CACHE_FORMAT,
        "base_url": base_url.rstrip("/"),
        "model": model,
        "template_version": template_version,
        "parameters": parameters,
        "schema": schema,
        "messages": messages,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def folder_bytes(folder: Path) -> int:
    """Bytes of the files under `folder` (0 when it does not exist)."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) if folder.is_dir() else 0


class ResponseCache:
    """A diskcache.Cache of validated answers: key -> {"value": json, "usage": {...}, "mode": str}."""

    def __init__(self, directory: Path) -> None:
        import diskcache

        self.directory = Path(directory)
        import sqlite3

        folder = self.directory / "responses"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            try:
                self._cache = diskcache.Cache(str(folder), **SQLITE_SETTINGS)
            except sqlite3.DatabaseError:
                # a corrupt or truncated cache.db: set it aside and start empty (a cache is only an
                # optimisation; a broken one must cost requests, never the run)
                import time

                folder.rename(folder.with_name(f"responses.corrupt-{int(time.time())}"))
                self._cache = diskcache.Cache(str(folder), **SQLITE_SETTINGS)
        except OSError as exc:
            from summarizer.errors import ConfigError

            raise ConfigError(f"cannot use cache folder {self.directory}: {exc.strerror}", hint="pass --cache-dir DIR or --no-cache") from exc

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            value = self._cache.get(key)
        except Exception:  # a corrupt entry is a miss, never a crash
            return None
        return value if isinstance(value, dict) and "value" in value else None

    def set(self, key: str, entry: dict[str, Any]) -> None:
        import sqlite3

        try:
            self._cache.set(key, entry)
        except (sqlite3.Error, OSError):
            pass  # a damaged or locked cache loses this entry, never the answer

    def stats(self) -> dict[str, Any]:
        """The answers' folder only (the language model copy may share the cache folder: `folder_bytes`)."""
        size = folder_bytes(Path(self._cache.directory))
        return {"directory": str(self.directory), "entries": len(self._cache), "bytes": size}

    def clear(self) -> int:
        return self._cache.clear()

    def close(self) -> None:
        self._cache.close()


class EndpointMemory:
    """What we learned per endpoint+model (structured mode that works, context window).

    A small JSON file beside the cache, so `doctor` and later runs share it."""

    _lock = threading.Lock()

    def __init__(self, path: Path | None) -> None:
        self.path = path
        # the parsed file and the (mtime, size, inode) it was parsed at: asked three times per
        # article, the file is re-read only when another process (doctor, a parallel run) changed it
        self._parsed: tuple[tuple[int, int, int], dict[str, Any]] | None = None

    @staticmethod
    def _key(base_url: str, model: str) -> str:
        return f"{base_url.rstrip('/')}|{model}"

    def _load(self) -> dict[str, Any]:
        """The file's content; callers must not modify it (see update)."""
        if not self.path:
            return {}
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
            if self._parsed is not None and self._parsed[0] == stamp:
                return self._parsed[1]
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        data = data if isinstance(data, dict) else {}
        self._parsed = (stamp, data)
        return data

    def get(self, base_url: str, model: str) -> dict[str, Any]:
        entry = self._load().get(self._key(base_url, model))
        return dict(entry) if isinstance(entry, dict) else {}

    def update(self, base_url: str, model: str, **facts: Any) -> None:
        if not self.path:
            return
        with self._lock:
            key = self._key(base_url, model)
            known = self._load()
            current = known.get(key) if isinstance(known.get(key), dict) else {}
            if all(current.get(name) == value for name, value in facts.items()):
                return  # nothing new: no write (this runs after every answer)
            data = {k: dict(v) if isinstance(v, dict) else v for k, v in known.items()}  # the parsed copy stays as read
            entry = data[key] if isinstance(data.get(key), dict) else {}
            entry.update(facts)
            data[key] = entry
            try:
                write_atomic(self.path, json.dumps(data, indent=2, sort_keys=True))
            except OSError:
                pass  # memory is an optimisation; never fail a run over it
