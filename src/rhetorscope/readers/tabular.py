"""JSON Lines and CSV: one document per row, text from a named or recognised column."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from typing import Any

from rhetorscope.errors import InputError
from rhetorscope.readers.base import RawDocument, parse_json

TEXT_COLUMNS = ("text", "body", "content", "message", "post", "full_text", "paragraph")
_ID_COLUMNS = ("id", "article_id", "message_id", "url", "uid")
_CSV_FIELD_LIMIT = 131_072  # the csv module's default
_DATE_COLUMNS = ("date", "published", "published_at", "created_at", "datetime", "time")


def _pick(row: Mapping[str, Any], names: Iterable[str]) -> Any:
    lowered = {k.lower(): v for k, v in row.items() if isinstance(k, str)}
    for name in names:
        if lowered.get(name) not in (None, ""):
            return lowered[name]
    return None


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _rows_to_documents(
    rows: Iterable[tuple[int, Mapping[str, Any]]], fmt: str, source: str | None, encoding: str | None,
    text_column: str | None, skipped: list[str],
) -> list[RawDocument]:
    """A document per row with text; a later row without text is named in `skipped`, never dropped unsaid.

    A first row without any of the text columns means the file is not what it
    seems, so it is refused as a whole.
    """
    documents = []
    columns = (text_column,) if text_column else TEXT_COLUMNS
    for number, row in rows:
        text = _pick(row, (c.lower() for c in columns))
        if text is None and not documents and not skipped and not _has_column(row, columns):
            raise InputError(
                f"{source or fmt}: row {number} has no text column "
                f"(looked for {', '.join(columns)}; found {', '.join(map(str, row)) or 'nothing'})",
                "name the column with --text-column",
            )
        if text is not None and not isinstance(text, str):
            raise InputError(f"{source or fmt}: row {number}: the text column holds {type(text).__name__}, "
                             "not a string", "fix the row or choose another --text-column")
        if text is None or not text.strip():
            skipped.append(f"row {number} ({'empty text' if _has_column(row, columns) else 'no text column'})")
            continue
        ident = _pick(row, _ID_COLUMNS)
        extra = {k: v for k, v in row.items() if isinstance(v, str | int | float | bool) and v != text}
        documents.append(RawDocument(
            text=text, input_format=fmt, source=_pick(row, ("source", "channel")) or source, encoding=encoding,
            external_id=str(ident) if ident is not None else str(number), title=_pick(row, ("title",)),
            date=_date(_pick(row, _DATE_COLUMNS)), extra=extra,
        ))
    return documents


def _has_column(row: Mapping[str, Any], columns: Iterable[str]) -> bool:
    keys = {k.lower() for k in row if isinstance(k, str)}
    return any(c.lower() in keys for c in columns)


def read_jsonl(text: str, *, source: str | None, encoding: str | None,
               text_column: str | None = None, skipped: list[str]) -> list[RawDocument]:
    def rows() -> Iterable[tuple[int, Mapping[str, Any]]]:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            row = parse_json(line, f"{source or 'JSON Lines'}: line {number}", "fix or remove that line")
            if not isinstance(row, dict):
                raise InputError(f"{source or 'JSON Lines'}: line {number} is not a JSON object",
                                 "each line must be an object such as {\"text\": \"…\"}")
            yield number, row

    return _rows_to_documents(rows(), "jsonl", source, encoding, text_column, skipped)


def read_csv(text: str, *, source: str | None, encoding: str | None,
             text_column: str | None = None, skipped: list[str]) -> list[RawDocument]:
    try:
        dialect: Any = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    # The csv module refuses fields over 128 KiB, less than one long article; no field can be longer than the
    # file, and the file has passed the size limit already.
    previous_limit = csv.field_size_limit(max(len(text), _CSV_FIELD_LIMIT))
    try:
        rows = [(number, row) for number, row in enumerate(reader, start=2)]
    except csv.Error as exc:
        raise InputError(f"{source or 'CSV'}: line {reader.line_num} is malformed ({exc})",
                         "check the quoting of that line") from None
    finally:
        csv.field_size_limit(previous_limit)
    if not reader.fieldnames:
        raise InputError(f"{source or 'CSV'} has no header row", "add a header such as 'id,date,text'")
    return _rows_to_documents(rows, "csv", source, encoding, text_column, skipped)
