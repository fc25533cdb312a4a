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

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Literal, Sequence

from pydantic import BaseModel, Field

from summarizer.errors import ConfigError, InputError
from summarizer.schemas import ArticleResult, Finding

Metric = Literal["chrf", "bleu", "ter"]
METRICS: tuple[Metric, ...] = ("chrf", "bleu", "ter")
HIGHER_IS_BETTER: dict[str, bool] = {"chrf": True, "bleu": True, "ter": False}
DEFAULT_OUTLIER_MARGIN = 10.0  # points of the primary metric below the corpus score
Kind = Literal["batch", "folder", "lines"]
Segmenting = Literal["lines", "article"]
RESULTS_NAME = "results.jsonl"  # the batch output folder's files (summarizer.batch writes them)
MANIFEST_NAME = "manifest.jsonl"
_TIE = 1e-9


# -- what is read -----------------------------------------------------------------------------------
class RunStats(BaseModel):
    """What a batch run recorded for one article."""

    model: str = ""
    requests: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_seconds: float | None = None
    cost_usd: float | None = None


class Document(BaseModel):
    name: str
    id: str | None = None  # the batch id (manifest), when read from a batch folder
    location: str  # the file it was read from (and its lines, for a pseudo-article)
    segments: list[str]
    findings: list[Finding] | None = None  # the checks the batch ran on it
    stats: RunStats | None = None


class Collection(BaseModel):
    path: str
    kind: Kind
    documents: list[Document]

    @property
    def label(self) -> str:
        """The run's name as people say it: its folder (or file) name."""
        return Path(self.path).name or self.path


# -- results ----------------------------------------------------------------------------------------
class Scores(BaseModel):
    chrf: float | None = None
    bleu: float | None = None
    ter: float | None = None


class ArticleScore(BaseModel):
    name: str
    id: str | None = None
    hyp: str
    ref: str
    segments: int
    scores: Scores
    errors: int | None = None  # checks' error-severity findings; None: no source to check against
    warnings: int | None = None
    outlier: bool = False


class EvalReport(BaseModel):
    hyp: str
    ref: str
    metrics: list[str]
    signatures: dict[str, str] = Field(default_factory=dict, description="sacrebleu's signature per metric")
    corpus: Scores
    segments: int
    errors: int | None = None
    warnings: int | None = None
    outlier_margin: float
    outliers: list[str] = Field(default_factory=list, description="names of the articles far below the corpus score")
    articles: list[ArticleScore]
    unpaired_hyp: list[str] = Field(default_factory=list)
    unpaired_ref: list[str] = Field(default_factory=list)


class RunSide(BaseModel):
    """One run's numbers for one article, or its totals."""

    scores: Scores | None = None
    errors: int | None = None
    warnings: int | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost_usd: float | None = None
    latency_seconds: float | None = None
    cache_hits: int | None = None
    requests: int | None = None


class CompareRow(BaseModel):
    name: str
    id: str | None = None
    a: RunSide
    b: RunSide
    winner: str | None = Field(None, description="the better run's name; None: a tie")
    decided_by: str = Field(description="the measure that decided: a metric, 'errors' or 'warnings'")
    margin: float = Field(0.0, description="how much better the winner is on that measure (points, or findings)")


class CompareReport(BaseModel):
    run_a: str
    run_b: str
    ref: str | None = None
    metrics: list[str]
    winner: str | None = Field(None, description="the better run overall (its folder name); None: a tie")
    decided_by: str
    margin: float = 0.0
    wins: dict[str, int] = Field(description="articles won per run name, and 'tie'")
    totals: dict[str, RunSide] = Field(description="per run name: corpus scores and summed counts")
    articles: list[CompareRow]
    unpaired_a: list[str] = Field(default_factory=list)
    unpaired_b: list[str] = Field(default_factory=list)
    unpaired_ref: list[str] = Field(default_factory=list, description="articles of both runs with no reference")


# -- reading ----------------------------------------------------------------------------------------
def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read it ({exc.strerror})") from None
    if b"\x00" in data:
        raise InputError(path, "is not a text file (it holds NUL bytes)", hint="give UTF-8 text, one segment per line")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"is not UTF-8 text (byte {exc.start})", hint="save it as UTF-8") from None
    if not text.strip():
        raise InputError(path, "is empty", hint="give a file that holds the text to score")
    return text


def _file_lines(text: str) -> list[str]:
    """Line N is segment N: only newlines split (not the other characters str.splitlines splits on)."""
    if text.endswith("\n"):
        text = text[:-1]
    return [line.rstrip("\r") for line in text.split("\n")]


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in _file_lines(text) if line.strip()]


def _read_lines_file(path: Path, lines_per_article: int | None) -> Collection:
    lines = _file_lines(_read_text(path))
    if not lines_per_article:
        return Collection(path=str(path), kind="lines", documents=[Document(name=path.stem, location=str(path), segments=lines)])
    documents = []
    for start in range(0, len(lines), lines_per_article):
        chunk = lines[start : start + lines_per_article]
        first, last = start + 1, start + len(chunk)
        documents.append(Document(name=f"lines-{first:05d}-{last:05d}", location=f"{path}:{first}-{last}", segments=chunk))
    return Collection(path=str(path), kind="lines", documents=documents)


def _read_text_folder(folder: Path) -> Collection:
    documents = []
    for path in sorted(folder.rglob("*.txt")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        documents.append(Document(name=relative.with_suffix("").as_posix(), location=str(path), segments=_paragraphs(_read_text(path))))
    if not documents:
        raise InputError(folder, "has nothing to evaluate: no results.jsonl and no .txt files",
                         hint="give a batch --out folder, a folder of .txt files or a text file with one segment per line")
    return Collection(path=str(folder), kind="folder", documents=documents)


def _jsonl_records(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    if not path.is_file():
        return
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line cut short by a kill (the batch's own rule)
            if isinstance(record, dict):
                yield number, record


def _stats(result: ArticleResult) -> RunStats:
    from urllib.parse import urlsplit

    from summarizer.config import LOCAL_HOSTS
    from summarizer.pricing import cost_usd

    meta, usage = result.metadata, result.metadata.usage
    local = (urlsplit(f"//{meta.endpoint_host}").hostname or "") in LOCAL_HOSTS
    return RunStats(
        model=meta.model,
        requests=meta.requests,
        cache_hits=meta.cache_hits,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        latency_seconds=meta.timings.get("total"),
        cost_usd=None if local else cost_usd(meta.model, usage.prompt_tokens, usage.completion_tokens),
    )


def _batch_name(entry: dict[str, Any], result: ArticleResult) -> str:
    """A JSONL record's id, else the input file's name without suffix (what a reference folder uses)."""
    item_id, source = str(entry.get("id", "")), str(entry.get("source", result.source))
    if item_id and item_id != source and not Path(item_id).is_absolute() and ":" not in item_id:
        return item_id
    return Path(result.source).stem


def _read_batch(folder: Path) -> Collection:
    results_file = folder / RESULTS_NAME
    results: dict[str, tuple[int, ArticleResult]] = {}
    for number, record in _jsonl_records(results_file):
        try:
            result = ArticleResult.model_validate(record)
        except ValueError:
            raise InputError(f"{results_file}:{number}", "is not an article result",
                             hint="give the folder a `summarizer batch --out` wrote, unedited") from None
        results[result.source] = (number, result)  # the last line for a source wins (a kill may repeat one)
    # The manifest knows each article's id; without it (deleted?), every result line stands alone.
    entries = {e["id"]: e for _, e in _jsonl_records(folder / MANIFEST_NAME) if isinstance(e.get("id"), str)}
    done = [e for e in entries.values() if e.get("state") == "done"] or [{"source": s} for s in results]
    documents, seen = [], set()
    for entry in done:
        found = results.get(str(entry.get("source"))) or results.get(str(entry.get("id")))
        if found is None or found[1].source in seen:
            continue
        number, result = found
        seen.add(result.source)
        documents.append(Document(
            name=_batch_name(entry, result), id=entry.get("id"), location=f"{results_file}:{number}",
            segments=_paragraphs(result.translation), findings=result.checks, stats=_stats(result),
        ))
    if not documents:
        raise InputError(folder, "has no finished article in results.jsonl", hint="run `summarizer batch` into it first")
    return Collection(path=str(folder), kind="batch", documents=documents)


def load_texts(path: str | Path, *, lines_per_article: int | None = None) -> Collection:
    """Read a batch --out folder, a folder of .txt files, or a one-segment-per-line file (module doc)."""
    path = Path(path)
    if lines_per_article is not None and lines_per_article < 1:
        raise ConfigError(f"lines per article must be at least 1, got {lines_per_article}")
    if not path.exists():
        raise InputError(path, "no such file or folder")
    if path.is_dir():
        return _read_batch(path) if (path / RESULTS_NAME).is_file() else _read_text_folder(path)
    return _read_lines_file(path, lines_per_article)


def _as_collection(value: str | Path | Collection, lines_per_article: int | None) -> Collection:
    return value if isinstance(value, Collection) else load_texts(value, lines_per_article=lines_per_article)


# -- pairing ----------------------------------------------------------------------------------------
@dataclass
class Pairing:
    """The very Document objects of both sides (identity matters: callers map by `id()`)."""

    pairs: list[tuple[Document, Document]]
    only_left: list[str]
    only_right: list[str]


def pair_documents(left: Collection, right: Collection) -> Pairing:
    """By batch id, then by name; two single files pair with each other (module doc)."""
    if left.kind == right.kind == "lines" and len(left.documents) == len(right.documents) == 1:
        return Pairing(pairs=[(left.documents[0], right.documents[0])], only_left=[], only_right=[])
    by_id = {d.id: d for d in right.documents if d.id is not None}
    by_name: dict[str, Document] = {}
    for document in right.documents:
        by_name.setdefault(document.name, document)
    used: set[int] = set()
    pairs: list[tuple[Document, Document]] = []
    unmatched: list[Document] = []
    for document in left.documents:
        match = by_id.get(document.id) if document.id is not None else None
        if match is not None and id(match) not in used:
            used.add(id(match))
            pairs.append((document, match))
        else:
            unmatched.append(document)
    only_left = []
    for document in unmatched:
        match = by_name.get(document.name)
        if match is not None and id(match) not in used:
            used.add(id(match))
            pairs.append((document, match))
        else:
            only_left.append(document.name)
    only_right = [d.name for d in right.documents if id(d) not in used]
    return Pairing(pairs=pairs, only_left=only_left, only_right=only_right)


def _names(names: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _require_pairs(pairing: Pairing, left: Collection, right: Collection) -> None:
    if not pairing.pairs:
        raise InputError(left.path, f"nothing to pair with {right.path}: no article name or batch id in common "
                         f"({_names([d.name for d in left.documents])} vs {_names([d.name for d in right.documents])})",
                         hint="name the files alike (a.txt pairs with a.txt or a batch's a.txt), or give two one-segment-per-line files")


def _aligned(hyp: Document, ref: Document, segmenting: Segmenting) -> tuple[list[str], list[str]]:
    if segmenting == "article":
        return [" ".join(hyp.segments)], [" ".join(ref.segments)]
    if len(hyp.segments) != len(ref.segments):
        raise InputError(hyp.location, f"has {len(hyp.segments)} lines but {ref.location} has {len(ref.segments)}: "
                         "line N of each must be the same segment",
                         hint="fix the files, or score each article as one segment (--segments article)")
    return hyp.segments, ref.segments


# -- scoring ----------------------------------------------------------------------------------------
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
    if source is not None:
        from summarizer.checks import check_translation

        return _counts(check_translation("\n\n".join(source.segments), "\n\n".join(hyp.segments)))
    if hyp.findings is not None:
        return _counts(hyp.findings)
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
    hyps, refs = _as_collection(hyp, lines_per_article), _as_collection(ref, lines_per_article)
    sources = _sources_for(hyps, _as_collection(source, lines_per_article) if source is not None else None)
    pairing = pair_documents(hyps, refs)
    _require_pairs(pairing, hyps, refs)
    aligned = [_aligned(h, r, segments) for h, r in pairing.pairs]
    objects = _metric_objects(chosen)
    corpus = score_segments([s for h, _ in aligned for s in h], [s for _, r in aligned for s in r], _objects=objects)
    primary, corpus_primary = chosen[0], getattr(corpus, chosen[0])
    articles = []
    for (hyp_doc, ref_doc), (hyp_segments, ref_segments) in zip(pairing.pairs, aligned):
        scores = score_segments(hyp_segments, ref_segments, _objects=objects)
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
    stats = document.stats
    if stats is None:
        return RunSide(scores=scores, errors=errors, warnings=warnings)
    return RunSide(
        scores=scores, errors=errors, warnings=warnings, prompt_tokens=stats.prompt_tokens,
        completion_tokens=stats.completion_tokens, cost_usd=stats.cost_usd, latency_seconds=stats.latency_seconds,
        cache_hits=stats.cache_hits, requests=stats.requests,
    )


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
    return RunSide(
        scores=scores, errors=errors, warnings=warnings, prompt_tokens=summed("prompt_tokens"),
        completion_tokens=summed("completion_tokens"), cost_usd=summed("cost_usd"),
        latency_seconds=summed("latency_seconds"), cache_hits=summed("cache_hits"), requests=summed("requests"),
    )


def _run_names(a: Collection, b: Collection) -> tuple[str, str]:
    if a.label != b.label:
        return a.label, b.label
    return a.path, b.path  # two runs both called `out`: their paths tell them apart


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
    a, b = _as_collection(run_a, lines_per_article), _as_collection(run_b, lines_per_article)
    names = _run_names(a, b)
    pairing = pair_documents(a, b)
    _require_pairs(pairing, a, b)
    sources = _sources_for(a, _as_collection(source, lines_per_article) if source is not None else None)
    refs: dict[int, Document] = {}
    if ref is not None:
        ref_collection = _as_collection(ref, lines_per_article)
        refs = {id(doc_a): doc_r for doc_a, doc_r in pair_documents(a, ref_collection).pairs}
        if not any(id(doc_a) in refs for doc_a, _ in pairing.pairs):
            _require_pairs(pair_documents(a, ref_collection), a, ref_collection)
    objects = _metric_objects(chosen) if chosen else {}
    rows, corpus_a, corpus_b = [], ([], [], []), ([], [], [])
    for doc_a, doc_b in pairing.pairs:
        reference, scores_a, scores_b = refs.get(id(doc_a)), None, None
        if reference is not None:
            hyp_a, ref_a = _aligned(doc_a, reference, segments)
            hyp_b, ref_b = _aligned(doc_b, reference, segments)
            scores_a = score_segments(hyp_a, ref_a, _objects=objects)
            scores_b = score_segments(hyp_b, ref_b, _objects=objects)
            for corpus, hyp_segments, ref_segments in ((corpus_a, hyp_a, ref_a), (corpus_b, hyp_b, ref_b)):
                corpus[0].extend(hyp_segments)
                corpus[1].extend(ref_segments)
        source_doc = sources.get(id(doc_a))
        side_a, side_b = _side(doc_a, source_doc, scores_a), _side(doc_b, source_doc, scores_b)
        winner, decided_by, margin = _decide(side_a, side_b, chosen[0] if chosen else None, names)
        rows.append(CompareRow(name=doc_a.name, id=doc_a.id, a=side_a, b=side_b, winner=winner, decided_by=decided_by, margin=margin))
    return _compare_report(a, b, names, ref, chosen, objects, rows, pairing, corpus_a, corpus_b, refs)


def _compare_report(a, b, names, ref, chosen, objects, rows, pairing, corpus_a, corpus_b, refs) -> CompareReport:
    scored = bool(corpus_a[0])
    total_a = _total([r.a for r in rows], score_segments(corpus_a[0], corpus_a[1], _objects=objects) if scored else None)
    total_b = _total([r.b for r in rows], score_segments(corpus_b[0], corpus_b[1], _objects=objects) if scored else None)
    winner, decided_by, margin = _decide(total_a, total_b, chosen[0] if chosen else None, names)
    wins = {names[0]: 0, names[1]: 0, "tie": 0}
    for row in rows:
        wins[row.winner or "tie"] += 1
    return CompareReport(
        run_a=names[0], run_b=names[1], ref=None if ref is None else str(getattr(ref, "path", ref)), metrics=chosen,
        winner=winner, decided_by=decided_by, margin=margin, wins=wins,
        totals={names[0]: total_a, names[1]: total_b}, articles=rows,
        unpaired_a=pairing.only_left, unpaired_b=pairing.only_right,
        unpaired_ref=[doc_a.name for doc_a, _ in pairing.pairs if ref is not None and id(doc_a) not in refs],
    )
