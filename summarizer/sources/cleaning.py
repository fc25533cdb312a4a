"""Plain text -> article text: character normalisation and the removal of web boilerplate.

Boilerplate is what news pages put around the article (menus, share buttons, "Baca juga" blocks,
view counters, tags, photo-caption echoes): whole lines matched against Indonesian and English
lists and patterns, so that prose itself is never cut. Standard library only.
"""

from __future__ import annotations

import re
from typing import Callable

from summarizer._text import one_line

_SPACE_CHARS = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\u000b\u000c\u0085\u2028\u2029"
_DROP_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u180e"
_LINE_SEPS_RE = re.compile("\r\n|[\r\u0085\u2028\u2029]")
_SPACES_RE = re.compile("[" + _SPACE_CHARS.replace("\u0085", "").replace("\u2028", "").replace("\u2029", "") + "]")
_DROP_RE = re.compile("[" + _DROP_CHARS + "]")


# C0/C1 control characters except \t and \n, and lone surrogates
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def normalize_chars(text: str) -> str:
    text = _LINE_SEPS_RE.sub("\n", text)
    text = _SPACES_RE.sub(" ", text)
    return _CONTROL_RE.sub("", _DROP_RE.sub("", text))


def _normalize_line(line: str) -> str:
    return re.sub(r" {2,}", " ", line).strip()


def one_line_or_none(text: str | None) -> str | None:
    """`text` normalised (see `normalize_chars`) and on one line; None when nothing is left."""
    if text is None:
        return None
    return one_line(normalize_chars(text)) or None


_UI_LINES = {
    # navigation / page chrome
    "menu", "main menu", "navigasi", "navigation", "home", "beranda", "cari", "search", "pencarian",
    "mode gelap", "mode terang", "dark mode", "light mode", "tema gelap", "close", "tutup", "kembali",
    "back to top", "kembali ke atas", "indeks", "index", "indeks berita", "skip to content",
    "loading", "loading...", "memuat...", "next", "previous", "prev", "sebelumnya", "selanjutnya",
    "berikutnya", "halaman selanjutnya", "a+", "a-", "aa", "font", "ukuran font", "dengarkan",
    "dengarkan berita", "listen", "print", "cetak", "simpan", "bookmark", "laporkan", "report",
    "perbesar", "zoom", "badge-check", "jurnalis", "penulis", "reporter", "redaktur", "editor",
    # sharing
    "share", "share this", "share this article", "bagikan", "bagikan artikel", "bagikan berita",
    "bagikan ke", "komentar", "tulis komentar", "lihat komentar", "kirim komentar", "comments",
    "leave a comment", "tweet", "facebook", "twitter", "whatsapp", "telegram", "linkedin", "line",
    "pinterest", "email", "e-mail", "salin link", "salin tautan", "copy link", "copy url",
    "link copied", "tautan disalin", "link disalin",
    # ads / continue
    "advertisement", "advertisment", "iklan", "ads", "sponsored", "scroll to continue",
    "scroll to continue with content", "scroll untuk melanjutkan", "scroll ke bawah",
    "scroll untuk lanjut membaca", "lanjut baca", "lanjutkan membaca", "lanjut membaca",
    "baca selengkapnya", "selengkapnya", "read more", "continue reading", "gulir ke bawah",
    "gulir untuk melanjutkan", "konten berbayar", "konten sponsor",
    # accounts
    "login", "log in", "masuk", "daftar", "register", "sign in", "sign up", "logout", "log out",
    "keluar", "subscribe", "berlangganan", "langganan", "ikuti kami", "follow us",
    "download aplikasi", "unduh aplikasi", "tag", "tags",
}

_SHARE_TOKENS = {
    "share", "bagikan", "tweet", "facebook", "fb", "twitter", "x", "whatsapp", "wa", "telegram",
    "line", "email", "e-mail", "linkedin", "pinterest", "copy", "link", "salin", "tautan", "print",
    "cetak", "instagram", "tiktok", "youtube", "messenger", "reddit", "threads", "kirim", "url",
}
_SHARE_CORE = {"share", "bagikan", "tweet", "facebook", "twitter", "whatsapp", "telegram", "linkedin", "salin", "copy"}

_RELATED_HEADINGS = {
    "baca juga", "baca pula", "lihat juga", "simak juga", "baca lainnya", "baca berita lainnya",
    "berita lainnya", "artikel lainnya", "artikel terkait", "berita terkait", "konten terkait",
    "rekomendasi", "rekomendasi untuk anda", "rekomendasi berita", "terpopuler", "berita terpopuler",
    "terpopuler hari ini", "paling populer", "populer", "berita populer", "terbaru", "berita terbaru",
    "artikel terbaru", "pilihan redaksi", "pilihan editor", "berita pilihan", "artikel pilihan",
    "jangan lewatkan", "terhangat", "trending", "trending now", "related", "related articles",
    "related posts", "related news", "read also", "also read", "see also", "you may also like",
    "recommended", "recommended for you", "most popular", "most read", "popular", "more stories",
}
# Headings that usually introduce a single inline link in the middle of an article.
_SINGLE_LINK_HEADINGS = {"baca juga", "baca pula", "lihat juga", "simak juga", "read also", "also read", "see also"}

_RELATED_HEADING_RE = re.compile(r"^(trending|terpopuler|populer|terbaru|berita (terkini|terbaru|populer)) di\b.{0,60}$", re.I)
_INLINE_READ_ALSO_RE = re.compile(
    r"^(baca juga|baca pula|lihat juga|simak juga|baca|read also|also read|see also)\s*[:：\-–—|»>]+\s*\S", re.I
)
_TAG_LINE_RE = re.compile(r"^(tag|tags|topik|topic|topics|label|labels|kata kunci|keywords?)\s*:", re.I)
_COUNTER_RES = [
    re.compile(r"^(artikel|berita) ini (telah|sudah) dibaca\s+[\d.,]+\s*(rb|ribu|k|jt|juta)?\s*kali\.?$", re.I),
    re.compile(r"^(telah |sudah )?dibaca\s*:?\s*[\d.,]+\s*(rb|ribu|k|jt|juta)?\s*(kali)?\.?$", re.I),
    re.compile(r"^[\d.,]+\s*(k|m|rb|ribu|jt|juta)?\s*(views?|kali dibaca|dilihat|pembaca|reads?|x dibaca)\.?$", re.I),
    re.compile(r"^(views?|dilihat|pembaca)\s*:?\s*[\d.,]+\s*(k|m|rb|ribu)?$", re.I),
    re.compile(r"^\d+\s+(komentar|comments?|shares?|likes?)$", re.I),
]
_TIMESTAMP_RE = re.compile(
    r"^(\w+,\s*)?\d{1,2}[\s/.-]+(\w+|\d{1,2})[\s/.-]+\d{2,4}(\s*[-,|•·]?\s*(pukul\s*)?\d{1,2}[:.]\d{2}(\s*(wib|wita|wit|gmt|utc)\b)?)?\.?$"
    r"|^\d{1,2}[:.]\d{2}\s*(wib|wita|wit)?$"
    r"|^(sekitar\s*)?\d+\s+(detik|menit|jam|hari|minggu|bulan|tahun)\s+(yang\s+)?lalu$"
    r"|^\d+\s+(seconds?|minutes?|hours?|days?|weeks?|months?)\s+ago$",
    re.I,
)
_ATTRIBUTION_RE = re.compile(
    r"^(editor|sumber|penulis|reporter|pewarta|redaktur|oleh|source|author|by|foto|photo|kontributor)\s*:", re.I
)
_HASHTAG_TOKEN_RE = re.compile(r"^#[^\s#]+$")
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’)\]]*$")


def _key(line: str) -> str:
    """Lower-cased line without surrounding bullets/punctuation, for whole-line matching."""
    k = line.strip().lower()
    k = re.sub(r"^[\s\-–—•·*>»›|:]+", "", k)
    k = re.sub(r"[\s\-–—•·*>»›|:.!]+$", "", k)
    return re.sub(r"\s+", " ", k)


def _is_ui_line(line: str) -> bool:
    if len(line) > 60:
        return False
    k = _key(line)
    if k in _UI_LINES:
        return True
    tokens = [t for t in re.split(r"[\s|·•/,]+", k) if t]
    return 1 <= len(tokens) <= 10 and all(t in _SHARE_TOKENS for t in tokens) and any(t in _SHARE_CORE for t in tokens)


def _is_counter(line: str) -> bool:
    return len(line) <= 80 and any(r.match(line.strip()) for r in _COUNTER_RES)


def _is_related_heading(line: str) -> bool:
    if len(line) > 80:
        return False
    k = _key(line)
    return k in _RELATED_HEADINGS or bool(_RELATED_HEADING_RE.match(k))


def _is_inline_read_also(line: str) -> bool:
    return len(line) <= 250 and bool(_INLINE_READ_ALSO_RE.match(line.strip()))


def _is_tag_line(line: str) -> bool:
    return len(line) <= 250 and bool(_TAG_LINE_RE.match(line.strip()))


def _is_hashtag_line(line: str) -> bool:
    tokens = line.split()
    return bool(tokens) and all(_HASHTAG_TOKEN_RE.match(t) and not t[1:].isdigit() for t in tokens)


def _is_caption_perbesar(line: str) -> bool:
    s = line.strip()
    return 8 < len(s) <= 250 and s.lower().endswith(" perbesar")


def _is_prose(line: str) -> bool:
    """A line that reads like an article paragraph rather than a headline, caption or timestamp."""
    s = line.strip()
    words = len(s.split())
    if len(s) >= 200:
        return True
    return words >= 25 and bool(_SENTENCE_END_RE.search(s))


def _is_list_item(line: str) -> bool:
    """Headline / timestamp / short caption as found in a 'related articles' list."""
    s = line.strip()
    if _TIMESTAMP_RE.match(s):
        return True
    if _is_prose(s) or len(s) > 160:
        return False
    return not s.endswith((".", ";", ",")) or len(s.split()) <= 15


def _same_text(a: str, b: str) -> bool:
    norm = lambda s: re.sub(r"\W+", " ", s.lower()).strip()  # noqa: E731
    return norm(a) == norm(b)


def clean_text(text: str) -> tuple[str, list[str]]:
    """Normalise `text` and remove web boilerplate. Returns (clean text, removed lines in order).

    Paragraphs are runs of non-empty lines separated by blank lines (lines inside a paragraph keep
    single newlines); in a text without any blank line every line is a paragraph. Paragraphs are
    joined by exactly "\\n\\n".
    """
    lines = [_normalize_line(line) for line in normalize_chars(text).split("\n")]
    removed_at = _boilerplate(lines)
    removed = [removed_at[i] for i in sorted(removed_at)]
    # a removed line inside a paragraph must not split it: drop it entirely instead of leaving a blank
    kept = [line for i, line in enumerate(lines) if i not in removed_at]
    return "\n\n".join(_paragraphs(kept, _has_inner_blank_line(lines))), removed


def _boilerplate(lines: list[str]) -> dict[int, str]:
    """The boilerplate among `lines`: line index -> line."""
    idx = [i for i, line in enumerate(lines) if line]  # non-empty line indices
    removed_at: dict[int, str] = {}

    def remove(i: int) -> None:
        removed_at.setdefault(i, lines[i])

    # the last line that reads like prose: related-article headings after it start the page tail
    last_prose = max((n for n, i in enumerate(idx) if _is_prose(lines[i])), default=-1)
    n = 0
    while n < len(idx):
        line = lines[idx[n]]
        if idx[n] in removed_at:
            n += 1
        elif _is_caption_perbesar(line):
            n = _remove_caption(lines, idx, n, remove)
        elif _is_related_heading(line):
            n = _remove_related_block(lines, idx, n, n > last_prose, remove)
        else:
            if _is_ui_line(line) or _is_counter(line) or _is_inline_read_also(line) or _is_tag_line(line) or _is_hashtag_line(line):
                remove(idx[n])
            n += 1
    return removed_at


def _remove_caption(lines: list[str], idx: list[int], n: int, remove: Callable[[int], None]) -> int:
    """A photo caption ending in "Perbesar", and the next line when it repeats the caption or an
    earlier line. Returns the position after them."""
    remove(idx[n])
    caption = lines[idx[n]].strip()[: -len("perbesar")].strip()
    if n + 1 < len(idx):
        nxt = lines[idx[n + 1]]
        earlier = [lines[j] for j in idx[max(0, n - 20) : n]]
        if len(nxt) <= 250 and (
            _same_text(nxt, caption)
            or any(_same_text(nxt, e) for e in earlier)
            or (len(nxt.split()) >= 3 and any(e.lower().startswith(nxt.lower()) for e in earlier))
        ):
            remove(idx[n + 1])
            n += 1
    return n + 1


def _remove_related_block(lines: list[str], idx: list[int], n: int, tail: bool, remove: Callable[[int], None]) -> int:
    """A related-articles heading and the links under it: everything after it in the page tail, else
    up to 10 list items (1 after a "Baca juga"). Returns the position after the block."""
    remove(idx[n])
    single = _key(lines[idx[n]]) in _SINGLE_LINK_HEADINGS
    budget = 10**9 if tail else (1 if single else 10)
    m = n + 1
    while m < len(idx) and budget > 0:
        cand = lines[idx[m]]
        if _ATTRIBUTION_RE.match(cand):
            if tail:
                m += 1
                continue
            break
        if tail or _is_list_item(cand) or _is_ui_line(cand) or _is_counter(cand):
            remove(idx[m])
            if not (_TIMESTAMP_RE.match(cand) or _is_ui_line(cand) or _is_counter(cand)):
                budget -= 1
            m += 1
            continue
        break
    return m


def _paragraphs(kept: list[str], has_blank_lines: bool) -> list[str]:
    if not has_blank_lines:
        return [line for line in kept if line]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in kept:
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def _has_inner_blank_line(lines: list[str]) -> bool:
    nonempty = [i for i, line in enumerate(lines) if line]
    if not nonempty:
        return False
    return any(not lines[i] for i in range(nonempty[0], nonempty[-1]))

