"""Which translation is better, with evidence: `evaluate` scores a run against references, `compare`
puts two runs side by side.

    report = evaluate("briefs/", "refs/", metrics=("chrf", "bleu"))     # EvalReport (pydantic)
    report.corpus.chrf, [a.scores.chrf for a in report.articles]
    duel = compare("run-qwen/", "run-llama/", ref="refs/")              # CompareReport
    duel.winner                                                         # "run-qwen", "run-llama" or None

What can be read (`load_texts`), for hypotheses, references and sources alike:
- a batch `--out` folder (it has `results.jsonl`): one document per finished article, its segments the
  non-blank lines of the translation, with what the run recorded (checks, tokens, cache hits, latency);
- a folder of `.txt` files (recursive, hidden files skipped): one document per file, named by its path
  inside the folder without `.txt`, its segments the non-blank lines (blank lines separate paragraphs);
- one text file, one segment per line (blank lines included: line N of every file is the same segment).
  `lines_per_article=N` cuts it into pseudo-articles of N lines (`lines-00001-00012`, ...).

Pairing: documents pair by batch id first (two runs of the same inputs), then by name; two single files
pair with each other. What pairs with nothing is listed (`unpaired_*`), never silently dropped. Inside a
pair, segments pair by line number; different counts are an error naming both files (or, with
`segments="article"`, each document is scored as one segment).

Scores are sacrebleu's own corpus-level metrics (`CHRF`, `BLEU`, `TER` with their defaults, whose
signatures are in the report): the corpus score over every paired segment, and each article's score over
its own segments, so `evaluate(hyp, ref).corpus.chrf == sacrebleu.corpus_chrf(hyps, [refs]).score`.
Beside them, the reference-free signal we own: the checks' error and warning counts per article (from the
batch's recorded checks, or computed by `summarizer.checks.check_translation` when `source` is given),
and the outliers: articles whose primary score (the first metric) is more than `outlier_margin` points
worse than the corpus's.

sacrebleu is the optional `eval` extra, imported only when scores are computed.
"""

from summarizer.evaluate.models import (
    METRICS, ArticleScore, Collection, CompareReport, CompareRow, Document, EvalReport, RunSide, RunStats, Scores,
)
from summarizer.evaluate.reading import load_texts, pair_documents
from summarizer.evaluate.scoring import compare, evaluate, score_segments

__all__ = [
    "METRICS", "ArticleScore", "Collection", "CompareReport", "CompareRow", "Document", "EvalReport", "RunSide",
    "RunStats", "Scores", "compare", "evaluate", "load_texts", "pair_documents", "score_segments",
]
