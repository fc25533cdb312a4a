"""What `--engine ray` costs on one machine: the local engine against Ray with 2 actors, in one run.

    python benchmarks/ray_overhead.py [--articles 500] [--latency 0.2] [--cap 8] [--concurrency 8] [--actors 2]

One benchmark server (own process, `bench_server.py`): every request takes `--latency` s, at most
`--cap` at once, so the best any client does is cap/latency articles/s. Both engines run the same
folder of tiny articles with the same --concurrency (Ray's split among its actors), each with its
own fresh cache, writing outputs, manifest, results.jsonl and report.json:
- local: `run_batch` in this process;
- ray: `run_ray_batch` on a local Ray started here (`ray.init(num_cpus=2)`; the start is timed on
  its own line, not inside the run: a cluster is started once for many runs).
Ray is not expected to win on one machine; the overhead per article tells users what it costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_server import server_stats, start_server  # noqa: E402
from common import make_session, table, write_tiny_articles  # noqa: E402


def run_local(base_url: str, folder: Path, out: Path, cache: Path, concurrency: int):
    from summarizer.batch import BatchOptions, run_batch

    async def main():
        session = make_session(base_url, cache)
        try:
            return await run_batch(session, [folder], BatchOptions(out_dir=out, concurrency=concurrency))
        finally:
            await session.aclose()

    started = time.perf_counter()
    report = asyncio.run(main())
    return time.perf_counter() - started, report


def run_ray(base_url: str, folder: Path, out: Path, cache: Path, concurrency: int, actors: int):
    from summarizer.batch import BatchOptions
    from summarizer.batch.ray import run_ray_batch

    session = make_session(base_url, cache)
    started = time.perf_counter()
    try:
        report = run_ray_batch(session, [folder], BatchOptions(out_dir=out, concurrency=concurrency), actors=actors)
    finally:
        session.close()
    return time.perf_counter() - started, report


def measure(articles: int, latency: float, cap: int, concurrency: int, actors: int) -> dict:
    import ray

    from summarizer.batch.ray import connect

    with tempfile.TemporaryDirectory() as tmp, start_server(latency, cap) as base_url:
        tmp = Path(tmp)
        write_tiny_articles(tmp / "in", articles)
        local_seconds, local = run_local(base_url, tmp / "in", tmp / "out-local", tmp / "cache-local", concurrency)
        local_requests = server_stats(base_url)["requests"]
        server_stats(base_url, reset=True)
        started = time.perf_counter()
        ray.init(num_cpus=2, logging_level="ERROR", include_dashboard=False)
        connect(ray, None)  # the engine's own settings (quiet Ray Data) on the Ray just started
        ray_start = time.perf_counter() - started
        try:
            ray_seconds, on_ray = run_ray(base_url, tmp / "in", tmp / "out-ray", tmp / "cache-ray", concurrency, actors)
            stats = server_stats(base_url)
        finally:
            ray.shutdown()
    for report in (local, on_ray):
        assert report.done == articles and report.failed == 0, report.failures[:3]
    return {"articles": articles, "latency": latency, "cap": cap, "concurrency": concurrency, "actors": actors,
            "ideal": cap / latency, "local_seconds": local_seconds, "ray_seconds": ray_seconds, "ray_start_seconds": ray_start,
            "local_requests": local_requests, "ray_requests": stats["requests"], "ray_max_in_flight": stats["max_in_flight"],
            "overhead_ms_per_article": (ray_seconds - local_seconds) / articles * 1000}


def report_table(m: dict) -> str:
    n = m["articles"]
    rows = [
        ["ideal (cap / latency)", "-", f"{m['ideal']:.1f}", ""],
        ["local engine", f"{m['local_seconds']:.1f}", f"{n / m['local_seconds']:.1f}", f"{m['local_requests']} requests"],
        [f"ray, {m['actors']} actors", f"{m['ray_seconds']:.1f}", f"{n / m['ray_seconds']:.1f}",
         f"{m['ray_requests']} requests, at most {m['ray_max_in_flight']} in flight; "
         f"overhead {m['overhead_ms_per_article']:.1f} ms per article; Ray start {m['ray_start_seconds']:.1f} s (not in the run)"],
    ]
    head = (f"{n} tiny articles, server latency {m['latency'] * 1000:.0f} ms, cap {m['cap']}, --concurrency {m['concurrency']} "
            f"(ray: {m['concurrency'] // m['actors']} per actor). Seconds = the whole run, from the call to report.json.")
    return head + "\n\n" + table(["engine", "seconds", "articles/s", "notes"], rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--cap", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--actors", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the raw numbers as JSON too")
    args = parser.parse_args()
    m = measure(args.articles, args.latency, args.cap, args.concurrency, args.actors)
    print(report_table(m))
    if args.json:
        print(json.dumps(m))


if __name__ == "__main__":
    main()
