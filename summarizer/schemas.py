"""The pydantic models: what the model must answer, and what a run produces.

Two families:
- *Output* models (`BriefOutput`, `ChunkTranslationOutput`, `SummaryOutput`) are what we ask the LLM
  for. They stay simple (the schema sent requires every field, see `llm_schema`) because constrained
  decoders in llama.cpp, vLLM and Ollama only honour a subset of JSON Schema. Summary bullets and key
  points cite the numbered paragraphs of their request (`SummaryBullet.paragraphs`);
  `citing_at_most` bounds those numbers, so a citation of a paragraph that does not exist is re-asked.
- `ArticleResult` is what the user gets. Its JSON schema ships as `schemas/article_result.schema.json`
  (regenerate with `python -m summarizer.schemas`; a test keeps the file in sync).
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

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


class GlossaryTerm(_Strict):
    """A glossary entry as the model gives it. Where the term occurs is not asked: the pipeline finds
    `source_term` in the article's paragraphs (exact, and no completion tokens; see `GlossaryEntry`)."""

    term: str = Field(description="The term in the target language (English by default), or the acronym.")
    source_term: str = Field(description="The term exactly as it is written in the source article.")
    definition: str = Field(description="A one-sentence definition in the target language.")

    _clean = field_validator("term", "source_term", "definition")(_not_blank)


def _paragraph_numbers(numbers: list[int]) -> list[int]:
    """Sorted, without repeats; a number below 1 names no paragraph (the model is re-asked)."""
    if any(n < 1 for n in numbers):
        raise ValueError("paragraph numbers start at 1")
    return sorted(set(numbers))


PARAGRAPHS_DESCRIPTION = (
    "1-based numbers of the article's paragraphs this comes from (paragraphs as "
    "`summarizer.chunking.split_paragraphs` cuts the cleaned source text); [] when none is known."
)


class GlossaryEntry(GlossaryTerm):
    """A glossary entry of a result: `paragraphs` are those of the article holding `source_term`."""

    paragraphs: list[int] = Field(default_factory=list, description=PARAGRAPHS_DESCRIPTION)

    _numbers = field_validator("paragraphs")(_paragraph_numbers)


class SummaryBullet(_Strict):
    """One summary bullet (or a part's key point) and the paragraphs it comes from.

    In a model's answer `paragraphs` are the numbers the prompt showed (`¶3`); in a result they are
    the article's. A plain string is accepted as a bullet citing nothing (older results, and models
    that ignore the object form): the summary check reports such a bullet, no re-ask is spent on it."""

    text: Bullet = Field(description="The bullet text.")
    paragraphs: list[int] = Field(default_factory=list, description=PARAGRAPHS_DESCRIPTION)

    _clean = field_validator("text")(_not_blank)
    _numbers = field_validator("paragraphs")(_paragraph_numbers)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"text": value, "paragraphs": []} if isinstance(value, str) else value

    def __str__(self) -> str:
        return self.text


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
    summary: list[SummaryBullet] = Field(min_length=3, max_length=7, description="3 to 7 summary bullets.")
    glossary: list[GlossaryTerm] = Field(description="Domain terms and acronyms in the article.")

    _clean = field_validator("translation", "title")(_not_blank)
    _glossary = field_validator("glossary", mode="before")(_usable_entries)


class ChunkTranslationOutput(_Strict):
    """Translation of one chunk; new glossary terms found in it."""

    title: str = Field(description="The headline translated if this part has one, else an empty string.")
    translation: str = Field(min_length=1, description="The complete, faithful translation of this part.")
    glossary: list[GlossaryTerm] = Field(description="Domain terms and acronyms in this part.")

    _clean = field_validator("translation")(_not_blank)
    _glossary = field_validator("glossary", mode="before")(_usable_entries)


MAX_KEY_POINTS = 4


class ChunkBriefOutput(ChunkTranslationOutput):
    """A chunk of an article being summarized: also its key points, which become the article's
    summary in one merge request (instead of re-reading the whole translation). A translate-only
    run asks for `ChunkTranslationOutput` and pays no completion tokens for them."""

    key_points: list[SummaryBullet] = Field(max_length=MAX_KEY_POINTS, description="Up to 4 facts or claims of this part, most important first.")

    @field_validator("key_points", mode="before")
    @classmethod
    def _usable_points(cls, points: Any) -> Any:
        """Blank points are dropped and points past the 4th cut: never a reason to re-ask a part's
        whole translation (a wrong type still is: pydantic reports it)."""
        if not isinstance(points, list):
            return points

        def blank(point: Any) -> bool:
            text = point.get("text") if isinstance(point, dict) else point
            return isinstance(text, str) and not text.strip()

        return [p for p in points if not blank(p)][:MAX_KEY_POINTS]


# The output a template's declared output becomes when the run also wants key points.
WITH_KEY_POINTS: dict[type[BaseModel], type[BaseModel]] = {ChunkTranslationOutput: ChunkBriefOutput}


class SummaryOutput(_Strict):
    summary: list[SummaryBullet] = Field(min_length=3, max_length=7, description="3 to 7 summary bullets.")


# The fields of an answer whose items cite the numbered paragraphs (or points) of their request.
CITING_FIELDS = ("summary", "key_points")


@functools.cache
def citing_at_most(model: type[BaseModel], count: int) -> type[BaseModel]:
    """`model` whose answers may cite only ¶1..¶count: a citation past them fails validation, so the
    client re-asks with the reason (llm.py re-asks on any ValidationError). Same name and the same
    JSON schema as `model` (the bound is not sent: few servers enforce integer bounds, and the
    schema stays the same for every article); one class per (model, count)."""

    def cites_existing_paragraphs(value: BaseModel) -> BaseModel:
        for name in CITING_FIELDS:
            for position, item in enumerate(getattr(value, name, None) or (), start=1):
                wrong = [n for n in item.paragraphs if n > count]
                if wrong:
                    raise ValueError(
                        f"{name} item {position} cites ¶{wrong[0]}, but the text has only ¶1 to ¶{count}; cite only those numbers"
                    )
        return value

    return create_model(
        model.__name__, __base__=model, __module__=model.__module__,
        __validators__={"_cites_existing_paragraphs": model_validator(mode="after")(cites_existing_paragraphs)},
    )


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
    summary: list[SummaryBullet] = Field(max_length=7, description="3-7 bullets, each with the article paragraphs it comes from; empty for translate-only runs")
    glossary: list[GlossaryEntry]
    checks: list[Finding] = Field(default_factory=list)
    metadata: RunMetadata


def article_result_schema() -> dict[str, Any]:
    return ArticleResult.model_json_schema()


_SHARED_SCHEMAS: dict[type, dict[str, Any]] = {}


def shared_llm_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The process's one `llm_schema(model)` (~2-4 ms to build, asked for by every request and every
    Session's prompt-size count). Shared: never modify it."""
    if model not in _SHARED_SCHEMAS:
        _SHARED_SCHEMAS[model] = llm_schema(model)
    return _SHARED_SCHEMAS[model]


def llm_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema sent to the endpoint: every property required, no extra properties,
    no `default`/`title` noise (strict mode in OpenAI rejects defaults; small servers choke on noise)
    and no `description`s: the prompt templates already say what each field holds, and OpenAI bills
    the schema as prompt tokens (the descriptions were ~160 of the brief schema's ~320). Nested
    models are written in place, not as `$defs` + `$ref`: fewer tokens (the brief's schema 275 -> 253
    with cl100k) and no references for small servers' grammar compilers to resolve."""
    schema = _inline_refs(copy.deepcopy(model.model_json_schema()))

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


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with every local `$ref` replaced by the definition it names (our models do not
    nest themselves; a reference loop is left as it is)."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [resolve(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in definitions and ref[8:] not in seen:
            name = ref[8:]
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return resolve({**copy.deepcopy(definitions[name]), **rest}, seen + (name,))
        return {key: resolve(value, seen) for key, value in node.items()}

    inlined = resolve(schema, ())
    if "$ref" in json.dumps(inlined):
        inlined["$defs"] = definitions  # a loop: keep what the references point at
    return inlined


def write_schema_files() -> list[Path]:
    SCHEMA_DIR.mkdir(exist_ok=True)
    text = json.dumps(article_result_schema(), indent=2, ensure_ascii=False) + "\n"
    ARTICLE_RESULT_SCHEMA_FILE.write_text(text, encoding="utf-8")
    return [ARTICLE_RESULT_SCHEMA_FILE]


if __name__ == "__main__":  # python -m summarizer.schemas
    for path in write_schema_files():
        print(f"wrote {path}")
