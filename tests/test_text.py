"""summarizer._text: the one-line and pydantic-problem helpers every message builder shares."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError, field_validator

from summarizer._text import one_line, pydantic_problems


def test_one_line_folds_every_kind_of_white_space():
    assert one_line("  a\n\tb\r\n c\u00a0d\u2028e  ") == "a b c d e"
    assert one_line(ValueError("bad\nvalue")) == "bad value"  # any object, through str()
    assert one_line("") == ""


def test_one_line_cuts_to_the_limit_with_or_without_a_mark():
    assert one_line("abcdef", 6) == "abcdef"
    assert one_line("abc def ghi", 5) == "abc d"
    assert one_line("abc def ghi", 5, mark="…") == "abc …"
    assert len(one_line("x" * 500, 300, mark="…")) == 300


class _Shape(BaseModel):
    name: str
    count: int

    @field_validator("count")
    @classmethod
    def positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be positive")
        return value


def _problem(data) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        _Shape.model_validate(data)
    return caught.value


def test_pydantic_problems_names_each_location():
    assert pydantic_problems(_problem({"count": 0})) == "name: Field required; count: Value error, must be positive"
    assert pydantic_problems(_problem({"count": 0}), limit=1) == "name: Field required"


def test_pydantic_problems_names_the_whole_value_by_root():
    assert pydantic_problems(_problem([1])) == "(root): Input should be a valid dictionary or instance of _Shape"
    assert pydantic_problems(_problem([1]), root="settings").startswith("settings: ")
