"""The names check finds a text's capitalised tokens without matching every word: exactly the tokens
of `_TOKEN.finditer` that start with a capital, whatever the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.checks import names

# the characters where the two readings could part: letters of both cases, digits, the token's inner
# marks (& ' ’ -), accented letters (no token characters) and the separators around words
TOKENISH = st.text(alphabet=st.sampled_from(list("aZbYcM09&'’- .,\n(“éÉı")), max_size=40)


def _reference(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in names._TOKEN.finditer(text) if m.group()[0].isupper()]


@settings(max_examples=3000, deadline=None)
@given(TOKENISH)
def test_capitalised_tokens_are_the_tokens_that_start_with_a_capital(text: str) -> None:
    assert [m.span() for m in names.capitalised_tokens(text)] == _reference(text)


def test_a_capital_inside_a_word_starts_no_token() -> None:
    text = "eBay and Mc-Donald met OpenAI's 3M-Corp, A-, x-Ray and 12B in São Paulo"
    found = [m.group() for m in names.capitalised_tokens(text)]
    # "eBay" and "x-Ray" are no capitalised tokens; a digit before a capital is not part of the token
    # ("3M-Corp", "12B"), nor is a letter outside ASCII ("São")
    assert found == ["Mc-Donald", "OpenAI's", "M-Corp", "A", "B", "S", "Paulo"] == [text[a:b] for a, b in _reference(text)]
