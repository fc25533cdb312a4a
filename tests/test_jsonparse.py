"""Extracting the JSON object from whatever a model wrapped it in."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.jsonparse import NoJSONFound, extract_json_object

OBJ = {"summary": ["a {b}", "c \"d\""], "n": 1}


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(OBJ),
        "```json\n" + json.dumps(OBJ) + "\n```",
        "Sure! Here it is:\n" + json.dumps(OBJ) + "\nHope that helps.",
        "<think>maybe {\"summary\": []}</think>" + json.dumps(OBJ),
        "reasoning without an opening tag </think>\n" + json.dumps(OBJ),
        "```\n" + json.dumps(OBJ, indent=2) + "\n```",
    ],
)
def test_extracts_wrapped_objects(text):
    assert extract_json_object(text) == OBJ


@pytest.mark.parametrize("text, reason", [("", "empty"), ("no json here", "no JSON"), ("[1, 2]", "expected a JSON object"), ('{"a": ', "invalid JSON")])
def test_failures_say_why(text, reason):
    with pytest.raises(NoJSONFound) as info:
        extract_json_object(text)
    assert reason in str(info.value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=5), st.text(max_size=40), st.text(max_size=40))
def test_any_object_survives_surrounding_prose(obj, before, after):
    before = before.replace("{", "(").replace("<think", "")
    text = before + "\n" + json.dumps(obj) + "\n" + after
    assert extract_json_object(text) == obj


@settings(max_examples=2000, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_anything_but_no_json_found(text):
    try:
        value = extract_json_object(text)
    except NoJSONFound:
        return
    assert isinstance(value, dict)
