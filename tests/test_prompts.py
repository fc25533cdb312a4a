"""Prompt templates: loading, versions, rendering, errors."""

from __future__ import annotations

import pytest

from summarizer.errors import PromptError
from summarizer.prompts import BUILTIN_PROMPTS_DIR, PromptLibrary, load_template

FULL = dict(article="A", source_language_name="Indonesian", target_language="English", instructions="",
            user_glossary=[], known_terms=[], chunk_number=1, chunk_count=1, partial="", key_points=False)


def test_builtin_templates_load_and_render():
    library = PromptLibrary()
    assert {"brief", "translate_chunk", "summarize"} <= set(library.names())
    for name in ("brief", "translate_chunk", "summarize"):
        messages = library.get(name).render(**FULL)
        assert [m["role"] for m in messages] == ["system", "user"]
        assert "<article>\nA\n</article>" in messages[1]["content"]
        assert "JSON" in messages[0]["content"], "json_object mode requires the word JSON in the prompt"


def test_version_is_the_content_hash(tmp_path):
    source = (BUILTIN_PROMPTS_DIR / "brief.toml").read_text()
    path = tmp_path / "brief.toml"
    path.write_text(source)
    first = load_template(path).version
    assert first == load_template(BUILTIN_PROMPTS_DIR / "brief.toml").version
    path.write_text(source + "\n# edited\n")
    assert load_template(path).version != first


def test_missing_variables_are_all_reported(tmp_path):
    path = tmp_path / "brief.toml"
    path.write_text('output = "BriefOutput"\n[messages]\nsystem = "{{ a }} {{ b }}"\nuser = "{{ article }} {{ c }}"\n')
    with pytest.raises(PromptError) as info:
        load_template(path).render(article="x")
    assert "a, b, c" in str(info.value)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("not toml [", "not a valid TOML template"),
        ('output = "Nope"\n[messages]\nsystem = "s"\nuser = "u"\n', "unknown output"),
        ('output = "BriefOutput"\n[messages]\nsystem = "s"\n', "messages.user"),
        ('output = "BriefOutput"\nsurprise = 1\n[messages]\nsystem = "s"\nuser = "u"\n', "surprise"),
        ('output = "BriefOutput"\n[parameters]\nlogit_bias = 1\n[messages]\nsystem = "s"\nuser = "u"\n', "unsupported parameters"),
    ],
)
def test_bad_templates_are_prompt_errors(tmp_path, text, expected):
    path = tmp_path / "brief.toml"
    path.write_text(text)
    with pytest.raises(PromptError) as info:
        load_template(path)
    assert expected in str(info.value)


def test_user_folder_falls_back_to_builtins(tmp_path):
    (tmp_path / "brief.toml").write_text((BUILTIN_PROMPTS_DIR / "brief.toml").read_text().replace("professional", "meticulous"))
    library = PromptLibrary(tmp_path)
    assert library.get("brief").path.parent == tmp_path
    assert library.get("summarize").path.parent == BUILTIN_PROMPTS_DIR
    with pytest.raises(PromptError):
        PromptLibrary(tmp_path / "missing")


def test_sessions_share_a_compiled_template_and_an_edited_copy_gets_its_own(tmp_path):
    """Every library of the process with the same template text reuses one compiled form (a new
    Session compiled its templates again: ~8 ms before its first request); a template whose text
    differs, here a user's copy with one word changed, is compiled and rendered on its own."""
    first, second = PromptLibrary().get("brief"), PromptLibrary().get("brief")
    assert first is not second
    assert first._templates()[0] is second._templates()[0]

    own = tmp_path / "prompts"
    own.mkdir()
    text = (BUILTIN_PROMPTS_DIR / "brief.toml").read_text(encoding="utf-8")
    assert "Translate, summarize" in text
    (own / "brief.toml").write_text(text.replace("Translate, summarize", "Please translate, summarize", 1), encoding="utf-8")
    edited = PromptLibrary(own).get("brief")
    assert edited._templates()[0] is not first._templates()[0]
    variables = {name: "" for name in first.variables}
    variables.update(user_glossary=[], known_terms=[], chunk_number=1, chunk_count=1, key_points=False)
    rendered = "".join(m["content"] for m in edited.render(**variables))
    assert rendered != "".join(m["content"] for m in first.render(**variables))
