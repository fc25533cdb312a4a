"""Cache: the second run of the same batch makes zero requests; its wall time per article vs the first.

    python benchmarks/cache_rerun.py [--articles 500] [--latency 0.2] [--cap 8]

Benchmark server (own process) with `--latency` per request and `--cap` concurrent. Three runs of
`run_batch` over the same tiny articles, same cache dir, concurrency 8:
1. first run (empty cache): every article is a request;
2. same articles, a NEW output folder: nothing to resume, so every answer must come from the cache;
3. same articles, the SAME output folder as run 1: the manifest skips every article (resume).
Requests are counted by the server. Goal: runs 2 and 3 make 0 requests.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_server import server_stats, start_server  # noqa: E402
from common import make_session, table, verdict, write_tiny_articles  # noqa: E402


async def _batch(base_url: str, folder: Path, out: Path, cache: Path):
    from summarizer.batch import BatchOptions, run_batch

    session = make_session(base_url, cache)
    started = time.perf_counter()
    try:
        report = await run_batch(session, [folder], BatchOptions(out_dir=out, concurrency=8))
    finally:
        await session.aclose()
    return time.perf_counter() - started, report


def measure(articles: int, latency: float, cap: int) -> list[dict]:
    import openai  # noqa: F401

    rows = []
    with tempfile.TemporaryDirectory() as tmp, start_server(latency, cap) as base_url:
        tmp = Path(tmp)
        write_tiny_articles(tmp / "in", articles)
        runs = [("1. first run (empty cache)", tmp / "out1"),
                ("2. same batch, new output folder (answers from the cache)", tmp / "out2"),
                ("3. same batch, same output folder (manifest resume)", tmp / "out1")]
        for label, out in runs:
            server_stats(base_url, reset=True)
            elapsed, report = asyncio.run(_batch(base_url, tmp / "in", out, tmp / "cache"))
            requests = server_stats(base_url)["requests"]
            rows.append({"label": label, "wall": elapsed, "per_article_ms": elapsed / articles * 1000, "requests": requests,
                         "done": report.done, "skipped": report.skipped, "cache_hits": report.cache_hits})
    return rows


def report_table(rows: list[dict], articles: int, latency: float, cap: int) -> str:
    first = rows[0]["wall"]
    out = [[r["label"], r["requests"], r["done"], r["skipped"], r["cache_hits"], f"{r['wall']:.2f}", f"{r['per_article_ms']:.2f}",
            f"{r['wall'] / first:.1%}", "" if i == 0 else verdict(r["requests"] == 0) + " (goal: 0 requests)"]
           for i, r in enumerate(rows)]
    return (f"{articles} tiny articles, server latency {latency * 1000:.0f} ms, cap {cap}, concurrency 8\n\n"
            + table(["run", "requests", "done", "skipped", "cache hits", "wall s", "ms / article", "of first run", "verdict"], out))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--cap", type=int, default=8)
    args = parser.parse_args()
    print(report_table(measure(args.articles, args.latency, args.cap), args.articles, args.latency, args.cap))


if __name__ == "__main__":
    main()
