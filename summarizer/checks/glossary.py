"""Glossary: every `source_term` must occur in the source, and one source term gets one English term."""

from __future__ import annotations

import re
from typing import Any, Iterable

from summarizer.checks.severity import finding
from summarizer.schemas import Finding


def _entry(item: Any) -> tuple[str, str]:
    if isinstance(item, dict):
        return str(item.get("term", "")), str(item.get("source_term", ""))
    return str(getattr(item, "term", "")), str(getattr(item, "source_term", ""))


def check_glossary(source: str, glossary: Iterable[Any]) -> list[Finding]:
    findings: list[Finding] = []
    flat_source = " ".join(source.split()).lower()
    terms: dict[str, set[str]] = {}
    shown: dict[str, str] = {}
    for item in glossary:
        term, source_term = _entry(item)
        st = " ".join(source_term.split())
        if not st:
            continue
        key = st.lower()
        candidates = {key, re.sub(r"\s*\(.*?\)\s*", " ", key).strip()}
        candidates |= {m.strip() for m in re.findall(r"\((.*?)\)", key)}
        if not any(c and c in flat_source for c in candidates):
            findings.append(finding(
                "glossary_source_missing",
                f"glossary source term '{st}' does not occur in the source",
                source_span=st, output_span=term or None,
            ))
        terms.setdefault(key, set()).add(" ".join(term.split()).lower())
        shown.setdefault(key, st)
    for key, values in terms.items():
        if len(values) > 1:
            findings.append(finding(
                "glossary_inconsistent",
                f"glossary source term '{shown[key]}' is given different terms: " + ", ".join(sorted(values)),
                source_span=shown[key],
            ))
    return findings
