"""Token economy: prompt + completion tokens and requests per article, ours vs three naive calls.

    python benchmarks/token_economy.py [--repeat 2 3 4] [--repeat-window 32768] [--long-tokens 8000] [--long-window 4096]

Ours goes through `Session.run` against the scripted test server (tests/scripted_server.py); every
request body is recorded. Prompt tokens are counted from the request bodies with the offline
tokenizer (`get_token_counter("gpt-4o-mini")`, chat framing included via `count_message_tokens`);
completion tokens from the fake answers' text. The JSON schema sent in `response_format` is counted
apart, as OpenAI bills it (`billed_schema_tokens`), and included in the judged ratio.

What the fake server answers decides the completion tokens, so each row says which answer it got:

- "hand translation" (seed 000 only): the answer a good model would give, from the faithful hand
  translation tests/data/checks/seed000.en.txt: translation = its article body (without the Focus
  bullets and the Glossary section), summary = its Focus bullets, glossary = its Glossary entries
  (source_term = the matching entry of the seed's "Digionary:", by order), title = the English
  headline if any (the seed has none: the schema generator's placeholder stays, as for every other
  field the schema asks for).
- "echo": `schema_responder`'s answer, translation = the source text itself, summary and glossary
  tiny placeholders. The completion is then at least as long as the article, and no design can
  reach 50% (see "floor"): kept for comparison only.

Rows: seed 000 with both answers; seed 002 (no hand translation: echo); seed 000 repeated each of the
`--repeat` times with its hand translation body repeated as many times (summary and glossary once: repeating
them would only duplicate entries), run with a context window of `--repeat-window` so it is still one
request; seed 000 x2 with the default settings (one request or several, as a user would get); and a long article (the seeds repeated to `--long-tokens`) with a `--long-window` window,
several chunks (echo, no goal).

Naive: three separate calls, each given the full article and a one-line instruction: translate,
summarize (3-7 bullets), glossary (term: definition lines). Their completions are taken to be the
same content as ours in plain text (the translation, "- bullet" lines, "term (source_term):
definition" lines), so the comparison isolates how the work is asked for.

floor = (A + C) / naive total, with A = the article's tokens and C = the naive completion tokens: the
best any single-call design could do with zero instructions, zero chat framing and zero JSON.
Naive total ~ 3A + C, so the floor ~ (A + C) / (3A + C), <= 50% only when C <= A.
"our overhead" = ours total - (A + C): our instructions, chat framing, JSON keys and quoting, and the
fields the naive calls do not ask for (title, source_language).

Goal: ours <= 50% of naive tokens for articles that fit in one chunk, judged on rows with realistic
(hand translation) content.

Citations (issue 16): the last line measures what the source-linked summary adds to the seed 000 brief
request ("¶N" paragraph numbers, the template's words about them, bullet objects in the answer and
their schema), each against the same request without it. Goal: under 5% of the request.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MODEL, ROOT, make_session, table, verdict  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))

NAIVE_INSTRUCTIONS = {
    "translate": "Translate the following article into English. Keep all numbers, names and dates.",
    "summarize": "Summarize the following article in 3-7 short bullet points in English.",
    "glossary": "List the domain terms and acronyms in the following article, one per line as 'term (original): definition'.",
}

SEED_000 = next((ROOT / "seeds").glob("000_*.txt"))
HAND_TRANSLATION = ROOT / "tests" / "data" / "checks" / "seed000.en.txt"


# --------------------------------------------------------------------------- realistic answer


@dataclass
class HandAnswer:
    """The fields of a realistic answer; None leaves the schema generator's value. `summary` items
    are {"text", "paragraphs"}: the bullet and the article paragraphs it cites (`cited_paragraphs`)."""

    translation: str
    summary: list[dict]
    glossary: list[dict] = field(default_factory=list)
    title: str | None = None

    def fields(self) -> dict:
        out = {"translation": self.translation, "summary": self.summary, "glossary": self.glossary}
        if self.title is not None:
            out["title"] = self.title
        return out


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def _bullet(text: str, marker: str) -> str:
    return text[len(marker):].strip() if text.startswith(marker) else text.strip()


def hand_answer(repeat: int = 1) -> HandAnswer:
    """Seed 000's answer from its hand translation; the body repeated `repeat` times."""
    body: list[str] = []
    bullets: list[str] = []
    entries: list[tuple[str, str]] = []
    section = "body"
    for para in _paragraphs(HAND_TRANSLATION.read_text(encoding="utf-8")):
        if para == "Focus:":
            section = "focus"
        elif para == "Glossary:":
            section = "glossary"
        elif section == "glossary" and para.startswith("●"):
            term, _, definition = _bullet(para, "●").partition(": ")
            entries.append((term.strip(), definition.strip()))
        elif section == "focus" and para.startswith("■"):
            bullets.append(_bullet(para, "■"))
        else:  # the first ordinary paragraph after the bullets ends the Focus block
            section = "body"
            body.append(para)
    # source terms: the seed's "Digionary:" entries, in the same order as the English glossary
    source_lines = SEED_000.read_text(encoding="utf-8").split("Digionary:", 1)[1].splitlines()
    source_terms = [_bullet(line.strip(), "●").split(": ", 1)[0].strip() for line in source_lines if line.strip().startswith("●")]
    if len(source_terms) != len(entries) or not bullets or not body:
        raise SystemExit(f"{HAND_TRANSLATION.name} and {SEED_000.name} no longer line up "
                         f"({len(entries)} glossary entries vs {len(source_terms)} Digionary entries, {len(bullets)} bullets)")
    for (term, _), source in zip(entries, source_terms):  # "Generative AI" / "AI Generatif": a shared word at least
        if not set(term.lower().split()) & set(source.lower().split()):
            raise SystemExit(f"glossary entries out of order: {term!r} vs {source!r}")
    article_body = "\n\n".join(body)
    return HandAnswer(
        translation="\n\n".join([article_body] * repeat),
        summary=[{"text": b, "paragraphs": cited_paragraphs(b, SEED_000)} for b in bullets],
        glossary=[{"term": t, "source_term": s, "definition": d} for (t, d), s in zip(entries, source_terms)],
        title=None,  # the seed has no headline (and so neither has the hand translation)
    )


def cited_paragraphs(bullet: str, source: Path, most: int = 3) -> list[int]:
    """What a good model cites for `bullet`: the first `most` paragraphs of the article that hold one
    of its figures (seed 000's bullets: [3, 7] [4, 12] [3, 5, 10] style lists), else paragraph 1."""
    from summarizer.checks import extract_quantities
    from summarizer.chunking import split_paragraphs
    from summarizer.sources import load_source

    figures = {v for q in extract_quantities(bullet, "en") for v in q.values}
    paragraphs = split_paragraphs(load_source(source).text)
    holding = [n for n, p in enumerate(paragraphs, start=1) if figures & {v for q in extract_quantities(p, "id") for v in q.values}]
    return holding[:most] or [1]


def realistic_responder(answer: HandAnswer):
    """`schema_responder` with the answer's fields put in place of the generated ones."""
    from scripted_server import _requested_schema, completion, extract_article, instance_for_schema

    def respond(req):
        body = req.body if isinstance(req.body, dict) else {}
        schema = _requested_schema(body)
        article = extract_article(body)
        instance = instance_for_schema(schema, {"article": article} if article is not None else {}) if schema is not None else {}
        if isinstance(instance, dict):
            instance.update({k: v for k, v in answer.fields().items() if k in instance})
        content = json.dumps(instance, ensure_ascii=False)
        return completion(content, model=str(body.get("model") or "test-model"))

    return respond


# --------------------------------------------------------------------------- measuring


def _run_ours(path: Path, answer: HandAnswer | None, overrides: dict) -> dict:
    from scripted_server import ScriptedServer, schema_responder

    from summarizer.tokens import count_message_tokens, get_token_counter

    counter = get_token_counter("gpt-4o-mini")
    answers: list[str] = []
    respond = schema_responder if answer is None else realistic_responder(answer)

    def recording(req):
        reply = respond(req)
        answers.append(reply.json["choices"][0]["message"]["content"])
        return reply

    with ScriptedServer(responder=recording, models=[MODEL]) as server, tempfile.TemporaryDirectory() as tmp:
        session = make_session(server.base_url, Path(tmp) / "cache", **overrides)
        try:
            result = session.run(path, "summarize")
            chunks = len(session.plan(path).chunks)
            article = session.load(path).text
        finally:
            session.close()
        bodies = [r.body for r in server.chat_requests()]
    if answer is not None and (result.translation.strip() != answer.translation.strip()
                               or [(b.text, b.paragraphs) for b in result.summary] != [(b["text"], b["paragraphs"]) for b in answer.summary]
                               or len(result.glossary) != len(answer.glossary)):
        raise SystemExit(f"{path.name}: the result is not the scripted hand-translation answer")
    prompt = sum(count_message_tokens(b["messages"], counter) for b in bodies)
    schema = sum(billed_schema_tokens(b["response_format"], counter) for b in bodies if b.get("response_format", {}).get("type") == "json_schema")
    completion = sum(counter.count(a) for a in answers)
    return {"requests": len(bodies), "prompt": prompt, "completion": completion, "schema": schema, "chunks": chunks,
            "result": result, "article": article, "article_tokens": counter.count(article), "bodies": bodies, "answers": answers}


def _naive(article: str, result) -> dict:
    from summarizer.tokens import count_message_tokens, get_token_counter

    counter = get_token_counter("gpt-4o-mini")
    prompt = sum(count_message_tokens([{"role": "user", "content": f"{text}\n\n{article}"}], counter) for text in NAIVE_INSTRUCTIONS.values())
    answers = [
        result.translation,
        "\n".join(f"- {b.text}" for b in result.summary),
        "\n".join(f"{g.term} ({g.source_term}): {g.definition}" for g in result.glossary),
    ]
    return {"requests": 3, "prompt": prompt, "completion": sum(counter.count(a) for a in answers)}


def long_article(path: Path, tokens: int) -> Path:
    from summarizer.tokens import get_token_counter

    counter = get_token_counter("gpt-4o-mini")
    seeds = [p.read_text(encoding="utf-8").strip() for p in sorted((ROOT / "seeds").glob("*.txt"))]
    from summarizer.sources import load_source

    parts: list[str] = []
    while True:  # counted after loading: cleaning drops a few lines of each seed
        parts.append(seeds[len(parts) % len(seeds)])
        path.write_text("\n\n".join(parts), encoding="utf-8")
        if counter.count(load_source(path).text) >= tokens:
            return path


def repeated_article(path: Path, source: Path, repeat: int) -> Path:
    """`source` as loaded (cleaned, paragraphs), `repeat` times."""
    from summarizer.sources import load_source

    text = load_source(source).text
    path.write_text("\n\n".join([text] * repeat), encoding="utf-8")
    return path


def measure(repeats: list[int], repeat_window: int, long_tokens: int, long_window: int) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        seeds = sorted((ROOT / "seeds").glob("*.txt"))
        # (label, content, path, answer or None for echo, settings overrides, goal applies if one chunk)
        cases = [(SEED_000.name, "hand translation", SEED_000, hand_answer(), {}, True)]
        cases += [(p.name, "echo: translation = source text", p, None, {}, False) for p in seeds]
        # max_output_tokens: room for the whole translation (1.35 x the source) + 600 of structure in one answer
        for repeat in repeats:
            cases.append((f"{SEED_000.name} x{repeat}, window {repeat_window}", f"hand translation x{repeat}",
                          repeated_article(Path(tmp) / f"repeated{repeat}.txt", SEED_000, repeat), hand_answer(repeat),
                          {"context_window": repeat_window, "max_output_tokens": repeat_window // 2}, True))
        # what a user gets without tuning: the default window (8,192 for an unknown model) and output limit
        cases.append((f"{SEED_000.name} x2, default settings", "hand translation x2",
                      repeated_article(Path(tmp) / "repeated-default.txt", SEED_000, 2), hand_answer(2), {}, True))
        cases.append((f"long (seeds repeated, ~{long_tokens // 1000}k tokens), window {long_window}", "echo: translation = source text",
                      long_article(Path(tmp) / "long.txt", long_tokens), None, {"context_window": long_window}, False))
        for label, content, path, answer, overrides, realistic in cases:
            ours = _run_ours(path, answer, overrides)
            naive = _naive(ours["article"], ours["result"])
            rows.append({"label": label, "content": content, "realistic": realistic, "ours": ours, "naive": naive})
    return rows


def billed_schema_tokens(response_format: dict, counter) -> int:
    """What OpenAI bills as prompt tokens for a json_schema response_format: the schema's JSON
    without `required`, `additionalProperties` and `$schema`, plus 9 (measured against the API by
    users, openai/openai-cookbook#2140). Local servers (llama.cpp, vLLM, Ollama) turn it into a
    grammar and bill nothing."""

    def omit(node):
        if isinstance(node, dict):
            return {k: omit(v) for k, v in node.items() if k not in ("required", "additionalProperties", "$schema")}
        if isinstance(node, list):
            return [omit(v) for v in node]
        return node

    return counter.count(json.dumps(omit(response_format["json_schema"]["schema"]), ensure_ascii=False)) + 9


# The brief template's words about citations (prompts/brief.toml): what a brief request without
# them would not say.
CITATION_RULES = (" Leave out the ¶ numbers.", "; `paragraphs`: the ¶ numbers it comes from.")
CITATION_GOAL = 0.05  # of a brief request's billed tokens (issue 16)


def citation_cost(ours: dict) -> dict[str, int]:
    """Tokens the source-linked summary adds to a one-request brief, part by part: the "¶N "
    paragraph numbers in the prompt, the template's words about them, `{"text": ..., "paragraphs":
    [...]}` bullets instead of strings in the answer, and the bullets' object schema (as OpenAI bills
    it). Each is measured against the same request without it, from the recorded request and answer."""
    from summarizer.tokens import get_token_counter

    counter = get_token_counter("gpt-4o-mini")
    (body,), (answer_text,) = ours["bodies"], ours["answers"]
    system, user = body["messages"][0]["content"], body["messages"][1]["content"]
    missing = [rule for rule in CITATION_RULES if rule not in system]
    if missing:
        raise SystemExit(f"prompts/brief.toml no longer says {missing}: update CITATION_RULES")
    plain_system = system
    for rule in CITATION_RULES:
        plain_system = plain_system.replace(rule, "")
    answer = json.loads(answer_text)
    uncited = dict(answer, summary=[b["text"] for b in answer["summary"]])
    schema = body["response_format"]
    plain_schema = json.loads(json.dumps(schema))
    plain_schema["json_schema"]["schema"]["properties"]["summary"]["items"] = {"type": "string", "minLength": 1}
    return {
        "paragraph numbers": counter.count(user) - counter.count(re.sub(r"^¶\d+ ", "", user, flags=re.M)),
        "template words": counter.count(system) - counter.count(plain_system),
        "answer": counter.count(answer_text) - counter.count(json.dumps(uncited, ensure_ascii=False)),
        "schema": billed_schema_tokens(schema, counter) - billed_schema_tokens(plain_schema, counter),
    }


def citation_text(rows: list[dict]) -> str:
    row = next((r for r in rows if r["realistic"] and r["ours"]["chunks"] == 1 and r["ours"]["requests"] == 1), None)
    if row is None:
        return ""
    parts = citation_cost(row["ours"])
    o = row["ours"]
    billed = o["prompt"] + o["completion"] + o["schema"]
    extra = sum(parts.values())
    share = extra / (billed - extra)
    listing = ", ".join(f"{name} {tokens:+,}" for name, tokens in parts.items())
    return (f"\n\nCitations ({row['label']}, {row['content']}): {extra:+,} tokens of the brief request's {billed:,} "
            f"(schema OpenAI bills included) = {share:.1%} of the request without them: {listing}. "
            f"{verdict(share < CITATION_GOAL)} (goal < {CITATION_GOAL:.0%})")


def _line(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares intercept and slope."""
    n = len(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    return my - slope * mx, slope


def break_even(rows: list[dict]) -> dict[str, float] | None:
    """Article tokens from which ours is <= 50% of naive, from lines fitted through the one-chunk
    hand-translation rows (seed 000 x1..xN): with and without the schema OpenAI bills. None when
    there are fewer than two such rows or the lines never cross."""
    realistic = [r for r in rows if r["realistic"] and r["ours"]["chunks"] == 1]
    if len({r["ours"]["article_tokens"] for r in realistic}) < 2:
        return None
    found = {}
    for name, ours in (("with the schema OpenAI bills", lambda o: o["prompt"] + o["completion"] + o["schema"]), ("without it", lambda o: o["prompt"] + o["completion"])):
        a_ours, b_ours = _line([(r["ours"]["article_tokens"], ours(r["ours"])) for r in realistic])
        a_naive, b_naive = _line([(r["ours"]["article_tokens"], r["naive"]["prompt"] + r["naive"]["completion"]) for r in realistic])
        # a_ours + b_ours * A <= 0.5 * (a_naive + b_naive * A)
        if 0.5 * b_naive <= b_ours:
            continue
        found[name] = max(0.0, (a_ours - 0.5 * a_naive) / (0.5 * b_naive - b_ours))
    return found or None


def report_table(rows: list[dict]) -> str:
    out = []
    for row in rows:
        o, n = row["ours"], row["naive"]
        total_o, total_n = o["prompt"] + o["completion"], n["prompt"] + n["completion"]
        billed_o = total_o + o["schema"]
        zero_overhead = o["article_tokens"] + n["completion"]  # A + C
        if o["chunks"] != 1:
            judged = "no goal (several chunks)"
        elif not row["realistic"]:
            judged = "no goal (echo content)"
        else:
            judged = verdict(billed_o <= 0.5 * total_n) + " (goal <= 50%, schema included)"
        out.append([
            row["label"], row["content"], o["article_tokens"], o["chunks"],
            f"{o['requests']} / {n['requests']}",
            f"{o['prompt']:,} / {n['prompt']:,}",
            f"{o['completion']:,} / {n['completion']:,}",
            f"{total_o:,} / {total_n:,}",
            f"{total_o / total_n:.0%}",
            f"{billed_o / total_n:.0%}",
            f"{o['prompt'] / n['prompt']:.0%}",
            f"{zero_overhead / total_n:.0%}",
            f"{total_o - zero_overhead:,} ({o['prompt'] - o['article_tokens']:,} + {o['completion'] - n['completion']:,})",
            judged,
            f"{o['schema']:,}",
        ])
    return ("Tokens counted with the offline cl100k counter; 'ours / naive'. The naive calls ignore the context window. "
            "'hand translation': the fake server answers seed 000's faithful English translation (body, Focus bullets "
            "as summary, Glossary entries); 'echo': it answers the source text as the translation.\n\n"
            + table(["article", "fake answer", "tokens (A)", "chunks", "requests", "prompt tokens", "completion tokens",
                     "total tokens", "total ours/naive", "with the schema OpenAI bills", "prompt ours/naive", "floor", "our overhead (prompt + completion)", "verdict",
                     "schema tokens OpenAI bills (est., ours)"], out)
            + "\n\nfloor = (A + C) / naive total, A = article tokens, C = naive completion tokens: one call with zero "
            "instructions, framing or JSON. Naive total ~ 3A + C, so the ratio floor with zero overhead ~ (A + C)/(3A + C), "
            "<= 50% only when C <= A (an echoed translation alone makes C >= A). "
            "our overhead = ours total - (A + C) = (ours prompt - A) + (ours completion - C): instructions and chat framing, "
            "then JSON keys, quoting and escaping, title and source_language. "
            "'with the schema OpenAI bills': ours + the json_schema response_format as OpenAI counts it (schema JSON "
            "without required/additionalProperties, + 9 tokens per request); local servers compile it to a grammar and "
            "bill nothing. The goal is judged on one-chunk rows with the hand-translation answer, schema included."
            + _break_even_text(rows) + citation_text(rows))


def _break_even_text(rows: list[dict]) -> str:
    found = break_even(rows)
    if not found:
        return ""
    said = ", ".join(f"from ~{tokens:,.0f} article tokens {name}" for name, tokens in found.items())
    return ("\n\nBreak-even (lines fitted through the one-chunk hand-translation rows; their summary and glossary stay "
            f"the size of seed 000's, so read it as an estimate): ours <= 50% of naive {said}.")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, nargs="+", default=[2, 3, 4], help="seed 000 repeated this many times, as one chunk (one row each)")
    parser.add_argument("--repeat-window", type=int, default=32768, help="context window for the repeated seed")
    parser.add_argument("--long-tokens", type=int, default=8000)
    parser.add_argument("--long-window", type=int, default=4096)
    args = parser.parse_args()
    print(report_table(measure(args.repeat, args.repeat_window, args.long_tokens, args.long_window)))


if __name__ == "__main__":
    main()
