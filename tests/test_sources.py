"""Tests for summarizer.sources: bytes → clean article text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer.errors import EmptyInputError, InputError
from summarizer.sources import (
    MAX_INPUT_BYTES,
    CleanedSource,
    clean_text,
    decode_bytes,
    detect_language,
    load_source,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_000 = SEEDS / "000_248162aed851300f.txt"
SEED_002 = SEEDS / "002_0c0c790569736fd7.txt"


@pytest.fixture
def seed002(tmp_path: Path) -> CleanedSource:
    p = tmp_path / "article.txt"
    shutil.copy(SEED_002, p)
    return load_source(p)


@pytest.fixture
def seed000(tmp_path: Path) -> CleanedSource:
    p = tmp_path / "article.txt"
    shutil.copy(SEED_000, p)
    return load_source(p)


# --------------------------------------------------------------------------------------------------
# Seed 002: a scraped web page full of boilerplate
# --------------------------------------------------------------------------------------------------

SEED_002_BOILERPLATE = [
    "Menu",
    "Mode Gelap",
    "Amazon Angkat Kaki dari China Perbesar",
    "Artikel ini telah dibaca 6 kali",
    "badge-check",
    "Jurnalis",
    "Baca Lainnya",
    "7 Oktober 2025 - 01:58 WIB",
    "Bryan Mbeumo: Rekrutan yang Diam-Diam Menyelamatkan Manchester United dari Krisis",
    "Pelatih kepala Manchester United asal Portugal, Ruben Amorim",
    "Kasus pencurian 4.100 Bitcoin oleh Malone Lam",
    "Trending di Data Bocor",
]


@pytest.mark.parametrize("boilerplate", SEED_002_BOILERPLATE)
def test_seed002_boilerplate_removed_and_recorded(seed002: CleanedSource, boilerplate: str) -> None:
    assert boilerplate in seed002.removed
    lines = seed002.text.split("\n")
    assert boilerplate not in lines


def test_seed002_no_boilerplate_substrings_left(seed002: CleanedSource) -> None:
    for s in ("Perbesar", "badge-check", "Jurnalis", "Baca Lainnya", "telah dibaca", "Bryan Mbeumo",
              "Trending di", "Florian Wirtz", "Bitcoin", "Oktober 2025", "Mode Gelap"):
        assert s not in seed002.text, s
    assert not seed002.text.startswith("Menu")


def test_seed002_caption_repeating_title_removed_but_headline_kept(seed002: CleanedSource) -> None:
    assert "\n\nAmazon Angkat Kaki dari China\n\n" not in "\n\n" + seed002.text + "\n\n"
    assert "Amazon Angkat Kaki dari China" in seed002.removed
    assert (
        "Amazon Angkat Kaki dari China: Laboratorium AI Ditutup, Kolaborasi Riset Lintas Negara di Ambang Kehancuran?"
        in seed002.text.split("\n\n")
    )


@pytest.mark.parametrize(
    "content",
    [
        "Wang Minjie",
        "$1 miliar",
        "Brad Glasser",
        "Apakah sains dan teknologi akan terus menjadi korban utama",
        "Ataukah akan ada jalan tengah",
        "Shanghai, 23/07/2025 | Swapnews.co.id — Ketegangan geopolitik",
        "Bisnis · 23 Jul 2025 WIB",
        "Editor: Redaksi Internasional Swapnews.co.id",
        "Sumber: Financial Times",
        "penutupan toko ebook di China pada 2023",
    ],
)
def test_seed002_article_content_kept(seed002: CleanedSource, content: str) -> None:
    assert content in seed002.text


def test_seed002_paragraphs_and_metadata(seed002: CleanedSource) -> None:
    assert seed002.format == "text"
    assert seed002.encoding == "utf-8"
    assert seed002.language == "id"
    assert seed002.language_confidence > 0.5
    assert "\n\n\n" not in seed002.text
    paragraphs = seed002.text.split("\n\n")
    assert len(paragraphs) >= 12
    assert all(p == p.strip() and p for p in paragraphs)
    assert "\u00a0" not in seed002.text and "\t" not in seed002.text
    assert paragraphs[-1].startswith("Editor:")


def test_seed002_removed_in_order(seed002: CleanedSource) -> None:
    removed = seed002.removed
    assert removed.index("Menu") < removed.index("Mode Gelap") < removed.index("Baca Lainnya")
    assert removed[-1] == "Trending di Data Bocor"


# --------------------------------------------------------------------------------------------------
# Seed 000: one paragraph per line, no blank lines
# --------------------------------------------------------------------------------------------------


def test_seed000_content_kept_hashtags_removed(seed000: CleanedSource) -> None:
    paragraphs = seed000.text.split("\n\n")
    assert "Fokus:" in paragraphs
    assert "Digionary:" in paragraphs
    assert any(p.startswith("■ Paradoks Investasi dan Efisiensi") for p in paragraphs)
    assert any(p.startswith("● OpenAI: Organisasi riset") for p in paragraphs)
    assert "Pertaruhan Kursi Sam Altman dan Andy Jassy" in paragraphs
    assert "#Amazon" not in seed000.text
    assert len(seed000.removed) == 1 and seed000.removed[0].startswith("#Amazon #OpenAI")


def test_seed000_each_line_is_a_paragraph(seed000: CleanedSource) -> None:
    raw_lines = [line for line in SEED_000.read_text(encoding="utf-8").splitlines() if line.strip()]
    paragraphs = seed000.text.split("\n\n")
    assert len(paragraphs) == len(raw_lines) - 1  # minus the hashtag line
    assert "\n" not in "".join(paragraphs)
    assert seed000.language == "id"
    assert seed000.title is None


# --------------------------------------------------------------------------------------------------
# Encodings
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-32", "utf-16-le", "utf-16-be"])
def test_seed_reencoded_loads_identically(tmp_path: Path, encoding: str) -> None:
    original = SEED_000.read_text(encoding="utf-8")
    p = tmp_path / "seed.txt"
    p.write_bytes(original.encode(encoding))
    expected = load_source(SEED_000)
    got = load_source(p)
    assert got.text == expected.text
    assert got.removed == expected.removed
    assert not got.text.startswith("\ufeff")
    assert got.encoding.startswith(encoding.split("-sig")[0][:6])


def test_utf16_bom_reported(tmp_path: Path) -> None:
    p = tmp_path / "seed.txt"
    p.write_bytes(SEED_002.read_text(encoding="utf-8").encode("utf-16"))
    src = load_source(p)
    assert src.encoding == "utf-16"
    assert "Wang Minjie" in src.text and "Baca Lainnya" not in src.text


def test_utf8_bom_stripped() -> None:
    text, enc = decode_bytes(b"\xef\xbb\xbfHalo dunia", "x.txt")
    assert (text, enc) == ("Halo dunia", "utf-8-sig")


@pytest.mark.parametrize(
    "text",
    [
        "Harga kopi di café itu naik menjadi €5 per cangkir, kata pemiliknya.",
        "The “smart” quotes aren’t ASCII — and neither is the dash…",
        "Résumé, naïve façade, déjà vu: € 12,50 pour un café crème.",
    ],
)
def test_cp1252_decodes(tmp_path: Path, text: str) -> None:
    data = text.encode("cp1252")
    decoded, enc = decode_bytes(data, "x.txt")
    assert decoded == text
    assert enc == "cp1252"
    p = tmp_path / "legacy.txt"
    p.write_bytes(data)
    assert load_source(p).text == text


def test_latin1_decodes(tmp_path: Path) -> None:
    text = "Ñandú, año, señor, über, Straße, à la carte, naïve."
    decoded, enc = decode_bytes(text.encode("latin-1"), "x.txt")
    assert decoded == text
    assert enc in ("cp1252", "latin-1")


def test_other_script_legacy_encoding_uses_detector() -> None:
    text = "Привет мир, как дела? Это небольшой тест русского текста в старой кодировке."
    decoded, enc = decode_bytes(text.encode("cp1251"), "x.txt")
    assert decoded == text
    assert enc == "cp1251"


def test_html_meta_charset_respected() -> None:
    data = b'<html><head><meta charset="windows-1252"></head><body><p>Caf\xe9 \x80 5</p></body></html>'
    decoded, enc = decode_bytes(data, "page.html")
    assert "Café € 5" in decoded
    assert enc == "cp1252"


def test_invalid_utf8_bytes_replaced_not_crash(tmp_path: Path) -> None:
    good = "Kutipan “penting” dari Wang Minjie di Shanghai.".encode()
    data = good + b" \xff\xfe rusak \xc3 lagi " + "“ok” — selesai.".encode()
    decoded, enc = decode_bytes(data, "x.txt")
    assert enc == "utf-8"
    assert "“penting”" in decoded and "“ok” — selesai." in decoded
    assert "\ufffd" in decoded
    p = tmp_path / "mixed.txt"
    p.write_bytes(data)
    src = load_source(p)
    assert "Wang Minjie" in src.text


def test_crlf_nbsp_zero_width_and_controls_normalized() -> None:
    raw = "Judul\u00a0berita\r\n\r\nBaris  satu\u200b dengan\x07 kontrol.   \r\nBaris\u00a0dua.\rBaris tiga\t ok\n\n\n\nAkhir."
    clean, removed = clean_text(raw)
    assert clean == "Judul berita\n\nBaris satu dengan kontrol.\nBaris dua.\nBaris tiga\t ok\n\nAkhir."
    assert removed == []


def test_single_lines_without_blank_lines_become_paragraphs() -> None:
    clean, _ = clean_text("Satu.\nDua.\nTiga.")
    assert clean == "Satu.\n\nDua.\n\nTiga."


# --------------------------------------------------------------------------------------------------
# Plain-text boilerplate rules
# --------------------------------------------------------------------------------------------------

LONG_PARA = (
    "Pemerintah mengumumkan kebijakan baru pada hari Senin yang akan mengubah cara perusahaan teknologi "
    "beroperasi di dalam negeri, termasuk kewajiban menyimpan data pengguna di pusat data lokal mulai tahun depan."
)
LONG_PARA_2 = (
    "Para analis menilai langkah tersebut dapat meningkatkan biaya operasional, namun di sisi lain membuka "
    "peluang investasi baru bagi penyedia layanan komputasi awan nasional yang selama ini tertinggal jauh."
)


def test_inline_baca_juga_removed_alone() -> None:
    raw = f"{LONG_PARA}\n\nBaca Juga: Menteri Bantah Isu Reshuffle Kabinet\n\n{LONG_PARA_2}"
    clean, removed = clean_text(raw)
    assert clean == f"{LONG_PARA}\n\n{LONG_PARA_2}"
    assert removed == ["Baca Juga: Menteri Bantah Isu Reshuffle Kabinet"]


def test_baca_juga_heading_mid_article_removes_one_link_only() -> None:
    raw = f"{LONG_PARA}\nBaca juga\nMenteri Bantah Isu Reshuffle Kabinet\nSubjudul Penting Artikel\n{LONG_PARA_2}"
    clean, removed = clean_text(raw)
    assert removed == ["Baca juga", "Menteri Bantah Isu Reshuffle Kabinet"]
    assert clean == f"{LONG_PARA}\n\nSubjudul Penting Artikel\n\n{LONG_PARA_2}"


def test_related_list_at_end_removed_entirely() -> None:
    raw = (
        f"{LONG_PARA}\n\n{LONG_PARA_2}\n\nBerita Terkait\n\nHarga Emas Naik Lagi Hari Ini\n\n"
        "5 Oktober 2025 - 10:00 WIB\n\nIni caption foto yang berakhir dengan titik.\n\nTerpopuler\n\n"
        "Timnas Menang Telak 3-0"
    )
    clean, removed = clean_text(raw)
    assert clean == f"{LONG_PARA}\n\n{LONG_PARA_2}"
    assert removed[0] == "Berita Terkait" and removed[-1] == "Timnas Menang Telak 3-0"


@pytest.mark.parametrize(
    "line",
    [
        "Menu", "MODE TERANG", "Perbesar", "Share", "Bagikan", "Komentar", "Tweet", "Facebook", "WhatsApp",
        "Telegram", "Salin Link", "Copy link", "Advertisement", "Iklan", "Scroll to continue with content",
        "Lanjut baca", "Gulir ke bawah", "Login", "Daftar", "Tag: Amazon, OpenAI, AI",
        "Facebook Twitter WhatsApp Telegram Salin Link", "Dibaca 1.234 kali", "1.2K views",
        "Artikel ini telah dibaca 6 kali", "#Amazon #OpenAI",
    ],
)
def test_ui_lines_removed(line: str) -> None:
    clean, removed = clean_text(f"{LONG_PARA}\n\n{line}\n\n{LONG_PARA_2}")
    assert removed == [line]
    assert clean == f"{LONG_PARA}\n\n{LONG_PARA_2}"


@pytest.mark.parametrize(
    "line",
    [
        "Bisnis · 23 Jul 2025 WIB",
        "Editor: Redaksi Internasional",
        "Sumber: Reuters",
        "Fokus:",
        "Digionary:",
        "Menu makan siang di sekolah itu kini diganti dengan nasi dan ayam goreng, kata kepala sekolah.",
        "Pengguna bisa menekan tombol Share untuk membagikan tautan kepada teman-teman mereka.",
        "Warga diminta Daftar ulang di kantor kelurahan paling lambat Jumat.",
        "7 Oktober 2025 - 01:58 WIB",
        "Populer di kalangan remaja, aplikasi itu kini diblokir pemerintah karena dianggap berbahaya.",
    ],
)
def test_content_lines_kept(line: str) -> None:
    clean, removed = clean_text(f"{LONG_PARA}\n\n{line}\n\n{LONG_PARA_2}")
    assert removed == []
    assert line in clean.split("\n\n")


def test_perbesar_caption_and_repeat_removed() -> None:
    raw = "Judul Besar Hari Ini: Sesuatu Terjadi\n\nFoto Gedung Kantor Perbesar\n\nFoto Gedung Kantor\n\n" + LONG_PARA
    clean, removed = clean_text(raw)
    assert removed == ["Foto Gedung Kantor Perbesar", "Foto Gedung Kantor"]
    assert clean == "Judul Besar Hari Ini: Sesuatu Terjadi\n\n" + LONG_PARA


def test_only_boilerplate_raises_empty(tmp_path: Path) -> None:
    p = tmp_path / "nav.txt"
    p.write_text("Menu\n\nMode Gelap\n\nShare\n\nBaca Juga\n\nJudul Lain Sekali\n", encoding="utf-8")
    with pytest.raises(EmptyInputError) as exc:
        load_source(p)
    assert str(p) in str(exc.value) and "\n" not in str(exc.value)


# --------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------

HTML_PAGE = """<!DOCTYPE html>
<html lang="id"><head>
<meta charset="utf-8"><title>Amazon Tutup Lab AI di Shanghai | Swapnews</title>
<style>body { color: red } .menu { display: none }</style>
<script>var trackingCode = "UA-SECRET-123"; function popup() { alert("langganan"); }</script>
</head><body>
<nav><ul><li><a href="/">Beranda</a></li><li><a href="/bisnis">Bisnis</a></li><li><a href="/tekno">Teknologi</a></li></ul></nav>
<header><div class="menu">Menu Utama Situs</div></header>
<article>
<h1>Amazon Tutup Lab AI di Shanghai</h1>
<p>Amazon resmi menutup laboratorium kecerdasan buatan miliknya di Shanghai, yang sebelumnya menjadi pusat pengembangan teknologi canggih sejak 2018.</p>
<p>Penutupan tersebut dikonfirmasi oleh Wang Minjie, ilmuwan senior di lab AWS Shanghai, lewat sebuah unggahan di WeChat.</p>
<p>Baca juga: Microsoft Pangkas Tim Riset di Beijing</p>
<p>Menurut laporan, laboratorium itu menghasilkan hampir $1 miliar pendapatan bagi Amazon melalui riset jaringan saraf berbasis graf.</p>
<table><tr><th>Tahun</th><th>Karyawan</th></tr><tr><td>2022</td><td>10.000</td></tr></table>
</article>
<aside><h3>Terpopuler</h3><ul><li><a href="/x">Bryan Mbeumo Selamatkan United</a></li></ul></aside>
<footer>Hak cipta 2025 Swapnews. Seluruh hak dilindungi.</footer>
<script>popup();</script>
</body></html>
"""


def _html_checks(src: CleanedSource) -> None:
    assert src.format == "html"
    assert "Wang Minjie" in src.text and "$1 miliar" in src.text
    for gone in ("trackingCode", "UA-SECRET", "alert", "color: red", "Beranda", "Menu Utama", "Bryan Mbeumo",
                 "Hak cipta", "Baca juga", "<p>", "popup"):
        assert gone not in src.text, gone
    assert src.title is not None and "Amazon Tutup Lab AI di Shanghai" in src.title
    assert src.language == "id"
    assert "\n\n\n" not in src.text


def test_html_main_text_extracted(tmp_path: Path) -> None:
    p = tmp_path / "page.html"
    p.write_text(HTML_PAGE, encoding="utf-8")
    src = load_source(p)
    _html_checks(src)
    assert "10.000" in src.text  # tables kept
    assert "Baca juga: Microsoft Pangkas Tim Riset di Beijing" in src.removed


def test_html_sniffed_without_extension(tmp_path: Path) -> None:
    p = tmp_path / "page.txt"
    p.write_text(HTML_PAGE, encoding="utf-8")
    _html_checks(load_source(p))


def test_html_stdin_data() -> None:
    _html_checks(load_source("-", data=HTML_PAGE.encode("utf-8")))


def test_html_fallback_when_trafilatura_returns_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: None)
    p = tmp_path / "page.htm"
    p.write_text(HTML_PAGE, encoding="utf-8")
    src = load_source(p)
    _html_checks(src)
    assert src.title == "Amazon Tutup Lab AI di Shanghai"


def test_html_fallback_when_trafilatura_crashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    def boom(*a, **k):
        raise RuntimeError("extractor bug")

    monkeypatch.setattr(trafilatura, "bare_extraction", boom)
    p = tmp_path / "page.html"
    p.write_text(HTML_PAGE, encoding="utf-8")
    _html_checks(load_source(p))


def test_html_short_article_not_dropped(tmp_path: Path) -> None:
    p = tmp_path / "short.html"
    p.write_text(
        "<html><head><title>Berita Singkat</title></head><body><p>Harga beras naik lima persen pekan ini.</p></body></html>",
        encoding="utf-8",
    )
    src = load_source(p)
    assert src.text == "Harga beras naik lima persen pekan ini."
    assert src.title == "Berita Singkat"


def test_html_only_chrome_raises_empty(tmp_path: Path) -> None:
    p = tmp_path / "empty.html"
    p.write_text("<html><head><script>var a=1;</script><style>p{}</style></head><body></body></html>", encoding="utf-8")
    with pytest.raises(EmptyInputError) as exc:
        load_source(p)
    assert str(p) in str(exc.value)


# --------------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------------

MARKDOWN = """---
title: Judul dari Front Matter
date: 2025-07-23
---
# Amazon Tutup Lab AI

<!-- catatan redaksi: jangan terbitkan dulu -->
![Foto gedung AWS](https://img.example.com/aws.png)

Amazon **resmi** menutup _laboratorium_ miliknya, menurut [Reuters](https://reuters.com/a "Reuters").
Ini baris kedua dengan `kode` dan nama_variabel_panjang.

## Latar Belakang

* Poin pertama tentang *riset*
* Poin kedua ~~lama~~ baru

> Kutipan dari juru bicara.

Lihat [laporan lengkap][lap].

[lap]: https://example.com/laporan
"""


def test_markdown_markup_stripped(tmp_path: Path) -> None:
    p = tmp_path / "post.md"
    p.write_text(MARKDOWN, encoding="utf-8")
    src = load_source(p)
    assert src.format == "markdown"
    assert src.title == "Amazon Tutup Lab AI"
    paragraphs = src.text.split("\n\n")
    assert paragraphs[0] == "Amazon Tutup Lab AI"
    assert "Amazon resmi menutup laboratorium miliknya, menurut Reuters." in src.text
    assert "Ini baris kedua dengan kode dan nama_variabel_panjang." in src.text
    assert "Latar Belakang" in paragraphs
    assert "* Poin pertama tentang riset\n* Poin kedua lama baru" in paragraphs
    assert "Kutipan dari juru bicara." in paragraphs
    assert "Lihat laporan lengkap." in paragraphs
    for gone in ("#", "![", "](", "http", "**", "<!--", "catatan redaksi", "Foto gedung", "`", "date:", "---", "~~"):
        assert gone not in src.text, gone


def test_markdown_front_matter_title_used_without_heading(tmp_path: Path) -> None:
    p = tmp_path / "post.markdown"
    p.write_text("---\ntitle: \"Judul Depan\"\n---\nIsi artikel yang pendek saja di sini.\n", encoding="utf-8")
    src = load_source(p)
    assert src.title == "Judul Depan"
    assert src.text == "Isi artikel yang pendek saja di sini."


def test_markdown_extension_not_applied_to_txt(tmp_path: Path) -> None:
    p = tmp_path / "notes.txt"
    p.write_text("Lihat [tautan](https://example.com) ini.\n", encoding="utf-8")
    assert load_source(p).text == "Lihat [tautan](https://example.com) ini."


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


def _assert_one_line_naming(exc: InputError, path: Path | str) -> None:
    msg = str(exc)
    assert str(path) in msg
    assert "\n" not in msg
    assert exc.path == str(path)


@pytest.mark.parametrize(
    ("name", "data", "exc_type", "needle"),
    [
        ("empty.txt", b"", EmptyInputError, "empty"),
        ("blank.txt", b"  \n\t\r\n \xc2\xa0 \n", EmptyInputError, "whitespace"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20, InputError, "PNG image"),
        ("photo.txt", b"\xff\xd8\xff\xe0\x00\x10JFIF", InputError, "JPEG"),
        ("anim.txt", b"GIF89a\x01\x00\x01\x00", InputError, "GIF"),
        ("doc.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", InputError, "PDF"),
        ("report.docx", b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 30, InputError, "ZIP"),
        ("a.txt.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 10, InputError, "gzip"),
        ("bin.txt", b"hello\x00world\x00\x01\x02\x03 binary \x00 stuff \xff\xfe\x00", InputError, "binary"),
    ],
)
def test_bad_input_errors(tmp_path: Path, name: str, data: bytes, exc_type: type, needle: str) -> None:
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(exc_type) as exc:
        load_source(p)
    _assert_one_line_naming(exc.value, p)
    assert needle in str(exc.value)


def test_png_message_suggests_text_formats(tmp_path: Path) -> None:
    p = tmp_path / "pic.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    with pytest.raises(InputError) as exc:
        load_source(p)
    assert "looks like a PNG image, not text" in str(exc.value)
    assert ".txt, .md or .html" in str(exc.value)
    assert not isinstance(exc.value, EmptyInputError)


def test_missing_file(tmp_path: Path) -> None:
    p = tmp_path / "nope.txt"
    with pytest.raises(InputError) as exc:
        load_source(p)
    _assert_one_line_naming(exc.value, p)
    assert "not found" in str(exc.value)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_source(tmp_path)
    _assert_one_line_naming(exc.value, tmp_path)
    assert "directory" in str(exc.value)


def test_oversized_file(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_text("kata " * 100, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_source(p, max_bytes=100)
    _assert_one_line_naming(exc.value, p)
    assert "100 bytes" in str(exc.value) and "split" in str(exc.value)
    assert load_source(p, max_bytes=500).text  # under the limit: fine


def test_oversized_data() -> None:
    with pytest.raises(InputError) as exc:
        load_source("-", data=b"x" * 101, max_bytes=100)
    _assert_one_line_naming(exc.value, "-")
    assert MAX_INPUT_BYTES == 20 * 1024 * 1024


@pytest.mark.skipif(not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0, reason="root reads anything")
def test_unreadable_file(tmp_path: Path) -> None:
    p = tmp_path / "secret.txt"
    p.write_text("isi", encoding="utf-8")
    p.chmod(0)
    try:
        with pytest.raises(InputError) as exc:
            load_source(p)
        _assert_one_line_naming(exc.value, p)
        assert "readable" in str(exc.value)
    finally:
        p.chmod(0o644)


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "secret.txt"
    p.write_text("isi", encoding="utf-8")

    def denied(self, *a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    with pytest.raises(InputError) as exc:
        load_source(p)
    _assert_one_line_naming(exc.value, p)
    assert "not readable" in str(exc.value)


# --------------------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------------------


def test_detect_language() -> None:
    lang, conf = detect_language(SEED_002.read_text(encoding="utf-8"))
    assert lang == "id" and 0.5 < conf <= 1.0
    lang, conf = detect_language(
        "The government announced a new policy on Monday that will change how technology companies operate."
    )
    assert lang == "en" and 0.0 < conf <= 1.0
    assert detect_language("Halo") == (None, 0.0)
    assert detect_language("12345 !!! ...") == (None, 0.0)


def test_a_long_article_is_detected_from_its_start(tmp_path: Path) -> None:
    # an Indonesian article followed by three times as much English: the start decides (the whole
    # first 20,000 characters, as read before, say "en"); detection reads a bounded sample
    english = (Path(__file__).parent / "data" / "checks" / "seed000.en.txt").read_text(encoding="utf-8")
    article = SEED_002.read_text(encoding="utf-8") + "\n\n" + "\n\n".join([english] * 3)
    assert len(article) > 15000 and detect_language(article[len(SEED_002.read_text(encoding="utf-8")):])[0] == "en"
    path = tmp_path / "long.txt"
    path.write_text(article, encoding="utf-8")
    assert load_source(path).language == "id"


def test_language_sample_is_a_bounded_start_cut_at_a_word() -> None:
    from summarizer.language import SAMPLE_CHARS, language_sample

    text = SEED_002.read_text(encoding="utf-8") * 3
    sample = language_sample(text)
    assert text.startswith(sample) and SAMPLE_CHARS // 2 < len(sample) <= SAMPLE_CHARS
    assert text[len(sample)].isspace()  # whole words only
    assert language_sample("kata " * 10, 1000) == "kata " * 10  # short text: all of it
    assert language_sample("x" * 5000, 1000) == "x" * 1000  # no word boundary: the bound itself
    assert detect_language("!" * 5000 + " Pemerintah mengumumkan kebijakan baru pada hari Senin.") == (None, 0.0)  # too little text in the sample


def test_module_keeps_heavy_imports_lazy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, summarizer.sources; "
        "bad = [m for m in ('trafilatura', 'charset_normalizer', 'py3langid', 'lxml') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    root = Path(__file__).resolve().parent.parent
    res = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_decode_bytes_never_raises(data: bytes) -> None:
    text, enc = decode_bytes(data, "x.txt")
    assert isinstance(text, str) and isinstance(enc, str) and enc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=600), suffix=st.sampled_from([".txt", ".md", ".html", ""]))
def test_load_source_returns_or_raises_input_error(tmp_path: Path, text: str, suffix: str) -> None:
    try:
        src = load_source(f"article{suffix}", data=text.encode("utf-8", errors="surrogatepass"))
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert src.text.strip()
    assert "\n\n\n" not in src.text
    assert src.text == src.text.strip()


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=600))
def test_load_source_arbitrary_bytes(data: bytes) -> None:
    try:
        load_source("blob.txt", data=data)
    except InputError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=800))
def test_clean_text_idempotent_shape(text: str) -> None:
    clean, removed = clean_text(text)
    assert "\r" not in clean and "\u00a0" not in clean and "\u200b" not in clean
    assert "\n\n\n" not in clean
    assert all(line == line.strip() for line in clean.split("\n"))
    assert isinstance(removed, list)
