"""Does each summary bullet come from the paragraphs it cites? (issue 16: source-linked summary)

    check_summary_references(source, summary, source_lang="id") -> [Finding]

Checks and their severities:
    summary_unsourced   warning  a bullet cites no paragraph of the article
    summary_miscited    warning  a figure of the bullet is not in the paragraphs it cites, but the
                                 article has it elsewhere (the message names where)
                        info     a bullet without a figure to go by names things of the article
                                 (capitalised words it contains verbatim), none of them in the cited
                                 paragraphs. Only then: a bullet often names the article's subject
                                 ("Amazon"), which the cited paragraph need not repeat

A figure or name the article does not have at all is not this check's to report: `number_invented`
(checks.facts) already does for figures, and a name missing from the source may be a translated one
("Ministry of Finance" for "Kementerian Keuangan"). Precision first, as in the other checks: figures are
compared by value after normalisation (`extract_quantities`), so "16,000" in a bullet matches
"16.000" in an Indonesian paragraph; a name is a capitalised word of the bullet that the article
contains verbatim, so it can be looked for in the cited paragraphs exactly.
"""

from __future__ import annotations

import math
import re
from typing import Iterable, Sequence

from summarizer.checks.facts import extract_quantities, is_quantity
from summarizer.checks.scan import Quantity
from summarizer.checks.severity import errors_first, finding
from summarizer.chunking import paragraph_spans
from summarizer.schemas import Finding, SummaryBullet

_NAME_WORD = re.compile(r"(?<![\w])[A-Z][\w&’'-]*\w")
_CURRENCY_MARK = re.compile(r"\b(?:[A-Z]{1,3}\$|Rp(?=\s?\d))")  # "US$50", "Rp835": not names


def _where(numbers: Iterable[int]) -> str:
    return ", ".join(f"¶{n}" for n in numbers)


def _same_figure(a: Quantity, b: Quantity) -> bool:
    return any(math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-9) for x in a.values for y in b.values)


class _Article:
    """The article's paragraphs, with their figures extracted once and only when a bullet needs them.

    With `source_facts` (the whole article's facts, which the translation checks extracted already) a
    paragraph's figures are those inside its span: no second extraction of the article (~3 ms for
    1,000 tokens when a bullet's figure sends the check to every paragraph)."""

    def __init__(self, source: str, lang: str, source_facts: list[Quantity] | None = None) -> None:
        self.source = source
        self.spans = paragraph_spans(source)
        self.paragraphs = [source[s:e] for s, e in self.spans]
        self.lang = lang
        self._facts = source_facts
        self._figures: dict[int, list[Quantity]] = {}

    def figures(self, number: int) -> list[Quantity]:
        if number not in self._figures:
            if self._facts is None:
                self._figures[number] = extract_quantities(self.paragraphs[number - 1], self.lang)
            else:
                start, end = self.spans[number - 1]
                self._figures[number] = [q for q in self._facts if start <= q.start and q.end <= end and is_quantity(q)]
        return self._figures[number]

    def with_figure(self, figure: Quantity, numbers: Iterable[int]) -> list[int]:
        return [n for n in numbers if any(_same_figure(figure, q) for q in self.figures(n))]

    def with_word(self, word: str, numbers: Iterable[int]) -> list[int]:
        if word not in self.source:  # most capitalised English words: no regex at all
            return []
        pattern = re.compile(r"(?<![\w])" + re.escape(word) + r"(?![\w])")
        return [n for n in numbers if word in self.paragraphs[n - 1] and pattern.search(self.paragraphs[n - 1])]


def _bullet_findings(article: _Article, position: int, bullet: SummaryBullet, bullet_facts: list[Quantity] | None) -> list[Finding]:
    everywhere = range(1, len(article.paragraphs) + 1)
    cited = [n for n in bullet.paragraphs if 1 <= n <= len(article.paragraphs)]
    cites = _where(cited)
    findings: list[Finding] = []
    confirmed = False  # a figure of the bullet is in a cited paragraph: the citation holds
    figures = extract_quantities(bullet.text, "en") if bullet_facts is None else [q for q in bullet_facts if is_quantity(q)]
    for figure in figures:
        if figure.spelled:
            continue
        if article.with_figure(figure, cited):
            confirmed = True
            continue
        elsewhere = article.with_figure(figure, everywhere)
        if elsewhere:
            findings.append(finding(
                "summary_miscited",
                f"'{figure.span}' in summary bullet {position} is not in the paragraph(s) it cites ({cites}); the article has it in {_where(elsewhere)}",
                output_span=figure.span,
            ))
    if confirmed or findings:
        return findings
    # No figure to go by: the bullet's names. Only when none of them is in the cited paragraphs (a
    # bullet often names the article's subject, "Amazon", which a later paragraph does not repeat).
    words = _NAME_WORD.findall(_CURRENCY_MARK.sub(" ", bullet.text))
    named = {word: article.with_word(word, everywhere) for word in dict.fromkeys(words)}
    named = {word: where for word, where in named.items() if where}
    if named and not any(set(where) & set(cited) for where in named.values()):
        found_in = sorted({n for where in named.values() for n in where})
        findings.append(finding(
            "summary_miscited", level="names", message=f"summary bullet {position} names {', '.join(named)}, none of them in the paragraph(s) it cites ({cites}); "
                    f"the article has them in {_where(found_in[:6])}{', …' if len(found_in) > 6 else ''}",
            output_span=" ".join(named),
        ))
    return findings


def check_summary_references(source: str, summary: Sequence[SummaryBullet], *, source_lang: str = "id",
                             source_facts: list[Quantity] | None = None, bullet_facts: Sequence[list[Quantity]] | None = None) -> list[Finding]:
    """Findings about the paragraphs `summary`'s bullets cite (article paragraph numbers, as
    `split_paragraphs(source)` numbers them), warnings first. `source_facts` (`extract_facts(source)`)
    and `bullet_facts` (`extract_facts` of each bullet, in English): facts already extracted, not again."""
    lang = "id" if (source_lang or "id").lower() in ("id", "ms") else "en"
    article = _Article(source, lang, source_facts)
    findings: list[Finding] = []
    for position, bullet in enumerate(summary, start=1):
        if not any(1 <= n <= len(article.paragraphs) for n in bullet.paragraphs):
            findings.append(finding(
                "summary_unsourced", f"summary bullet {position} cites no paragraph of the article",
                output_span=bullet.text[:120],
            ))
            continue
        findings += _bullet_findings(article, position, bullet, None if bullet_facts is None else bullet_facts[position - 1])
    return errors_first(findings)
