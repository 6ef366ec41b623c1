"""What every reader returns: raw text plus what the container said about it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from rhetorscope.errors import InputError

_NUL_HINT = "NUL characters are not text; remove them (e.g. tr -d '\\000' < in > out) and retry"


@dataclass
class RawDocument:
    """One document as read, before any repair.

    `text` is decoded but otherwise untouched: the repair stage keeps a map back
    to it. Container metadata (a Telegram message's date, a CSV row's id) rides
    along so the structure stage can prefer it over what it guesses from text.

    A NUL character is refused here, whichever reader (or the Python API) made
    the document: SQLite would store it and PostgreSQL cannot, so one rule for
    every backend is to never let one in. Decoding already names the place of a
    NUL byte in a file; this catches `\\u0000` escapes inside JSON strings.
    """

    text: str
    input_format: str
    source: str | None = None
    encoding: str | None = None
    external_id: str | None = None
    title: str | None = None
    date: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: False when the reader knows each line is a paragraph (HTML blocks), so no line is unwrapped.
    hard_wraps: bool = True
    #: Why a record that should have a date has none (e.g. an unreadable date column), for ingest to report.
    undated: str | None = None

    def __post_init__(self) -> None:
        for name in ("text", "title", "source", "external_id"):
            value = getattr(self, name)
            if isinstance(value, str) and "\x00" in value:
                where = f"{self.source or 'the input'}" + (f", document {self.external_id}" if self.external_id
                                                          and name != "external_id" else "")
                raise InputError(f"{where}: the {name.replace('_', ' ')} contains a NUL character", _NUL_HINT)


def nul_error(name: str, text: str) -> InputError:
    """The refusal for a decoded text with a NUL in it, naming the first one's line and column."""
    at = text.index("\x00")
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return InputError(f"{name} contains a NUL character at line {line}, column {column}", _NUL_HINT)


def parse_json(text: str, name: str, hint: str) -> Any:
    """`json.loads`, with a one-line refusal for invalid JSON and for JSON nested too deep to parse.

    The parser recurses once per nesting level, so an array nested 100,000 deep
    ends in `RecursionError`; no real export nests more than a few levels.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                         hint) from None
    except RecursionError:
        raise InputError(f"{name} is JSON nested too deeply to be a document (arrays or objects inside each "
                         "other thousands of levels deep)", hint) from None
