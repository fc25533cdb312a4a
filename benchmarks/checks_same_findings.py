"""Do two versions of the checks report the same findings? For speed work that must change nothing.

    python benchmarks/checks_same_findings.py --out /tmp/new.jsonl
    PYTHONPATH=/path/to/other/checkout python benchmarks/checks_same_findings.py --out /tmp/old.jsonl --against /tmp/new.jsonl

Every pseudo-article of shared/corpora/id-en-news (12 sentences, 4 paragraphs; `planting.py`) is checked
the way a batch checks a brief (`checks_worker.check_article`: translation, summary, citations,
glossary) with its human reference, each MT system's output and one copy of the reference per
planted error kind; each gets a summary of its paragraphs' first sentences, about half of them citing
the wrong paragraph, and a glossary of three of the source's capitalised words plus one it lacks.
Each brief's findings are written as one JSON line to `--out`; `--against` compares them with another
run's file and prints PASS when every line is the same. Seeded: the same briefs on every run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import planting  # noqa: E402
from common import table  # noqa: E402


def briefs(limit: int | None, seed: int = 5):
    """(article id, label, source, translation, summary bullets, glossary) for every brief checked."""
    from summarizer.checks.scan import sentence_spans
    from summarizer.schemas import GlossaryEntry, SummaryBullet

    corpus = planting.read_corpus()
    items = planting.articles(corpus, 0, len(corpus["source"]))[:limit]
    names = planting.name_pool(items)
    rng = random.Random(seed)
    for article in items:
        texts = [("reference", article.reference), *sorted(article.outputs.items())]
        for kind in planting.KINDS:
            planted = planting.plant(article, kind, rng, names)
            if planted is not None:
                texts.append((kind, planted[0]))
        words = [w for w in article.source.split() if w[:1].isupper()][:3]
        glossary = [GlossaryEntry(term=w, source_term=w, definition="d") for w in words]
        glossary.append(GlossaryEntry(term="Missing", source_term="tidakada", definition="d"))
        for label, translation in texts:
            paragraphs = translation.split("\n\n")
            bullets = []
            for i, paragraph in enumerate(paragraphs):
                spans = sentence_spans(paragraph)
                if not spans:
                    continue
                start, end = spans[0]
                cited = i + 1 if rng.random() < 0.5 else (i + 1) % len(paragraphs) + 1
                bullets.append(SummaryBullet(text=paragraph[start:end].strip() or "x", paragraphs=[cited]))
            yield article.id, label, article.source, translation, bullets, glossary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="where to write this version's findings (JSON lines)")
    parser.add_argument("--against", type=Path, help="another version's --out file to compare with")
    parser.add_argument("--articles", type=int, help="only the first N pseudo-articles")
    args = parser.parse_args(argv)
    from summarizer.checks_worker import check_article

    lines = []
    for article_id, label, source, translation, bullets, glossary in briefs(args.articles):
        findings, _seconds = check_article(source, translation, bullets, glossary, "id")
        lines.append(json.dumps([article_id, label, [f.model_dump() for f in findings]], ensure_ascii=False, sort_keys=True))
    text = "\n".join(lines) + "\n"
    args.out.write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    rows = [["this version", str(len(lines)), str(sum(line.count('"kind"') for line in lines)), digest]]
    verdict = ""
    if args.against is not None:
        other = args.against.read_text(encoding="utf-8").splitlines()
        differ = [i for i, (a, b) in enumerate(zip(lines, other)) if a != b]
        rows.append(["--against", str(len(other)), str(sum(line.count('"kind"') for line in other)),
                     hashlib.sha256(args.against.read_bytes()).hexdigest()[:16]])
        same = not differ and len(other) == len(lines)
        verdict = f"\nsame findings on every brief: {'PASS' if same else 'FAIL'}"
        if differ:
            verdict += f" ({len(differ)} briefs differ, first: {json.loads(lines[differ[0]])[:2]})"
    print(table(["findings of", "briefs", "findings", "sha256"], rows) + verdict)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
