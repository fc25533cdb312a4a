"""Paragraph references: how a request numbers its text, and how the numbers a model cites map back
to the article's paragraphs.

A request that wants citations (the brief, a part's key points, the summary merge) shows its text
as numbered units, `¶1 first paragraph\\n\\n¶2 second ...`, numbered from 1 in every request. A
`Sources` list says, for each unit, which article paragraphs it stands for:

    article chunk            unit n = a paragraph of the chunk   -> (that article paragraph,)
    a part's key points      unit n = one key point              -> the paragraphs the point cites
    map-reduce of bullets    unit n = one bullet of a piece      -> the paragraphs the bullet cites

so mapping is the same one step at every level (`Sources.cited`), and levels compose.

"¶N " costs 2 tokens (cl100k) per paragraph, against 3 for "[N] " (measured on seed 000: 47 vs 72
tokens for its 25 paragraphs); the Markdown shows the same sign (`[¶3]`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from summarizer.chunking import split_paragraphs

MARK = "¶"
# Tokens a "¶N " marker adds to a paragraph, for budgets: 2 with cl100k/o200k; more for tokenizers
# that split digits or the sign's two UTF-8 bytes.
MARKER_TOKENS = 3
_COPIED_MARKER = re.compile(r"¶(\d{1,4})[ \t]+")


def numbered(units: Sequence[str]) -> str:
    """`units` as the text a citing request shows: "¶1 ...\\n\\n¶2 ..."."""
    return "\n\n".join(f"{MARK}{n} {unit}" for n, unit in enumerate(units, start=1))


def strip_copied_markers(translation: str, count: int) -> str:
    """A translation with the "¶N " a model copied from its prompt removed from the start of its
    paragraphs (N in 1..count; anything else is the article's own text). Paragraph breaks stay."""
    def strip(paragraph: str) -> str:
        found = _COPIED_MARKER.match(paragraph)
        return paragraph[found.end():] if found and 1 <= int(found.group(1)) <= count else paragraph

    if MARK not in translation:
        return translation
    return "\n\n".join(strip(p) for p in split_paragraphs(translation))


def with_markers(count_tokens):
    """`count_tokens` plus the markers a numbered request adds: MARKER_TOKENS per paragraph of the
    text counted (what chunk budgets must hold when the chunk is sent numbered)."""
    def count(text: str) -> int:
        return count_tokens(text) + MARKER_TOKENS * max(1, len(split_paragraphs(text)))

    return count


@dataclass(frozen=True)
class Sources:
    """For unit n (1-based) of a numbered request, the article paragraphs it stands for."""

    units: tuple[tuple[int, ...], ...]

    @classmethod
    def of_paragraphs(cls, numbers: Iterable[int]) -> "Sources":
        """Units that are article paragraphs themselves (a chunk: its `paragraphs`)."""
        return cls(tuple((n,) for n in numbers))

    def __len__(self) -> int:
        return len(self.units)

    def cited(self, local: Iterable[int]) -> list[int]:
        """The article paragraphs behind the cited unit numbers; numbers outside 1..len are dropped
        (answers are validated against the count before they get here; a cached or provider-batch
        answer validated elsewhere must still not name a paragraph that does not exist)."""
        found: set[int] = set()
        for n in local:
            if 1 <= n <= len(self.units):
                found.update(self.units[n - 1])
        return sorted(found)

    def select(self, local: Sequence[int]) -> "Sources":
        """The units `local` (1-based) of this list, renumbered from 1: a piece of a longer request."""
        return Sources(tuple(self.units[n - 1] for n in local))


def paragraphs_with(term: str, paragraphs: Sequence[str]) -> list[int]:
    """1-based numbers of the paragraphs that contain `term` as a whole word, ignoring case (where
    a glossary entry's source term occurs); [] when none does."""
    term = " ".join(term.split())
    if not term:
        return []
    # whitespace inside the term matches any whitespace; the term must not continue a longer word
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, term.split())) + r"(?!\w)", re.IGNORECASE)
    return [n for n, paragraph in enumerate(paragraphs, start=1) if pattern.search(paragraph)]
