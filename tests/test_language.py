"""The language identifier: one per process, and its uncompressed copy that makes later loads fast."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from summarizer import language

SENTENCES = [
    "Bank Indonesia mempertahankan suku bunga acuan di level 6,00 persen pada rapat bulan ini.",
    "The central bank kept its benchmark rate at 6.00 percent at this month's meeting.",
    "La banque centrale a maintenu son taux directeur à 6 pour cent ce mois-ci.",
    "Kerajaan Malaysia mengumumkan bajet baharu untuk rakyat pada hari Jumaat.",
]


def _load_in_child(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    """A fresh process (nothing loaded yet) that loads the identifier and prints its answers."""
    code = (
        "from summarizer import language\n"
        f"for s in {SENTENCES!r}:\n"
        "    lang, p = language.identifier().classify(s)\n"
        "    print(lang, round(float(p), 6))\n"
    )
    env = {**os.environ, **env_extra}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=True)


@pytest.fixture
def packaged_answers() -> list[tuple[str, float]]:
    from py3langid.langid import LanguageIdentifier

    packaged = LanguageIdentifier.from_model_file(language._packaged_model(), norm_probs=True)
    return [(lang, round(float(p), 6)) for lang, p in map(packaged.classify, SENTENCES)]


def test_first_load_writes_a_copy_that_answers_exactly_like_the_packaged_model(tmp_path, packaged_answers):
    folder = tmp_path / "lm"
    first = _load_in_child({"SUMMARIZER_LANGUAGE_MODEL_CACHE": str(folder)})
    copies = [p for p in folder.iterdir() if not p.name.startswith(".")]
    assert len(copies) == 1 and copies[0].is_dir(), list(folder.iterdir())
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")], "no temp folder left behind"
    # read straight from the copy (no fallback can hide a broken reader), then through a new process
    from_copy = language._from_copy(copies[0])
    assert [(lang, round(float(p), 6)) for lang, p in map(from_copy.classify, SENTENCES)] == packaged_answers
    second = _load_in_child({"SUMMARIZER_LANGUAGE_MODEL_CACHE": str(folder)})
    expected = "".join(f"{lang} {p}\n" for lang, p in packaged_answers)
    assert first.stdout == expected and second.stdout == expected


def test_restricted_identifier_from_the_copy_matches_the_packaged_one(tmp_path, packaged_answers):
    from py3langid.langid import LanguageIdentifier

    language._write_copy(LanguageIdentifier.from_model_file(language._packaged_model(), norm_probs=True), tmp_path / "copy")
    from_copy = language._from_copy(tmp_path / "copy")
    packaged = LanguageIdentifier.from_model_file(language._packaged_model(), norm_probs=True)
    for model in (from_copy, packaged):
        model.set_languages(["en", "id", "ms"])
    assert [from_copy.classify(s) for s in SENTENCES] == [packaged.classify(s) for s in SENTENCES]


def test_a_damaged_copy_falls_back_to_the_packaged_model_and_is_rebuilt(tmp_path, packaged_answers):
    folder = tmp_path / "lm"
    _load_in_child({"SUMMARIZER_LANGUAGE_MODEL_CACHE": str(folder)})
    copy = next(folder.iterdir())
    (copy / "nextmove.npy").write_bytes(b"\x93NUMPY truncated")
    again = _load_in_child({"SUMMARIZER_LANGUAGE_MODEL_CACHE": str(folder)})
    assert again.stdout == "".join(f"{lang} {p}\n" for lang, p in packaged_answers)
    rebuilt = language._from_copy(copy)  # and replaced by a whole copy for the next run
    assert [(lang, round(float(p), 6)) for lang, p in map(rebuilt.classify, SENTENCES)] == packaged_answers


def test_off_keeps_no_copy_and_an_unwritable_folder_is_not_an_error(tmp_path, packaged_answers):
    expected = "".join(f"{lang} {p}\n" for lang, p in packaged_answers)
    env_home = {"SUMMARIZER_CACHE_DIR": str(tmp_path / "cache"), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert _load_in_child({"SUMMARIZER_LANGUAGE_MODEL_CACHE": "off", **env_home}).stdout == expected
    assert not (tmp_path / "cache").exists() and not (tmp_path / "xdg").exists()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert _load_in_child({"SUMMARIZER_LANGUAGE_MODEL_CACHE": str(blocker / "lm")}).stdout == expected


def test_the_copy_goes_under_the_cache_dir_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("SUMMARIZER_LANGUAGE_MODEL_CACHE")
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "c"))
    assert language.copy_folder() == Path(tmp_path / "c" / "language-model")


def test_the_copy_is_read_in_place_not_copied_into_the_process(tmp_path, packaged_answers):
    # the DFA tables stay views of the mapped file: copying the 38 MB transition table cost every
    # process ~0.02 s of its start (a batch's first requests wait for it) and 38 MB of memory
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    language._write_copy(LanguageIdentifier.from_model_file(language._packaged_model(), norm_probs=True), tmp_path / "copy")
    from_copy = language._from_copy(tmp_path / "copy")
    for table in (from_copy.tk_nextmove, from_copy.tk_output):
        assert isinstance(table, memoryview) and isinstance(table.obj, np.memmap), type(table)
    assert [(lang, round(float(p), 6)) for lang, p in map(from_copy.classify, SENTENCES)] == packaged_answers
