"""What the checks cost a batch, and whether the checks worker process wins it back, in one run.

    python benchmarks/checks_worker.py [--articles 96] [--rounds 3] [--latency 0.2] [--concurrency 16] [--tokens 1000]

One benchmark server (own process, `--concurrency` slots, `--latency` s a request). Four sides, in
turn, every round: the bare client (`AsyncOpenAI` + `Semaphore`, as in batch_throughput.py), and
`run_batch` with the checks in the worker process, with the checks in a thread (what a batch below
`runner.POOL_MIN_ARTICLES` articles does), and with the checks off. Prints articles/s (median of the
rounds) and each side's share of the bare client's. Goal (issue 13 item 8): with checks >= 95%.
The machine is shared: compare the columns of one run, not numbers across runs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch_throughput import run_baseline  # noqa: E402
from bench_server import start_server  # noqa: E402
from common import make_session, seed_text, table, write_tiny_articles  # noqa: E402


async def run_ours(base_url: str, folder: Path, out: Path, cache: Path, concurrency: int, checks: bool) -> float:
    from summarizer.batch import BatchOptions, run_batch

    session = make_session(base_url, cache, run_checks=checks)
    started = time.perf_counter()
    try:
        report = await run_batch(session, [folder], BatchOptions(out_dir=out, concurrency=concurrency))
    finally:
        await session.aclose()
    assert report.failed == 0, report.failures[:3]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=96)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--tokens", type=int, default=1000)
    args = parser.parse_args()
    import openai  # noqa: F401  (imports outside the timed part)

    import summarizer.batch.runner as runner

    sides = ("bare AsyncOpenAI + Semaphore", "run_batch, checks in the worker process", "run_batch, checks in a thread", "run_batch, checks off")
    seconds: dict[str, list[float]] = {side: [] for side in sides}
    default_min = runner.POOL_MIN_ARTICLES
    with tempfile.TemporaryDirectory() as tmp, start_server(args.latency, args.concurrency) as base_url:
        tmp = Path(tmp)
        paths = write_tiny_articles(tmp / "in", args.articles, seed_text(args.tokens))
        for r in range(args.rounds):
            for k, side in enumerate(sides):
                if k == 0:
                    seconds[side].append(asyncio.run(run_baseline(base_url, paths, args.concurrency))[0])
                    continue
                runner.POOL_MIN_ARTICLES = 0 if k == 1 else 10**9  # worker / thread, whatever the batch's size
                try:
                    seconds[side].append(asyncio.run(run_ours(base_url, tmp / "in", tmp / f"o{r}-{k}", tmp / f"c{r}-{k}", args.concurrency, checks=k != 3)))
                finally:
                    runner.POOL_MIN_ARTICLES = default_min
    bare = statistics.median(seconds[sides[0]])
    rows = [[side, f"{args.articles / statistics.median(s):.1f}", " ".join(f"{args.articles / x:.1f}" for x in s), f"{bare / statistics.median(s):.0%}"]
            for side, s in seconds.items()]
    print(f"{args.articles} articles of ~{args.tokens} tokens, {args.concurrency} in flight, server latency {args.latency * 1000:.0f} ms, "
          f"{args.rounds} rounds (the worker side starts its process in each run: ~0.5 s of CPU)")
    print(table(["side", "articles/s (median)", "each round", "of the bare client"], rows))


if __name__ == "__main__":
    main()
