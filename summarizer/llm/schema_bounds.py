"""String and array bounds for servers whose constrained decoder enforces them (llama.cpp, vLLM).

    schema = bounded_schema(schema, source_chars, kind, cite_limit=3, max_tokens=981, tokens_per_char=1.0)

Under a grammar a looping or random model still has to close every string at its `maxLength` and
every array at its `maxItems`. Two steps:

1. *Natural bounds*, per field name: what a well-behaved answer never passes (a title of 200
   characters, a glossary of 30 terms, a translation of 3x its chunk).
2. *Fit to max_tokens*: the longest answer the bounded schema still allows, counted in the SERVER's
   tokens, must fit the request's `max_tokens`, or the model is cut off (finish_reason "length") and
   the chunk is split at the cost of requests no plan predicted. The count: every structural byte
   (braces, keys, quotes) is at most one token, and a character of a string takes
   `tokens_per_char` x `DENSITY_MARGIN` tokens, where `tokens_per_char` is what the server's own
   tokenizer counts for the text being sent (about 1.0 for a byte-level vocabulary, 0.25-0.3 for
   BPE vocabularies on Indonesian). When that longest answer is too long, the extras give way first,
   in `SHRINK_ORDER` (glossary size, definitions, titles, bullets), the translation last and never
   below the length of its source chunk: a translation cut by the grammar would be silently
   incomplete, which is worse than a cut-off answer that the pipeline splits and asks again.

What it cannot promise: a character written as a `\\uXXXX` escape, or a 4-byte UTF-8 character in a
byte-level vocabulary, costs 4-6 tokens, more than the margin allows; a random model writes some of
those (the byte test model averages 1.3-1.45 tokens per character), a real model writing English
almost none. The whitespace between JSON tokens is not counted: `dialects.Dialect.compact_json` asks
llguidance for none (a llama.cpp built without llguidance uses its own GBNF grammar, which ignores that
key and allows up to 22 whitespace characters a gap: a random model there can still pass max_tokens).
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any, Iterator

from summarizer.llm.dialects import dialect

# Longest strings a well-behaved answer has, per field name (the translation's comes from its chunk).
FIELD_MAX_LENGTH = {"title": 200, "source_language": 16, "term": 100, "source_term": 100, "definition": 300}
ITEM_MAX_LENGTH = {"summary": 400, "key_points": 300}
GLOSSARY_MAX_ITEMS = 30
MAX_CITATIONS = 8  # paragraphs one bullet may cite under a grammar (a real bullet cites one to three)
TRANSLATION_CHARS_PER_SOURCE_CHAR = 3  # English from Indonesian is shorter; 3x leaves room for any pair
# Answer text may take more of the server's tokens per character than the text sent: more digits,
# accented or non-Latin characters (2-4 bytes each, a token each in a byte-level vocabulary).
DENSITY_MARGIN = 1.5
# (path, schema key, floor): what gives way, in this order, when the longest answer the schema
# allows does not fit max_tokens. Paths name properties; "[]" is an array's items.
SHRINK_ORDER = (
    # 1. the glossary keeps three short entries
    ("glossary", "maxItems", 3), ("glossary[].definition", "maxLength", 80), ("glossary[].term", "maxLength", 32),
    ("glossary[].source_term", "maxLength", 32),
    # 2. then the title and the bullets get shorter, 3. then fewer, the glossary none
    ("title", "maxLength", 60), ("key_points[].text", "maxLength", 80), ("summary[].text", "maxLength", 80),
    ("summary", "maxItems", 3), ("key_points", "maxItems", 1), ("glossary", "maxItems", 0),
    # 4. the smallest useful bullets and title; 5. last, the translation, never below its chunk
    ("key_points[].text", "maxLength", 16), ("summary[].text", "maxLength", 16), ("title", "maxLength", 16),
    ("translation", "maxLength", None),  # None: the floor is the source chunk's length
)
SHRINK_STEP = 0.8  # each step keeps this share of the bound (ends in a few dozen passes)


def bounded_schema(schema: dict[str, Any], source_chars: int, kind: str | None, *, cite_limit: int | None = None,
                   max_tokens: int | None = None, tokens_per_char: float | None = None,
                   key_point_tokens: int | None = None) -> dict[str, Any]:
    """`schema` with maxLength/maxItems for a server whose constrained decoder enforces them
    (llama.cpp, vLLM), so grammar-constrained decoding of a looping model must end; unchanged for
    any other server. `cite_limit`: the numbered paragraphs the prompt shows; citations
    (`paragraphs` items) are then bounded to 1..cite_limit, so a weak model cannot cite past them
    and cost a re-ask. With `max_tokens` and `tokens_per_char` (the server's tokens per character
    of the text sent), the bounds are fitted so the longest answer they allow fits max_tokens;
    with `key_point_tokens` too, the key points' texts together fit that many tokens of the merge
    request they go to. Never mutates `schema` (it is shared)."""
    spec = dialect(kind)
    if not spec.enforces_schema_bounds:
        return schema
    bounded = copy.deepcopy(schema)
    limit = spec.max_repetition
    _add_natural_bounds(bounded, source_chars, cite_limit, fits=lambda n: limit is None or n < limit)
    if key_point_tokens and tokens_per_char:
        _bound_key_points(bounded, key_point_tokens, tokens_per_char * DENSITY_MARGIN)
    if max_tokens and tokens_per_char:
        _fit(bounded, max_tokens, tokens_per_char * DENSITY_MARGIN, translation_floor=source_chars)
    if spec.compact_json:
        bounded.update(copy.deepcopy(spec.compact_json))
    return bounded


def _add_natural_bounds(schema: dict[str, Any], source_chars: int, cite_limit: int | None, *, fits) -> None:
    def visit(node: Any) -> None:
        if not isinstance(node, dict):
            return
        for name, prop in (node.get("properties") or {}).items():
            if not isinstance(prop, dict):
                continue
            if prop.get("type") == "string":
                size = FIELD_MAX_LENGTH.get(name) or (TRANSLATION_CHARS_PER_SOURCE_CHAR * source_chars + 200 if name == "translation" else None)
                if size and fits(size) and "maxLength" not in prop:
                    prop["maxLength"] = size
            elif prop.get("type") == "array":
                items = prop.get("items")
                if isinstance(items, dict) and items.get("type") == "string" and name in ITEM_MAX_LENGTH:
                    items["maxLength"] = ITEM_MAX_LENGTH[name]
                if name == "glossary" and "maxItems" not in prop:
                    prop["maxItems"] = GLOSSARY_MAX_ITEMS
                if name == "paragraphs" and cite_limit and isinstance(items, dict) and items.get("type") == "integer":
                    items.update(minimum=1, maximum=cite_limit)
                    prop.setdefault("maxItems", min(cite_limit, MAX_CITATIONS))
                if isinstance(items, dict) and items.get("type") == "object":  # a bullet {text, paragraphs}
                    if name in ITEM_MAX_LENGTH and isinstance((items.get("properties") or {}).get("text"), dict):
                        items["properties"]["text"].setdefault("maxLength", ITEM_MAX_LENGTH[name])
                    visit(items)
        for sub in (node.get("$defs") or {}).values():
            visit(sub)

    visit(schema)


# What a key point costs in the merge request besides its text: its "¶N " number and the blank line.
KEY_POINT_FRAMING_TOKENS = 8
MIN_KEY_POINT_CHARS = 16


def _bound_key_points(schema: dict[str, Any], budget: int, tokens_per_char: float) -> None:
    """At most `budget` tokens of key-point text (framing included): fewer points before shorter ones."""
    points = (schema.get("properties") or {}).get("key_points")
    text = (((points or {}).get("items") or {}).get("properties") or {}).get("text")
    if not isinstance(text, dict):
        return
    count = int(points.get("maxItems", 1))
    while count > 1 and (budget / count - KEY_POINT_FRAMING_TOKENS) / tokens_per_char < MIN_KEY_POINT_CHARS:
        count -= 1
    length = int((budget / count - KEY_POINT_FRAMING_TOKENS) / tokens_per_char)
    points["maxItems"] = count
    text["maxLength"] = max(text.get("minLength", 1), min(text.get("maxLength", length), length))


def longest_answer_tokens(node: Any, tokens_per_char: float) -> float:
    """The most tokens an answer valid against `node` may take, written compactly (math.inf when
    a string or array has no bound): structural bytes one token each, string characters
    `tokens_per_char` each."""
    if not isinstance(node, dict):
        return math.inf
    kind = node.get("type")
    if kind == "object":
        props = node.get("properties") or {}
        keys = sum(len(json.dumps(name, ensure_ascii=False).encode()) + 1 for name in props)  # "name":
        return 2 + keys + max(0, len(props) - 1) + sum(longest_answer_tokens(p, tokens_per_char) for p in props.values())
    if kind == "array":
        if "maxItems" not in node:
            return math.inf
        count = int(node["maxItems"])
        return 2 + max(0, count - 1) + count * (longest_answer_tokens(node.get("items"), tokens_per_char) if count else 0)
    if kind == "string":
        if "enum" in node:
            return 2 + max(len(json.dumps(v, ensure_ascii=False).encode()) for v in node["enum"])
        return 2 + node["maxLength"] * tokens_per_char if "maxLength" in node else math.inf
    if kind == "integer" and isinstance(node.get("maximum"), int):
        return len(str(node["maximum"])) + (1 if node.get("minimum", 0) < 0 else 0)
    return 24  # a number or boolean: its longest usual spelling


def _nodes(node: Any, path: str = "") -> Iterator[tuple[str, dict]]:
    """(path, node) for every property schema below `node`: "glossary", "glossary[].term", ..."""
    if not isinstance(node, dict):
        return
    for name, prop in (node.get("properties") or {}).items():
        if isinstance(prop, dict):
            here = f"{path}.{name}" if path else name
            yield here, prop
            yield from _nodes(prop, here)
            if isinstance(prop.get("items"), dict):
                yield from _nodes(prop["items"], here + "[]")


def _fit(schema: dict[str, Any], max_tokens: int, tokens_per_char: float, *, translation_floor: int) -> None:
    """Shrink the bounds in SHRINK_ORDER until the longest answer fits `max_tokens`. A schema with
    an unbounded part (a bound too large to send) is left as it is: no shrinking could make it fit."""
    if math.isinf(longest_answer_tokens(schema, tokens_per_char)):
        return
    nodes = dict(_nodes(schema))
    for path, key, floor in SHRINK_ORDER:
        node = nodes.get(path)
        if node is None or key not in node:
            continue
        floor = translation_floor if floor is None else floor
        while longest_answer_tokens(schema, tokens_per_char) > max_tokens and node[key] > floor:
            node[key] = max(floor, min(node[key] - 1, int(node[key] * SHRINK_STEP)))
            if "minItems" in node and key == "maxItems":
                node[key] = max(node[key], node["minItems"])
            if node.get("minLength", 0) > node.get("maxLength", math.inf):
                node["maxLength"] = node["minLength"]
            if node[key] == floor or (key == "maxItems" and node[key] == node.get("minItems")):
                break
        if longest_answer_tokens(schema, tokens_per_char) <= max_tokens:
            return
