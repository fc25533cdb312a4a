"""Scores and verdicts: sacrebleu's corpus-level metrics per article and per corpus, the checks'
counts, outliers (`evaluate`), and two runs article by article (`compare`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from summarizer.errors import ConfigError
from summarizer.evaluate.models import (
    DEFAULT_OUTLIER_MARGIN, HIGHER_IS_BETTER, METRICS, RUN_MEASURES, ArticleScore, Collection, CompareReport, CompareRow,
    Document, EvalReport, RunSide, Scores, Segmenting,
)
from summarizer.evaluate.reading import Pairing, aligned_segments, as_collection, pair_documents, require_pairs
from summarizer.schemas import Finding

_TIE = 1e-9


def _metric_objects(metrics: Sequence[str]) -> dict[str, Any]:
    try:
        from sacrebleu.metrics import BLEU, CHRF, TER
    except ImportError:
        raise ConfigError("scoring needs sacrebleu, which is not installed",
                          hint="pip install 'summarizer[eval]'") from None
    make = {"chrf": CHRF, "bleu": BLEU, "ter": TER}
    return {name: make[name]() for name in metrics}


def check_metrics(metrics: Iterable[str]) -> list[str]:
    chosen = []
    for name in metrics:
        name = name.strip().lower()
        if name not in METRICS:
            raise ConfigError(f"unknown metric {name!r}", hint="use chrf, bleu and/or ter, e.g. --metric chrf,bleu")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise ConfigError("no metric given", hint="use chrf, bleu and/or ter, e.g. --metric chrf,bleu")
    return chosen


def score_segments(hyps: Sequence[str], refs: Sequence[str], metrics: Sequence[str] = METRICS, *, _objects: dict[str, Any] | None = None) -> Scores:
    """sacrebleu's corpus scores of `hyps` against one reference each (same length)."""
    if len(hyps) != len(refs):
        raise ConfigError(f"{len(hyps)} hypotheses but {len(refs)} references", hint="give one reference per hypothesis")
    objects = _objects or _metric_objects(check_metrics(metrics))
    return Scores(**{name: metric.corpus_score(list(hyps), [list(refs)]).score for name, metric in objects.items()})


def _better(metric: str, a: float, b: float) -> float:
    """How much better a is than b on `metric` (negative: worse)."""
    return a - b if HIGHER_IS_BETTER.get(metric, False) else b - a


def _counts(findings: Iterable[Finding]) -> tuple[int, int]:
    findings = list(findings)
    return sum(f.severity == "error" for f in findings), sum(f.severity == "warning" for f in findings)


def _check_counts(hyp: Document, source: Document | None) -> tuple[int | None, int | None]:
    """The batch's recorded checks, else the checks run now against the paired source, else unknown."""
    if hyp.findings is not None:  # they also cover the summary and glossary, against the cleaned source
        return _counts(hyp.findings)
    if source is not None:
        from summarizer.checks import check_translation

        return _counts(check_translation("\n\n".join(source.segments), "\n\n".join(hyp.segments)))
    return None, None


def _sources_for(hyps: Collection, source: Collection | None) -> dict[int, Document]:
    if source is None:
        return {}
    return {id(h): s for h, s in pair_documents(hyps, source).pairs}


def _sum_optional(values: Iterable[int | None]) -> int | None:
    values = list(values)
    return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]


def _signatures(objects: dict[str, Any]) -> dict[str, str]:
    return {name: str(metric.get_signature()) for name, metric in objects.items()}


# -- evaluate ---------------------------------------------------------------------------------------
def evaluate(
    hyp: str | Path | Collection,
    ref: str | Path | Collection,
    *,
    metrics: Sequence[str] = METRICS,
    source: str | Path | Collection | None = None,
    segments: Segmenting = "lines",
    lines_per_article: int | None = None,
    outlier_margin: float = DEFAULT_OUTLIER_MARGIN,
) -> EvalReport:
    """Score `hyp` against `ref`, per article and for the corpus (module doc). `source` (same kinds)
    runs the checks on hypotheses that carry no recorded checks."""
    chosen = check_metrics(metrics)
    hyps, refs = as_collection(hyp, lines_per_article), as_collection(ref, lines_per_article)
    sources = _sources_for(hyps, as_collection(source, lines_per_article) if source is not None else None)
    pairing = pair_documents(hyps, refs)
    require_pairs(pairing, hyps, refs)
    aligned = [aligned_segments(h, r, segments) for h, r in pairing.pairs]
    objects = _metric_objects(chosen)
    corpus = score_segments([s for h, _ in aligned for s in h], [s for _, r in aligned for s in r], _objects=objects)
    primary, corpus_primary = chosen[0], getattr(corpus, chosen[0])
    articles = []
    for (hyp_doc, ref_doc), (hyp_segments, ref_segments) in zip(pairing.pairs, aligned):
        # one pair (two single files): its segments are the corpus; do not score 10,000 lines twice
        scores = corpus if len(aligned) == 1 else score_segments(hyp_segments, ref_segments, _objects=objects)
        errors, warnings = _check_counts(hyp_doc, sources.get(id(hyp_doc)))
        outlier = _better(primary, getattr(scores, primary), corpus_primary) < -outlier_margin
        articles.append(ArticleScore(
            name=hyp_doc.name, id=hyp_doc.id, hyp=hyp_doc.location, ref=ref_doc.location, segments=len(hyp_segments),
            scores=scores, errors=errors, warnings=warnings, outlier=outlier,
        ))
    return EvalReport(
        hyp=hyps.path, ref=refs.path, metrics=chosen, signatures=_signatures(objects), corpus=corpus,
        segments=sum(len(h) for h, _ in aligned),
        errors=_sum_optional(a.errors for a in articles), warnings=_sum_optional(a.warnings for a in articles),
        outlier_margin=outlier_margin, outliers=[a.name for a in articles if a.outlier], articles=articles,
        unpaired_hyp=pairing.only_left, unpaired_ref=pairing.only_right,
    )


# -- compare ----------------------------------------------------------------------------------------
def _side(document: Document, source: Document | None, scores: Scores | None) -> RunSide:
    errors, warnings = _check_counts(document, source)
    measures = {} if document.stats is None else document.stats.model_dump(include=set(RUN_MEASURES))
    return RunSide(scores=scores, errors=errors, warnings=warnings, **measures)


def _decide(a: RunSide, b: RunSide, primary: str | None, names: tuple[str, str]) -> tuple[str | None, str, float]:
    """(winner, the measure that decided, by how much): the primary score when both have one; on a
    tie or without scores, fewer check errors, then fewer warnings."""
    if primary is not None and a.scores is not None and b.scores is not None:
        score_a, score_b = getattr(a.scores, primary), getattr(b.scores, primary)
        if score_a is not None and score_b is not None:
            diff = _better(primary, score_a, score_b)
            if abs(diff) > _TIE:
                return (names[0] if diff > 0 else names[1]), primary, abs(diff)
    for measure in ("errors", "warnings"):
        count_a, count_b = getattr(a, measure), getattr(b, measure)
        if count_a is None or count_b is None:
            break
        if count_a != count_b:
            return (names[0] if count_a < count_b else names[1]), measure, float(abs(count_a - count_b))
    return None, primary or "errors", 0.0


def _total(sides: list[RunSide], scores: Scores | None) -> RunSide:
    def summed(field: str) -> Any:
        values = [getattr(s, field) for s in sides]
        known = [v for v in values if v is not None]
        return sum(known) if known else None

    errors = _sum_optional(s.errors for s in sides)
    warnings = _sum_optional(s.warnings for s in sides)
    return RunSide(scores=scores, errors=errors, warnings=warnings, **{measure: summed(measure) for measure in RUN_MEASURES})


def _run_names(a: Collection, b: Collection) -> tuple[str, str]:
    if a.label != b.label:
        return a.label, b.label
    return a.path, b.path  # two runs both called `out`: their paths tell them apart


@dataclass
class _Duel:
    """One comparison's settings, and the segments each side's corpus score is computed over."""

    names: tuple[str, str]
    refs: dict[int, Document]  # id(document of run A) -> its reference
    sources: dict[int, Document]  # id(document of run A) -> its source
    objects: dict[str, Any]  # sacrebleu metric objects; empty without references
    segmenting: Segmenting
    # (hypothesis segments, reference segments) of run A, then of run B
    corpus: tuple[tuple[list[str], list[str]], tuple[list[str], list[str]]] = field(default_factory=lambda: (([], []), ([], [])))

    @property
    def primary(self) -> str | None:
        return next(iter(self.objects), None)

    def _scores(self, side: int, document: Document, reference: Document) -> Scores:
        hyps, refs = aligned_segments(document, reference, self.segmenting)
        self.corpus[side][0].extend(hyps)
        self.corpus[side][1].extend(refs)
        return score_segments(hyps, refs, _objects=self.objects)

    def row(self, doc_a: Document, doc_b: Document) -> CompareRow:
        reference, source = self.refs.get(id(doc_a)), self.sources.get(id(doc_a))
        scores = (self._scores(0, doc_a, reference), self._scores(1, doc_b, reference)) if reference is not None else (None, None)
        side_a, side_b = _side(doc_a, source, scores[0]), _side(doc_b, source, scores[1])
        winner, decided_by, margin = _decide(side_a, side_b, self.primary, self.names)
        return CompareRow(name=doc_a.name, id=doc_a.id, a=side_a, b=side_b, winner=winner, decided_by=decided_by, margin=margin)

    def totals(self, rows: list[CompareRow]) -> tuple[RunSide, RunSide]:
        def corpus_scores(side: int) -> Scores | None:
            hyps, refs = self.corpus[side]
            return score_segments(hyps, refs, _objects=self.objects) if hyps else None

        return _total([r.a for r in rows], corpus_scores(0)), _total([r.b for r in rows], corpus_scores(1))


def compare(
    run_a: str | Path | Collection,
    run_b: str | Path | Collection,
    *,
    ref: str | Path | Collection | None = None,
    metrics: Sequence[str] = METRICS,
    source: str | Path | Collection | None = None,
    segments: Segmenting = "lines",
    lines_per_article: int | None = None,
) -> CompareReport:
    """Two runs of the same articles, article by article and in total (module doc). With `ref`, the
    first metric decides who wins; without, fewer check errors, then fewer warnings."""
    chosen = check_metrics(metrics) if ref is not None else []
    a, b = as_collection(run_a, lines_per_article), as_collection(run_b, lines_per_article)
    pairing = pair_documents(a, b)
    require_pairs(pairing, a, b)
    refs: dict[int, Document] = {}
    ref_collection = as_collection(ref, lines_per_article) if ref is not None else None
    if ref_collection is not None:
        ref_pairing = pair_documents(a, ref_collection)
        refs = {id(doc_a): doc_r for doc_a, doc_r in ref_pairing.pairs}
        if not any(id(doc_a) in refs for doc_a, _ in pairing.pairs):
            require_pairs(Pairing([], [], []), a, ref_collection)
    duel = _Duel(
        names=_run_names(a, b), refs=refs, objects=_metric_objects(chosen) if chosen else {}, segmenting=segments,
        sources=_sources_for(a, as_collection(source, lines_per_article) if source is not None else None),
    )
    rows = [duel.row(doc_a, doc_b) for doc_a, doc_b in pairing.pairs]
    total_a, total_b = duel.totals(rows)
    winner, decided_by, margin = _decide(total_a, total_b, duel.primary, duel.names)
    wins = {duel.names[0]: 0, duel.names[1]: 0, "tie": 0}
    for row in rows:
        wins[row.winner or "tie"] += 1
    return CompareReport(
        run_a=duel.names[0], run_b=duel.names[1], ref=ref_collection.path if ref_collection else None, metrics=chosen,
        winner=winner, decided_by=decided_by, margin=margin, wins=wins,
        totals={duel.names[0]: total_a, duel.names[1]: total_b}, articles=rows,
        unpaired_a=pairing.only_left, unpaired_b=pairing.only_right,
        unpaired_ref=[doc_a.name for doc_a, _ in pairing.pairs if ref_collection is not None and id(doc_a) not in refs],
    )
