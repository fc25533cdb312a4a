"""Bytes → clean article text: encoding, HTML main text, web boilerplate removal, language.

Near-leaf module: imports only `summarizer.errors` and `summarizer.language` (lazily, to detect the language).
The heavy libraries (trafilatura, charset-normalizer, py3langid) are imported inside the functions that
use them so the CLI starts fast.

    load_source(path)            read + check + decode + extract + clean + detect language
    decode_bytes(data, path)     (text, encoding); never raises UnicodeDecodeError
    clean_text(text)             plain-text normalisation and boilerplate removal → (clean, removed)
    detect_language(text)        (ISO 639-1 code or None, confidence 0..1)
"""

from __future__ import annotations

import codecs
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from summarizer.errors import EmptyInputError, InputError

MAX_INPUT_BYTES = 20 * 1024 * 1024

HTML_EXTENSIONS = {".html", ".htm", ".xhtml", ".shtml"}
MARKDOWN_EXTENSIONS = {".md", ".markdown", ".mdown", ".mkd"}
SUPPORTED_HINT = "give a .txt, .md or .html file"


@dataclass
class CleanedSource:
    path: str  # display name ("-" for stdin)
    text: str  # clean article text; paragraphs separated by exactly "\n\n"
    title: str | None  # best guess at the headline
    encoding: str  # detected/used encoding, e.g. "utf-8", "cp1252", "utf-16"
    format: str  # "text" | "markdown" | "html"
    removed: list[str] = field(default_factory=list)  # boilerplate removed, in order
    language: str | None = None  # ISO 639-1 code of the text
    language_confidence: float = 0.0  # 0..1


# --------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------


def load_source(
    path: str | Path, *, data: bytes | None = None, max_bytes: int = MAX_INPUT_BYTES
) -> CleanedSource:
    """Read `path` (or use `data`, e.g. stdin with path "-") and return the cleaned article."""
    name = str(path)
    if data is None:
        data = _read_file(name, max_bytes)
    elif len(data) > max_bytes:
        _raise_too_large(name, len(data), max_bytes)

    if not data:
        raise EmptyInputError(name, "the file is empty", hint="give a file that contains the article text")
    _check_binary(name, data)

    text, encoding = decode_bytes(data, name)
    text = _normalize_chars(text)
    if not text.strip():
        raise EmptyInputError(
            name, "the file contains only whitespace", hint="give a file that contains the article text"
        )

    fmt = _detect_format(name, text)
    title: str | None = None
    if fmt == "html":
        body, title = _extract_html(text)
    elif fmt == "markdown":
        body, title = _strip_markdown(text)
    else:
        body = text

    clean, removed = clean_text(body)
    if not clean.strip():
        raise EmptyInputError(
            name,
            f"nothing is left after removing markup and web boilerplate ({fmt} input)",
            hint="give a file that contains the article text itself, not only menus or links",
        )
    language, confidence = detect_language(clean)
    return CleanedSource(
        path=name,
        text=clean,
        title=_one_line(title),
        encoding=encoding,
        format=fmt,
        removed=removed,
        language=language,
        language_confidence=confidence,
    )


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def _raise_too_large(name: str, size: int | None, max_bytes: int) -> None:
    what = f"is {_human_size(size)}, " if size is not None else "is "
    raise InputError(
        name,
        f"the file {what}larger than the {_human_size(max_bytes)} limit",
        hint="split the file into smaller parts and summarize each one",
    )


def _read_file(name: str, max_bytes: int) -> bytes:
    if name == "-":
        try:
            return _read_limited(sys.stdin.buffer, name, max_bytes)
        except OSError as exc:
            raise InputError(name, f"cannot read standard input: {exc.strerror or exc}") from exc
    p = Path(name)
    try:
        if not p.exists():
            raise InputError(name, "file not found", hint="check the path and the spelling of the file name")
        if p.is_dir():
            raise InputError(
                name, "this is a directory, not a file", hint="give the path of one article file inside it"
            )
        size = p.stat().st_size
        if size > max_bytes:
            _raise_too_large(name, size, max_bytes)
        with p.open("rb") as fh:
            return _read_limited(fh, name, max_bytes)
    except PermissionError as exc:
        raise InputError(
            name, "the file is not readable (permission denied)", hint="fix its permissions, e.g. chmod u+r"
        ) from exc
    except IsADirectoryError as exc:
        raise InputError(name, "this is a directory, not a file", hint="give the path of one article file") from exc
    except FileNotFoundError as exc:
        raise InputError(name, "file not found", hint="check the path and the spelling of the file name") from exc
    except InputError:
        raise
    except (OSError, ValueError) as exc:
        msg = getattr(exc, "strerror", None) or str(exc)
        raise InputError(name, f"cannot read the file: {_one_line(msg)}", hint="check that it is a readable file") from exc


def _read_limited(fh, name: str, max_bytes: int) -> bytes:
    data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        _raise_too_large(name, None, max_bytes)
    return data


_MAGIC: list[tuple[bytes, int, str]] = [
    (b"\x89PNG\r\n\x1a\n", 0, "a PNG image"),
    (b"\xff\xd8\xff", 0, "a JPEG image"),
    (b"GIF87a", 0, "a GIF image"),
    (b"GIF89a", 0, "a GIF image"),
    (b"%PDF-", 0, "a PDF document"),
    (b"PK\x03\x04", 0, "a ZIP archive (or a .docx/.xlsx/.odt/.epub document)"),
    (b"PK\x05\x06", 0, "a ZIP archive"),
    (b"PK\x07\x08", 0, "a ZIP archive"),
    (b"\x1f\x8b", 0, "a gzip archive"),
    (b"\xfd7zXZ\x00", 0, "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "a 7-Zip archive"),
    (b"Rar!\x1a\x07", 0, "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "an old Microsoft Office document (.doc/.xls)"),
    (b"\x7fELF", 0, "an executable program"),
    (b"SQLite format 3\x00", 0, "an SQLite database"),
    (b"II*\x00", 0, "a TIFF image"),
    (b"MM\x00*", 0, "a TIFF image"),
    (b"ftyp", 4, "an MP4/MOV video or audio file"),
    (b"OggS", 0, "an Ogg audio/video file"),
    (b"fLaC", 0, "a FLAC audio file"),
    (b"\x00\x00\x01\x00", 0, "an icon image"),
    (b"wOFF", 0, "a web font"),
    (b"wOF2", 0, "a web font"),
]


def _sniff_binary_kind(data: bytes) -> str | None:
    for magic, offset, kind in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return kind
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "a WebP image", b"WAVE": "a WAV audio file", b"AVI ": "an AVI video"}[data[8:12]]
    if data[:3] == b"BZh" and data[4:10] == b"1AY&SY":
        return "a bzip2 archive"
    if data[:3] == b"ID3" and len(data) > 3 and data[3] < 0x10:
        return "an MP3 audio file"
    return None


def _check_binary(name: str, data: bytes) -> None:
    kind = _sniff_binary_kind(data)
    if kind is None and b"\x00" in data and _bom_encoding(data) is None and _utf16_without_bom(data) is None:
        kind = "a binary file (it contains NUL bytes)"
    if kind is not None:
        raise InputError(name, f"looks like {kind}, not text", hint=SUPPORTED_HINT)


# --------------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------------

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]

# Printable characters cp1252 maps to 0x80-0x9F (smart quotes, dashes, euro sign...).
_CP1252_EXTRA = set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ")


def _bom_encoding(data: bytes) -> str | None:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when the NUL pattern says so (mostly-ASCII text in UTF-16)."""
    sample = data[:8192]
    if len(sample) < 4:
        return None
    sample = sample[: len(sample) - len(sample) % 2]
    half = len(sample) // 2
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    if odd_nul >= 0.3 * half and even_nul <= 0.05 * half:
        enc = "utf-16-le"
    elif even_nul >= 0.3 * half and odd_nul <= 0.05 * half:
        enc = "utf-16-be"
    else:
        return None
    text = sample.decode(enc, errors="replace")
    bad = sum(1 for ch in text if ch == "\ufffd" or (unicodedata.category(ch) == "Cc" and ch not in "\n\r\t"))
    return enc if bad <= 0.05 * max(len(text), 1) else None


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.IGNORECASE)


def _declared_charset(data: bytes) -> str | None:
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if not m:
        return None
    try:
        name = codecs.lookup(m.group(1).decode("ascii", "ignore")).name
    except LookupError:
        return None
    if name in ("utf-8", "utf-16", "utf-32"):  # already tried / would need a BOM
        return None
    return "cp1252" if name in ("iso8859-1", "ascii") else name  # browsers treat latin-1 as cp1252


def _canonical_encoding(name: str) -> str:
    try:
        canon = codecs.lookup(name).name
    except LookupError:
        return name
    return {"iso8859-1": "latin-1"}.get(canon, canon)


def _plausible_cp1252(text: str) -> bool:
    """True when cp1252-decoded text looks like a Western language rather than another script."""
    letters = 0
    non_ascii_letters = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if ord(ch) > 0x7F:
                non_ascii_letters += 1
        elif ord(ch) > 0x7F and ch not in _CP1252_EXTRA and not ("\u00a0" <= ch <= "\u00bf") and ch != "\u00d7" and ch != "\u00f7":
            return False
    if letters == 0:
        return True
    return non_ascii_letters <= 0.3 * letters


def decode_bytes(data: bytes, path: str) -> tuple[str, str]:
    """Decode `data` → (text, encoding). Never raises UnicodeDecodeError.

    Order: BOM (utf-8-sig, utf-16, utf-32); UTF-8 (strict, or with replacement when only a few bytes
    are invalid in an otherwise UTF-8 file); BOM-less UTF-16; an HTML/XML declared charset; cp1252 when
    the text looks Western; charset-normalizer's best guess; finally cp1252/latin-1 with replacement.
    """
    enc = _bom_encoding(data)
    if enc is not None:
        return data.decode(enc, errors="replace"), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass

    # Mostly-valid UTF-8 with a few stray bytes: keep UTF-8, replace the bad bytes.
    escaped = data.decode("utf-8", errors="surrogateescape")
    bad = sum(1 for ch in escaped if "\udc80" <= ch <= "\udcff")
    good = sum(1 for ch in escaped if ord(ch) > 0x7F and not ("\udc80" <= ch <= "\udcff"))
    if good > 0 and bad < good:
        return data.decode("utf-8", errors="replace"), "utf-8"

    enc16 = _utf16_without_bom(data)
    if enc16 is not None:
        return data.decode(enc16, errors="replace"), enc16

    declared = _declared_charset(data)
    if declared is not None:
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass

    try:
        as_cp1252 = data.decode("cp1252")
    except UnicodeDecodeError:
        as_cp1252 = None
    if as_cp1252 is not None and _plausible_cp1252(as_cp1252):
        return as_cp1252, "cp1252"

    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # noqa: BLE001 - a detector bug must never stop us; fall back below
        best = None
    if best is not None and best.encoding:
        try:
            return str(best), _canonical_encoding(best.encoding)
        except Exception:  # noqa: BLE001
            pass

    if as_cp1252 is not None:
        return as_cp1252, "cp1252"
    if sum(1 for b in data if 0x80 <= b <= 0x9F) == 0:
        return data.decode("latin-1"), "latin-1"
    return data.decode("cp1252", errors="replace"), "cp1252"


# --------------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------------

_SPACE_CHARS = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\u000b\u000c\u0085\u2028\u2029"
_DROP_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u180e"
_LINE_SEPS_RE = re.compile("\r\n|[\r\u0085\u2028\u2029]")
_SPACES_RE = re.compile("[" + _SPACE_CHARS.replace("\u0085", "").replace("\u2028", "").replace("\u2029", "") + "]")
_DROP_RE = re.compile("[" + _DROP_CHARS + "]")


# C0/C1 control characters except \t and \n, and lone surrogates
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _normalize_chars(text: str) -> str:
    text = _LINE_SEPS_RE.sub("\n", text)
    text = _SPACES_RE.sub(" ", text)
    return _CONTROL_RE.sub("", _DROP_RE.sub("", text))


def _normalize_line(line: str) -> str:
    return re.sub(r" {2,}", " ", line).strip()


def _one_line(text: str | None) -> str | None:
    if text is None:
        return None
    text = re.sub(r"\s+", " ", _normalize_chars(text)).strip()
    return text or None


# --------------------------------------------------------------------------------------------------
# Plain-text boilerplate
# --------------------------------------------------------------------------------------------------

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
    text = _normalize_chars(text)
    lines = [_normalize_line(line) for line in text.split("\n")]
    has_blank_lines = _has_inner_blank_line(lines)

    idx = [i for i, line in enumerate(lines) if line]  # non-empty line indices
    drop: set[int] = set()
    removed_at: dict[int, str] = {}

    def remove(i: int) -> None:
        if i not in drop:
            drop.add(i)
            removed_at[i] = lines[i]

    # the last line that reads like prose: related-article headings after it start the page tail
    last_prose = max((n for n, i in enumerate(idx) if _is_prose(lines[i])), default=-1)

    n = 0
    while n < len(idx):
        i = idx[n]
        line = lines[i]
        if i in drop:
            n += 1
            continue
        if _is_caption_perbesar(line):
            remove(i)
            caption = line.strip()[: -len("perbesar")].strip()
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
            n += 1
            continue
        if _is_related_heading(line):
            remove(i)
            tail = n > last_prose
            single = _key(line) in _SINGLE_LINK_HEADINGS
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
            n = m
            continue
        if (
            _is_ui_line(line)
            or _is_counter(line)
            or _is_inline_read_also(line)
            or _is_tag_line(line)
            or _is_hashtag_line(line)
        ):
            remove(i)
        n += 1

    removed = [removed_at[i] for i in sorted(removed_at)]
    # a removed line inside a paragraph must not split it: drop it entirely instead of leaving a blank
    kept = [line for i, line in enumerate(lines) if i not in drop]

    paragraphs: list[str] = []
    if has_blank_lines:
        current: list[str] = []
        for line in kept:
            if line:
                current.append(line)
            elif current:
                paragraphs.append("\n".join(current))
                current = []
        if current:
            paragraphs.append("\n".join(current))
    else:
        paragraphs = [line for line in kept if line]
    return "\n\n".join(paragraphs), removed


def _has_inner_blank_line(lines: list[str]) -> bool:
    nonempty = [i for i, line in enumerate(lines) if line]
    if not nonempty:
        return False
    return any(not lines[i] for i in range(nonempty[0], nonempty[-1]))


# --------------------------------------------------------------------------------------------------
# Format detection, HTML and Markdown
# --------------------------------------------------------------------------------------------------

_TAG_RE = re.compile(
    r"<(/?)(p|div|span|a|br|body|head|script|style|table|tr|td|li|ul|ol|h[1-6]|meta|link|img|article|section|nav|header|footer)\b",
    re.I,
)


def _detect_format(name: str, text: str) -> str:
    suffix = Path(name).suffix.lower() if name != "-" else ""
    if suffix in HTML_EXTENSIONS:
        return "html"
    if suffix in MARKDOWN_EXTENSIONS:
        return "markdown"
    head = text[:4096].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in text[:8192].lower():
        return "html"
    if head.startswith(("<!doctype html", "<html")) or "<html" in head[:1024]:
        return "html"
    sample = text[:20000]
    tags = len(_TAG_RE.findall(sample))
    if tags >= 10 or (tags >= 5 and sample.count("<") * 20 >= len(sample.split())):
        return "html"
    return "text"


_SKIP_TAGS_STRICT = {
    "script", "style", "noscript", "template", "svg", "iframe", "nav", "header", "footer", "aside",
    "form", "button", "select", "head", "canvas", "object", "embed",
}
_SKIP_TAGS_LOOSE = {"script", "style", "noscript", "template", "svg", "head", "iframe"}
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "blockquote", "pre", "ul", "ol", "dl", "dt", "dd",
    "table", "tr", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "address",
    "li", "body", "html",
}
_VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr", "param"}


class _TextExtractor(HTMLParser):
    def __init__(self, skip: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = skip
        self.skip_depth = 0
        self.parts: list[str] = []
        self.title_parts: list[str] | None = None
        self.title: str | None = None
        self.h1_parts: list[str] | None = None
        self.h1: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:  # noqa: ANN001
        if tag == "title" and self.title is None:
            self.title_parts = []
        if tag == "h1" and self.h1 is None:
            self.h1_parts = []
        if tag in self.skip and tag not in _VOID_TAGS:
            self.skip_depth += 1
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_startendtag(self, tag: str, attrs) -> None:  # noqa: ANN001
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.title_parts is not None:
            self.title = "".join(self.title_parts).strip() or None
            self.title_parts = None
        if tag == "h1" and self.h1_parts is not None:
            self.h1 = "".join(self.h1_parts).strip() or None
            self.h1_parts = None
        if tag in self.skip and tag not in _VOID_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.title_parts is not None:
            self.title_parts.append(data)
        if self.h1_parts is not None:
            self.h1_parts.append(data)
        if self.skip_depth == 0:
            self.parts.append(data)

    def text(self) -> str:
        raw = "".join(self.parts)
        blocks = []
        for block in re.split(r"\n\s*\n", raw):
            lines = [re.sub(r"[ \t]+", " ", line).strip() for line in block.split("\n")]
            lines = [line for line in lines if line]
            if lines:
                blocks.append("\n".join(lines))
        return "\n\n".join(blocks)


def _parse_html(html: str, skip: set[str]) -> _TextExtractor:
    parser = _TextExtractor(skip)
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; keep whatever was collected
        pass
    return parser


# Page chrome that favor_recall would otherwise keep on short pages (article headers are kept).
_PRUNE_XPATH = [
    "//nav",
    "//aside",
    "//form",
    "//header[not(ancestor::article) and not(ancestor::main)]",
    "//footer[not(ancestor::article) and not(ancestor::main)]",
]


def _extract_html(html: str) -> tuple[str, str | None]:
    """Main text of an HTML page (trafilatura, then a stdlib fallback) and its title."""
    text = ""
    title: str | None = None
    try:
        import trafilatura

        doc = trafilatura.bare_extraction(
            html,
            include_comments=False,
            include_tables=True,
            favor_recall=True,
            with_metadata=True,
            prune_xpath=_PRUNE_XPATH,
        )
        if doc is not None:
            text = (getattr(doc, "text", None) if not isinstance(doc, dict) else doc.get("text")) or ""
            title = (getattr(doc, "title", None) if not isinstance(doc, dict) else doc.get("title")) or None
    except Exception:  # noqa: BLE001 - extractor failures fall back to the stdlib parser
        text = ""

    parser = _parse_html(html, _SKIP_TAGS_STRICT)
    if not text.strip():
        text = parser.text()
        if not text.strip():
            text = _parse_html(html, _SKIP_TAGS_LOOSE).text()
    if not title:
        title = parser.h1 or parser.title
    return text, _one_line(title)


_FRONT_MATTER_RE = re.compile(r"\A(?:---|\+\+\+)[ \t]*\n(.*?)\n(?:---|\+\+\+|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_MD_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_MD_IMAGE_RE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)|!\[[^\]\n]*\]\[[^\]\n]*\]")
_MD_LINK_RE = re.compile(r"\[([^\]\n]+)\]\((?:[^()\s\n]|\([^()\n]*\))*(?:\s+[\"'][^\"'\n]*[\"'])?\)")
_MD_REFLINK_RE = re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]")
_MD_REFDEF_RE = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*\S+.*$", re.M)
_MD_AUTOLINK_RE = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
_MD_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_MD_SETEXT_RE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_MD_HR_RE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_MD_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")
_MD_HTML_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_MD_EMPHASIS = [
    re.compile(r"(\*\*\*|___)(?=\S)(.+?)(?<=\S)\1"),
    re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"),
    re.compile(r"(?<![\w*])(\*)(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"),
    re.compile(r"(?<![\w_])(_)(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])"),
    re.compile(r"(~~)(?=\S)(.+?)(?<=\S)~~"),
]
_MD_CODE_RE = re.compile(r"`+([^`\n]+)`+")


def _strip_markdown(text: str) -> tuple[str, str | None]:
    """Markdown → plain text (content kept, markup dropped) and the leading "# Title"."""
    title: str | None = None
    fm = _FRONT_MATTER_RE.match(text)
    if fm:
        m = re.search(r"^title\s*[:=]\s*[\"']?(.+?)[\"']?\s*$", fm.group(1), re.M | re.I)
        if m:
            title = m.group(1).strip() or None
        text = text[fm.end() :]
    text = _MD_COMMENT_RE.sub("", text)
    text = _MD_REFDEF_RE.sub("", text)

    out: list[str] = []
    in_fence = False
    first_content_seen = False
    heading_title: str | None = None
    for line in text.split("\n"):
        if _MD_FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            out.append(line)
            first_content_seen = first_content_seen or bool(line.strip())
            continue
        if _MD_HR_RE.match(line) and not (out and out[-1].strip() and _MD_SETEXT_RE.match(line)):
            out.append("")
            continue
        if _MD_SETEXT_RE.match(line) and out and out[-1].strip():
            if not first_content_seen or (heading_title is None and len([o for o in out if o.strip()]) == 1):
                if line.strip().startswith("=") and heading_title is None:
                    heading_title = _inline_markdown(out[-1]).strip()
            out.append("")
            continue
        hm = _MD_HEADING_RE.match(line)
        if hm:
            content = _inline_markdown(hm.group(2)).strip()
            if not first_content_seen and len(hm.group(1)) == 1 and heading_title is None:
                heading_title = content or None
            first_content_seen = first_content_seen or bool(content)
            out.append(content)
            continue
        line = re.sub(r"^\s{0,3}>\s?", "", line)  # blockquote marker
        stripped = _inline_markdown(line)
        if stripped.strip():
            first_content_seen = True
        out.append(stripped)
    return "\n".join(out), heading_title or title


def _inline_markdown(line: str) -> str:
    line = _MD_IMAGE_RE.sub("", line)
    line = _MD_LINK_RE.sub(r"\1", line)
    line = _MD_REFLINK_RE.sub(r"\1", line)
    line = _MD_AUTOLINK_RE.sub(r"\1", line)
    line = _MD_CODE_RE.sub(r"\1", line)
    line = _MD_HTML_TAG_RE.sub("", line)
    for rx in _MD_EMPHASIS:
        line = rx.sub(r"\2", line)
    return line


# --------------------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------------------

_MIN_LETTERS = 20


def _identifier():
    from summarizer.language import identifier

    return identifier()


def detect_language(text: str) -> tuple[str | None, float]:
    """(language code, normalised probability) via py3langid; (None, 0.0) for too little text."""
    sample = text[:20000]
    if sum(1 for ch in sample if ch.isalpha()) < _MIN_LETTERS:
        return None, 0.0
    try:
        lang, prob = _identifier().classify(sample)
    except Exception:  # noqa: BLE001 - language is advisory; never fail the load because of it
        return None, 0.0
    if not lang or lang in ("und", "zxx"):
        return None, 0.0
    return str(lang), max(0.0, min(1.0, float(prob)))
