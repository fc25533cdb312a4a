"""Client overhead: CPU time per request in our code vs in the OpenAI SDK, for a 1,000-token chunk.

    python benchmarks/client_overhead.py [--requests 200] [--tokens 1000]

An instantly-answering benchmark server (own process). N distinct ~1,000-token articles (seed text,
numbered) go one after another through `Session.arun` (summarize: one `brief` request each; cache on,
in a temp dir, so every request is a miss plus a write). Two measurements in the same run:
1. profiler-free: CPU seconds (time.process_time) per pipeline run, minus the CPU of the same
   request sent by the bare SDK (same messages and response_format, reply json-parsed); the SDK,
   ours and ours-without-checks run in `--rounds` interleaved rounds; a difference is the median of the
   per-round differences (quartiles shown), which cancels the shared machine's slow stretches;
2. cProfile of the pipeline runs, split by entry point: SDK (its `post`, which the client sends through), template
   rendering, chunking/planning, validation, cache, checks, language detection at load.
Goal: < 2 ms per request in our code (chunking, templates, validation, cache; checks listed apart).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_server import start_server  # noqa: E402
from common import MODEL, make_session, seed_text, table, verdict  # noqa: E402


def chunk_text(tokens: int) -> str:
    return seed_text(tokens)


# Entry points whose cumulative time is one bucket (matched on "file:function" suffixes).
BUCKETS = {
    # the pipeline sends through the SDK's `post` (LLMClient._chat_completion), not `create`
    "SDK: post (build, send, parse)": ["_base_client.py:post"],
    "ours: template rendering (jinja2)": ["prompts.py:render"],
    "ours: planning + chunking + token counts": ["pipeline.py:plan"],
    "ours: cache key + get + set": ["cache.py:cache_key", "cache.py:get", "cache.py:set", "cache.py:update", "cache.py:_load"],
    "ours: JSON extraction + pydantic validation": ["jsonparse.py:extract_json_object", "main.py:model_validate"],
    "ours: ArticleResult + metadata": ["pipeline.py:_dedupe"],
}


def _bucket_times(stats: pstats.Stats) -> dict[str, float]:
    found = {name: 0.0 for name in BUCKETS}
    for (filename, _line, func), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
        key = f"{Path(filename).name}:{func}"
        for name, suffixes in BUCKETS.items():
            if key in suffixes:
                found[name] += cumulative
    return found


def _cumulative(stats: pstats.Stats, key: str) -> float:
    return sum(v[3] for (f, _l, fn), v in stats.stats.items() if f"{Path(f).name}:{fn}" == key)


async def _pipeline_runs(session, sources) -> None:
    try:
        for source in sources:
            await session.arun(source, "summarize")
    finally:
        await session.client.aclose()  # the HTTP client belongs to this event loop


async def _sdk_runs(base_url: str, messages_list: list[list[dict]]) -> None:
    import openai

    from summarizer.schemas import BriefOutput, llm_schema

    schema = llm_schema(BriefOutput)
    client = openai.AsyncOpenAI(base_url=base_url, api_key="sk-bench", max_retries=0)
    import json

    for messages in messages_list:
        response = await client.chat.completions.create(
            model=MODEL, messages=messages, max_tokens=4096, temperature=0.2,
            response_format={"type": "json_schema", "json_schema": {"name": "BriefOutput", "schema": schema, "strict": True}},
        )
        json.loads(response.choices[0].message.content)
    await client.close()


async def _interleaved(base_url, session, bare, messages_list, sources, others, rounds: int, per: int) -> dict[str, list[float]]:
    """CPU per request of the bare SDK, ours, and ours without checks, in each of `rounds`
    interleaved rounds of `per` requests each, all in one event loop (each side keeps its client)."""
    import json

    import openai

    from summarizer.schemas import BriefOutput, llm_schema

    response_format = {"type": "json_schema", "json_schema": {"name": "BriefOutput", "schema": llm_schema(BriefOutput), "strict": True}}
    client = openai.AsyncOpenAI(base_url=base_url, api_key="sk-bench", max_retries=0)
    times: dict[str, list[float]] = {"sdk": [], "ours": [], "nochecks": []}
    try:
        for r in range(rounds):
            part = slice(r * per, (r + 1) * per)
            t = time.process_time()
            for messages in messages_list[part]:
                response = await client.chat.completions.create(model=MODEL, messages=messages, max_tokens=4096, temperature=0.2, response_format=response_format)
                json.loads(response.choices[0].message.content)
            times["sdk"].append((time.process_time() - t) / per)
            for name, runner, items in (("ours", session, sources), ("nochecks", bare, others)):
                t = time.process_time()
                for source in items[part]:
                    await runner.arun(source, "summarize")
                times[name].append((time.process_time() - t) / per)
    finally:
        await client.close()
        await session.client.aclose()
        await bare.client.aclose()
    return times


def paired(minuend: list[float], subtrahend: list[float]) -> tuple[float, float, float]:
    """Median and quartiles of the per-round differences. Rounds are interleaved, so a slow stretch
    of the shared machine inflates both sides of one round and cancels in its difference (a
    difference of two medians taken from different rounds does not cancel it)."""
    diffs = sorted(a - b for a, b in zip(minuend, subtrahend))
    if len(diffs) < 2:
        return diffs[0], diffs[0], diffs[0]
    q1, _, q3 = statistics.quantiles(diffs, n=4)
    return statistics.median(diffs), q1, q3


def measure(requests: int, tokens: int, rounds: int = 5) -> dict:
    from summarizer.sources import load_source

    text = chunk_text(tokens)
    with tempfile.TemporaryDirectory() as tmp, start_server(0.0, 0) as base_url:
        tmp = Path(tmp)
        session = make_session(base_url, tmp / "cache")
        loads = [f"Artikel {n}.\n\n{text}".encode() for n in range(requests + 5)]
        t = time.process_time()
        sources = [load_source(f"a{n}.txt", data=data) for n, data in enumerate(loads)]
        load_cpu = (time.process_time() - t) / len(sources)
        plan = session.pipeline.plan(sources[0])
        assert plan.single_request, "the chunk must fit one request"
        chunk_tokens = plan.chunks[0].tokens
        warm, sources = sources[:5], sources[5:]
        asyncio.run(_pipeline_runs(session, warm))  # imports, connections, model loads
        # the same messages the pipeline sends, for the bare-SDK side
        template = session.prompts.get("brief")
        messages_list = [template.render(**session.pipeline._variables(template, s.text, chunk_number=1, chunk_count=1, known=[], language=s.language)) for s in sources]
        asyncio.run(_sdk_runs(base_url, messages_list[:5]))

        # Interleaved rounds, median per side: the machine is shared, and one batch of each side,
        # one after the other, swung the 2 ms difference by +-0.5 ms between runs.
        bare = make_session(base_url, tmp / "cache", run_checks=False)
        others = [load_source(f"b{n}.txt", data=b"Berita %d.\n\n" % n + text.encode()) for n in range(requests // 2 + 5)]
        asyncio.run(_pipeline_runs(bare, others[:5]))
        others = others[5:]
        per = max(1, (requests // 2) // rounds)
        times = asyncio.run(_interleaved(base_url, session, bare, messages_list, sources, others, rounds, per))
        sdk_cpu, ours_cpu, ours_nochecks_cpu = (statistics.median(times[k]) for k in ("sdk", "ours", "nochecks"))
        bare.close()
        sources = sources[rounds * per:]

        profiler = cProfile.Profile()
        profiler.enable()
        asyncio.run(_pipeline_runs(session, sources))
        profiler.disable()
        session.close()
    stats = pstats.Stats(profiler)
    profiled = requests - rounds * max(1, (requests // 2) // rounds)
    buckets = {k: v / profiled for k, v in _bucket_times(stats).items()}
    total = _cumulative(stats, "pipeline.py:run") / profiled
    return {"requests": requests, "rounds": rounds, "chunk_tokens": chunk_tokens, "sdk_cpu": sdk_cpu, "ours_total_cpu": ours_cpu,
            "ours_minus_sdk": paired(times["ours"], times["sdk"]), "ours_nochecks_cpu": ours_nochecks_cpu,
            "nochecks_minus_sdk": paired(times["nochecks"], times["sdk"]), "checks": paired(times["ours"], times["nochecks"]),
            "load_cpu": load_cpu, "buckets": buckets, "profiled_total": total}


def report_table(m: dict) -> str:
    ms = lambda s: f"{s * 1000:.2f}"  # noqa: E731
    b = m["buckets"]
    sdk_p = b["SDK: post (build, send, parse)"]
    ours_p = m["profiled_total"] - sdk_p
    spread = lambda d: f"{ms(d[0])} ({ms(d[1])}-{ms(d[2])})"  # noqa: E731
    rows = [
        ["pipeline run, total CPU per request (no profiler)", ms(m["ours_total_cpu"]), ""],
        ["bare SDK, same request through chat.completions.create, CPU per request (no profiler)", ms(m["sdk_cpu"]), "ours uses the SDK's post: no body transform"],
        ["=> our code per request (difference)", spread(m["ours_minus_sdk"]), ""],
        ["pipeline run with run_checks=False, total CPU per request (no profiler)", ms(m["ours_nochecks_cpu"]), ""],
        ["=> our code per request without the checks (difference)", spread(m["nochecks_minus_sdk"]),
         verdict(m["nochecks_minus_sdk"][0] < 0.002) + " (goal < 2 ms: chunking, templates, validation, cache)"],
        ["=> faithfulness checks per request (difference)", spread(m["checks"]), "no goal set; on by default"],
        ["source load (decode, clean, language) per article (no profiler)", ms(m["load_cpu"]), "before the request, in a thread in batches"],
    ]
    prof_rows = [[name, ms(v), f"{v / m['profiled_total']:.0%}"] for name, v in b.items()]
    prof_rows.append(["ours: everything else in pipeline.run", ms(ours_p - sum(v for k, v in b.items() if k.startswith("ours"))), ""])
    prof_rows.append(["pipeline.run total (profiled; the checks run in a worker thread, which cProfile does not see)", ms(m["profiled_total"]), "100%"])
    return (f"{m['requests']} requests, chunk of {m['chunk_tokens']} tokens, instant server, cache on (miss + write); "
            f"profiler-free rows: {m['rounds']} interleaved rounds (SDK, ours, ours without checks); totals are medians, "
            "differences (=>) the median of the per-round differences with their quartiles in brackets\n\n"
            + table(["measure", "ms CPU / request", "verdict"], rows)
            + "\n\ncProfile breakdown (cProfile inflates absolute times ~1.5-2x; read the shares)\n\n"
            + table(["where", "ms / request (profiled)", "share"], prof_rows))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--tokens", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds of the three profiler-free measurements; medians of the per-round differences reported")
    args = parser.parse_args()
    print(report_table(measure(args.requests, args.tokens, args.rounds)))


if __name__ == "__main__":
    main()
