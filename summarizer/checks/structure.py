"""Structure: paragraphs left out or cut short.

The prompts require the paragraph breaks to be kept, so source and translation paragraphs are aligned
in order by length (a small Gale-Church-style dynamic programme): one source paragraph to one, two or
three source paragraphs merged into one, one split in two, or a source paragraph with no counterpart.
Lengths are compared with the measured Indonesian -> English expansion in characters: 0.89 (the
10,000 human sentence pairs of the id-en news corpus; 90% of sentences between 0.69 and 1.08).

    paragraph_missing  error    a source paragraph with no counterpart
    paragraph_short    warning  a counterpart under 40% of its expected length
"""

from __future__ import annotations

import math
import re

from summarizer.checks.lexicon import is_indonesian_word
from summarizer.checks.scan import sentences
from summarizer.chunking import paragraph_spans
from summarizer.checks.severity import finding
from summarizer.schemas import Finding

EXPANSION = {"id": 0.89, "ms": 0.89, "en": 1.0}
SHORT_RATIO = 0.40
MIN_CHARS = 40  # shorter paragraphs (a dateline, a byline) are too noisy to judge by length
_SKIP = 0.6  # cost of leaving a paragraph unaligned
_MERGE = 0.15  # cost of each paragraph merged into another: breaks are meant to be kept
_ANCHOR = 1.0  # cost of the share of a paragraph's anchors (figures, names) absent from its counterpart
# cost of a step's sentence counts differing (log ratio): translators keep sentences about one to one,
# so two paragraphs merged into one hold about the sentences of both, and one dropped beside its
# neighbour leaves the "merge" with only the neighbour's
_SENTENCES = 0.5
_ANCHOR_TOKEN = re.compile(r"\d+|[A-Z][a-z]{3,}")
# (source paragraphs, translation paragraphs) one alignment step may take
_STEPS = ((1, 1), (2, 1), (3, 1), (1, 2), (1, 0), (0, 1))


def _cost(source_chars: int, translation_chars: int, expansion: float) -> float:
    return abs(math.log((translation_chars + 20) / (source_chars * expansion + 20)))


def anchors(text: str) -> frozenset[str]:
    """What a translation keeps verbatim: figures and names (capitalised words that are no Indonesian word)."""
    return frozenset(t for t in _ANCHOR_TOKEN.findall(text) if t[0].isdigit() or not is_indonesian_word(t))


def align(
    source_lengths: list[int], translation_lengths: list[int], expansion: float,
    source_anchors: list[frozenset[str]] | None = None, translation_tokens: list[frozenset[str]] | None = None,
    source_sentences: list[int] | None = None, translation_sentences: list[int] | None = None,
) -> list[tuple[int, int, int, int]]:
    """The cheapest alignment: [(source from, source to, translation from, translation to)] in order.

    A step costs how far its lengths are from the expected expansion, plus the share of the source
    paragraphs' anchors that the translation paragraphs lack: a paragraph dropped next to another
    looks like a merge by length alone, but its figures and names are nowhere in the merged one, and
    the merged one has only its neighbour's sentences."""
    n, m = len(source_lengths), len(translation_lengths)
    best = [[math.inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if best[i][j] == math.inf:
                continue
            for di, dj in _STEPS:
                a, b = i + di, j + dj
                if a > n or b > m:
                    continue
                if di and dj:
                    step = _cost(sum(source_lengths[i:a]), sum(translation_lengths[j:b]), expansion) + _MERGE * (di + dj - 2)
                    if source_sentences is not None and translation_sentences is not None:
                        step += _SENTENCES * abs(math.log((sum(translation_sentences[j:b]) + 1) / (sum(source_sentences[i:a]) + 1)))
                    if source_anchors is not None and translation_tokens is not None:
                        step += _anchor_cost(source_anchors[i:a], frozenset().union(*translation_tokens[j:b]))
                else:
                    step = _SKIP
                if best[i][j] + step < best[a][b]:
                    best[a][b], back[a][b] = best[i][j] + step, (di, dj)
    path, i, j = [], n, m
    while i or j:
        di, dj = back[i][j]
        path.append((i - di, i, j - dj, j))
        i, j = i - di, j - dj
    return path[::-1]


def _anchor_cost(paragraph_anchors: list[frozenset[str]], got: frozenset[str]) -> float:
    """Each source paragraph's share of anchors absent, summed: a dropped paragraph's names count in
    full rather than diluted among those of the neighbour it seems merged into."""
    return _ANCHOR * sum(len(wanted - got) / len(wanted) for wanted in paragraph_anchors if wanted)


def check_structure(source: str, translation: str, source_lang: str = "id") -> list[Finding]:
    source_paragraphs = paragraph_spans(source)
    translation_paragraphs = paragraph_spans(translation)
    if len(source_paragraphs) < 2 or len(translation_paragraphs) < 2:
        return []  # one block on either side: the breaks were not kept, nothing to align
    expansion = EXPANSION.get(source_lang, 1.0)
    source_lengths = [e - s for s, e in source_paragraphs]
    translation_lengths = [e - s for s, e in translation_paragraphs]
    if len(source_paragraphs) == len(translation_paragraphs):
        # as many paragraphs as the source: the breaks were kept and none is missing; aligning by
        # content here misread paragraphs whose names were all translated
        steps = [(i, i + 1, i, i + 1) for i in range(len(source_paragraphs))]
    else:
        source_anchors = [anchors(source[s:e]) for s, e in source_paragraphs]
        translation_tokens = [frozenset(_ANCHOR_TOKEN.findall(translation[s:e])) for s, e in translation_paragraphs]
        steps = align(
            source_lengths, translation_lengths, expansion, source_anchors, translation_tokens,
            [len(sentences(source[s:e])) for s, e in source_paragraphs],
            [len(sentences(translation[s:e])) for s, e in translation_paragraphs],
        )
    findings = []
    for s_from, s_to, t_from, t_to in steps:
        if s_to == s_from:
            continue  # a translation paragraph of its own (a note, a split line)
        chars = sum(source_lengths[s_from:s_to])
        start, end = source_paragraphs[s_from][0], source_paragraphs[s_to - 1][1]
        excerpt = " ".join(source[start:end].split())[:120]
        if t_to == t_from:
            if chars >= MIN_CHARS:
                findings.append(finding(
                    "paragraph_missing", f"source paragraph {s_from + 1} has no counterpart in the translation: '{excerpt}'",
                    source_span=excerpt,
                ))
            continue
        got = sum(translation_lengths[t_from:t_to])
        if chars >= MIN_CHARS * 2 and got < SHORT_RATIO * expansion * chars:
            findings.append(finding(
                "paragraph_short",
                f"source paragraph {s_from + 1} ({chars} characters) is translated in {got}, "
                f"under {SHORT_RATIO:.0%} of the {expansion * chars:.0f} expected",
                source_span=excerpt,
            ))
    return findings
