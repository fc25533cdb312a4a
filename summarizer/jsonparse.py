"""Get the JSON object out of a model's reply, however it was wrapped.

Models (and servers without constrained decoding) wrap JSON in ```json fences, prefix it with
prose, or think aloud in <think>…</think> first. We never read the reasoning; we take the first
balanced top-level `{…}` of what remains.
"""

from __future__ import annotations

import json
import re
from typing import Any

_THINK_BLOCK = re.compile(r"<think(?:ing)?>.*?</think(?:ing)?>", re.DOTALL | re.IGNORECASE)
_STRAY_THINK_END = re.compile(r"^.*?</think(?:ing)?>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)


class NoJSONFound(ValueError):
    pass


def strip_reasoning(text: str) -> str:
    text = _THINK_BLOCK.sub("", text)
    # a reply that starts mid-thought (the server ate "<think>") still ends its reasoning with </think>
    if re.search(r"</think(?:ing)?>", text, re.IGNORECASE):
        text = _STRAY_THINK_END.sub("", text, count=1)
    return text


def first_balanced_object(text: str) -> str | None:
    """The first `{…}` whose braces balance, ignoring braces inside JSON strings."""
    start = text.find("{")
    while start != -1:
        depth = 0
        in_string = False
        escaped = False
        for index in range(start, len(text)):
            char = text[index]
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    return text[start : index + 1]
        start = text.find("{", start + 1)
    return None


def extract_json_object(text: str) -> dict[str, Any]:
    """Parse the reply's JSON object. Raises NoJSONFound with a reason a re-ask can quote."""
    if not text or not text.strip():
        raise NoJSONFound("the reply was empty")
    cleaned = strip_reasoning(text).strip()
    def candidates():
        # cheapest first: most replies are exactly one JSON object, and the brace scan is slow
        if cleaned[:1] in "{[":
            yield cleaned
        for match in _FENCE.finditer(cleaned):
            yield match.group(1).strip()
        balanced = first_balanced_object(cleaned)
        if balanced:
            yield balanced

    last_error = f"no JSON object found in the reply (it began: {cleaned[:60]!r})"
    for candidate in candidates():
        try:
            value = json.loads(candidate)
        except ValueError as exc:
            last_error = f"invalid JSON: {exc}"
            continue
        if isinstance(value, dict):
            return value
        last_error = f"expected a JSON object, got {type(value).__name__}"
    raise NoJSONFound(last_error)
