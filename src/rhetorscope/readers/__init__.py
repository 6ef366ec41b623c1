"""Readers: bytes in, `RawDocument`s out, whatever the container.

`read_path` is the entry point for files; `read_bytes` serves uploads. Both
refuse bad input with a one-line `InputError` before anything is written.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path, PurePath

from rhetorscope.errors import InputError
from rhetorscope.readers.base import RawDocument
from rhetorscope.readers.encoding import decode
from rhetorscope.readers.sniff import FORMATS, sniff

DEFAULT_MAX_BYTES = int(float(os.environ.get("RHETORSCOPE_MAX_SIZE_MB", "20")) * 1024 * 1024)
SUPPORTED_EXTENSIONS = frozenset({".txt", ".md", ".markdown", ".text", ".html", ".htm", ".xhtml",
                                  ".json", ".jsonl", ".ndjson", ".csv", ".tsv"})


def read_bytes(data: bytes, *, name: str = "input", input_format: str | None = None,
               text_column: str | None = None, path: Path | None = None, date_column: str | None = None,
               date_format: str | None = None, source: str | None = None,
               skipped: list[str] | None = None) -> list[RawDocument]:
    """Decode, sniff and parse `data`; `name` is used in messages and, unless `source` is given, as the source.

    The source is the file's own where it names one (a Telegram channel, a CSV
    `source` column). `text_column`, `date_column` and `date_format` apply to CSV and JSON Lines.
    CSV and JSON Lines rows without text are not documents; each is named in
    `skipped` ("row 5 (empty text)") so the caller can report it. Without a list
    to put them in, they are reported as a warning instead.
    """
    if input_format is not None and input_format not in FORMATS:
        raise InputError(f"unknown input format '{input_format}'", f"use one of: {', '.join(FORMATS)}")
    text, encoding = decode(data, name=name)
    fmt = input_format or sniff(text, path or PurePath(name))
    if fmt == "html":
        from rhetorscope.readers.html import read_html

        documents = read_html(text, source=source or name, encoding=encoding)
    elif fmt == "telegram":
        from rhetorscope.readers.telegram import read_telegram

        documents = read_telegram(text, source=source or name, encoding=encoding)
    elif fmt in ("jsonl", "csv"):
        from rhetorscope.readers.tabular import read_csv, read_jsonl

        reader = read_jsonl if fmt == "jsonl" else read_csv
        rows_skipped: list[str] = []
        documents = reader(text, source=source or name, encoding=encoding, text_column=text_column,
                           date_column=date_column, date_format=date_format, skipped=rows_skipped)
        if skipped is not None:
            skipped += rows_skipped
        elif rows_skipped:
            warnings.warn(f"{name}: skipped {len(rows_skipped)} rows without text: {', '.join(rows_skipped)}",
                          stacklevel=2)
    else:
        from rhetorscope.readers.text import read_text

        documents = read_text(text, source=source or name, encoding=encoding)
    if not documents:
        raise InputError(f"{name} contains no text to analyse", "check that the file holds posts or paragraphs")
    return documents


def read_path(path: Path | str, *, input_format: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
              text_column: str | None = None, date_column: str | None = None,
              date_format: str | None = None, source: str | None = None,
              skipped: list[str] | None = None) -> list[RawDocument]:
    """Read one file; checks existence, type and size before reading a byte."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file", "check the path")
    if path.is_dir():
        raise InputError(f"{path} is a directory", "give a file (`rhetorscope ingest` takes folders)")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"{path} is {size / 1_048_576:.1f} MB, over the {max_bytes / 1_048_576:.0f} MB limit",
            "split it, or raise the limit with --max-size (MB)",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})", "check the file's permissions") from None
    return read_bytes(data, name=str(path), input_format=input_format, text_column=text_column, path=path,
                      date_column=date_column, date_format=date_format, source=source, skipped=skipped)


__all__ = ["DEFAULT_MAX_BYTES", "FORMATS", "SUPPORTED_EXTENSIONS", "RawDocument", "read_bytes", "read_path"]
