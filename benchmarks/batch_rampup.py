"""How fast a short batch gets going: 20 articles at 16 in flight against a 200 ms server, ours vs a bare client.

    python benchmarks/batch_rampup.py [--articles 20] [--concurrency 16] [--latency 0.2] [--tokens 1000] [--rounds 3]

One benchmark server (own process, `--concurrency` slots, so nothing queues server-side) records when
each request arrives, on the machine's one monotonic clock. In the same run, in alternating rounds:
- baseline: `AsyncOpenAI` + `asyncio.Semaphore`, one json_schema request per article (nothing else);
- ours: `run_batch` over the same folder (a fresh Session, cache, outputs, manifest and checks).
Both are timed from the call (ours: from creating the Session) to the last article done. Reported:
wall time, call -> first request at the server (start-up), and the spread of the requests at the
server (first -> last arrival; with 16 slots and 20 articles the last 4 can only leave when the first
answers come back, so ~latency is the floor). Ratios ours/baseline are of one run: medians of the
rounds, and apart the first round (the first run in the process pays the one-time loads: the
tokenizer, language identifier, lexicons; the SDK is imported before timing, for both sides).
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
from bench_server import server_stats, start_server  # noqa: E402
from common import make_session, seed_text, table, verdict, write_tiny_articles  # noqa: E402

GOAL_SPREAD_RATIO = 1.5  # ours' requests spread at the server at most 1.5x the bare client's (its spread is the floor)


async def run_ours_from_scratch(base_url: str, folder: Path, out: Path, cache: Path, concurrency: int) -> dict[str, float]:
    """Like a CLI run: the Session is made inside the timed part (client creation is start-up too).
    Returns when the run's set-up ended (its "start" event: folder, settings, warm-ups) and the first
    article was done, on the monotonic clock."""
    from summarizer.batch import BatchOptions, run_batch

    marks: dict[str, float] = {}

    def progress(event) -> None:
        if event.kind in ("start", "finished"):
            marks.setdefault(event.kind, time.monotonic())

    session = make_session(base_url, cache)
    try:
        report = await run_batch(session, [folder], BatchOptions(out_dir=out, concurrency=concurrency), progress=progress)
    finally:
        await session.aclose()
    assert report.failed == 0, report.failures[:3]
    return marks


def one_side(side: str, base_url: str, tmp: Path, paths: list[Path], concurrency: int, round_no: int) -> dict:
    server_stats(base_url, reset=True)
    started = time.monotonic()
    marks: dict[str, float] = {}
    if side == "base":
        asyncio.run(run_baseline(base_url, paths, concurrency))
    else:
        marks = asyncio.run(run_ours_from_scratch(base_url, tmp / "in", tmp / f"out{round_no}", tmp / f"cache{round_no}", concurrency))
    ended = time.monotonic()
    arrivals = server_stats(base_url)["arrivals"]
    return {"wall": ended - started, "first": arrivals[0] - started, "spread": arrivals[-1] - arrivals[0],
            "spread_first_slots": arrivals[min(concurrency, len(arrivals)) - 1] - arrivals[0], "requests": len(arrivals),
            # ours only: the set-up (Session, folder, warm-ups) and the first answer's article done
            "setup": marks.get("start", started) - started, "first_done": marks.get("finished", started) - arrivals[0] if marks else 0.0}


def measure(articles: int, concurrency: int, latency: float, tokens: int, rounds: int) -> dict[str, list[dict]]:
    import openai  # noqa: F401  (imports outside the timed part, for both sides)

    import summarizer.batch  # noqa: F401

    runs: dict[str, list[dict]] = {"base": [], "ours": []}
    with tempfile.TemporaryDirectory() as tmp, start_server(latency, concurrency) as base_url:
        tmp = Path(tmp)
        paths = write_tiny_articles(tmp / "in", articles, seed_text(tokens) if tokens else None)
        for r in range(rounds):
            for side in (("base", "ours") if r % 2 == 0 else ("ours", "base")):
                runs[side].append(one_side(side, base_url, tmp, paths, concurrency, r))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--tokens", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs = measure(args.articles, args.concurrency, args.latency, args.tokens, args.rounds)

    def med(side: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[side])

    rows = []
    for key, label in (("wall", "first round: wall time"), ("first", "first round: call -> first request"),
                       ("spread", f"first round: spread of all {args.articles} requests")):
        base, ours = runs["base"][0][key], runs["ours"][0][key]
        rows.append([label, f"{base:.3f} s", f"{ours:.3f} s", f"{ours / base:.2f}x" if base > 0 else "-"])
    for key, label in (("wall", "median: wall time, call -> last article"), ("first", "median: call -> first request at the server"),
                       ("spread_first_slots", f"median: spread of the first {args.concurrency} requests"),
                       ("spread", f"median: spread of all {args.articles} requests")):
        base, ours = med("base", key), med("ours", key)
        rows.append([label, f"{base:.3f} s", f"{ours:.3f} s", f"{ours / base:.2f}x" if base > 0 else "-"])
    rows.append(["median, ours: call -> set-up done (Session, folder, warm-ups)", "-", f"{med('ours', 'setup'):.3f} s", "-"])
    rows.append(["median, ours: first request -> first article done (answer + checks + write)", "-", f"{med('ours', 'first_done'):.3f} s", "-"])
    print(f"{args.articles} articles of ~{args.tokens} tokens, {args.concurrency} in flight, server latency "
          f"{args.latency * 1000:.0f} ms; medians of {args.rounds} alternating rounds; ours sent "
          f"{runs['ours'][0]['requests']} requests, the baseline {runs['base'][0]['requests']}")
    print(table(["what", "baseline (AsyncOpenAI + Semaphore)", "ours (run_batch)", "ours / baseline"], rows))
    spread = med("ours", "spread") / max(med("base", "spread"), 1e-9)
    print(f"\nspread of the requests, ours / baseline (median): {spread:.2f} (goal <= {GOAL_SPREAD_RATIO}): {verdict(spread <= GOAL_SPREAD_RATIO)}")


if __name__ == "__main__":
    main()
