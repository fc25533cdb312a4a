"""Bytes -> clean article text: encoding, HTML main text, web boilerplate removal, language.

    load_source(path)            read + check + decode + extract + clean + detect language
    decode_bytes(data, path)     (text, encoding); never raises UnicodeDecodeError
    clean_text(text)             plain-text normalisation and boilerplate removal -> (clean, removed)
    detect_language(text)        (ISO 639-1 code or None, confidence 0..1)

Modules, imports pointing down: `reading` (files, limits, binaries; runs the others) -> `markup`
(format, HTML, Markdown) -> `cleaning` (characters, boilerplate); `decoding` stands alone. They import
`summarizer.errors`, `summarizer._text` and `summarizer.language` (py3langid's model, loaded on first
use). The heavy libraries (trafilatura, charset-normalizer, py3langid) are imported inside the
functions that use them so the CLI starts fast.
"""

from summarizer.language import detect_language
from summarizer.sources.cleaning import clean_text
from summarizer.sources.decoding import decode_bytes
from summarizer.sources.markup import HTML_EXTENSIONS, MARKDOWN_EXTENSIONS
from summarizer.sources.reading import MAX_INPUT_BYTES, SUPPORTED_HINT, CleanedSource, load_source

__all__ = [
    "HTML_EXTENSIONS",
    "MARKDOWN_EXTENSIONS",
    "MAX_INPUT_BYTES",
    "SUPPORTED_HINT",
    "CleanedSource",
    "clean_text",
    "decode_bytes",
    "detect_language",
    "load_source",
]
