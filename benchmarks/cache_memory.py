"""Response cache memory: RSS and get/set time of `ResponseCache` as it fills, per SQLite setting.

    python benchmarks/cache_memory.py [--entries 10000] [--variants ours,defaults,...]

Each variant runs in a fresh subprocess (so no two share a heap or an SQLite page cache): a
ResponseCache in a temp dir whose diskcache gets the variant's SQLite settings, then for each i a
get(key_i) (a miss, as in a first run) and a set(key_i, entry) with an entry shaped like a real
BriefOutput answer (~1.5 KB of JSON). RSS (VmRSS) is sampled before the cache is opened, after it is
opened, and at 1k, 5k and N entries; then N/10 gets of stored keys (hits, random order) are timed.
"Flat" means RSS grows by less than 10% between the 1k-th entry and the last one, the goal of
`scale.py`. Goal for speed: the cache's get+set stays well inside the client's 2 ms per request.

Variants (`--variants`, comma-separated; default: all):
    ours       summarizer.cache.SQLITE_SETTINGS (what ResponseCache uses)
    defaults   diskcache's defaults: sqlite_cache_size 2**13 pages (32 MB), sqlite_mmap_size 2**26 (64 MB)
    nommap     defaults with sqlite_mmap_size 0
    c1024      sqlite_cache_size 1024 pages (4 MB), no mmap
    c256       sqlite_cache_size 256 pages (1 MB), no mmap
    c64        sqlite_cache_size 64 pages (256 KB), no mmap
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import rss_mb, table, verdict  # noqa: E402

VARIANTS: dict[str, dict[str, int] | None] = {
    "ours": None,  # whatever summarizer.cache.SQLITE_SETTINGS says
    "defaults": {},
    "nommap": {"sqlite_mmap_size": 0},
    "c1024": {"sqlite_cache_size": 2**10, "sqlite_mmap_size": 0},
    "c256": {"sqlite_cache_size": 2**8, "sqlite_mmap_size": 0},
    "c64": {"sqlite_cache_size": 2**6, "sqlite_mmap_size": 0},
}


def make_entry(i: int) -> dict:
    """A cache entry shaped like llm.py's: a BriefOutput value (~1.5 KB of JSON), mode, usage."""
    sentence = (f"Bank Indonesia kept its benchmark rate at 6.00 percent at this month's meeting (article {i}), "
                "Governor Perry Warjiyo said in Jakarta, to keep the rupiah and inflation stable. ")
    value = {
        "source_language": "id",
        "title": f"Bank Indonesia holds its benchmark rate at 6.00 percent ({i})",
        "translation": sentence * 4,
        "summary": [
            f"Bank Indonesia held its benchmark interest rate at 6.00 percent (article {i}).",
            "The decision was announced by Governor Perry Warjiyo in Jakarta.",
            "The aim is to keep the rupiah exchange rate and inflation stable.",
        ],
        "glossary": [
            {"term": "Bank Indonesia (BI)", "source_term": "Bank Indonesia (BI)", "definition": "The central bank of the Republic of Indonesia."},
            {"term": "benchmark interest rate", "source_term": "suku bunga acuan", "definition": "The policy rate the central bank uses to steer lending rates."},
            {"term": "rupiah", "source_term": "rupiah", "definition": "The currency of Indonesia."},
        ],
    }
    return {"value": value, "mode": "json_schema_strict", "usage": {"prompt_tokens": 812, "completion_tokens": 397}, "model_warnings": []}


def child(variant: str, entries: int) -> dict:
    """One variant, in this (fresh) process: fill a ResponseCache, sample RSS and time ops."""
    import hashlib

    import summarizer.cache as cache_mod

    settings = VARIANTS[variant]
    if settings is not None:
        cache_mod.SQLITE_SETTINGS = settings
    marks = sorted({min(1000, entries), min(5000, entries), entries})
    keys = [hashlib.sha256(f"key {i}".encode()).hexdigest() for i in range(entries)]
    rss: dict[str, float] = {"start": rss_mb()}
    with tempfile.TemporaryDirectory() as tmp:
        cache = cache_mod.ResponseCache(Path(tmp))
        con = cache._cache._con
        effective = {p: con.execute(f"PRAGMA {p}").fetchone()[0] for p in ("cache_size", "mmap_size", "page_size")}
        rss["open"] = rss_mb()
        get_s = set_s = 0.0
        for i, key in enumerate(keys):
            t0 = time.perf_counter()
            hit = cache.get(key)
            t1 = time.perf_counter()
            cache.set(key, make_entry(i))
            t2 = time.perf_counter()
            assert hit is None
            get_s += t1 - t0
            set_s += t2 - t1
            if i + 1 in marks:
                rss[str(i + 1)] = rss_mb()
        sample = random.Random(0).sample(keys, max(1, entries // 10))
        t0 = time.perf_counter()
        for key in sample:
            assert cache.get(key) is not None
        hit_s = time.perf_counter() - t0
        rss["after hits"] = rss_mb()
        db_mb = (Path(tmp) / "responses" / "cache.db").stat().st_size / 2**20
        cache.close()
    return {"variant": variant, "settings": settings if settings is not None else cache_mod.SQLITE_SETTINGS,
            "effective": effective, "rss": rss, "marks": marks, "db_mb": db_mb,
            "miss_ms": get_s * 1000 / entries, "set_ms": set_s * 1000 / entries, "hit_ms": hit_s * 1000 / len(sample)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"comma-separated, of: {', '.join(VARIANTS)}")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: run one variant, print JSON
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.entries)))
        return
    names = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in names if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s): {', '.join(unknown)}")
    results = []
    for name in names:
        out = subprocess.run([sys.executable, __file__, "--entries", str(args.entries), "--child", name],
                             capture_output=True, text=True, check=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    rows = []
    for r in results:
        first, last = str(r["marks"][0]), str(r["marks"][-1])
        growth = r["rss"][last] - r["rss"][first]
        eff = r["effective"]
        rows.append([
            r["variant"], f"{eff['cache_size']} pages / {eff['mmap_size'] // 2**20} MB",
            f"{r['rss']['open']:.1f}", *(f"{r['rss'][str(m)]:.1f}" for m in r["marks"]),
            f"{growth:+.1f} ({growth * 1024 / max(int(last) - int(first), 1):.2f} KB/entry)",
            verdict(growth < 0.10 * r["rss"][first]),
            f"{r['miss_ms']:.3f}", f"{r['set_ms']:.3f}", f"{r['hit_ms']:.3f}",
        ])
    marks = results[0]["marks"] if results else []
    print(f"ResponseCache, {args.entries} entries of ~1.5 KB JSON (get miss + set each), one process per variant; "
          f"DB {results[0]['db_mb']:.1f} MB at the end. RSS in MB; ms per op.\n")
    print(table(["variant", "cache_size / mmap", "RSS open", *(f"RSS @{m}" for m in marks), f"growth {marks[0]}->{marks[-1]}",
                 "flat", "get miss ms", "set ms", "get hit ms"], rows))


if __name__ == "__main__":
    main()
