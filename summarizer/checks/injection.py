"""Injection: instruction-like text inside the article, aimed at the model ("abaikan semua instruksi")."""

from __future__ import annotations

import re
from itertools import islice

from summarizer.checks.severity import finding
from summarizer.schemas import Finding

_INJECTION = re.compile(
    r"\b(?:abaikan|lupakan|hiraukan)\s+(?:semua\s+|seluruh\s+)?(?:instruksi|perintah|arahan)"
    r"|\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:the\s+|your\s+)?(?:previous|prior|above|earlier|preceding)\s+(?:instructions|prompts?|rules|messages)"
    r"|(?:^|\n)[ \t>*#\[]*(?:system|sistem|assistant)\s*\]?\s*:"
    r"|\byou\s+are\s+now\b|\bkamu\s+sekarang\s+adalah\b|\banda\s+sekarang\s+adalah\b"
    r"|\bnew\s+instructions\s*:|\binstruksi\s+baru\s*:"
    r"|<\|im_start\|>|\[INST\]|</?system>",
    re.IGNORECASE,
)


def check_injection(source: str) -> list[Finding]:
    """Instruction-like text inside the article: likely a prompt-injection attempt."""
    found = list(islice(_INJECTION.finditer(source), 5))
    if not found:
        return []
    spans = "; ".join(repr(" ".join(m.group(0).split())) for m in found)
    return [finding(
        "prompt_injection",
        f"the article contains instruction-like text aimed at the model ({spans}); "
                "it was sent as data only, but check that the output follows the article, not those instructions",
        source_span=" ".join(source[max(0, found[0].start() - 40):found[0].end() + 80].split())[:300],
    )]
