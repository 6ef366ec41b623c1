"""HTML pages: keep the article, drop navigation, footers, cookie banners and scripts.

selectolax (lexbor) parses; the main container is the first `<article>`, else
`<main>`/`[role=main]`, else the body. Block elements inside it become one line
each, so the structure stage sees paragraphs exactly as it does for plain text.
"""

from __future__ import annotations

import datetime as dt
import re

from rhetorscope.errors import InputError
from rhetorscope.readers.base import RawDocument

_DROP = (
    "script, style, noscript, template, nav, header, footer, aside, form, iframe, svg, button, "
    "[role=navigation], [role=banner], [role=contentinfo], [aria-hidden=true], [hidden]"
)
_BOILERPLATE = re.compile(
    r"(^|[-_ ])(nav|navbar|menu|footer|header|sidebar|cookie|consent|share|sharing|social|comments?|"
    r"related|subscribe|newsletter|advert|ads?|promo|breadcrumbs?|banner|popup|modal)([-_ ]|$)",
    re.IGNORECASE,
)
_BLOCKS = "h1, h2, h3, h4, h5, h6, p, li, blockquote, pre, figcaption, dd, dt"
_SPACE = re.compile(r"\s+")
#: lexbor's parse time grows with the square of the nesting depth (100,000 nested `<div>`s: 50 s); real pages
#: nest a few dozen levels.
MAX_DEPTH = 5_000
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(/?)>")
#: Elements that never close, or close themselves when the next one opens: they add no depth.
_FLAT = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                   "wbr", "p", "li", "dt", "dd", "option", "tr", "td", "th"})


def _date_of(tree) -> dt.date | None:  # type: ignore[no-untyped-def]
    candidates = []
    for sel, attr in (
        ('meta[property="article:published_time"]', "content"),
        ('meta[name="date"]', "content"),
        ('meta[itemprop="datePublished"]', "content"),
        ("time[datetime]", "datetime"),
    ):
        node = tree.css_first(sel)
        if node is not None and node.attributes.get(attr):
            candidates.append(node.attributes[attr])
    for value in candidates:
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            continue
    return None


def _title_of(tree) -> str | None:  # type: ignore[no-untyped-def]
    for sel in ('meta[property="og:title"]', "article h1", "h1", "title"):
        node = tree.css_first(sel)
        if node is None:
            continue
        value = node.attributes.get("content") if sel.startswith("meta") else node.text()
        if value and value.strip():
            return _SPACE.sub(" ", value).strip()
    return None


def _too_deep(text: str) -> bool:
    """Whether elements nest deeper than `MAX_DEPTH`, by a linear scan of the tags before parsing."""
    depth = 0
    for match in _TAG.finditer(text):
        if match[2].lower() in _FLAT or match[3]:
            continue
        depth += -1 if match[1] else 1
        if depth > MAX_DEPTH:
            return True
    return False


def read_html(text: str, *, source: str | None, encoding: str | None) -> list[RawDocument]:
    from selectolax.lexbor import LexborHTMLParser

    if _too_deep(text):
        raise InputError(f"{source or 'the HTML page'} nests elements more than {MAX_DEPTH:,} levels deep",
                         "no article page nests that deep; save the article itself, or copy its text into a .txt file")
    tree = LexborHTMLParser(text)
    title = _title_of(tree)
    date = _date_of(tree)
    for node in tree.css(_DROP):
        node.decompose()
    for node in tree.css("br"):
        node.replace_with(" ")
    for node in tree.css("[class], [id]"):
        marks = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if _BOILERPLATE.search(marks) and node.tag not in ("html", "body", "article", "main"):
            node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.css_first("[role=main]") or tree.body
    lines: list[str] = []
    if root is not None:
        for block in root.css(_BLOCKS):
            if block.css_first(_BLOCKS.replace("li, ", "")) is not None and block.tag in ("li", "blockquote"):
                continue  # its inner blocks are emitted on their own
            line = _SPACE.sub(" ", block.text(separator="")).strip()
            if line and (not lines or lines[-1] != line):
                lines.append(line)
    if not lines:
        raise InputError(f"{source or 'the HTML page'} has no readable article text",
                         "save the article page itself, or copy its text into a .txt file")
    if title and lines[0] != title:
        lines.insert(0, title)
    return [RawDocument(text="\n".join(lines), input_format="html", source=source, encoding=encoding,
                        title=title, date=date, hard_wraps=False)]
