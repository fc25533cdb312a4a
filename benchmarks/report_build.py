"""Speed and size of the HTML review report: `build_report` on a batch folder of N articles.

    python benchmarks/report_build.py [--articles 500] [--long-tokens 8000]

The folder is what a batch leaves: `results.jsonl` (results made from real seed articles with their
real findings; seed 000 with its hand translation, the rest with the source echoed as the answer),
`manifest.jsonl`, the source files. One extra article of about `--long-tokens` tokens (cl100k) is the
size check. Timed (wall clock, and this process's CPU time, which a shared machine inflates less): the whole `build_report` (reading the results, loading every source again,
the checked facts, rendering, atomic writes), median of 3 runs into fresh folders. Also the largest
article page and the long article's page.
Goals: 500 articles in < 5 s; an article page < 300 KB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, seed_text, table, verdict  # noqa: E402

from summarizer.checks import check_translation  # noqa: E402
from summarizer.sources import load_source  # noqa: E402

GOAL_SECONDS, GOAL_PAGE_BYTES = 5.0, 300 * 1024
SEED_000_EN = ROOT / "tests" / "data" / "checks" / "seed000.en.txt"


def result(source: Path, text: str, translation: str, n: int) -> dict:
    paragraphs = max(1, text.count("\n\n") + 1)
    bullets = [{"text": f"Key point {k} of article {n}.", "paragraphs": [min(k, paragraphs)]} for k in (1, 2, 3)]
    findings = check_translation(text, translation, summary=[b["text"] for b in bullets], source_lang="id")
    return {
        "source": str(source), "task": "summarize", "source_language": "id", "target_language": "en",
        "title": translation.split("\n", 1)[0][:120], "translation": translation, "summary": bullets,
        "glossary": [{"term": "BI", "source_term": "Bank Indonesia", "definition": "The central bank.", "paragraphs": [1]}],
        "checks": [f.model_dump(mode="json") for f in findings],
        "metadata": {"model": ("gpt-4o-mini", "llama3.1", "qwen2.5")[n % 3], "endpoint_host": "api.openai.com",
                     "structured_mode": "json_schema_strict", "prompt_versions": {"brief": "3f2a9c1d"},
                     "usage": {"prompt_tokens": 1500 + n, "completion_tokens": 600}, "requests": 1, "cache_hits": n % 2,
                     "chunks": 1, "token_counter": "tiktoken", "timings": {"request": 2.0}, "warnings": []},
    }


def make_batch_folder(folder: Path, articles: int, long_tokens: int) -> Path:
    sources = folder / "news"
    sources.mkdir(parents=True)
    seeds = sorted((ROOT / "seeds").glob("*.txt")) + [ROOT / "tests" / "data" / "report" / "beras.txt"]
    templates = []  # (raw text, cleaned text, translation, findings-bearing result) per seed: checked once
    for seed in seeds:
        raw = seed.read_text(encoding="utf-8")
        cleaned = load_source(seed).text
        translation = SEED_000_EN.read_text(encoding="utf-8") if seed.name.startswith("000_") else cleaned
        templates.append((raw, result(seed, cleaned, translation, 0)))
    lines = []
    for n in range(articles):
        raw, base = templates[n % len(templates)]
        path = sources / f"a{n:05d}.txt"
        path.write_text(raw, encoding="utf-8")
        line = dict(base, source=str(path), title=f"{base['title'][:80]} #{n}")
        line["metadata"] = dict(base["metadata"], model=("gpt-4o-mini", "llama3.1", "qwen2.5")[n % 3], cache_hits=n % 2)
        lines.append(line)
    long_text = seed_text(long_tokens)
    long_path = sources / "long.txt"
    long_path.write_text(long_text, encoding="utf-8")
    cleaned = load_source(long_path).text
    lines.append(result(long_path, cleaned, cleaned, articles))
    out = folder / "out"
    out.mkdir()
    (out / "results.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")
    (out / "manifest.jsonl").write_text("".join(json.dumps({"id": r["source"], "source": r["source"], "state": "done", "output": "x.json"}) + "\n" for r in lines), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--long-tokens", type=int, default=8000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from summarizer.report import build_report

    with tempfile.TemporaryDirectory() as tmp:
        out = make_batch_folder(Path(tmp), args.articles, args.long_tokens)
        times, cpu = [], []
        for run in range(args.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            index = build_report(out, Path(tmp) / f"report{run}")
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        pages = [p for p in index.parent.glob("*.html") if p.name != "index.html"]
        largest = max(pages, key=lambda p: p.stat().st_size)
        long_page = index.parent / "long.html"
        seconds, cpu_seconds = statistics.median(times), statistics.median(cpu)
        page_kb = largest.stat().st_size / 1024
        rows = [
            [f"build_report, {args.articles} articles + 1 long (median of {args.runs})", f"{seconds:.2f} s", f"{seconds / (args.articles + 1) * 1000:.1f} ms/article", f"< {GOAL_SECONDS:.0f} s", verdict(seconds < GOAL_SECONDS)],
            ["  the same, CPU time of this process", f"{cpu_seconds:.2f} s", f"{cpu_seconds / (args.articles + 1) * 1000:.1f} ms/article", "", ""],
            ["largest article page", f"{page_kb:.0f} KB ({largest.name})", "", "< 300 KB", verdict(largest.stat().st_size < GOAL_PAGE_BYTES)],
            [f"long article page (~{args.long_tokens} tokens)", f"{long_page.stat().st_size / 1024:.0f} KB", "", "< 300 KB", verdict(long_page.stat().st_size < GOAL_PAGE_BYTES)],
            ["index.html", f"{index.stat().st_size / 1024:.0f} KB", f"{len(pages)} pages", "", ""],
        ]
    print(table(["what", "measured", "per unit", "goal", "verdict"], rows))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nload average {load:.2f} on {os.cpu_count()} CPUs: wall time above CPU time is time spent waiting for a CPU")


if __name__ == "__main__":
    main()
