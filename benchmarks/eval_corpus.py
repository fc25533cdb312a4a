"""`summarizer eval` / `compare` on the real id-en-news corpus: both MT systems against the human reference.

    python benchmarks/eval_corpus.py [--corpus DIR] [--lines N] [--article-lines 12] [--metric chrf,bleu]

For each system (GNMT, GARENG): the corpus scores from `summarizer.evaluate.evaluate` and from sacrebleu
called directly on the same lines (they must be equal: PASS/FAIL), then `compare` of the two systems cut
into pseudo-articles of `--article-lines` consecutive lines (the corpus has no articles; see its README):
which system wins overall, the pseudo-article win counts, and the checks' error/warning counts per system
(run against `source.id.txt`; the human reference's own counts are the false-alarm baseline). The corpus
defaults to `shared/corpora/id-en-news` in a folder above this checkout, else the 600-line slice in
`tests/data/id-en-news-slice`. Writes nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, table

SYSTEMS = ("gnmt", "gareng")


def default_corpus() -> Path:
    for parent in ROOT.parents:
        candidate = parent / "shared" / "corpora" / "id-en-news"
        if (candidate / "reference.en.txt").is_file():
            return candidate
    return ROOT / "tests" / "data" / "id-en-news-slice"


def read_lines(path: Path, limit: int | None) -> list[str]:
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines[:limit] if limit else lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--lines", type=int, default=None, help="only the first N lines (default: all)")
    parser.add_argument("--article-lines", type=int, default=12, help="lines per pseudo-article for compare")
    parser.add_argument("--metric", default="chrf,bleu", help="comma-separated: chrf, bleu, ter (ter is slow on 10k lines)")
    args = parser.parse_args()
    corpus = args.corpus or default_corpus()
    metrics = [m.strip() for m in args.metric.split(",") if m.strip()]

    import sacrebleu

    from summarizer.evaluate import compare, evaluate

    direct = {"chrf": sacrebleu.corpus_chrf, "bleu": sacrebleu.corpus_bleu, "ter": sacrebleu.corpus_ter}
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name in ("source.id", "reference.en", *(f"{s}.en" for s in SYSTEMS)):
            lines = read_lines(corpus / f"{name}.txt", args.lines)
            files[name] = Path(tmp) / f"{name}.txt"
            files[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
        refs = read_lines(files["reference.en"], None)
        print(f"corpus: {corpus} ({len(refs)} lines), sacrebleu {sacrebleu.__version__}\n")

        rows, equal = [], True
        for system in SYSTEMS:
            started = time.perf_counter()
            report = evaluate(files[f"{system}.en"], files["reference.en"], metrics=metrics)
            seconds = time.perf_counter() - started
            hyps = read_lines(files[f"{system}.en"], None)
            for metric in metrics:
                ours, theirs = getattr(report.corpus, metric), direct[metric](hyps, [refs]).score
                equal &= ours == theirs
                rows.append([system, metric, f"{ours:.4f}", f"{theirs:.4f}", "yes" if ours == theirs else "NO", f"{seconds:.1f}"])
        print(table(["system", "metric", "summarizer eval", "sacrebleu direct", "equal", "eval s"], rows))

        started = time.perf_counter()
        duel = compare(files["gnmt.en"], files["gareng.en"], ref=files["reference.en"], metrics=metrics,
                       source=files["source.id"], lines_per_article=args.article_lines)
        baseline = evaluate(files["reference.en"], files["reference.en"], metrics=metrics[:1], source=files["source.id"],
                            lines_per_article=args.article_lines)
        seconds = time.perf_counter() - started
        names = (duel.run_a, duel.run_b)
        print(f"\ncompare, pseudo-articles of {args.article_lines} lines ({len(duel.articles)}), {seconds:.1f} s:")
        verdict = "a tie" if duel.winner is None else f"{duel.winner} by {duel.margin:.2f} {duel.decided_by}"
        rows = [[n, f"{getattr(duel.totals[n].scores, metrics[0]):.2f}", str(duel.wins[n]), str(duel.totals[n].errors),
                 str(duel.totals[n].warnings)] for n in names]
        rows.append(["human reference (baseline)", "100.00", "–", str(baseline.errors), str(baseline.warnings)])
        print(table(["run", metrics[0], "pseudo-articles won", "check errors", "check warnings"], rows))
        print(f"\nwinner: {verdict}; ties: {duel.wins['tie']}")
    print(f"\nverdict: {'PASS' if equal else 'FAIL'} (summarizer eval == sacrebleu direct on every metric)")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
