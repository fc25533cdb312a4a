"""Article text -> chunks under a token budget, cut at paragraph ends, then sentence ends.

    split_into_chunks(text, budget, count) -> list[Chunk]
    split_paragraphs(text) -> list[str]
    split_sentences(paragraph) -> list[str]

Paragraphs are separated by a blank line. Whole paragraphs are packed greedily into a chunk
(joined with "\\n\\n") up to `budget` tokens. A paragraph over budget is cut into sentences (every
line break is also a sentence end), a sentence over budget at clause punctuation (; : , — –), a
clause over budget between words, and a word over budget by characters. The pieces of a cut
paragraph keep their original spacing between them and are packed the same greedy way.

A chunk's `paragraphs` are the 1-based numbers, in `text`, of the paragraphs it holds, one per
"\\n\\n"-separated piece of its text (a paragraph cut across chunks is named by each of them): what
maps a chunk-local paragraph number back to the article's (`split_paragraphs` numbers them the same).

Guarantees: every chunk has `count(chunk.text) <= budget` and `chunk.tokens == count(chunk.text)`;
no chunk is empty; order is kept and no text is lost except whitespace (`"".join(text.split())`
equals the same over all chunks). If one character alone counts more than `budget` tokens (at most
4 with tiktoken), the budget cannot be met and ValueError is raised; `budget < 1` likewise.

Cost: each paragraph is counted once; pieces of an over-budget paragraph once more; every chunk of
two or more pieces once more to verify it (the separator is charged as a constant, and a rare
merge across a join that still overflows moves the last piece to the next chunk). Over-long words
are cut with a proportional/bisection search, O(log) counts per chunk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["Chunk", "split_into_chunks", "split_paragraphs", "split_sentences"]


@dataclass(frozen=True)
class Chunk:
    index: int
    text: str
    tokens: int
    # 1-based numbers of the source's paragraphs, one per paragraph of `text` (not part of equality:
    # two chunks with the same text and count are the same chunk to the planner)
    paragraphs: tuple[int, ...] = field(default=(), compare=False)


Count = Callable[[str], int]
# A piece of the source: (start, end, tokens, paragraph number). text[start:end] is stripped.
_Unit = tuple[int, int, int, int]

_PARAGRAPH_SEP = re.compile(r"\n[^\S\n]*\n")
_LINE_SEP = re.compile(r"\n")
_CLAUSE_SEP = re.compile(r"[;:,](?=\s)|[—–]")
_WORD = re.compile(r"\S+")
# a run of sentence punctuation, optional closing quotes/brackets, then whitespace
_TERMINATOR = re.compile(r"([.!?…]+)([\"'”’»)\]]*)(?=\s)")
_OPENERS = "\"'“‘«([{"
_CLOSERS = "\"'”’»)]}"
# single letters separated by periods: initials "J", "U.S", "a.n", "S.H", "e.g", "i.e", "s.d"
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")

# Lower-case, without the final period. A period after these never ends a sentence: for company
# suffixes ("Apple Inc. The ...", "BCA Tbk. (BBCA)") that trades a rare missed cut for never
# cutting inside a name.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms messrs dr drs dra prof sr jr st mt ft vs etc al approx dept est gov gen col lt sgt
    capt cmdr adm maj rep sen rev hon pres supt fig figs vol vols no nos nr pp p ed eds op cf ca
    inc ltd corp co bros plc llc tbk
    jan feb mar apr jun jul aug agu agt ags sep sept oct okt nov dec des
    rp usd idr sdr sdri bpk ibu yth ny nn tn h hj kh ir dll dsb dst dkk dgn yg tsb spt krn utk
    jl jln gg kel kec kab prov kp hlm th thn tgl bln
    ph.d s.kom m.kom s.si m.si s.pd m.pd s.sos m.sos s.ip s.ked m.kes s.ag m.ag s.hum m.hum
    s.psi s.ikom s.farm m.sc b.sc m.eng m.phil
    jend brigjen mayjen letjen kol kapt kompol akbp kombes irjen
    """.split()
)


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _spans_between(text: str, s: int, e: int, sep: re.Pattern[str], accept=None) -> list[tuple[int, int]]:
    """Stripped, non-empty spans of text[s:e] between matches of `sep` (cut after each match that
    `accept(match)` allows; every match when `accept` is None)."""
    out = []
    pos = s
    for m in sep.finditer(text, s, e):
        if accept is not None and not accept(m):
            continue
        a, b = _strip(text, pos, m.end())  # separators are whitespace or end a clause
        if a < b:
            out.append((a, b))
        pos = m.end()
    a, b = _strip(text, pos, e)
    if a < b:
        out.append((a, b))
    return out


def _is_sentence_end(text: str, m: re.Match[str], line_s: int, line_e: int) -> bool:
    j = m.end()
    while j < line_e and text[j].isspace():
        j += 1
    if j >= line_e:
        return False  # end of line: a boundary anyway
    if text[j].islower():
        return False  # "i.e. the", "kata dia... lalu", "“Apa?” tanya dia."
    term, close = m.group(1), m.group(2)
    if "!" in term or "?" in term:
        return True
    if len(term) > 1 or "…" in term:  # ellipsis: only when a quote closes after it
        return bool(close)
    if close:  # ." .” .’ .)
        return True
    # a single period: look at the word it ends
    k = m.start()
    w = k
    while w > line_s and not text[w - 1].isspace():
        w -= 1
    word = text[w:k].lstrip(_OPENERS)
    if not word:
        return True
    lowered = word.lower()
    if lowered in _ABBREVIATIONS or _INITIALS.fullmatch(lowered):
        return False
    if word.isdigit() and len(word) <= 3 and w == line_s:
        return False  # list numbering "1. Pertama"
    return True


def _sentence_spans(text: str, s: int, e: int) -> list[tuple[int, int]]:
    out = []
    for line_s, line_e in _spans_between(text, s, e, _LINE_SEP):
        out += _spans_between(text, line_s, line_e, _TERMINATOR, lambda m: _is_sentence_end(text, m, line_s, line_e))
    return out


def _clause_spans(text: str, s: int, e: int) -> list[tuple[int, int]]:
    return _spans_between(text, s, e, _CLAUSE_SEP)


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph (Indonesian or English news), stripped, in order. Every line break
    ends a sentence; . ! ? (with closing quotes after them) end one unless the period belongs to a
    number ("US$1.5", "16.000"), an abbreviation ("Dr.", "Rp.", "dll.", "U.S.", "Jan."), an initial
    ("J. K. Rowling") or an ellipsis, or the next word starts in lower case."""
    return [paragraph[a:b] for a, b in _sentence_spans(paragraph, 0, len(paragraph))]


def _fit_prefix(
    text: str,
    span: Callable[[int, int], tuple[int, int]],
    i: int,
    n: int,
    budget: int,
    count: Count,
    hint: int,
) -> tuple[int, int | None]:
    """Largest-ish j in (i, n] with count(text of items i..j-1) <= budget, found with a
    proportional guess safeguarded by geometric growth / bisection. (i, None) if item i alone
    does not fit. Only verified fits are returned, so a non-monotone counter is still safe."""
    lo, c_lo = i, 0
    hi: int | None = None
    j = min(n, i + max(1, hint))
    bisect = False
    while True:
        a, b = span(i, j)
        c = count(text[a:b])
        if c <= budget:
            lo, c_lo = j, c
        else:
            hi, c_hi = j, c
        upper = n if hi is None else hi - 1
        if lo >= upper or c_lo == budget:
            break
        if hi is not None and bisect:
            j = (lo + hi) // 2
        else:
            ref_j, ref_c = (lo, c_lo) if lo > i else (hi, c_hi)  # type: ignore[assignment]
            j = i + int((ref_j - i) * budget / max(ref_c, 1))
            if hi is None:
                j = max(j, lo + 1 + (lo - i) // 4)
        j = min(max(j, lo + 1), upper)
        if hi is not None:
            bisect = not bisect
    return (lo, c_lo) if lo > i else (i, None)


def _fit_chars(text: str, s: int, e: int, budget: int, count: Count, out: list[_Unit], para: int) -> None:
    n = e - s

    def span(a: int, b: int) -> tuple[int, int]:
        return s + a, s + b

    i, hint = 0, 1
    while i < n:
        j, c = _fit_prefix(text, span, i, n, budget, count, hint)
        if c is None:
            ch = text[s + i]
            raise ValueError(
                f"token budget {budget} is too small: the single character {ch!r} "
                f"counts as {count(ch)} tokens"
            )
        out.append((s + i, s + j, c, para))
        hint = j - i
        i = j


def _fit_words(text: str, s: int, e: int, budget: int, count: Count, out: list[_Unit], para: int) -> None:
    words = [m.span() for m in _WORD.finditer(text, s, e)]
    if len(words) == 1:
        _fit_chars(text, s, e, budget, count, out, para)
        return

    def span(a: int, b: int) -> tuple[int, int]:
        return words[a][0], words[b - 1][1]

    i, hint = 0, 1
    while i < len(words):
        j, c = _fit_prefix(text, span, i, len(words), budget, count, hint)
        if c is None:
            _fit_chars(text, *words[i], budget, count, out, para)
            i += 1
        else:
            out.append((*span(i, j), c, para))
            hint = j - i
            i = j


_SPLITTERS = (_sentence_spans, _clause_spans)


def _add_units(
    text: str,
    s: int,
    e: int,
    level: int,
    known: int | None,
    budget: int,
    count: Count,
    out: list[_Unit],
    para: int,
) -> None:
    """Append text[s:e] as one unit if it fits, else its pieces at the next finer level
    (0 paragraph -> sentences, 1 sentence -> clauses, 2 clause -> words/characters)."""
    c = count(text[s:e]) if known is None else known
    if c <= budget:
        out.append((s, e, c, para))
        return
    if level >= len(_SPLITTERS):
        _fit_words(text, s, e, budget, count, out, para)
        return
    pieces = _SPLITTERS[level](text, s, e)
    if len(pieces) == 1:  # cannot cut at this level: same span, same count
        _add_units(text, s, e, level + 1, c, budget, count, out, para)
        return
    for a, b in pieces:
        _add_units(text, a, b, level + 1, None, budget, count, out, para)


def _join(text: str, units: list[_Unit]) -> str:
    parts: list[str] = []
    start, end, para = units[0][0], units[0][1], units[0][3]
    for s, e, _, p in units[1:]:
        if p == para:
            end = e
        else:
            parts.append(text[start:end])
            start, end, para = s, e, p
    parts.append(text[start:end])
    return "\n\n".join(parts)


# Texts longer than this many characters per budget token cannot fit in one chunk (news text takes
# ~3.5-4.5 characters per token): do not spend a count of the whole text finding that out.
FAST_PATH_CHARS_PER_TOKEN = 8


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph of `text` (separated by a blank line), stripped, empty ones
    dropped. The one definition of a paragraph: the prompts number these, results cite them, the
    omission check aligns them and the report shows them side by side."""
    return _spans_between(text, 0, len(text), _PARAGRAPH_SEP)


def split_paragraphs(text: str) -> list[str]:
    """The paragraphs of `text`: paragraph n of an article (1-based) is `split_paragraphs(text)[n - 1]`,
    the number prompts and results cite."""
    return [text[s:e] for s, e in paragraph_spans(text)]


def split_into_chunks(text: str, budget: int, count: Count) -> list[Chunk]:
    """Cut `text` into chunks of at most `budget` tokens as measured by `count` (see module doc)."""
    if budget < 1:
        raise ValueError(f"token budget must be at least 1, got {budget}")
    paragraphs = list(_spans_between(text, 0, len(text), _PARAGRAPH_SEP))
    if not paragraphs:
        return []
    if len(text) <= budget * FAST_PATH_CHARS_PER_TOKEN:
        # Most articles fit in one chunk: count the joined paragraphs once (what the merge below
        # would produce) instead of each paragraph and then the join again (measured: 5 -> 1 token
        # counts per 1,000-token article, ~1 ms of the event loop's time in a batch).
        whole = "\n\n".join(text[s:e] for s, e in paragraphs)
        tokens = count(whole)
        if tokens <= budget:
            return [Chunk(0, whole, tokens, tuple(range(1, len(paragraphs) + 1)))]
    units: list[_Unit] = []
    for para, (s, e) in enumerate(paragraphs):
        _add_units(text, s, e, 0, None, budget, count, units, para)

    para_sep = max(0, count("\n\n"))
    word_sep = max(0, count(" "))
    chunks: list[Chunk] = []
    i, n = 0, len(units)
    while i < n:
        total = units[i][2]
        j = i + 1
        while j < n:
            add = units[j][2] + (word_sep if units[j][3] == units[j - 1][3] else para_sep)
            if total + add > budget:
                break
            total += add
            j += 1
        while True:
            if j - i == 1:  # one unit: its own span, already counted
                chunk_text, tokens = text[units[i][0]:units[i][1]], units[i][2]
                break
            chunk_text = _join(text, units[i:j])
            tokens = count(chunk_text)
            if tokens <= budget:
                break
            j -= 1  # a merge across a join overflowed: the last piece goes to the next chunk
        numbers = tuple(dict.fromkeys(u[3] + 1 for u in units[i:j]))
        chunks.append(Chunk(len(chunks), chunk_text, tokens, numbers))
        i = j
    return chunks
