"""Scale: RSS and wall time for 10,000 small articles through `run_batch`, and chunking MB/s on 10 MB.

    python benchmarks/scale.py [--articles 10000] [--concurrency 8] [--mb 10]

An instantly-answering benchmark server (own process, no cap). RSS (VmRSS of this process) is
sampled from the progress callback after the 1st, 1k-th, 5k-th and last finished article (points
scale down with --articles). Memory is "flat" when RSS grows by less than 5% and by less than
1 KB per article between the 1k-th and the last article (10% of a ~200 MB process would hide a
2 KB-per-article leak at 10k articles). Expected growth that is not a leak: the ids and output names a run keeps to skip duplicates and give
every article its own file (~0.3 KB per article). The response cache's SQLite page cache is capped
(summarizer/cache.py, SQLITE_SETTINGS; diskcache's defaults added ~2 KB per article up to 96 MB) and
the manifest lines this run writes are not kept in memory. Chunking throughput: benchmarks/chunking_throughput.py
(10 MB of seed text, budget 1000 tokens), run as is.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_server import start_server  # noqa: E402
from common import make_session, rss_mb, table, verdict, write_tiny_articles  # noqa: E402


async def _batch(base_url: str, folder: Path, out: Path, cache: Path, concurrency: int, marks: set[int]):
    from summarizer.batch import BatchOptions, run_batch

    samples: list[tuple[int, float, float]] = []  # (finished, seconds since start, RSS MB)
    started = time.perf_counter()

    def progress(event) -> None:
        if event.kind == "finished" and event.done in marks:
            samples.append((event.done, time.perf_counter() - started, rss_mb()))

    session = make_session(base_url, cache)
    samples.append((0, 0.0, rss_mb()))
    try:
        report = await run_batch(session, [folder], BatchOptions(out_dir=out, concurrency=concurrency), progress=progress)
    finally:
        await session.aclose()
    return time.perf_counter() - started, report, samples


def measure_batch(articles: int, concurrency: int) -> dict:
    import openai  # noqa: F401

    marks = {1, min(1000, articles), min(5000, articles), articles}
    with tempfile.TemporaryDirectory() as tmp, start_server(0.0, 0) as base_url:
        tmp = Path(tmp)
        write_tiny_articles(tmp / "in", articles)
        elapsed, report, samples = asyncio.run(_batch(base_url, tmp / "in", tmp / "out", tmp / "cache", concurrency, marks))
    assert report.done == articles, report.failures[:3]
    return {"articles": articles, "wall": elapsed, "samples": samples, "requests": report.requests}


def measure_chunking(mb: float) -> list[str]:
    script = Path(__file__).resolve().parent / "chunking_throughput.py"
    out = subprocess.run([sys.executable, str(script), "--mb", str(mb)], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line.strip()]


def report_table(m: dict, chunking: list[str], concurrency: int) -> str:
    samples = m["samples"]
    rows = [[done, f"{t:.1f}", f"{rss:.1f}"] for done, t, rss in samples]
    first_k = next((s for s in samples if s[0] >= min(1000, m["articles"])), samples[1])
    last = samples[-1]
    growth = last[2] - first_k[2]
    per_article_kb = growth * 1024 / max(last[0] - first_k[0], 1)
    flat = growth < 0.05 * first_k[2] and per_article_kb < 1.0
    head = (f"{m['articles']} tiny articles through run_batch, concurrency {concurrency}, instant server (no cap), cache on: "
            f"wall {m['wall']:.1f} s = {m['articles'] / m['wall']:.0f} articles/s ({m['requests']} requests). "
            f"RSS growth from article {first_k[0]} to {last[0]}: {growth:+.1f} MB ({per_article_kb:.1f} KB per article): "
            f"{verdict(flat)} (goal: flat, < 5% of the RSS at article {first_k[0]} and < 1 KB per article)")
    chunk_rows = []
    for line in chunking:
        found = re.search(r"^(.*?): ([\d.]+) MB, .*?chunking ([\d.]+) MB/s", line)
        if found:
            chunk_rows.append([found.group(1), found.group(2), found.group(3)])
    return (head + "\n\n" + table(["finished articles", "seconds", "RSS MB"], rows)
            + "\n\nchunking throughput (benchmarks/chunking_throughput.py, budget 1000 tokens, cl100k offline)\n\n"
            + table(["text", "MB", "chunking MB/s"], chunk_rows))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--mb", type=float, default=10.0)
    args = parser.parse_args()
    m = measure_batch(args.articles, args.concurrency)
    print(report_table(m, measure_chunking(args.mb), args.concurrency))


if __name__ == "__main__":
    main()
