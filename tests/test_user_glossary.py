from __future__ import annotations

import pytest

from summarizer.errors import InputError
from summarizer.user_glossary import TermRule, ignored_rules, load_user_glossary, rules_in


def test_csv_with_header_and_tsv(tmp_path):
    csv_file = tmp_path / "t.csv"
    csv_file.write_text("source,preferred,note\nPHK,layoffs,HR term\n# comment\n\n\"belanja modal\",capital expenditure\n", encoding="utf-8")
    assert load_user_glossary(csv_file) == [TermRule("PHK", "layoffs", "HR term"), TermRule("belanja modal", "capital expenditure")]
    tsv_file = tmp_path / "t.tsv"
    tsv_file.write_text("PHK\tlayoffs\n", encoding="utf-8")
    assert load_user_glossary(tsv_file) == [TermRule("PHK", "layoffs")]


def test_bad_rows_name_the_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("PHK,layoffs\nlonely\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_user_glossary(bad)
    assert "line 2" in str(info.value) and str(bad) in str(info.value)
    with pytest.raises(InputError):
        load_user_glossary(tmp_path / "missing.csv")


def test_matching_is_whole_word_and_case_insensitive():
    rules = [TermRule("PHK", "layoffs"), TermRule("AI", "AI"), TermRule("modal", "capital")]
    text = "Gelombang phk melanda. Pemodal senang."
    assert rules_in(text, rules) == [TermRule("PHK", "layoffs")]
    assert ignored_rules(text, "A wave of layoffs.", rules) == []
    assert ignored_rules(text, "A wave of dismissals.", rules) == [TermRule("PHK", "layoffs")]
