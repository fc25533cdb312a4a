"""ResponseCache keeps SQLite's memory bounded: a small page cache and no mmap, also for old caches.

diskcache's defaults (a 32 MB page cache per connection, a 64 MB mmap) made RSS grow with every
stored answer over a long batch (benchmarks/cache_memory.py has the numbers)."""

from __future__ import annotations

import threading
from pathlib import Path

import diskcache

from summarizer.cache import SQLITE_SETTINGS, ResponseCache

MAX_PAGE_CACHE_BYTES = 4 * 2**20  # diskcache's default is 2**13 pages of 4 KB = 32 MB


def _pragmas(con) -> dict[str, int]:
    return {name: con.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "mmap_size", "page_size")}


def _page_cache_bytes(pragmas: dict[str, int]) -> int:
    size = pragmas["cache_size"]  # positive: pages; negative: KiB
    return size * pragmas["page_size"] if size >= 0 else -size * 1024


def _assert_bounded(pragmas: dict[str, int]) -> None:
    assert 0 < _page_cache_bytes(pragmas) <= MAX_PAGE_CACHE_BYTES, pragmas
    assert pragmas["mmap_size"] == 0, pragmas


def _stored_settings(folder: Path) -> dict[str, int]:
    import sqlite3

    con = sqlite3.connect(folder / "cache.db")
    try:
        return dict(con.execute("SELECT key, value FROM Settings WHERE key LIKE 'sqlite_%'").fetchall())
    finally:
        con.close()


def _pragmas_in_new_thread(cache: ResponseCache) -> dict[str, int]:
    """diskcache opens one connection per thread: a worker thread's must be bounded too."""
    out: dict[str, int] = {}
    thread = threading.Thread(target=lambda: out.update(_pragmas(cache._cache._con)))
    thread.start()
    thread.join()
    return out


def test_settings_are_bounded() -> None:
    assert SQLITE_SETTINGS["sqlite_mmap_size"] == 0
    assert 0 < SQLITE_SETTINGS["sqlite_cache_size"] * 4096 <= MAX_PAGE_CACHE_BYTES


def test_new_cache_uses_bounded_sqlite_memory(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    try:
        _assert_bounded(_pragmas(cache._cache._con))
        _assert_bounded(_pragmas_in_new_thread(cache))
        stored = _stored_settings(tmp_path / "responses")
        assert stored["sqlite_cache_size"] == SQLITE_SETTINGS["sqlite_cache_size"]
        assert stored["sqlite_mmap_size"] == 0
    finally:
        cache.close()


def test_cache_created_with_diskcache_defaults_gets_bounded_settings(tmp_path: Path) -> None:
    folder = tmp_path / "responses"
    old = diskcache.Cache(str(folder))  # as an earlier summarizer version created it
    old.set("k", {"value": {"title": "kept"}, "mode": "json_schema_strict", "usage": {}})
    assert _pragmas(old._con)["cache_size"] == diskcache.DEFAULT_SETTINGS["sqlite_cache_size"]
    old.close()
    assert _stored_settings(folder)["sqlite_cache_size"] == diskcache.DEFAULT_SETTINGS["sqlite_cache_size"]

    cache = ResponseCache(tmp_path)
    try:
        _assert_bounded(_pragmas(cache._cache._con))
        _assert_bounded(_pragmas_in_new_thread(cache))
        stored = _stored_settings(folder)  # persisted, so every later connection applies them
        assert stored["sqlite_cache_size"] == SQLITE_SETTINGS["sqlite_cache_size"]
        assert stored["sqlite_mmap_size"] == 0
        assert cache.get("k") == {"value": {"title": "kept"}, "mode": "json_schema_strict", "usage": {}}
    finally:
        cache.close()

    reopened = diskcache.Cache(str(folder))  # even a plain open (an older version) now reads them
    try:
        _assert_bounded(_pragmas(reopened._con))
    finally:
        reopened.close()


def test_get_set_round_trip(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    try:
        assert cache.get("missing") is None
        entry = {"value": {"summary": ["a", "b", "c"]}, "mode": "json_object", "usage": {"prompt_tokens": 1}}
        cache.set("key", entry)
        assert cache.get("key") == entry
        assert cache.stats()["entries"] == 1
    finally:
        cache.close()


def test_endpoint_memory_sees_what_another_writer_stored_and_survives_a_damaged_file(tmp_path):
    from summarizer.cache import EndpointMemory

    path = tmp_path / "endpoints.json"
    reader, writer = EndpointMemory(path), EndpointMemory(path)
    assert reader.get("http://h/v1", "m") == {}
    writer.update("http://h/v1", "m", structured_mode="json_object")
    assert reader.get("http://h/v1", "m") == {"structured_mode": "json_object"}  # not a stale parse
    writer.update("http://h/v1", "m", context_window=8192)
    assert reader.get("http://h/v1/", "m") == {"structured_mode": "json_object", "context_window": 8192}
    got = reader.get("http://h/v1", "m")
    got["structured_mode"] = "changed by the caller"
    assert reader.get("http://h/v1", "m")["structured_mode"] == "json_object"  # callers get a copy
    path.write_text('{"http://h/v1|m": "not an object"}', encoding="utf-8")
    assert reader.get("http://h/v1", "m") == {}
    reader.update("http://h/v1", "m", structured_mode="prompt")
    assert writer.get("http://h/v1", "m") == {"structured_mode": "prompt"}


def test_endpoint_memory_sees_a_same_size_write_by_another_process(tmp_path):
    # the parsed file is kept between gets: a change by another process (doctor, a parallel run) must
    # still be seen, even one that leaves the file the same size ("json_object" -> "json_schema")
    import subprocess
    import sys

    from summarizer.cache import EndpointMemory

    path = tmp_path / "endpoints.json"
    reader = EndpointMemory(path)
    reader.update("http://h/v1", "m", structured_mode="json_object")
    assert reader.get("http://h/v1", "m") == {"structured_mode": "json_object"}
    size = path.stat().st_size
    write = ("import sys; from pathlib import Path; from summarizer.cache import EndpointMemory; "
             "EndpointMemory(Path(sys.argv[1])).update('http://h/v1', 'm', structured_mode='json_schema')")
    subprocess.run([sys.executable, "-c", write, str(path)], check=True, timeout=60)
    assert path.stat().st_size == size
    assert reader.get("http://h/v1", "m") == {"structured_mode": "json_schema"}
    # and one it has parsed is not read again while its (mtime, size, inode) stay the same: an
    # in-place rewrite with the old mtime put back is, by design, not noticed
    import os

    st = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("json_schema", "json_object"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert reader.get("http://h/v1", "m") == {"structured_mode": "json_schema"}
