"""The pydantic models: what the model must answer, and what a run produces.

Two families:
- *Output* models (`BriefOutput`, `ChunkTranslationOutput`, `SummaryOutput`) are what we ask the LLM
  for. They stay simple (all fields required, no defaults) because constrained decoders in llama.cpp,
  vLLM and Ollama only honour a subset of JSON Schema.
- `ArticleResult` is what the user gets. Its JSON schema ships as `schemas/article_result.schema.json`
  (regenerate with `python -m summarizer.schemas`; a test keeps the file in sync).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_DIR = Path(__file__).parent / "schemas"
ARTICLE_RESULT_SCHEMA_FILE = SCHEMA_DIR / "article_result.schema.json"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or only whitespace")
    return value.strip()


# minLength in the schema lets constrained decoders (llama.cpp, vLLM) rule out empty strings.
Bullet = Annotated[str, Field(min_length=1)]


class GlossaryEntry(_Strict):
    term: str = Field(description="The term in the target language (English by default), or the acronym.")
    source_term: str = Field(description="The term exactly as it is written in the source article.")
    definition: str = Field(description="A one-sentence definition in the target language.")

    _clean = field_validator("term", "source_term", "definition")(_not_blank)


def _usable_entries(entries: list[Any]) -> list[Any]:
    """A glossary entry with a blank field is noise, not a reason to re-ask: drop it."""
    def usable(entry: Any) -> bool:
        if not isinstance(entry, dict):
            return True  # let pydantic report the type error
        return all(isinstance(entry.get(k), str) and entry.get(k, "").strip() for k in ("term", "source_term", "definition"))

    return [e for e in entries if usable(e)] if isinstance(entries, list) else entries


class BriefOutput(_Strict):
    """One request for a short article: translation, bullets and glossary together."""

    source_language: str = Field(description="ISO 639-1 code of the article's language, e.g. 'id'.")
    title: str = Field(min_length=1, description="The headline translated, or a short descriptive title.")
    translation: str = Field(min_length=1, description="The complete, faithful translation of the article.")
    summary: list[Bullet] = Field(min_length=3, max_length=7, description="3 to 7 summary bullets.")
    glossary: list[GlossaryEntry] = Field(description="Domain terms and acronyms in the article.")

    _clean = field_validator("translation", "title")(_not_blank)
    _glossary = field_validator("glossary", mode="before")(_usable_entries)

    @field_validator("summary")
    @classmethod
    def _bullets_not_blank(cls, bullets: list[str]) -> list[str]:
        return [_not_blank(b) for b in bullets]


class ChunkTranslationOutput(_Strict):
    """Translation of one chunk; new glossary terms found in it."""

    title: str = Field(description="The headline translated if this part has one, else an empty string.")
    translation: str = Field(min_length=1, description="The complete, faithful translation of this part.")
    glossary: list[GlossaryEntry] = Field(description="Domain terms and acronyms in this part.")

    _clean = field_validator("translation")(_not_blank)
    _glossary = field_validator("glossary", mode="before")(_usable_entries)


MAX_KEY_POINTS = 4


class ChunkBriefOutput(ChunkTranslationOutput):
    """A chunk of an article being summarized: also its key points, which become the article's
    summary in one merge request (instead of re-reading the whole translation). A translate-only
    run asks for `ChunkTranslationOutput` and pays no completion tokens for them."""

    key_points: list[str] = Field(max_length=MAX_KEY_POINTS, description="Up to 4 facts or claims of this part, most important first.")

    @field_validator("key_points", mode="before")
    @classmethod
    def _usable_points(cls, points: Any) -> Any:
        """Blank points are dropped and points past the 4th cut: never a reason to re-ask a part's
        whole translation (a wrong type still is: pydantic reports it)."""
        if not isinstance(points, list):
            return points
        kept = [p.strip() if isinstance(p, str) else p for p in points if not (isinstance(p, str) and not p.strip())]
        return kept[:MAX_KEY_POINTS]


# The output a template's declared output becomes when the run also wants key points.
WITH_KEY_POINTS: dict[type[BaseModel], type[BaseModel]] = {ChunkTranslationOutput: ChunkBriefOutput}


class SummaryOutput(_Strict):
    summary: list[Bullet] = Field(min_length=3, max_length=7, description="3 to 7 summary bullets.")

    @field_validator("summary")
    @classmethod
    def _bullets_not_blank(cls, bullets: list[str]) -> list[str]:
        return [_not_blank(b) for b in bullets]


OUTPUT_MODELS: dict[str, type[BaseModel]] = {
    "BriefOutput": BriefOutput,
    "ChunkTranslationOutput": ChunkTranslationOutput,
    "ChunkBriefOutput": ChunkBriefOutput,
    "SummaryOutput": SummaryOutput,
}


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: "Usage") -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens


class Finding(BaseModel):
    """One thing a check noticed about the output (issue: faithfulness checks)."""

    kind: str
    severity: Literal["error", "warning", "info"]
    message: str
    source_span: str | None = None
    output_span: str | None = None
    count: int = Field(1, description="how many times this same finding occurred (reported once)")


class RunMetadata(BaseModel):
    model: str
    endpoint_host: str
    structured_mode: str | None = Field(None, description="json_schema_strict, json_schema, json_object or prompt")
    prompt_versions: dict[str, str] = Field(default_factory=dict, description="template name -> content hash")
    usage: Usage = Field(default_factory=Usage)
    requests: int = Field(0, description="HTTP requests sent to the endpoint for this article")
    cache_hits: int = 0
    chunks: int = 0
    token_counter: str = ""
    timings: dict[str, float] = Field(default_factory=dict, description="seconds per stage")
    warnings: list[str] = Field(default_factory=list)
    summarizer_version: str = ""


class ArticleResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="Input path, or '-' for standard input")
    task: Literal["summarize", "translate"] = "summarize"
    source_language: str
    target_language: str
    title: str
    translation: str
    summary: list[str] = Field(max_length=7, description="3-7 bullets; empty for translate-only runs")
    glossary: list[GlossaryEntry]
    checks: list[Finding] = Field(default_factory=list)
    metadata: RunMetadata


def article_result_schema() -> dict[str, Any]:
    return ArticleResult.model_json_schema()


def llm_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema sent to the endpoint: every property required, no extra properties,
    no `default`/`title` noise (strict mode in OpenAI rejects defaults; small servers choke on noise)
    and no `description`s: the prompt templates already say what each field holds, and OpenAI bills
    the schema as prompt tokens (the descriptions were ~160 of the brief schema's ~320)."""
    schema = copy.deepcopy(model.model_json_schema())

    def tidy(node: Any) -> None:
        """`node` is always a schema; property names are never touched (a field may be called `title`)."""
        if isinstance(node, list):
            for item in node:
                tidy(item)
            return
        if not isinstance(node, dict):
            return
        node.pop("title", None)
        node.pop("default", None)
        node.pop("description", None)
        if node.get("type") == "object" and "properties" in node:
            node["required"] = list(node["properties"])
            node["additionalProperties"] = False
        for key, value in node.items():
            if key in ("properties", "$defs"):
                for sub in value.values():
                    tidy(sub)
            elif key in ("items", "anyOf", "oneOf", "allOf", "not", "additionalProperties"):
                tidy(value)

    tidy(schema)
    return schema


def write_schema_files() -> list[Path]:
    SCHEMA_DIR.mkdir(exist_ok=True)
    text = json.dumps(article_result_schema(), indent=2, ensure_ascii=False) + "\n"
    ARTICLE_RESULT_SCHEMA_FILE.write_text(text, encoding="utf-8")
    return [ARTICLE_RESULT_SCHEMA_FILE]


if __name__ == "__main__":  # python -m summarizer.schemas
    for path in write_schema_files():
        print(f"wrote {path}")
