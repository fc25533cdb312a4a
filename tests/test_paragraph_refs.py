"""Source-linked summary (issue 16, item 1): numbered paragraphs in the prompts, citations validated
and re-asked, chunk-local numbers mapped to the article's, the citation check, and `[¶N]` in Markdown."""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers import SEED_000, run_cli, user_prompt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scripted_server import completion, extract_article, schema_responder

from summarizer import Session
from summarizer.chunking import split_into_chunks, split_paragraphs
from summarizer.paragraph_refs import MARKER_TOKENS, Sources, numbered, paragraphs_with, strip_copied_markers, with_markers
from summarizer.render import to_markdown
from summarizer.schemas import ArticleResult, BriefOutput, SummaryBullet, citing_at_most, llm_schema
from summarizer.sources import load_source
from summarizer.checks import check_brief, check_summary_references, check_translation

SEED_TEXT = load_source(SEED_000).text
SEED_PARAGRAPHS = split_paragraphs(SEED_TEXT)


def session_for(server, tmp_path, **overrides):
    return Session(cache_dir=tmp_path / "cache", model="test-model", base_url=server.base_url, **overrides)


def brief_answer(summary, translation="Amazon is preparing US$50 billion for OpenAI.", glossary=()):
    return json.dumps({"source_language": "id", "title": "T", "translation": translation,
                       "summary": summary, "glossary": list(glossary)})


def numbered_units(prompt: str) -> dict[int, str]:
    """{n: text} of the "¶n text" units a request shows."""
    article = re.search(r"<article>\n(.*)\n</article>", prompt, re.S).group(1)
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^¶(\d+) (.*)$", article, re.M)}


# --------------------------------------------------------------------------- the prompt


def test_brief_prompt_numbers_every_article_paragraph_and_the_answer_cites_them(llm_server, tmp_path):
    with session_for(llm_server, tmp_path) as session:
        result = session.run(SEED_000)
    prompt = user_prompt(llm_server.chat_requests()[0])
    units = numbered_units(prompt)
    assert list(units) == list(range(1, len(SEED_PARAGRAPHS) + 1))
    assert [units[n] for n in units] == [p.split("\n")[0] for p in SEED_PARAGRAPHS]  # (a unit's first line)
    assert "Leave out the ¶ numbers" in llm_server.chat_requests()[0].body["messages"][0]["content"]
    assert "¶" not in result.translation
    assert all(b.paragraphs for b in result.summary)  # the scripted model cites ¶1


def test_translate_only_sends_the_article_unnumbered(llm_server, tmp_path):
    with session_for(llm_server, tmp_path) as session:
        result = session.run(SEED_000, "translate")
    request = llm_server.chat_requests()[0]
    assert "¶1 " not in user_prompt(request) and "¶ numbers" not in request.body["messages"][0]["content"]
    assert result.summary == []


def test_numbers_the_model_copies_into_the_translation_are_removed(llm_server, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Amazon menyiapkan US$50 miliar.\n\nPerusahaan memangkas 16.000 karyawan.\n\n¶7 tetap teks asli.", encoding="utf-8")
    copied = "¶1 Amazon is preparing US$50 billion.\n\n¶2 The company cuts 16,000 employees.\n\n¶3 ¶7 stays source text."
    llm_server.script(completion(brief_answer([{"text": "a", "paragraphs": [1]}, "b", "c"], translation=copied)))
    with session_for(llm_server, tmp_path) as session:
        result = session.run(article)
    assert result.translation == "Amazon is preparing US$50 billion.\n\nThe company cuts 16,000 employees.\n\n¶7 stays source text."


# --------------------------------------------------------------------------- validation and re-ask


def test_a_citation_past_the_last_paragraph_is_re_asked_then_accepted(llm_server, tmp_path):
    count = len(SEED_PARAGRAPHS)
    bad = [{"text": "Amazon prepares US$50 billion.", "paragraphs": [count + 5]}, {"text": "b", "paragraphs": [1]}, "c"]
    good = [{"text": "Amazon prepares US$50 billion.", "paragraphs": [3, 1]}, {"text": "b", "paragraphs": [1]}, "c"]
    llm_server.script(completion(brief_answer(bad)), completion(brief_answer(good)))
    with session_for(llm_server, tmp_path, run_checks=False) as session:
        result = session.run(SEED_000)
    requests = llm_server.chat_requests()
    assert len(requests) == 2 and result.metadata.requests == 2
    re_ask = requests[1].body["messages"][-1]["content"]
    assert f"summary item 1 cites ¶{count + 5}, but the text has only ¶1 to ¶{count}" in re_ask
    assert [(b.text, b.paragraphs) for b in result.summary] == [("Amazon prepares US$50 billion.", [1, 3]), ("b", [1]), ("c", [])]
    assert "answer repaired after 1 re-ask(s)" in result.metadata.warnings


def test_a_model_that_keeps_citing_past_the_end_keeps_its_answer_without_those_citations(llm_server, tmp_path):
    count = len(SEED_PARAGRAPHS)
    bad = [{"text": "Amazon prepares US$50 billion.", "paragraphs": [2, count + 1]}, {"text": "b", "paragraphs": [1]}, "c"]
    llm_server.responder = lambda req: completion(brief_answer(bad))
    with session_for(llm_server, tmp_path, run_checks=False, max_repairs=1) as session:
        result = session.run(SEED_000)
    assert len(llm_server.chat_requests()) == 2  # the first answer and one re-ask
    assert [b.paragraphs for b in result.summary] == [[2], [1], []]
    assert any(f"citing paragraphs past ¶{count}" in w for w in result.metadata.warnings)


def test_the_bound_is_checked_but_not_sent():
    bounded = citing_at_most(BriefOutput, 4)
    assert bounded.__name__ == "BriefOutput" and llm_schema(bounded) == llm_schema(BriefOutput)
    assert citing_at_most(BriefOutput, 4) is bounded  # one class per count: the client's schema cache stays small
    item = llm_schema(BriefOutput)["properties"]["summary"]["items"]
    assert item["required"] == ["text", "paragraphs"] and item["properties"]["paragraphs"]["items"] == {"type": "integer"}
    answer = {"source_language": "id", "title": "T", "translation": "x", "summary": [{"text": "a", "paragraphs": [4]}, "b", "c"], "glossary": []}
    assert bounded.model_validate(answer).summary[0].paragraphs == [4]
    answer["summary"][0]["paragraphs"] = [5]
    try:
        bounded.model_validate(answer)
    except ValueError as exc:
        assert "cites ¶5" in str(exc)
    else:  # pragma: no cover - the test fails here
        raise AssertionError("¶5 of 4 paragraphs was accepted")


def test_old_results_with_string_bullets_still_load():
    old = {"source": "a.txt", "source_language": "id", "target_language": "English", "title": "T", "translation": "x",
           "summary": ["One.", "Two.", "Three."], "glossary": [{"term": "AWS", "source_term": "AWS", "definition": "Cloud."}],
           "metadata": {"model": "m", "endpoint_host": "h"}}
    result = ArticleResult.model_validate(old)
    assert [str(b) for b in result.summary] == ["One.", "Two.", "Three."] and result.summary[0].paragraphs == []
    assert result.glossary[0].paragraphs == []


# --------------------------------------------------------------------------- long articles


def _long_article(paragraphs: int) -> str:
    return "\n\n".join(
        f"Paragraf {i}: Amazon mengumumkan investasi US${i + 1} miliar di Jakarta pada 2026. "
        "Para analis menilai langkah ini sebagai pergeseran besar menuju kecerdasan buatan."
        for i in range(paragraphs)
    )


def _citing_responder(truncate_first_part: bool = False):
    """A model that cites exactly: each part's key point names the article paragraph ("Paragraf i")
    behind the LAST local number it was shown; the merge cites its points 1 and the last one."""
    state = {"truncated": not truncate_first_part}

    def respond(req):
        prompt = user_prompt(req)
        if "Translate this part" in prompt:
            units = numbered_units(prompt)
            if not state["truncated"] and len(units) > 1:
                state["truncated"] = True
                return completion('{"title": "", "translation": "cut', finish_reason="length")
            last = max(units)
            label = re.match(r"Paragraf (\d+):", units[last]).group(1)
            answer = json.loads(schema_responder(req).json["choices"][0]["message"]["content"])
            answer["key_points"] = [{"text": f"Point from Paragraf {label}", "paragraphs": [last]}]
            return completion(json.dumps(answer))
        if "Summarize this text" in prompt:
            units = numbered_units(prompt)
            ends = sorted({1, max(units)})
            summary = [{"text": f"From points {ends}", "paragraphs": ends}, {"text": "b", "paragraphs": [1]}, {"text": "c", "paragraphs": []}]
            return completion(json.dumps({"summary": summary}))
        return schema_responder(req)

    return respond


def test_long_article_key_points_cite_article_paragraphs_not_chunk_local_ones(llm_server, tmp_path):
    llm_server.responder = _citing_responder()
    article = tmp_path / "long.txt"
    article.write_text(_long_article(30), encoding="utf-8")
    with session_for(llm_server, tmp_path, context_window=1500, max_output_tokens=600, run_checks=False) as session:
        chunks = session.plan(article).chunks
        result = session.run(article)
    assert len(chunks) >= 3 and all(c.paragraphs for c in chunks)
    assert [n for c in chunks for n in c.paragraphs] == list(range(1, 31))
    merge = numbered_units(user_prompt(llm_server.chat_requests()[-1]))
    assert len(merge) == len(chunks)
    # point k came from the last paragraph of part k: "Paragraf i" is article paragraph i + 1
    first_label = int(re.search(r"Paragraf (\d+)", merge[1]).group(1))
    last_label = int(re.search(r"Paragraf (\d+)", merge[len(merge)]).group(1))
    assert first_label + 1 == chunks[0].paragraphs[-1] and last_label + 1 == chunks[-1].paragraphs[-1] == 30
    assert result.summary[0].paragraphs == [chunks[0].paragraphs[-1], 30]
    assert result.summary[1].paragraphs == [chunks[0].paragraphs[-1]] and result.summary[2].paragraphs == []


def test_a_part_split_after_a_cut_answer_maps_its_halves_to_the_article(llm_server, tmp_path):
    llm_server.responder = _citing_responder(truncate_first_part=True)
    article = tmp_path / "long.txt"
    article.write_text(_long_article(30), encoding="utf-8")
    with session_for(llm_server, tmp_path, context_window=1500, max_output_tokens=600, run_checks=False) as session:
        first = session.plan(article).chunks[0]
        result = session.run(article)
    assert any("split in" in w for w in result.metadata.warnings)
    merge = numbered_units(user_prompt(llm_server.chat_requests()[-1]))
    # the first half of part 1 ends before part 1 does; its point still names the right article paragraph
    half_label = int(re.search(r"Paragraf (\d+)", merge[1]).group(1))
    assert half_label + 1 < first.paragraphs[-1]
    assert result.summary[0].paragraphs[0] == half_label + 1


def test_summary_of_the_translation_itself_cites_the_paragraphs_it_translates(llm_server, tmp_path):
    def respond(req):
        prompt = user_prompt(req)
        if "Translate this part" in prompt:
            answer = json.loads(schema_responder(req).json["choices"][0]["message"]["content"])
            answer["key_points"] = []  # no part names a fact: the translation itself is summarized
            return completion(json.dumps(answer))
        if "Summarize this text" in prompt:
            units = numbered_units(prompt)  # the translation's paragraphs, or (map-reduce) the pieces' bullets
            hits = [n for n, text in units.items() if "Paragraf 7:" in text or "About seven" in text]
            first = {"text": "About seven", "paragraphs": hits} if hits else {"text": "Other", "paragraphs": [1]}
            return completion(json.dumps({"summary": [first, "b", "c"]}))
        return schema_responder(req)

    llm_server.responder = respond
    article = tmp_path / "long.txt"
    article.write_text(_long_article(12), encoding="utf-8")
    with session_for(llm_server, tmp_path, context_window=1500, max_output_tokens=600, run_checks=False) as session:
        result = session.run(article)
    assert result.summary[0].paragraphs == [8]  # "Paragraf 7" is the article's 8th paragraph


# --------------------------------------------------------------------------- the citation check


def _where(figure: str) -> list[int]:
    return [n for n, p in enumerate(SEED_PARAGRAPHS, 1) if figure in p]


def test_citation_check_findings_on_the_seed():
    (capex,) = _where("US$125 miliar")[:1]
    layoffs = _where("16.000")
    bullets = [
        SummaryBullet(text="Amazon plans US$125 billion of capital expenditure in 2026.", paragraphs=[capex]),  # right
        SummaryBullet(text="Amazon is laying off 16,000 employees.", paragraphs=[]),  # cites nothing
        SummaryBullet(text="Capital expenditure reaches US$125 billion.", paragraphs=[2]),  # figure elsewhere
        SummaryBullet(text="It spends US$999 billion.", paragraphs=[capex]),  # not in the article at all: number_invented's
    ]
    findings = check_summary_references(SEED_TEXT, bullets, source_lang="id")
    kinds = [(f.kind, f.severity) for f in findings]
    assert ("summary_unsourced", "warning") in kinds
    miscited = [f for f in findings if f.kind == "summary_miscited" and f.severity == "warning"]
    assert len(miscited) == 1 and "summary bullet 3" in miscited[0].message and f"¶{capex}" in miscited[0].message
    assert miscited[0].output_span == "US$125 billion"
    assert not any("bullet 1" in f.message or "bullet 4" in f.message for f in findings)
    assert layoffs  # the seed has the figure the uncited bullet states


def test_a_brief_checks_its_citations_with_the_facts_the_translation_checks_extracted():
    # check_brief reads each paragraph's figures off the article's facts, extracted once: the same
    # findings as the two checks run apart, which extract the article again
    (capex,) = _where("US$125 miliar")[:1]
    bullets = [
        SummaryBullet(text="Capital expenditure reaches US$125 billion in 2026.", paragraphs=[2]),  # figure elsewhere
        SummaryBullet(text="Amazon is laying off 16,000 employees.", paragraphs=[capex]),
        SummaryBullet(text="Sam Altman leads the talks.", paragraphs=[capex]),
    ]
    translation = (Path(__file__).parent / "data" / "checks" / "seed000.en.txt").read_text(encoding="utf-8")
    apart = check_translation(SEED_TEXT, translation, summary=[b.text for b in bullets], source_lang="id")
    apart += check_summary_references(SEED_TEXT, bullets, source_lang="id")
    together = check_brief(SEED_TEXT, translation, bullets, [], source_lang="id")
    order = {"error": 0, "warning": 1, "info": 2}
    assert together == sorted(apart, key=lambda f: order[f.severity])
    assert any(f.kind == "summary_miscited" and f"¶{capex}" in f.message and "bullet 1" in f.message for f in together)
    assert any(f.kind == "summary_miscited" and "bullet 2" in f.message for f in together)


def test_a_brief_checked_in_steps_pauses_between_families_and_finds_the_same():
    from summarizer.checks import brief_steps

    (capex,) = _where("US$125 miliar")[:1]
    bullets = [SummaryBullet(text="Capital expenditure reaches US$125 billion in 2026.", paragraphs=[2]),
               SummaryBullet(text="Amazon is laying off 17,000 employees.", paragraphs=[capex])]
    translation = (Path(__file__).parent / "data" / "checks" / "seed000.en.txt").read_text(encoding="utf-8")
    steps, pauses = brief_steps(SEED_TEXT, translation, bullets, [], source_lang="id"), 0
    while True:
        try:
            next(steps)
        except StopIteration as done:
            findings = done.value
            break
        pauses += 1
    assert pauses >= 4  # facts of the article, of the translation, their matching, names, structure
    assert findings == check_brief(SEED_TEXT, translation, bullets, [], source_lang="id")
    assert any("17,000" in f.message for f in findings)


def test_names_count_only_when_no_figure_confirms_the_citation_and_none_is_in_the_cited_paragraphs():
    sam = _where("Sam Altman")
    other = next(n for n in range(1, len(SEED_PARAGRAPHS) + 1) if n not in sam and "Amazon" not in SEED_PARAGRAPHS[n - 1])
    findings = check_summary_references(SEED_TEXT, [SummaryBullet(text="Sam Altman leads the talks.", paragraphs=[other])])
    assert [(f.kind, f.severity, f.output_span) for f in findings] == [("summary_miscited", "info", "Sam Altman")]
    assert f"¶{sam[0]}" in findings[0].message
    assert not check_summary_references(SEED_TEXT, [SummaryBullet(text="Sam Altman leads the talks.", paragraphs=sam[:1])])
    # one of its names in the cited paragraph is enough; a figure found there settles it
    assert not check_summary_references(SEED_TEXT, [SummaryBullet(text="Sam Altman and Andy Jassy talk.", paragraphs=[_where("Andy Jassy")[0]])])
    capex = _where("US$125 miliar")[0]
    assert "Amazon" not in SEED_PARAGRAPHS[capex - 1]
    assert not check_summary_references(SEED_TEXT, [SummaryBullet(text="Amazon plans US$125 billion in 2026.", paragraphs=[capex])])


def test_pipeline_reports_a_miscited_bullet(llm_server, tmp_path):
    capex = _where("125")  # "US$125 miliar", and "US125 miliar" in the lead
    wrong = next(n for n, p in enumerate(SEED_PARAGRAPHS, 1) if "125" not in p)
    summary = [{"text": "Amazon plans US$125 billion of capital expenditure.", "paragraphs": [wrong]}, {"text": "b", "paragraphs": [1]}, "c"]
    llm_server.script(completion(brief_answer(summary)))
    with session_for(llm_server, tmp_path) as session:
        result = session.run(SEED_000)
    found = [f for f in result.checks if f.kind.startswith("summary_")]
    assert any(f.kind == "summary_miscited" and f"the article has it in {', '.join(f'¶{n}' for n in capex)}" in f.message for f in found)
    assert any(f.kind == "summary_unsourced" and "bullet 3" in f.message for f in found)


# --------------------------------------------------------------------------- glossary and Markdown


def test_glossary_entries_carry_the_paragraphs_holding_their_source_term(llm_server, tmp_path):
    glossary = [{"term": "AWS", "source_term": "Amazon Web Services", "definition": "Amazon's cloud."},
                {"term": "Nothing", "source_term": "Tidak ada di artikel", "definition": "Absent."}]
    llm_server.script(completion(brief_answer([{"text": "a", "paragraphs": [1]}, "b", "c"], glossary=glossary)))
    with session_for(llm_server, tmp_path, run_checks=False) as session:
        result = session.run(SEED_000)
    aws = [n for n, p in enumerate(SEED_PARAGRAPHS, 1) if "amazon web services" in p.lower()]
    assert aws and result.glossary[0].paragraphs == aws
    assert result.glossary[1].paragraphs == []


def test_markdown_shows_the_cited_paragraphs_after_each_bullet_and_term():
    result = ArticleResult.model_validate({
        "source": "a.txt", "source_language": "id", "target_language": "English", "title": "Title",
        "translation": "One.\n\nTwo.",
        "summary": [{"text": "First  bullet.", "paragraphs": [3]}, {"text": "Second.", "paragraphs": [1, 4]}, "Third."],
        "glossary": [{"term": "AWS", "source_term": "AWS", "definition": "Cloud.", "paragraphs": [1, 2, 3, 4, 5, 6, 7]}],
        "metadata": {"model": "m", "endpoint_host": "h"},
    })
    text = to_markdown(result)
    assert "## Summary\n\n- First bullet. [¶3]\n- Second. [¶1, ¶4]\n- Third.\n" in text
    assert "- **AWS**: Cloud. [¶1, ¶2, ¶3, ¶4, ¶5, …]\n" in text


def test_cli_markdown_and_json_carry_the_citations(llm_server):
    proc = run_cli("summarize", str(SEED_000), "--base-url", llm_server.base_url, "--model", "test-model", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert document["summary"][0] == {"text": "Summary point 1.", "paragraphs": [1]}
    assert all("paragraphs" in entry for entry in document["glossary"])
    proc = run_cli("summarize", str(SEED_000), "--base-url", llm_server.base_url, "--model", "test-model")
    assert "- Summary point 1. [¶1]" in proc.stdout.decode()


# --------------------------------------------------------------------------- the helpers


def test_sources_map_and_compose():
    chunk = Sources.of_paragraphs((5, 6, 7))
    assert chunk.cited([3, 1, 9]) == [5, 7]  # 9 is no unit: dropped
    points = Sources(((5,), (6, 7), (9,)))
    assert points.select([2, 3]).cited([1]) == [6, 7]
    assert numbered(["a", "b"]) == "¶1 a\n\n¶2 b"
    assert strip_copied_markers("¶1 a\n\n¶9 b", 2) == "a\n\n¶9 b"
    assert paragraphs_with("Web  Services", ["Amazon Web\nServices", "webservices", "AWS web services."]) == [1, 3]
    assert with_markers(len)("ab\n\ncd") == 6 + 2 * MARKER_TOKENS


def test_extract_article_sees_the_numbered_text(llm_server, tmp_path):
    with session_for(llm_server, tmp_path) as session:
        session.run(SEED_000)
    assert extract_article(llm_server.chat_requests()[0].body).startswith("¶1 ")


_paragraph_text = st.lists(
    st.text(alphabet=st.sampled_from("abc def. GHI, 12.000\n"), min_size=1, max_size=80), min_size=1, max_size=12,
).map(lambda parts: "\n\n".join(parts))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_paragraph_text, budget=st.integers(min_value=8, max_value=60))
def test_chunk_paragraphs_name_each_paragraph_of_the_chunk_in_article_order(text, budget):
    """The mapping invariant: one article paragraph number per paragraph of a chunk's text, in
    order, every article paragraph named, a paragraph cut across chunks named by each of them."""
    chunks = split_into_chunks(text, budget, with_markers(lambda t: len(t.split()) + 1))
    article = split_paragraphs(text)
    for chunk in chunks:
        assert len(chunk.paragraphs) == len(split_paragraphs(chunk.text))
        for number, piece in zip(chunk.paragraphs, split_paragraphs(chunk.text)):
            assert " ".join(piece.split()) in " ".join(article[number - 1].split())
    named = [n for c in chunks for n in c.paragraphs]
    assert sorted(set(named)) == list(range(1, len(article) + 1)) and named == sorted(named)
