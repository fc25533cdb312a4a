"""The pydantic models of `summarizer.evaluate`: what is read (`Collection` of `Document`s) and what is
reported (`EvalReport`, `CompareReport`). Their JSON is a contract others script against: `corpus`
{chrf, bleu, ter} and `articles` for eval, `winner` and `articles` for compare."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from summarizer.schemas import Finding

Metric = Literal["chrf", "bleu", "ter"]
METRICS: tuple[Metric, ...] = ("chrf", "bleu", "ter")
HIGHER_IS_BETTER: dict[str, bool] = {"chrf": True, "bleu": True, "ter": False}
DEFAULT_OUTLIER_MARGIN = 10.0  # points of the primary metric below the corpus score
Kind = Literal["batch", "folder", "lines"]
Segmenting = Literal["lines", "article"]
RESULTS_NAME = "results.jsonl"  # the batch output folder's files (summarizer.batch writes them)
MANIFEST_NAME = "manifest.jsonl"


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
    source: str | None = None  # a batch result's `source`: where its source text can be read again
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
    cost_usd: float | None = Field(None, description="USD at the price table's rates; None: a local endpoint, a model without a price, or not a batch run")
    latency_seconds: float | None = Field(None, description="the article's wall time in its batch run (the totals: summed over the articles)")
    cache_hits: int | None = None
    requests: int | None = None


# The measures of RunStats that a RunSide carries: copied per article, summed for a run's totals.
RUN_MEASURES = ("prompt_tokens", "completion_tokens", "cost_usd", "latency_seconds", "cache_hits", "requests")


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
