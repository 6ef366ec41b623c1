"""Plain text and Markdown: the whole file is one document."""

from __future__ import annotations

from rhetorscope.readers.base import RawDocument


def read_text(text: str, *, source: str | None, encoding: str | None) -> list[RawDocument]:
    return [RawDocument(text=text, input_format="text", source=source, encoding=encoding)]
