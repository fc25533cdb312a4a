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


# What every match of _INJECTION holds, branch by branch, looked for in the lower-cased text first: the
# regex tries its ten branches at every position (~0.7 ms for a 1,000-token article), a few `in` tests
# take ~0.03 ms, and most articles hold none of these. The letters that IGNORECASE matches to an ASCII
# one but `lower()` does not turn into it are mapped first (dotted and dotless i, long s).
_CASE_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})
_VERBS = ("abaikan", "lupakan", "hiraukan", "ignore", "disregard", "forget", "<|im_start|>", "[inst]", "system>")
_ROLES = ("system", "sistem", "assistant")
_LINE_LEAD = " \t>*#["


def _may_hold_instructions(text: str) -> bool:
    if "\u0130" in text or "\u0131" in text or "\u017f" in text:  # rare; translate() walks every character
        text = text.translate(_CASE_FOLD)
    lowered = text.lower()
    if any(word in lowered for word in _VERBS):
        return True
    if "now" in lowered and "you" in lowered:  # you are now
        return True
    if "sekarang" in lowered and ("kamu" in lowered or "anda" in lowered):  # kamu/anda sekarang adalah
        return True
    if ("instructions" in lowered and "new" in lowered) or ("instruksi" in lowered and "baru" in lowered):
        return True  # new instructions: / instruksi baru:
    # a line that opens with a role ("System:", "> [assistant]:")
    return any(role in lowered for role in _ROLES) and any(
        line.lstrip(_LINE_LEAD).startswith(_ROLES) for line in lowered.split("\n"))


def check_injection(source: str) -> list[Finding]:
    """Instruction-like text inside the article: likely a prompt-injection attempt."""
    if not _may_hold_instructions(source):
        return []
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
