"""Decide which reader a file needs, from its content first and its extension second.

Extensions lie (a `.txt` that is HTML, a `.json` that is JSON Lines), so the
content decides; the extension only breaks ties. `--input-format` overrides both.
"""

from __future__ import annotations

import re
from pathlib import PurePath

FORMATS = ("text", "html", "telegram", "jsonl", "csv")

_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html|<head|<body|<article|<div|<p[\s>])",
                         re.IGNORECASE | re.DOTALL)
_EXTENSIONS = {
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".csv": "csv", ".tsv": "csv",
    ".json": "telegram",
    ".txt": "text", ".md": "text", ".markdown": "text", ".text": "text",
}


def sniff(text: str, path: PurePath | None = None) -> str:
    """Return one of FORMATS for decoded `text`."""
    head = text[:4096].lstrip()
    ext = path.suffix.lower() if path else ""
    if head.startswith("{"):
        first_line = head.split("\n", 1)[0].strip()
        if ext in (".jsonl", ".ndjson") or (first_line.endswith("}") and "\n{" in text[:200_000]):
            return "jsonl"
        return "telegram"
    if head.startswith("[") and ext == ".json":
        return "telegram"
    if _HTML_START.match(head):
        from rhetorscope.readers.telegram import looks_like_telegram_html

        return "telegram" if looks_like_telegram_html(text) else "html"
    return _EXTENSIONS.get(ext, "text")
