"""Bytes -> text: the encoding of an article file, guessed in a fixed order; never UnicodeDecodeError.

Leaf module of `summarizer.sources` (standard library only; charset-normalizer is imported inside
`decode_bytes`, and only for the files the cheap rules cannot settle).
"""

from __future__ import annotations

import codecs
import re
import unicodedata

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]

# Printable characters cp1252 maps to 0x80-0x9F (smart quotes, dashes, euro sign...).
_CP1252_EXTRA = set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ")


def bom_encoding(data: bytes) -> str | None:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    return None


def utf16_without_bom(data: bytes) -> str | None:
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
    enc = bom_encoding(data)
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

    enc16 = utf16_without_bom(data)
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
