"""Markup -> plain text: which format a file is in, the main text of an HTML page (trafilatura, then
a stdlib parser), and Markdown stripped to its content; each with the title it names.

trafilatura is imported inside `extract_html`, so importing this module stays cheap.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from summarizer.sources.cleaning import one_line_or_none

HTML_EXTENSIONS = {".html", ".htm", ".xhtml", ".shtml"}
MARKDOWN_EXTENSIONS = {".md", ".markdown", ".mdown", ".mkd"}


_TAG_RE = re.compile(
    r"<(/?)(p|div|span|a|br|body|head|script|style|table|tr|td|li|ul|ol|h[1-6]|meta|link|img|article|section|nav|header|footer)\b",
    re.I,
)


def detect_format(name: str, text: str) -> str:
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


def extract_html(html: str) -> tuple[str, str | None]:
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
    return text, one_line_or_none(title)


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


def strip_markdown(text: str) -> tuple[str, str | None]:
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
