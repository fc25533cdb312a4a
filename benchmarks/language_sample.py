"""How much text language detection needs: agreement and time of py3langid on a bounded sample.

    python benchmarks/language_sample.py [--sentences 12] [--bounds 300,600,1000,1500,2000,3000]

For every article: its language detected on the first 20,000 characters (what `detect_language` read
before it sampled) and on the start of the text cut to each bound at a word boundary
(`summarizer.language.language_sample`). Articles: the id-en-news corpus (`../shared/corpora/id-en-news`,
else the slice in `tests/data/id-en-news-slice`) as pseudo-articles of `--sentences` lines in
paragraphs of 3, for each of its four files (Indonesian source, human English, two MT systems), plus
the seeds and the source and translation sides of `tests/data/checks/corpus.jsonl`. Prints per bound
the share of articles whose detected language is the same as on the full text, the articles that
differ, and the median ms per detection. Writes nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, table  # noqa: E402

from summarizer.language import identifier, language_sample  # noqa: E402

CORPUS_FILES = ("source.id.txt", "reference.en.txt", "gnmt.en.txt", "gareng.en.txt")


def corpus_folder() -> Path:
    shared = ROOT.parent / "shared" / "corpora" / "id-en-news"
    return shared if shared.is_dir() else ROOT / "tests" / "data" / "id-en-news-slice"


def pseudo_articles(path: Path, sentences: int) -> list[str]:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles = []
    for start in range(0, len(lines) - sentences + 1, sentences):
        chunk = lines[start:start + sentences]
        articles.append("\n\n".join(" ".join(chunk[i:i + 3]) for i in range(0, len(chunk), 3)))
    return articles


def articles(sentences: int) -> dict[str, list[str]]:
    folder = corpus_folder()
    found = {name: pseudo_articles(folder / name, sentences) for name in CORPUS_FILES if (folder / name).is_file()}
    found["seeds"] = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    pairs = [json.loads(line) for line in (ROOT / "tests" / "data" / "checks" / "corpus.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    found["checks corpus (id)"] = [p["source"] for p in pairs]
    found["checks corpus (en)"] = [p["translation"] for p in pairs]
    return found


def timed_language(text: str) -> tuple[str, float]:
    start = time.perf_counter()
    lang, _ = identifier().classify(text)
    return str(lang), (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=12)
    parser.add_argument("--bounds", default="300,600,1000,1500,2000,3000")
    args = parser.parse_args()
    bounds = [int(b) for b in args.bounds.split(",")]
    identifier().classify("memuat model")  # load once, outside the timings
    groups = articles(args.sentences)
    rows = []
    full = {name: [timed_language(text[:20000]) for text in texts] for name, texts in groups.items()}
    total = sum(len(t) for t in groups.values())
    chars = statistics.median(len(t) for texts in groups.values() for t in texts)
    rows.append(["full (20,000)", "100.00%", "", f"{statistics.median(ms for f in full.values() for _, ms in f):.3f}"])
    for bound in bounds:
        differ, times = [], []
        for name, texts in groups.items():
            for text, (lang, _) in zip(texts, full[name]):
                got, ms = timed_language(language_sample(text, bound))
                times.append(ms)
                if got != lang:
                    differ.append(f"{name}: {lang}->{got}")
        rows.append([str(bound), f"{100 * (total - len(differ)) / total:.2f}%", "; ".join(differ[:4]) + (" ..." if len(differ) > 4 else ""),
                     f"{statistics.median(times):.3f}"])
    print(f"{total} articles ({', '.join(f'{n}: {len(t)}' for n, t in groups.items())}), median {chars:.0f} characters")
    print(table(["sample bound (chars)", "same language as full text", "articles that differ", "median ms"], rows))


if __name__ == "__main__":
    main()
