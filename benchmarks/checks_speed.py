"""Speed of `summarizer.checks.check_translation`: milliseconds per call on real inputs.

    python benchmarks/checks_speed.py [--runs 50] [--compare /path/to/other/checks.py]

Cases: (a) seed 000 (~1,400 tokens) against its hand translation (`tests/data/checks/seed000.en.txt`)
with a summary and a glossary, (b) the tiny article of `common.py` with an English translation,
(c) every pair of `tests/data/checks/corpus.jsonl` (one pass over the whole corpus); also seed 000
without summary and glossary. Each figure is the median of `--runs` timed passes after one warm-up
pass (the warm-up also loads the language model). `--compare FILE` imports FILE as a second,
independent module (for example a copy of the previous `summarizer/checks.py`), times both in turns
and prints the speed-up and whether their findings are identical on every case. Writes nothing.
The machines are shared: compare the two columns of one run, not numbers across runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, TINY_ARTICLE, table  # noqa: E402

import summarizer.checks as current_checks  # noqa: E402
from summarizer.schemas import GlossaryEntry  # noqa: E402
from summarizer.sources import load_source  # noqa: E402

SEED_000 = ROOT / "seeds" / "000_248162aed851300f.txt"
SEED_000_EN = ROOT / "tests" / "data" / "checks" / "seed000.en.txt"
CORPUS = ROOT / "tests" / "data" / "checks" / "corpus.jsonl"

TINY_EN = (
    "Bank Indonesia (BI) kept its benchmark interest rate at 6.00 percent at this month's meeting, "
    "BI Governor Perry Warjiyo said in Jakarta. The decision was taken to keep the rupiah and "
    "inflation stable. Article number {n}."
)

SEED_SUMMARY = [
    "Amazon is reportedly negotiating a US$50 billion (about Rp835 trillion) investment in OpenAI.",
    "At the same time it is cutting 16,000 corporate employees, most of them in the United States.",
    "Capital expenditure of up to US$125 billion in 2026 goes to data centers and in-house AI chips.",
    "The OpenAI funding round could reach US$100 billion in total.",
]
SEED_GLOSSARY = [
    GlossaryEntry(term="LLM", source_term="LLM (Large Language Model)", definition="A large language model."),
    GlossaryEntry(term="capital expenditure", source_term="belanja modal", definition="Spending on fixed assets."),
    GlossaryEntry(term="AWS", source_term="Amazon Web Services (AWS)", definition="Amazon's cloud computing arm."),
    GlossaryEntry(term="layoff", source_term="PHK", definition="Termination of employment."),
    GlossaryEntry(term="generative AI", source_term="AI Generatif", definition="AI that creates new content."),
]


def load_module(path: Path, name: str = "checks_compare"):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def cases() -> dict[str, list[dict]]:
    """name -> list of check_translation keyword arguments (one call each)."""
    source, translation = load_source(SEED_000).text, load_source(SEED_000_EN).text
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {
        "seed 000 + summary + glossary": [
            {"source": source, "translation": translation, "summary": SEED_SUMMARY, "glossary": SEED_GLOSSARY},
        ],
        "seed 000, translation only": [{"source": source, "translation": translation}],
        "tiny article": [{"source": TINY_ARTICLE.format(n=7), "translation": TINY_EN.format(n=7)}],
        f"corpus ({len(rows)} pairs, whole)": [
            {"source": r["source"], "translation": r["translation"], "summary": r.get("summary") or [],
             "glossary": r.get("glossary") or []}
            for r in rows
        ],
    }


def time_cases(checks: list, calls: list[dict], runs: int) -> list[float]:
    """Median milliseconds of one pass over `calls` for each function of `checks`, after a warm-up
    pass each. The functions take turns run by run, so that machine noise hits them alike."""
    for check in checks:
        for kwargs in calls:
            check(**kwargs)
    samples: list[list[float]] = [[] for _ in checks]
    for _ in range(runs):
        for check, times in zip(checks, samples):
            started = time.perf_counter()
            for kwargs in calls:
                check(**kwargs)
            times.append(time.perf_counter() - started)
    return [statistics.median(times) * 1000 for times in samples]


def findings_of(check, calls: list[dict]) -> list[list[dict]]:
    return [[f.model_dump() for f in check(**kwargs)] for kwargs in calls]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--compare", type=Path, help="another checks.py to time alongside this checkout's")
    args = parser.parse_args(argv)

    other = load_module(args.compare) if args.compare else None
    all_cases = cases()
    headers = ["case", "ms/call (this checkout)"]
    if other is not None:
        headers += [f"ms/call ({args.compare.name})", "speed-up", "same findings"]
    rows = []
    for name, calls in all_cases.items():
        if other is None:
            (ours,) = time_cases([current_checks.check_translation], calls, args.runs)
            rows.append([name, f"{ours:.2f}"])
            continue
        ours, theirs = time_cases([current_checks.check_translation, other.check_translation], calls, args.runs)
        same = findings_of(current_checks.check_translation, calls) == findings_of(other.check_translation, calls)
        rows.append([name, f"{ours:.2f}", f"{theirs:.2f}", f"{theirs / ours:.1f}x", "yes" if same else "NO"])
    print(table(headers, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
