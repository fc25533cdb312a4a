"""Batch throughput against an endpoint's limit, ours vs a minimal hand-written client.

    python benchmarks/batch_throughput.py [--articles 500] [--latency 0.2] [--cap 8] [--concurrency 8]

One benchmark server (own process): every request takes `--latency` s and at most `--cap` are served
at once (extra ones queue server-side), so the best any client can do is cap/latency articles/s.
Both clients run in this process against the same server, one after the other:
- ours: `run_batch` over a temp folder of tiny articles, concurrency 8, cache in a temp dir
  (outputs, manifest, results.jsonl and checks included);
- baseline: `AsyncOpenAI` + `asyncio.Semaphore(8)`, one json_schema request per article, the reply
  parsed with json.loads, nothing written;
- with `--translated`, every article is seed 000 and the server answers its human translation (by
  default the server echoes the article, and the checks read Indonesian: about twice their real work);
- with `--without-checks`, ours again with the faithfulness checks off (what the checks cost, in one run);
- with `--warm-start`, the product's one-time start is done before the timed rounds (what a batch costs
  beyond its start-up, in a fresh process): the language model and numpy, the SDK client's TLS context,
  jinja2 and the templates, and a checks worker, ready (and the SDK's lazy imports, which the baseline
  then finds done too; it still builds its own client and TLS context in its timed run).
Goals: ours >= 95% of the baseline, >= 90% of the ideal.
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
from common import MODEL, ROOT, make_session, seed_text, table, verdict, write_tiny_articles  # noqa: E402


# --translated: every article is seed 000 (~1,400 tokens) and the server answers its human translation
SEED_000 = ROOT / "seeds" / "000_248162aed851300f.txt"
SEED_000_EN = ROOT / "tests" / "data" / "checks" / "seed000.en.txt"


async def run_baseline(base_url: str, paths: list[Path], concurrency: int) -> tuple[float, list[float]]:
    import openai

    from summarizer.schemas import BriefOutput, llm_schema

    schema = llm_schema(BriefOutput)
    client = openai.AsyncOpenAI(base_url=base_url, api_key="sk-bench", max_retries=0)
    limit = asyncio.Semaphore(concurrency)
    finished: list[float] = []

    async def one(path: Path) -> dict:
        async with limit:
            text = path.read_text(encoding="utf-8")
            response = await client.chat.completions.create(
                model=MODEL,
                messages=[{"role": "system", "content": "Translate into English; summary bullets and a glossary. JSON only."},
                          {"role": "user", "content": f"<article>\n{text}\n</article>"}],
                response_format={"type": "json_schema", "json_schema": {"name": "BriefOutput", "schema": schema, "strict": True}},
                max_tokens=4096,
            )
            value = json.loads(response.choices[0].message.content)
            finished.append(time.perf_counter())
            return value

    started = time.perf_counter()
    results = await asyncio.gather(*(one(p) for p in paths))
    elapsed = time.perf_counter() - started
    await client.close()
    assert len(results) == len(paths)
    return elapsed, finished


async def run_ours(base_url: str, folder: Path, out: Path, cache: Path, concurrency: int, checks: bool = True) -> tuple[float, object, list[float]]:
    from summarizer.batch import BatchOptions, run_batch

    finished: list[float] = []

    def progress(event) -> None:
        if event.kind == "finished":
            finished.append(time.perf_counter())

    session = make_session(base_url, cache, run_checks=checks)
    started = time.perf_counter()
    try:
        report = await run_batch(session, [folder], BatchOptions(out_dir=out, concurrency=concurrency), progress=progress)
    finally:
        await session.aclose()
    return time.perf_counter() - started, report, finished


def steady_rate(finished: list[float]) -> float:
    """Articles/s between the 10th percentile and the last finished article: the rate once
    one-time start-up (model and tokenizer loads, connections) is behind us."""
    first = len(finished) // 10
    span = finished[-1] - finished[first]
    return (len(finished) - 1 - first) / span if span > 0 else float("inf")


def warm_start(base_url: str) -> tuple[float, bool]:
    """Do the product's one-time start in this process now (see --warm-start): its seconds, and whether
    the checks worker was ready (it is not after checks_worker.START_LIMIT, or when it died)."""
    from summarizer.checks_worker import release_pool, shared_pool
    from summarizer.sources import detect_language

    started = time.perf_counter()
    pool = shared_pool()  # the batch's run_batch takes this one over (checks_worker.POOL_LINGER)
    detect_language("Memuat model bahasa sekali sebelum para pekerja mulai.")
    session = make_session(base_url, None)
    session.warm_up()  # SDK client, TLS context, templates and their sizes
    asyncio.run(session.aclose())
    while not pool.ready and pool.starting and pool.start_wait_left() > 0:
        time.sleep(0.01)
    ready = pool.ready
    release_pool(pool)
    return time.perf_counter() - started, ready


def measure(articles: int, latency: float, cap: int, concurrency: int, rounds: int = 1, tokens: int = 0, without_checks: bool = False,
            translated: bool = False, warm: bool = False) -> dict:
    import openai  # noqa: F401  (import cost outside the timed part, for both clients)

    ideal = cap / latency if latency > 0 and cap > 0 else float("inf")
    with tempfile.TemporaryDirectory() as tmp, start_server(latency, cap, SEED_000_EN if translated else None) as base_url:
        tmp = Path(tmp)
        body = SEED_000.read_text(encoding="utf-8") if translated else seed_text(tokens) if tokens else None
        paths = write_tiny_articles(tmp / "in", articles, body)
        warm_seconds, worker_ready = warm_start(base_url) if warm else (None, None)
        ours_times, base_times, ours_requests, ours_steady, base_steady, bare_times = [], [], [], [], [], []
        # CPU time of this process per article (all threads; the server is another process): unlike
        # the rates, it barely moves with the machine's load, so it compares runs made at other times
        cpu_ms: dict[str, list[float]] = {"base": [], "ours": [], "bare": []}
        for r in range(rounds):
            # alternate the order so neither side always runs on a warmer machine
            order = ("base", "ours", "bare") if r % 2 == 0 else ("bare", "ours", "base")
            for side in order:
                if side == "bare":  # ours with the faithfulness checks off: what the checks cost, in the same run
                    if without_checks:
                        cpu = time.process_time()
                        elapsed, report, _ = asyncio.run(run_ours(base_url, tmp / "in", tmp / f"bare{r}", tmp / f"barecache{r}", concurrency, checks=False))
                        assert report.done == articles and report.failed == 0, report.failures[:3]
                        bare_times.append(elapsed)
                        cpu_ms["bare"].append((time.process_time() - cpu) * 1000 / articles)
                    continue
                server_stats(base_url, reset=True)
                if side == "base":
                    cpu = time.process_time()
                    elapsed, finished = asyncio.run(run_baseline(base_url, paths, concurrency))
                    base_times.append(elapsed)
                    cpu_ms["base"].append((time.process_time() - cpu) * 1000 / articles)
                    base_steady.append(steady_rate(sorted(finished)))
                else:
                    cpu = time.process_time()
                    elapsed, report, finished = asyncio.run(run_ours(base_url, tmp / "in", tmp / f"out{r}", tmp / f"cache{r}", concurrency))
                    cpu_ms["ours"].append((time.process_time() - cpu) * 1000 / articles)
                    ours_steady.append(steady_rate(finished))
                    assert report.done == articles and report.failed == 0, report.failures[:3]
                    ours_times.append(elapsed)
                    ours_requests.append(server_stats(base_url)["requests"])
    ours = articles / min(ours_times)
    base = articles / min(base_times)
    return {"tokens": tokens, "translated": translated, "articles": articles, "latency": latency, "cap": cap, "concurrency": concurrency, "ideal": ideal,
            "ours": ours, "baseline": base, "ours_requests": ours_requests[0],
            "cpu_ms_per_article": {side: round(min(values), 2) for side, values in cpu_ms.items() if values},
            "ours_steady": max(ours_steady), "baseline_steady": max(base_steady),
            "ours_vs_baseline": ours / base,
            "ours_without_checks_vs_baseline": articles / min(bare_times) / base if bare_times else None,
            "warm_start_seconds": warm_seconds, "warm_start_worker_ready": worker_ready}


def report_table(m: dict) -> str:
    def pct(x: float) -> str:
        return "-" if x != x or x in (float("inf"), 0.0) else f"{x:.0%}"

    ideal = m["ideal"]
    rows = [
        ["ideal (cap / latency)", f"{ideal:.1f}", f"{ideal:.1f}", "100%", ""],
        ["baseline: AsyncOpenAI + Semaphore", f"{m['baseline']:.1f}", f"{m['baseline_steady']:.1f}", pct(m["baseline"] / ideal), ""],
        ["ours: run_batch", f"{m['ours']:.1f}", f"{m['ours_steady']:.1f}", pct(m["ours"] / ideal),
         f"whole run {m['ours_vs_baseline']:.0%} of baseline (goal >= 95%: {verdict(m['ours_vs_baseline'] >= 0.95)}), "
         f"{pct(m['ours'] / ideal)} of ideal (goal >= 90%: {verdict(m['ours'] / ideal >= 0.90)}); "
         f"steady {m['ours_steady'] / m['baseline_steady']:.0%} of baseline, {pct(m['ours_steady'] / ideal)} of ideal"],
    ]
    if m.get("ours_without_checks_vs_baseline") is not None:
        rows.append(["ours: run_batch, checks off", f"{m['ours_without_checks_vs_baseline'] * m['baseline']:.1f}", "-",
                     pct(m["ours_without_checks_vs_baseline"] * m["baseline"] / ideal), f"whole run {m['ours_without_checks_vs_baseline']:.0%} of baseline"])
    size = "seed-000 (~1,400-token, answered with its human translation)" if m.get("translated") else f"~{m['tokens']}-token" if m.get("tokens") else "tiny"
    head = (f"{m['articles']} {size} articles, server latency {m['latency'] * 1000:.0f} ms, cap {m['cap']} concurrent, "
            f"client concurrency {m['concurrency']}; ours sent {m['ours_requests']} requests. "
            "'whole run' = articles / wall time from the call to the end (start-up included); "
            "'steady' = rate from the 10th-percentile finished article to the last.")
    cpu = ", ".join(f"{side} {value:.1f}" for side, value in m["cpu_ms_per_article"].items())
    head += f" CPU ms per article in this process, best round (base = baseline, bare = ours with checks off): {cpu}."
    if m.get("warm_start_seconds") is not None:
        head += (f" --warm-start: ours' one-time start (language model, TLS context, templates, checks worker) was done"
                 f" before the timed rounds, in {m['warm_start_seconds']:.2f} s"
                 + ("." if m.get("warm_start_worker_ready") else "; the checks worker was NOT ready (gone, or still starting after its limit)."))
    return head + "\n\n" + table(["client", "articles/s whole run", "articles/s steady", "whole run of ideal", "verdict"], rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--cap", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1, help="repeat both sides, keep each side's best")
    parser.add_argument("--tokens", type=int, default=0, help="articles of ~N tokens of seed text instead of tiny ones")
    parser.add_argument("--without-checks", action="store_true", help="also run ours with the checks off, in the same rounds")
    parser.add_argument("--translated", action="store_true",
                        help="articles of seed 000 answered with its human translation (the checks' real work; --tokens is ignored)")
    parser.add_argument("--warm-start", action="store_true",
                        help="do ours' one-time start (language model, TLS context, templates, checks worker) before the timed rounds")
    parser.add_argument("--json", action="store_true", help="print the raw numbers as JSON too")
    args = parser.parse_args()
    m = measure(args.articles, args.latency, args.cap, args.concurrency, args.rounds, args.tokens, args.without_checks, args.translated,
                args.warm_start)
    print(report_table(m))
    if args.json:
        print(json.dumps(m))


if __name__ == "__main__":
    main()
