"""Find the date a statement gives for itself: `(March 21, 2025)`, `21 марта 2025 г.`, `2025-03-21`."""

from __future__ import annotations

import datetime as dt
import re

_MONTHS: dict[str, int] = {}
for number, names in enumerate([
    "january janvier januar jänner gennaio stycznia styczeń января январь",
    "february février fevrier februar febbraio lutego luty февраля февраль",
    "march mars märz marz marzo marca marzec марта март",
    "april avril aprile kwietnia kwiecień апреля апрель",
    "may mai maggio maja maj мая май",
    "june juin juni giugno czerwca czerwiec июня июнь",
    "july juillet juli luglio lipca lipiec июля июль",
    "august août aout agosto sierpnia sierpień августа август",
    "september septembre settembre września wrzesień сентября сентябрь",
    "october octobre oktober ottobre października październik октября октябрь",
    "november novembre listopada listopad ноября ноябрь",
    "december décembre decembre dezember dicembre grudnia grudzień декабря декабрь",
], start=1):
    for name in names.split():
        _MONTHS[name] = number
for name, number in list(_MONTHS.items()):
    if len(name) > 4 and name.isascii():
        _MONTHS.setdefault(name[:3], number)

_MONTH = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
_PATTERNS = [
    re.compile(rf"\b(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE),
    re.compile(rf"\b(?P<day>\d{{1,2}})\.?\s+(?P<month>{_MONTH})\.?,?\s+(?P<year>(?:19|20)\d\d)", re.IGNORECASE),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>\d\d)-(?P<day>\d\d)\b"),
    re.compile(r"\b(?P<day>\d{1,2})[./](?P<mnum>\d{1,2})[./](?P<year>(?:19|20)\d\d)\b"),
]


_YEAR = re.compile(r"(?:19|20)\d\d")
_WINDOW = 40  # a date's day and month stand within this many characters before its year


def find_date(text: str) -> tuple[dt.date, int, int] | None:
    """The first valid date stated in `text`, with its offsets; None when there is none.

    Only the neighbourhood of each year-like number is searched: most paragraphs
    have none, and the month-name patterns are costly to run over whole texts.
    """
    for year in _YEAR.finditer(text):
        offset = max(0, year.start() - _WINDOW)
        window = text[offset:year.end() + 6]  # ISO dates put month and day after the year
        best: tuple[dt.date, int, int] | None = None
        for pattern in _PATTERNS:
            for m in pattern.finditer(window):
                month = _MONTHS[m["month"].lower()] if "month" in m.groupdict() and m["month"] else int(m["mnum"])
                try:
                    found = dt.date(int(m["year"]), month, int(m["day"]))
                except ValueError:
                    continue
                if best is None or offset + m.start() < best[1]:
                    best = (found, offset + m.start(), offset + m.end())
                break
        if best is not None:
            return best
    return None
