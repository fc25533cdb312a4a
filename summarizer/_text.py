"""Small text helpers shared by the modules that build messages for people: one job each, one place.

Leaf module: imports nothing from `summarizer` (and only the standard library), so any module may use it.

    one_line(text, limit)           white space folded to single spaces, cut to `limit` characters
    pydantic_problems(exc)          a pydantic ValidationError as "loc: msg; loc: msg"
"""

from __future__ import annotations

from typing import Any


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
