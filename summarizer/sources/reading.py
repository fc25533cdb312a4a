"""A file (or stdin) -> `CleanedSource`: read within a size limit, refuse binaries, then decode,
extract, clean and identify the language (the other modules of `summarizer.sources`).

Every problem with the file itself is an InputError (or EmptyInputError) that names it and the fix.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.errors import EmptyInputError, InputError
from summarizer.language import detect_language
from summarizer.sources.cleaning import clean_text, normalize_chars, one_line_or_none
from summarizer.sources.decoding import bom_encoding, decode_bytes, utf16_without_bom
from summarizer.sources.markup import detect_format, extract_html, strip_markdown

MAX_INPUT_BYTES = 20 * 1024 * 1024
SUPPORTED_HINT = "give a .txt, .md or .html file"


@dataclass
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


def load_source(
    path: str | Path, *, data: bytes | None = None, max_bytes: int = MAX_INPUT_BYTES, identify_language: bool = True
) -> CleanedSource:
    """Read `path` (or use `data`, e.g. stdin with path "-") and return the cleaned article.
    `identify_language=False` leaves `language` None: two thirds of a load's time goes to
    identifying it, which a caller that only needs the text (the HTML review report) need not pay."""
    name = str(path)
    if data is None:
        data = _read_file(name, max_bytes)
    elif len(data) > max_bytes:
        _raise_too_large(name, len(data), max_bytes)

    if not data:
        raise EmptyInputError(name, "the file is empty", hint="give a file that contains the article text")
    _check_binary(name, data)

    text, encoding = decode_bytes(data, name)
    text = normalize_chars(text)
    if not text.strip():
        raise EmptyInputError(
            name, "the file contains only whitespace", hint="give a file that contains the article text"
        )

    fmt = detect_format(name, text)
    title: str | None = None
    if fmt == "html":
        body, title = extract_html(text)
    elif fmt == "markdown":
        body, title = strip_markdown(text)
    else:
        body = text

    clean, removed = clean_text(body)
    if not clean.strip():
        raise EmptyInputError(
            name,
            f"nothing is left after removing markup and web boilerplate ({fmt} input)",
            hint="give a file that contains the article text itself, not only menus or links",
        )
    language, confidence = detect_language(clean) if identify_language else (None, 0.0)
    return CleanedSource(
        path=name,
        text=clean,
        title=one_line_or_none(title),
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
        raise InputError(name, f"cannot read the file: {one_line_or_none(msg)}", hint="check that it is a readable file") from exc


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
    if kind is None and b"\x00" in data and bom_encoding(data) is None and utf16_without_bom(data) is None:
        kind = "a binary file (it contains NUL bytes)"
    if kind is not None:
        raise InputError(name, f"looks like {kind}, not text", hint=SUPPORTED_HINT)
