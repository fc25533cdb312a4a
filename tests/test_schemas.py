"""The shipped JSON schema stays in sync with the models; the schema sent to endpoints stays simple."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from summarizer.schemas import ARTICLE_RESULT_SCHEMA_FILE, BriefOutput, ChunkTranslationOutput, article_result_schema, llm_schema


def test_shipped_schema_file_matches_the_models():
    shipped = json.loads(ARTICLE_RESULT_SCHEMA_FILE.read_text(encoding="utf-8"))
    assert shipped == article_result_schema(), "run `python -m summarizer.schemas` and commit the file"


def test_llm_schema_requires_everything_and_keeps_fields_named_title():
    schema = llm_schema(ChunkTranslationOutput)
    assert schema["required"] == ["title", "translation", "glossary"]
    assert "title" in schema["properties"] and schema["additionalProperties"] is False
    text = json.dumps(schema)
    assert '"default"' not in text
    assert '"description"' not in text, "the prompt says what fields hold; descriptions are billed prompt tokens"
    assert '"definition"' in json.dumps(llm_schema(BriefOutput)), "property names stay, even ones that look like keywords"


def test_brief_output_bounds_bullets_and_rejects_blank_text():
    entry = {"term": "AWS", "source_term": "AWS", "definition": "Amazon's cloud."}
    good = {"source_language": "id", "title": "T", "translation": "x", "summary": ["a", "b", "c"], "glossary": [entry]}
    assert [(b.text, b.paragraphs) for b in BriefOutput.model_validate(good).summary] == [("a", []), ("b", []), ("c", [])]
    cited = {**good, "summary": [{"text": " a ", "paragraphs": [3, 1, 3]}, "b", "c"]}
    assert BriefOutput.model_validate(cited).summary[0].model_dump() == {"text": "a", "paragraphs": [1, 3]}
    for bad in ({**good, "summary": ["a"]}, {**good, "summary": ["a"] * 8}, {**good, "translation": "  "},
                {**good, "summary": ["a", " ", "c"]}, {**good, "extra": 1}, {**good, "glossary": "AWS"},
                {**good, "summary": [{"text": "a", "paragraphs": [0]}, "b", "c"]},
                {**good, "summary": [{"text": "a", "paragraphs": [1], "source": "x"}, "b", "c"]},
                {**good, "glossary": [{**entry, "paragraphs": [1]}]}):  # where a term occurs is found, not asked
        with pytest.raises(ValidationError):
            BriefOutput.model_validate(bad)


def test_result_schema_has_cited_bullets_and_located_glossary_entries():
    defs = article_result_schema()["$defs"]
    bullet = defs["SummaryBullet"]
    assert set(bullet["properties"]) == {"text", "paragraphs"} and bullet["required"] == ["text"]
    assert bullet["properties"]["paragraphs"]["items"] == {"type": "integer"}
    assert "paragraphs" in defs["GlossaryEntry"]["properties"]
    summary = article_result_schema()["properties"]["summary"]
    assert summary["items"] == {"$ref": "#/$defs/SummaryBullet"}


def test_llm_schemas_inline_nested_models_and_ask_no_glossary_paragraphs():
    for model in (BriefOutput, ChunkTranslationOutput):
        schema = llm_schema(model)
        assert "$defs" not in schema and "$ref" not in json.dumps(schema)
        assert list(schema["properties"]["glossary"]["items"]["properties"]) == ["term", "source_term", "definition"]
    assert llm_schema(BriefOutput)["properties"]["summary"]["items"]["required"] == ["text", "paragraphs"]
