"""Small text helpers shared by the modules that build messages for people: one job each, one place.

Leaf module: imports nothing from `summarizer` (and only the standard library), so any module may use it.

    one_line(text, limit)           white space folded to single spaces, cut to `limit` characters
    pydantic_problems(exc)          a pydantic ValidationError as "loc: msg; loc: msg"
    redact(text, secret)            the API key (and its tail) blanked out: the ONE redaction policy
    sdk_error_text(exc)             what an OpenAI-SDK error says: the server's message (or all of it)
"""

from __future__ import annotations

import json
from typing import Any

REDACTED = "[redacted API key]"
MIN_SECRET_CHARS = 4  # shorter "keys" are placeholders like "none"; blanking them would mangle text
SECRET_TAIL_CHARS = 16  # servers echo a key partly masked ("sk-...<tail>"): the tail alone identifies it


def one_line(text: object, limit: int | None = None, *, mark: str = "") -> str:
    """`text` on one line: every run of white space (newlines included) becomes one space, the ends
    are trimmed. Longer than `limit`, it is cut so that, with `mark` ("…") appended, it fits."""
    folded = " ".join(str(text).split())
    if limit is None or len(folded) <= limit:
        return folded
    return folded[: max(0, limit - len(mark))] + mark


def pydantic_problems(exc: Any, *, root: str = "(root)", limit: int | None = None) -> str:
    """Every problem of a pydantic `ValidationError` (the first `limit`), as "a.b: msg; c: msg".
    A problem with the whole value (an empty location) is named `root`."""
    problems = exc.errors()
    if limit is not None:
        problems = problems[:limit]
    return "; ".join(f"{'.'.join(str(part) for part in problem['loc']) or root}: {problem['msg']}" for problem in problems)


def redact(text: str, secret: str | None) -> str:
    """`text` with every occurrence of `secret`, and of its last SECRET_TAIL_CHARS characters, replaced
    by REDACTED. The same rule for error lines, doctor reports and tracebacks."""
    if not secret or len(secret) < MIN_SECRET_CHARS:
        return text
    text = text.replace(secret, REDACTED)
    if len(secret) > SECRET_TAIL_CHARS:
        text = text.replace(secret[-SECRET_TAIL_CHARS:], REDACTED)
    return text


def sdk_error_text(exc: BaseException, *, with_body: bool = False) -> str:
    """What an OpenAI-SDK error says. By default the server's own message: `{"error": {"message"}}`,
    LM Studio's `{"error": "text"}`, old vLLM's flat `{"message"}`, else the SDK's message. With
    `with_body`, the SDK message followed by the whole body as JSON, for matching patterns that may
    sit in any field (llama.cpp puts `n_ctx` beside the message)."""
    body = getattr(exc, "body", None)
    if with_body:
        parts = [str(getattr(exc, "message", "") or exc)]
        if body is not None:
            parts.append(body if isinstance(body, str) else json.dumps(body, default=str))
        return " ".join(parts)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return str(getattr(exc, "message", "") or exc)
