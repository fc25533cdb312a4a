"""The name checks' English dictionary: the sets built from the `english-words` package, and the
plain-text copy that later processes read instead of building them again."""

from __future__ import annotations

import os
import subprocess
import sys

from summarizer.checks import english_lexicon

_PROBE = "from summarizer.checks import english_lexicon as e\nprint(len(e.lowercase_words()), len(e.entries()), 'disaster' in e.lowercase_words(), 'shirley' in e.lowercase_words(), 'shirley' in e.entries())\n"


def _in_child(folder) -> str:
    """A fresh process (nothing built yet) asks for both sets with the copy in `folder`."""
    env = {**os.environ, "SUMMARIZER_LANGUAGE_MODEL_CACHE": str(folder)}
    return subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, timeout=120, check=True).stdout


def _expected() -> str:
    lower, every = english_lexicon._from_package()
    return f"{len(lower)} {len(every)} True False True\n"


def _copies(folder) -> list:
    return [p for p in folder.iterdir() if p.name.startswith("english-words-")]


def test_the_first_process_writes_a_copy_that_holds_exactly_the_packaged_sets(tmp_path):
    folder = tmp_path / "copies"
    assert _in_child(folder) == _expected()
    (copy,) = _copies(folder)
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")], "no temp file left behind"
    # read straight from the copy (no fallback can hide a broken reader), then through a new process
    assert english_lexicon._read_copy(copy) == english_lexicon._from_package()
    written = copy.stat().st_mtime_ns
    assert _in_child(folder) == _expected()
    assert copy.stat().st_mtime_ns == written, "the second process read the copy instead of writing it again"


def test_a_cut_short_or_foreign_copy_is_ignored_and_rebuilt(tmp_path):
    folder = tmp_path / "copies"
    _in_child(folder)
    (copy,) = _copies(folder)
    whole = copy.read_text(encoding="utf-8")
    for damaged in (whole[: len(whole) // 2], "not a word list\n", ""):
        copy.write_text(damaged, encoding="utf-8")
        assert _in_child(folder) == _expected()
        assert copy.read_text(encoding="utf-8") == whole, "replaced by a whole copy for the next process"


def test_off_keeps_no_copy(tmp_path):
    env = {**os.environ, "SUMMARIZER_LANGUAGE_MODEL_CACHE": "off", "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache"), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, timeout=120, check=True).stdout
    assert out == _expected()
    assert not (tmp_path / "cache").exists() and not (tmp_path / "xdg").exists()


def test_the_lists_read_from_the_copy_hold_exactly_the_packaged_words(tmp_path):
    """Lookups bisect the copy's sorted lists: every word of the package is found, in the right list,
    and nothing else (a word before the first, past the last, between two, of another case)."""
    from english_words import get_english_words_set

    folder = tmp_path / "copies"
    _in_child(folder)
    (copy,) = _copies(folder)
    lower, every = english_lexicon._read_copy(copy)
    listed = get_english_words_set(list(english_lexicon._SOURCES), alpha=True)
    lower_case = {w for w in listed if w.islower()}
    assert all(w in lower for w in lower_case) and all(w.lower() in every for w in listed)
    capitalised_only = {w.lower() for w in listed} - lower_case
    assert capitalised_only and not any(w in lower for w in capitalised_only)
    assert len(lower) == len(lower_case) and len(every) == len({w.lower() for w in listed})
    assert sorted(every) == list(every)  # one order for both lists
    for stranger in ("", "\x00", "\U0010ffff", "zzzzzzzzzz", "disasterx", "Disaster", "bencana"):
        assert stranger not in lower and stranger not in every, stranger
