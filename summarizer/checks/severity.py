"""The one severity table of the checks, and the one way findings are made.

Error means a fact changed or dropped; warning, that it may be a paraphrase; info is context.
Some kinds have a second, milder entry (`<kind>:unsure`) used when the same evidence is weaker.
"""

from __future__ import annotations

from typing import Iterable, Literal

from summarizer.schemas import Finding

Severity = Literal["error", "warning", "info"]

SEVERITY: dict[str, Severity] = {
    # facts (checks.facts)
    "number_missing": "error",            # a source number/amount/percentage/year/ordinal absent or changed
    "number_missing:unsure": "warning",   # ... a number word or "satu" with nothing in its place, or a
                                          #     value that is there, only fewer times
    "unit_changed": "error",              # the same value counting something else: 380 kg -> 380 lb
    "date_changed": "error",              # a date or a month named alone absent or changed
    "time_changed": "error",              # a clock time absent or changed
    "code_missing": "error",              # HER2, A320, COVID-19 not copied verbatim
    "code_missing:unsure": "warning",     # ... there, only fewer times (a code the translation read otherwise)
    "score_changed": "error",             # a score or range absent or changed: 2-1 -> 2-3
    "address_missing": "warning",         # a URL, e-mail or phone number not copied
    "timezone_missing": "info",           # GMT+0100 not repeated
    "number_added": "warning",            # a figure in the translation that the source does not have
    "number_invented": "warning",         # a figure in a summary bullet that the source does not have
    # summary citations (checks.citations)
    "summary_unsourced": "warning",       # a bullet cites no paragraph of the article
    "summary_miscited": "warning",        # a bullet's figure is not in the paragraphs it cites (the article has it elsewhere)
    "summary_miscited:names": "info",     # ... no figure to go by, and none of its names is in the cited paragraphs
    # names (checks.names)
    "name_changed": "error",              # a name missing, and a new proper name in its place
    "name_missing": "warning",            # a name missing (maybe rendered another way)
    # structure (checks.structure)
    "paragraph_missing": "error",         # a source paragraph with no counterpart
    "paragraph_short": "warning",         # a counterpart far shorter than the measured expansion
    # glossary (checks.glossary)
    "glossary_source_missing": "warning",
    "glossary_inconsistent": "warning",
    # language (checks.untranslated)
    "untranslated": "warning",            # a translation sentence still in the source language
    "untranslated:most": "error",         # ... when more than 30% of the checked sentences are
    # injection (checks.injection)
    "prompt_injection": "warning",
}


def finding(
    kind: str, message: str, *, source_span: str | None = None, output_span: str | None = None, level: str | None = None,
) -> Finding:
    """A `Finding` of `kind`, its severity from `SEVERITY` (the `kind:level` entry when `level` is given)."""
    severity = SEVERITY[f"{kind}:{level}" if level else kind]
    return Finding(kind=kind, severity=severity, message=message, source_span=source_span, output_span=output_span)


_RANK: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


def errors_first(findings: Iterable[Finding]) -> list[Finding]:
    """`findings` ordered errors, warnings, info; each severity's findings in their order."""
    return sorted(findings, key=lambda f: _RANK[f.severity])
