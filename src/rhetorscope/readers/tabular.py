"""JSON Lines and CSV: one document per row, text from a named or recognised column.

A row's date comes from `--date-column` or a recognised column (`date`,
`published`, …). Dates are read as ISO 8601, Unix epochs (seconds or
milliseconds), RFC 2822, or, through dateparser, in the six languages' usual
ways (`01.03.2024` is day first, `5 марта 2024`, `March 5, 2024`); with
`--date-format` only that strptime format is accepted. A row whose date cannot
be read is kept, undated, with the reason in `RawDocument.undated`, which ingest
reports: nothing is dropped silently.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import functools
import io
import re
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


_LANGUAGES = ["en", "ru", "fr", "de", "it", "pl"]
#: Epoch values read as dates only within these years, so a row id in the date column is not taken for one.
_EPOCH_YEARS = range(1971, 2101)


def parse_date(value: Any, date_format: str | None = None) -> dt.date | None:
    """The calendar date a record's date field gives (in its own time zone), or None when it gives none."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return None if date_format else _epoch(float(value))
    if not isinstance(value, str) or not value.strip():
        return None
    return _parse_text(value.strip(), date_format)


def _epoch(seconds: float) -> dt.date | None:
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    try:
        day = dt.datetime.fromtimestamp(seconds, dt.UTC).date()
    except (OverflowError, OSError, ValueError):
        return None
    return day if day.year in _EPOCH_YEARS else None


@functools.lru_cache(maxsize=4096)
def _parse_text(value: str, date_format: str | None) -> dt.date | None:
    if date_format:
        try:
            return dt.datetime.strptime(value, date_format).date()
        except ValueError:
            return None
    if value.isdigit() and len(value) in (10, 13):
        return _epoch(float(value))
    try:
        return dt.datetime.fromisoformat(value).date()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    import dateparser

    order = "DMY" if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{2,4}.*", value) else None
    settings: dict[str, Any] = {"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DAY_OF_MONTH": "first",
                                "RETURN_AS_TIMEZONE_AWARE": False}
    if order:
        settings["DATE_ORDER"] = order
    parsed = dateparser.parse(value, languages=_LANGUAGES, settings=settings)
    return parsed.date() if parsed is not None else None


def _date_field(row: Mapping[str, Any], date_column: str | None) -> tuple[str | None, Any]:
    """The date column's name and value in this row (None, None when the row has none)."""
    lowered = {k.lower(): k for k in row if isinstance(k, str)}
    for name in (date_column.lower(),) if date_column else _DATE_COLUMNS:
        if name in lowered and row[lowered[name]] not in (None, ""):
            return lowered[name], row[lowered[name]]
    return None, None


def _rows_to_documents(
    rows: Iterable[tuple[int, Mapping[str, Any]]], fmt: str, source: str | None, encoding: str | None,
    text_column: str | None, skipped: list[str], date_column: str | None = None, date_format: str | None = None,
) -> list[RawDocument]:
    """A document per row with text; a later row without text is named in `skipped`, never dropped unsaid.

    A first row without any of the text columns means the file is not what it
    seems, so it is refused as a whole.
    """
    documents = []
    columns = (text_column,) if text_column else TEXT_COLUMNS
    for index, (number, row) in enumerate(rows):
        if date_column and index == 0 and not any(isinstance(k, str) and k.lower() == date_column.lower()
                                                  for k in row):
            raise InputError(f"{source or fmt}: there is no date column '{date_column}' "
                             f"(found {', '.join(map(str, row)) or 'nothing'})", "name the column with --date-column")
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
        date_name, date_value = _date_field(row, date_column)
        date = parse_date(date_value, date_format)
        if date is not None:
            undated = None
        elif date_name is None:
            undated = f"row {number} has no date column" if not date_column else f"row {number} has no date"
        else:
            undated = (f"row {number}: cannot read the date {str(date_value)[:40]!r} in column '{date_name}'"
                       + (f" as {date_format}" if date_format else ""))
        documents.append(RawDocument(
            text=text, input_format=fmt, source=_pick(row, ("source", "channel")) or source, encoding=encoding,
            external_id=str(ident) if ident is not None else str(number), title=_pick(row, ("title",)),
            date=date, extra=extra, undated=undated,
        ))
    return documents


def _has_column(row: Mapping[str, Any], columns: Iterable[str]) -> bool:
    keys = {k.lower() for k in row if isinstance(k, str)}
    return any(c.lower() in keys for c in columns)


def read_jsonl(text: str, *, source: str | None, encoding: str | None, text_column: str | None = None,
               date_column: str | None = None, date_format: str | None = None,
               skipped: list[str]) -> list[RawDocument]:
    def rows() -> Iterable[tuple[int, Mapping[str, Any]]]:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            row = parse_json(line, f"{source or 'JSON Lines'}: line {number}", "fix or remove that line")
            if not isinstance(row, dict):
                raise InputError(f"{source or 'JSON Lines'}: line {number} is not a JSON object",
                                 "each line must be an object such as {\"text\": \"…\"}")
            yield number, row

    return _rows_to_documents(rows(), "jsonl", source, encoding, text_column, skipped, date_column, date_format)


def read_csv(text: str, *, source: str | None, encoding: str | None, text_column: str | None = None,
             date_column: str | None = None, date_format: str | None = None,
             skipped: list[str]) -> list[RawDocument]:
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
    return _rows_to_documents(rows, "csv", source, encoding, text_column, skipped, date_column, date_format)
