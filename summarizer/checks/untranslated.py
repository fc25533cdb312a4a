"""Untranslated text: translation sentences still in the source language (py3langid, imported lazily)."""

from __future__ import annotations

import re

from summarizer.checks.scan import sentences
from summarizer.checks.severity import finding
from summarizer.schemas import Finding

UNTRANSLATED_ERROR_RATIO = 0.30
MIN_WORDS_FOR_LANGUAGE = 6

_FUNCTION_WORDS = {
    "id": set("yang dan di ke dari untuk dengan pada ini itu dalam akan tidak adalah oleh telah sebagai "
              "bahwa juga karena atau saat sudah masih lebih para sebuah kini namun tersebut mereka kami".split()),
}
_LETTER_WORDS_RE = re.compile(r"[^\W\d_]+")


def _language_identifier(languages: tuple[str, ...]):
    from summarizer.language import identifier

    return identifier(languages)


def _untranslated_sentences(translation: str, source_lang: str) -> tuple[list[str], int]:
    """(sentences still in the source language, number of sentences checked)."""
    if source_lang == "en":
        return [], 0
    related = ("id", "ms") if source_lang in ("id", "ms") else (source_lang,)
    try:
        identifier = _language_identifier(tuple(sorted({"en", *related})))
    except Exception:  # noqa: BLE001 - an unknown language code or a missing model: skip the check
        return [], 0
    words_of = _FUNCTION_WORDS.get(source_lang)
    flagged, checked = [], 0
    for sentence in sentences(translation):
        words = _LETTER_WORDS_RE.findall(sentence)
        if len(words) < MIN_WORDS_FOR_LANGUAGE:
            continue
        checked += 1
        function_words = sum(1 for w in words if w.lower() in words_of) if words_of is not None else None
        if function_words == 0:
            # a sentence needs at least one function word of the source language to be flagged,
            # whatever the identifier says: skip it (most sentences of a translation; ~0.1 ms each)
            continue
        ranks = dict(identifier.rank(sentence))
        foreign = sum(ranks.get(code, 0.0) for code in related)
        if foreign < 0.9:
            continue
        needed = 1 if foreign >= 0.99 else 2
        if function_words is not None and function_words < needed:
            continue
        flagged.append(sentence)
    return flagged, checked


def check_untranslated(translation: str, source_lang: str) -> list[Finding]:
    flagged, checked = _untranslated_sentences(translation, source_lang)
    if not flagged:
        return []
    ratio = len(flagged) / checked
    level = "most" if ratio > UNTRANSLATED_ERROR_RATIO else None
    return [
        finding(
            "untranslated",
            f"sentence still in '{source_lang}' ({len(flagged)} of {checked} sentences)",
            output_span=sentence[:300], level=level,
        )
        for sentence in flagged
    ]
