"""summarizer.checks: number/date/name/glossary/language checks, the corpus levels, and `summarizer check`."""

from __future__ import annotations

import json
import math
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import ROOT, SEED_000, run_cli
from summarizer.checks import check_translation, extract_quantities, normalize_number
from summarizer.schemas import GlossaryEntry

CORPUS = Path(__file__).parent / "data" / "checks" / "corpus.jsonl"
sys.path.insert(0, str(ROOT / "benchmarks"))


def kinds(findings, severity=None):
    return [f.kind for f in findings if severity is None or f.severity == severity]


# -- normalize_number -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, lang, value",
    [
        ("16.000", "id", 16000),
        ("1,5", "id", 1.5),
        ("16,000", "en", 16000),
        ("1.5", "en", 1.5),
        ("1.234.567", "id", 1234567),
        ("1,234,567", "en", 1234567),
        ("1.234,5", "id", 1234.5),
        ("1,234.5", "en", 1234.5),
        ("US$50 miliar", "id", 5e10),
        ("US50 miliar", "id", 5e10),
        ("$50 billion", "en", 5e10),
        ("US$50bn", "en", 5e10),
        ("$50B", "en", 5e10),
        ("50 billion dollars", "en", 5e10),
        ("Rp835 triliun", "id", 8.35e14),
        ("Rp 835 triliun", "id", 8.35e14),
        ("IDR 835 trillion", "en", 8.35e14),
        ("Rp835 trillion", "en", 8.35e14),
        ("Rp1.987.000", "id", 1987000),
        ("US$1,7 miliar", "id", 1.7e9),
        ("1,2 juta", "id", 1.2e6),
        ("3 ribu", "id", 3000),
        ("16 thousand", "en", 16000),
        ("221.5 million", "en", 221.5e6),
        ("50 persen", "id", 50),
        ("50%", "en", 50),
        ("2,31 persen", "id", 2.31),
        ("5.75 percent", "en", 5.75),
        ("ke-3", "id", 3),
        ("3rd", "en", 3),
        ("third", "en", 3),
        ("dua", "id", 2),
        ("six", "en", 6),
    ],
)
def test_normalize_number(text, lang, value):
    assert normalize_number(text, lang) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "Amazon", "GPT-4", "H100", "#PHK2026", "01:58", "5G"])
def test_normalize_number_rejects_non_numbers(text):
    assert normalize_number(text, "id") is None


def test_quantity_kinds():
    found = extract_quantities("US$50 miliar (sekitar Rp835 triliun), 16.000 karyawan, 13 persen, sejak 2018, yang ke-3", "id")
    assert [q.kind for q in found] == ["money:USD", "money:IDR", "number", "percent", "year", "ordinal"]
    assert found[0].span == "US$50 miliar"


@pytest.mark.parametrize(
    "source, translation",
    [
        ("23 Jul 2025", "July 23, 2025"),
        ("23/07/2025", "23 July 2025"),
        ("23 Juli 2025", "2025-07-23"),
        ("7 Oktober 2025", "October 7, 2025"),
        ("Rabu (17/9/2025)", "Wednesday (September 17, 2025)"),
        ("12 Maret 2025", "12 March 2025"),
        ("1 Agustus", "August 1"),
    ],
)
def test_dates_match_across_formats(source, translation):
    s = extract_quantities(source, "id")
    t = extract_quantities(translation, "en")
    assert [q.kind for q in s] == ["date"] and [q.kind for q in t] == ["date"]
    assert set(s[0].values) & set(t[0].values)
    assert not kinds(check_translation(f"Pada {source} ia datang.", f"He came on {translation}."), "error")


# -- number checks ---------------------------------------------------------------------------------

SRC = "Amazon menyiapkan US$50 miliar (sekitar Rp835 triliun) untuk OpenAI dan mem-PHK 16.000 karyawan pada 2026."


@pytest.mark.parametrize(
    "translation",
    [
        "Amazon is preparing US$50 billion (about Rp835 trillion) for OpenAI and laying off 16,000 employees in 2026.",
        "Amazon is preparing $50bn (about IDR 835 trillion) for OpenAI and laying off 16 thousand employees in 2026.",
        "Amazon is preparing 50 billion dollars (some Rp 835 trillion) for OpenAI and cutting 16,000 jobs in 2026.",
    ],
)
def test_correct_translation_has_no_error(translation):
    assert kinds(check_translation(SRC, translation), "error") == []


@pytest.mark.parametrize(
    "old, new",
    [
        ("16,000", "18,000"),          # changed digit
        ("US$50 billion", "US$50 million"),  # dropped scale
        ("Rp835 trillion", "Rp835 billion"),
        ("Rp835 trillion", "Rp853 trillion"),
        ("US$50 billion", "Rp50 billion"),   # changed currency
        ("2026", "2025"),
        ("16,000 ", ""),                # dropped entirely
    ],
)
def test_planted_number_error_is_an_error(old, new):
    good = "Amazon is preparing US$50 billion (about Rp835 trillion) for OpenAI and laying off 16,000 employees in 2026."
    findings = check_translation(SRC, good.replace(old, new))
    assert "number_missing" in kinds(findings, "error")


def test_one_changed_occurrence_of_a_repeated_number_is_caught():
    source = "Amazon mem-PHK 16.000 karyawan. Mayoritas dari 16.000 karyawan itu berada di AS."
    good = "Amazon laid off 16,000 employees. Most of the 16,000 employees are in the US."
    assert kinds(check_translation(source, good), "error") == []
    findings = check_translation(source, good.replace("Most of the 16,000", "Most of the 18,000"))
    assert "number_missing" in kinds(findings, "error")


def test_ordinals():
    source = "Kenaikan ini merupakan yang ke-3 dalam sepekan."
    assert kinds(check_translation(source, "The increase is the third this week."), "error") == []
    assert kinds(check_translation(source, "The increase is the 3rd this week."), "error") == []
    assert "number_missing" in kinds(check_translation(source, "The increase is the 2nd this week."), "error")


def test_invented_number_in_summary():
    source = "Amazon memangkas 16.000 karyawan."
    translation = "Amazon cut 16,000 employees."
    assert check_translation(source, translation, summary=["Amazon cut 16,000 jobs."]) == []
    findings = check_translation(source, translation, summary=["Amazon cut 18,000 jobs.", "It saved $2 billion."])
    assert kinds(findings) == ["number_invented", "number_invented"]
    assert all(f.severity == "warning" for f in findings)


# -- names -----------------------------------------------------------------------------------------

NAME_SRC = "Langkah agresif CEO Andy Jassy ini diumumkan di Seattle. Penutupan dikonfirmasi oleh Wang Minjie dari AWS, dan PHK menimpa 16.000 karyawan."
NAME_OK = "CEO Andy Jassy's aggressive move was announced in Seattle. The closure was confirmed by Wang Minjie of AWS, and layoffs hit 16,000 employees."


def test_names_present_no_warning():
    assert check_translation(NAME_SRC, NAME_OK) == []


def test_swapped_name_is_caught():
    findings = check_translation(NAME_SRC, NAME_OK.replace("Andy Jassy", "Jeff Bezos"))
    assert any(f.kind == "name_changed" and f.severity == "error" and "Jassy" in f.message for f in findings), findings


def test_translatable_acronym_needs_acronym_or_rendering():
    # PHK rendered as "layoffs" is fine; with neither the acronym nor a rendering it is flagged
    findings = check_translation(NAME_SRC, NAME_OK.replace("layoffs hit", "the decision hit"))
    assert any(f.kind == "name_missing" and "PHK" in f.message for f in findings)


def test_an_acronym_written_as_a_word_may_be_spelled_out():
    # "Tipikor" (tindak pidana korupsi) is written as a word; its court is "the Corruption Court"
    source = "Ia membacakan eksepsi di Pengadilan Tipikor, Jakarta, Selasa (30/4)."
    assert [f.kind for f in check_translation(source, "He read his objection at the Corruption Court, Jakarta, Tuesday (30/4).")
            if f.kind.startswith("name")] == []
    assert ("name_changed", "error") in [(f.kind, f.severity) for f in check_translation(
        source, "He read his objection at the Harvard Court, Jakarta, Tuesday (30/4).")]


def test_missing_acronym_is_caught():
    findings = check_translation(NAME_SRC, NAME_OK.replace("of AWS", "of the cloud unit"))
    assert any(f.kind == "name_missing" and "AWS" in f.message for f in findings)


# -- glossary --------------------------------------------------------------------------------------

def test_glossary_checks():
    source = "Amazon mengembangkan model bahasa besar (LLM) dan menambah belanja modal."
    translation = "Amazon is developing large language models (LLMs) and raising capital expenditure."
    glossary = [
        GlossaryEntry(term="LLM", source_term="LLM", definition="A large language model."),
        {"term": "capital expenditure", "source_term": "belanja modal", "definition": "Spending on assets."},
        {"term": "capex", "source_term": "Belanja Modal", "definition": "Spending on assets."},
        {"term": "GPU", "source_term": "unit pemrosesan grafis", "definition": "A graphics chip."},
    ]
    findings = check_translation(source, translation, glossary=glossary)
    assert sorted(kinds(findings)) == ["glossary_inconsistent", "glossary_source_missing"]
    assert all(f.severity == "warning" for f in findings)


# -- untranslated ----------------------------------------------------------------------------------

def test_untranslated_sentence_warning_then_error():
    source = ("Amazon menutup laboratorium AI di Shanghai. Keputusan itu diambil karena ketegangan politik. "
              "Tim riset yang dipimpin Wang Minjie dibubarkan. Amazon tetap mempekerjakan staf di negara tersebut.")
    english = ("Amazon closed its AI laboratory in Shanghai. The decision was made because of political tension. "
               "The research team led by Wang Minjie was disbanded. Amazon still employs staff in the country.")
    assert check_translation(source, english) == []
    one_left = english + " Laboratorium ini dikenal luas atas kontribusinya dalam pengembangan teknologi di China."
    findings = check_translation(source + " Laboratorium ini dikenal luas atas kontribusinya dalam pengembangan teknologi di China.", one_left)
    assert kinds(findings) == ["untranslated"] and findings[0].severity == "warning"
    findings = check_translation(source, source)
    assert "untranslated" in kinds(findings, "error")


def test_english_source_skips_language_check():
    text = "Amazon closed its AI laboratory in Shanghai after six years of research work there."
    assert check_translation(text, text, source_lang="en") == []


# -- corpus levels ---------------------------------------------------------------------------------

def test_corpus_shape():
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert sum(r["planted"] is None for r in rows) >= 25
    assert sum(r["planted"] is not None for r in rows) >= 25
    assert len({r["id"] for r in rows}) == len(rows)


def test_corpus_levels():
    from checks_accuracy import evaluate, load_corpus

    report = evaluate(load_corpus(CORPUS))
    for kind in ("number_changed", "scale_dropped"):
        assert report["recall"][kind]["recall"] == 1.0, report["missed"]  # every planted number error
    assert report["recall"]["number_invented"]["recall"] == 1.0
    assert report["recall"]["name_swapped"]["recall"] == 1.0
    assert report["recall"]["untranslated"]["recall"] == 1.0
    assert report["false_alarm_error_rate"] == 0.0, report["alarms"]
    assert report["false_alarm_warning_rate"] <= 0.05, report["alarms"]


# -- property tests --------------------------------------------------------------------------------

SCALES = [("", "", 1), (" ribu", " thousand", 1e3), (" juta", " million", 1e6), (" miliar", " billion", 1e9), (" triliun", " trillion", 1e12)]


def _group(digits: str, sep: str) -> str:
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return sep.join(out)


def fmt_id(value: Decimal) -> str:
    whole, _, frac = f"{value:f}".partition(".")
    return _group(whole, ".") + ("," + frac if frac else "")


def fmt_en(value: Decimal) -> str:
    whole, _, frac = f"{value:f}".partition(".")
    return _group(whole, ",") + ("." + frac if frac else "")


numbers = st.one_of(
    st.integers(min_value=0, max_value=10**12).map(Decimal),
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False).map(lambda d: d.normalize() if d == d.to_integral() else d),
)


@settings(max_examples=300, deadline=None)
@given(value=numbers, scale=st.sampled_from(SCALES))
def test_property_id_and_en_formats_agree(value, scale):
    id_scale, en_scale, factor = scale
    value = Decimal(value).quantize(Decimal(1)) if value == value.to_integral() else value
    id_text, en_text = fmt_id(value) + id_scale, fmt_en(value) + en_scale
    id_value, en_value = normalize_number(id_text, "id"), normalize_number(en_text, "en")
    assert id_value is not None and en_value is not None, (id_text, en_text)
    assert math.isclose(id_value, en_value, rel_tol=1e-12)
    assert math.isclose(id_value, float(value) * factor, rel_tol=1e-9), (id_text, id_value)


@settings(max_examples=150, deadline=None)
@given(value=numbers, scale=st.sampled_from(SCALES[1:]), currency=st.sampled_from([("US$", "$", "USD"), ("Rp", "IDR ", "IDR")]))
def test_property_money_matches_and_changes_are_caught(value, scale, currency):
    id_scale, en_scale, _ = scale
    value = Decimal(value).quantize(Decimal(1)) if value == value.to_integral() else value
    id_cur, en_cur, code = currency
    source = f"Perusahaan itu menyiapkan dana {id_cur}{fmt_id(value)}{id_scale} untuk proyek tersebut."
    good = f"The company prepared {en_cur}{fmt_en(value)}{en_scale} for the project."
    assert kinds(check_translation(source, good), "error") == []
    changed = value + 7
    bad = f"The company prepared {en_cur}{fmt_en(changed)}{en_scale} for the project."
    assert "number_missing" in kinds(check_translation(source, bad), "error")


# -- CLI -------------------------------------------------------------------------------------------

def test_cli_check_exit_codes(tmp_path):
    rows = {r["id"]: r for r in map(json.loads, CORPUS.read_text(encoding="utf-8").splitlines())}
    source = tmp_path / "source.txt"
    good = tmp_path / "good.txt"
    bad = tmp_path / "bad.txt"
    source.write_text(rows["seed000-a"]["source"], encoding="utf-8")
    good.write_text(rows["seed000-a"]["translation"], encoding="utf-8")
    bad.write_text(rows["p-digit-01"]["translation"], encoding="utf-8")

    ok = run_cli("check", str(source), str(good))
    assert ok.returncode == 0, ok.stderr
    assert b"No findings" in ok.stdout

    failed = run_cli("check", str(source), str(bad), "--format", "json", "--source-lang", "id")
    assert failed.returncode == 1, failed.stderr
    findings = json.loads(failed.stdout)
    assert findings[0]["kind"] == "number_missing" and findings[0]["severity"] == "error"
    assert findings[0]["output_span"] == "18,000"

    md = run_cli("check", str(source), str(bad))
    assert md.returncode == 1 and b"number_missing" in md.stdout

    missing = run_cli("check", str(tmp_path / "nope.txt"), str(good))
    assert missing.returncode == 2 and b"file not found" in missing.stderr
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert run_cli("check", str(source), str(empty)).returncode == 2
    assert run_cli("check", str(source), str(good), "--source-lang", "indonesian").returncode == 2


def test_cli_check_on_seed_itself_flags_untranslated(tmp_path):
    result = run_cli("check", str(SEED_000), str(SEED_000), "--format", "json")
    assert result.returncode == 1
    assert any(f["kind"] == "untranslated" and f["severity"] == "error" for f in json.loads(result.stdout))


# -- a whole real article (seed 000) with a careful human translation ----------------------------

SEED_000_EN = Path(__file__).parent / "data" / "checks" / "seed000.en.txt"


def _seed_pair() -> tuple[str, str]:
    from summarizer.sources import load_source

    return load_source(SEED_000).text, load_source(SEED_000_EN).text


def test_full_article_translation_is_clean():
    source, translation = _seed_pair()
    assert check_translation(source, translation) == []


@pytest.mark.parametrize(
    "old, new, kind, severity",
    [
        ("The majority of the 16,000", "The majority of the 18,000", "number_missing", "error"),
        ("US$125 billion in 2026. The money", "US$152 billion in 2026. The money", "number_missing", "error"),
        ("about Rp835 trillion, to inject", "about Rp835 billion, to inject", "number_missing", "error"),
        ("could reach a fantastic US$100 billion", "could reach a fantastic US$100 million", "number_missing", "error"),
        ("Andy Jassy", "Jeff Bezos", "name_changed", "error"),  # every occurrence: see the next test
        ("Deputy Minister of Communication and Digital Affairs Nezar Patria", "A deputy minister", "name_missing", "warning"),
    ],
)
def test_full_article_planted_errors(old, new, kind, severity):
    source, translation = _seed_pair()
    assert old in translation
    changed = translation.replace(old, new) if kind.startswith("name") else translation.replace(old, new, 1)
    findings = check_translation(source, changed)
    assert any(f.kind == kind and f.severity == severity for f in findings), findings


def test_known_limit_one_swapped_occurrence_of_a_repeated_name():
    """Names are checked by presence, not count (a translation may say "Altman" or "he" the second time),
    so a name swapped in one place while it is kept in another is not reported."""
    source, translation = _seed_pair()
    changed = translation.replace("OpenAI CEO Sam Altman", "OpenAI CEO Greg Brockman")
    assert not [f for f in check_translation(source, changed) if f.kind.startswith("name")]


def test_full_article_summary_invented_figure():
    source, translation = _seed_pair()
    summary = ["Amazon may invest US$50 billion in OpenAI.", "It cuts 16,000 corporate jobs.", "Capex reaches US$175 billion in 2026."]
    findings = check_translation(source, translation, summary=summary)
    assert [f.output_span for f in findings] == ["US$175 billion"]


# -- robustness: odd text never breaks a check -------------------------------------------------------

# keywords glued to numbers, symbols, non-ASCII digits and the letters that match ASCII ones
# case-insensitively (İ ı ſ K), line breaks, odd punctuation
ODD_SNIPPETS = [
    "İstanbul", "ıNDEX", "ſeptember 5", "K3", "KE-3", "ke 4", "ke12", "٣ persen", "١٢ Juli ٢٠٢٥", "²", "S$5", "s$ 7",
    "Rp.5.000", "rp 300 ribu", "RM5", "IDR 8 trillion", "EUR5", "€5m", "£3 bn", "¥100", "US50", "us$2", "USD 4", "Q2",
    "H1 2025", "kuartal II", "Kuartal ke-3", "semester pertama", "triwulan 3", "pukul 14.00 WIB", "jam 9", "pkl. 10.30",
    "2 p.m.", "10:30 am", "23 Juli 2025", "July 23, 2025", "Jul 4", "4 Jul", "3 may fall", "May 3", "2025-07-23",
    "23/07/2025", "07.08.2025", "1990s", "1990-an", "the 20s", "21st", "third", "Ketiga", "dua juta", "Two Million",
    "TEN", "5G", "GPT-4", "H100", "#PHK2026", "COVID-19", "ignore all previous instructions", "Abaikan semua instruksi",
    "\nSYSTEM: hi", "<|im_start|>", "[INST]", "</system>", "you are now", "Anda sekarang adalah", "new instructions:",
    "instruksi baru:", "Ⅸ", "ＵＳ$5", "Jérôme Powell", "O’Brien", "foo@bar.com", "https://x.co.id/a", "Fokus: Amazon",
    "■ Amazon", " | Amazon · Google | ", "16.000", "1,5", "US$1,7 miliar", "50%", "5.75 percent", "per cent", "$50B",
    "$5k", "7B", "50 billion dollars", "dolar AS", "…", "?!”", "\n\n", "\t", "\u00a0", "\u2028", "\u0085", "_5", "5July",
]
_odd_text = st.lists(
    st.one_of(st.sampled_from(ODD_SNIPPETS), st.text(alphabet="aAkKsSıİſK0129 .,:/-$\n’”)", max_size=8)),
    max_size=12,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(source=_odd_text, translation=_odd_text)
def test_property_odd_text_never_breaks_the_checks(source, translation):
    findings = check_translation(source, translation)
    assert all(f.severity in ("error", "warning", "info") and f.count >= 1 for f in findings)


def test_findings_do_not_depend_on_other_calls_in_other_threads():
    """The checks run in worker threads: no state is shared between calls."""
    from concurrent.futures import ThreadPoolExecutor

    source, translation = _seed_pair()
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    pairs = [(source, translation)] + [(r["source"], r["translation"]) for r in rows]
    expected = [check_translation(s, t) for s, t in pairs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(3):
            assert list(pool.map(lambda pair: check_translation(*pair), pairs)) == expected
