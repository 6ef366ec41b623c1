"""Search filters inside PostgreSQL's full-text index: lexemes for a paragraph's language and its document's date.

PostgreSQL ranks the first `search.PG_SEARCH_CAP` paragraphs that match a query and its filters.
Checked row by row, a filter that few matches pass (language `en`, a recent date window) made a
search read tens of thousands of matches and their documents before enough had passed: 150–350 ms
at 1,000,000 posts. So each paragraph's `tsv` also holds lexemes no word can produce (words never
contain `~`), and a filtered search adds them to its `tsquery`: the index itself returns only the
paragraphs that pass, in the same order as before.

- `~lang:<code>`: the paragraph's language (its own, else its document's), when known.
- `~date:<day>`, `~date:<month>`, `~date:<year>` and the year's first three, two and one digits
  (decade, century, millennium): `~date:2022-06-15`, `~date:2022-06`, `~date:2022`, `~date:202`,
  `~date:20`, `~date:2`; an undated document's paragraphs carry `~undated` instead. A date window
  is then a union of at most 145 of these (`date_terms`; a few dozen for most), whatever its length, and exact
  to the day.

The writer (`records`) adds them to every paragraph it stores; migration 0007 added them to the
paragraphs stored before. SQLite's FTS5 ranks and counts every match anyway and has none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache

from rhetorscope.store.tokens import lexeme

UNDATED = "~undated"
#: (months in a unit, digits of the zero-padded year that name it), largest first: millennium … year.
_YEAR_UNITS = ((12_000, 1), (1_200, 2), (120, 3), (12, 4))


def language_term(language: str) -> str:
    return f"~lang:{language.lower()}"


@lru_cache(maxsize=4096)
def paragraph_terms(language: str | None, date: dt.date | None) -> str:
    """The filter lexemes of a paragraph, as tsvector text to append to its words'.

    Remembered: the single writer makes them for every paragraph, and a batch holds few (language, date) pairs.
    """
    terms = [language_term(language)] if language else []
    if date is None:
        terms.append(UNDATED)
    else:
        year = f"{date.year:04d}"
        terms += [f"~date:{date.isoformat()}", f"~date:{year}-{date.month:02d}",
                  *(f"~date:{year[:digits]}" for _, digits in reversed(_YEAR_UNITS))]
    return " ".join(lexeme(t) for t in terms)


def _days(first: dt.date, last: dt.date) -> Iterator[str]:
    day = first
    while day <= last:
        yield f"~date:{day.isoformat()}"
        if day == dt.date.max:
            return
        day += dt.timedelta(days=1)


def _month_index(date: dt.date) -> int:
    return date.year * 12 + date.month - 1


def _months(first: int, last: int) -> Iterator[str]:
    """The fewest year-unit and month terms that cover the months `first`…`last` (year * 12 + month - 1)."""
    at = first
    while at <= last:
        for size, digits in _YEAR_UNITS:
            if at % size == 0 and at + size - 1 <= last:
                yield f"~date:{at // 12:04d}"[: len("~date:") + digits]
                break
        else:
            size = 1
            yield f"~date:{at // 12:04d}-{at % 12 + 1:02d}"
        at += size


def date_terms(since: dt.date | None, until: dt.date | None) -> list[str]:
    """The terms whose union is exactly the paragraphs dated `since`…`until` (either may be open)."""
    first, last = since or dt.date.min, until or dt.date.max
    if first > last:
        return []
    terms: list[str] = []
    if first.day != 1:  # the days before the first whole month
        month_end = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        terms += _days(first, min(last, month_end))
        if last <= month_end:
            return terms
        first = month_end + dt.timedelta(days=1)
    tail: list[str] = []
    if last != dt.date.max and (last + dt.timedelta(days=1)).day != 1:  # the days after the last whole month
        tail = list(_days(max(first, last.replace(day=1)), last))
        if first >= last.replace(day=1):
            return terms + tail
        last = last.replace(day=1) - dt.timedelta(days=1)
    return terms + list(_months(_month_index(first), _month_index(last))) + tail


def filter_tsquery(language: str | None, since: dt.date | None, until: dt.date | None) -> str | None:
    """The tsquery that keeps the paragraphs in `language` and the date window (and the undated ones, which
    a windowed search counts apart); None without such filters."""
    parts = [lexeme(language_term(language))] if language else []
    if since is not None or until is not None:
        parts.append("(" + " | ".join(lexeme(t) for t in [*date_terms(since, until), UNDATED]) + ")")
    return " & ".join(parts) or None


def undated_tsquery() -> str:
    """The tsquery of the paragraphs of undated documents."""
    return lexeme(UNDATED)
