"""What every reader returns: raw text plus what the container said about it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RawDocument:
    """One document as read, before any repair.

    `text` is decoded but otherwise untouched: the repair stage keeps a map back
    to it. Container metadata (a Telegram message's date, a CSV row's id) rides
    along so the structure stage can prefer it over what it guesses from text.
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
