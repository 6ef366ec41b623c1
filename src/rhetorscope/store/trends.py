"""Technique frequency over time: raw counts and counts per 1,000 words, by day, week or month.

Normalising by the words published in each period keeps a busy month from
looking like a surge of propaganda. A count is of paragraphs: a paragraph
labelled with a technique and holding three highlighted spans of it counts
once, so the two models' levels do not inflate each other. Only dated, analysed documents count: an
undated post has no period, and an unanalysed one has no findings to count.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Date, text

from rhetorscope.errors import InputError
from rhetorscope.store.query import window_clauses

PERIODS = ("day", "week", "month")


def period_start(day: dt.date, by: str) -> dt.date:
    """The first day of the period `day` falls in (weeks start on Monday)."""
    if by == "day":
        return day
    if by == "week":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


@dataclass
class TrendTable:
    """Per period: words published, and per series (technique or category) the raw count.

    `series` holds the technique ids (or category ids when grouped by category).
    """

    by: str
    group: str
    periods: list[dt.date] = field(default_factory=list)
    words: dict[dt.date, int] = field(default_factory=dict)
    counts: dict[str, dict[dt.date, int]] = field(default_factory=dict)
    #: Analysed documents matching the source filter that have no date, so no period: left out of every count.
    undated: int = 0

    @property
    def series(self) -> list[str]:
        return sorted(self.counts, key=lambda s: (-sum(self.counts[s].values()), s))

    def count(self, series: str, period: dt.date) -> int:
        return self.counts.get(series, {}).get(period, 0)

    def per_1000_words(self, series: str, period: dt.date) -> float:
        words = self.words.get(period, 0)
        return 1000.0 * self.count(series, period) / words if words else 0.0

    @property
    def columns(self) -> list[str]:
        """The keys of `rows()`, in order (the header of a trends CSV)."""
        return ["period", self.group, "count", "per_1000_words", "words"]

    def rows(self) -> list[dict[str, Any]]:
        """Flat rows (period, series, count, per_1000_words, words) for tables, CSV and JSON."""
        return [{"period": p.isoformat(), self.group: s, "count": self.count(s, p),
                 "per_1000_words": round(self.per_1000_words(s, p), 3), "words": self.words.get(p, 0)}
                for p in self.periods for s in self.series]

    def to_frame(self) -> Any:
        """`rows()` as a pandas DataFrame (the `notebook` extra)."""
        from rhetorscope.frames import frame

        return frame(self.rows(), self.columns)


def trends(conn: Connection, *, by: str, technique: str | None, category: str | None, source: str | None,
           since: dt.date | None, until: dt.date | None, min_confidence: float = 0.0) -> TrendTable:
    """Aggregate findings per day in SQL, then fold days into periods (portable across backends).

    Findings below `min_confidence` are not counted.
    """
    if by not in PERIODS:
        raise InputError(f"unknown period '{by}'", f"use one of: {', '.join(PERIODS)}")
    group = "category" if category and not technique else "technique"
    params: dict[str, Any] = {}
    where = ["d.date IS NOT NULL", "d.analyzed", *window_clauses(params, source=source, since=since, until=until)]
    scope = f"FROM documents d JOIN sources src ON src.id = d.source_id WHERE {' AND '.join(where)}"
    finding_filter = ["fi.technique IS NOT NULL"]
    if min_confidence:
        finding_filter.append("fi.confidence >= :min_confidence")
        params["min_confidence"] = min_confidence
    if technique:
        finding_filter.append("fi.technique = :technique")
        params["technique"] = technique
    if category:
        finding_filter.append("fi.category = :category")
        params["category"] = category
    table = TrendTable(by=by, group=group)
    for day, words in conn.execute(text(f"SELECT d.date, SUM(d.words) {scope} GROUP BY d.date")
                                   .columns(date=Date), params):
        key = period_start(day, by)
        table.words[key] = table.words.get(key, 0) + int(words)
    counts: dict[str, dict[dt.date, int]] = defaultdict(dict)
    rows = conn.execute(text(
        f"SELECT d.date, fi.{group}, COUNT(DISTINCT fi.document_id || ':' || fi.segment_key) "
        f"FROM findings fi JOIN documents d ON d.id = fi.document_id "
        f"JOIN sources src ON src.id = d.source_id WHERE {' AND '.join(where + finding_filter)} "
        f"GROUP BY d.date, fi.{group}").columns(date=Date), params)
    for day, name, n in rows:
        key = period_start(day, by)
        counts[name][key] = counts[name].get(key, 0) + int(n)
    table.counts = dict(counts)
    table.periods = sorted(table.words)
    undated_params: dict[str, Any] = {}
    undated_where = ["d.date IS NULL", "d.analyzed", *window_clauses(undated_params, source=source, since=None,
                                                                      until=None)]
    table.undated = int(conn.execute(text(
        f"SELECT COUNT(*) FROM documents d JOIN sources src ON src.id = d.source_id "
        f"WHERE {' AND '.join(undated_where)}"), undated_params).scalar() or 0)
    return table


def plot(table: TrendTable, out: Path, *, top: int = 8) -> Path:
    """A line chart per series (the `top` most frequent), per 1,000 words; PNG or SVG by suffix."""
    if out.suffix.lower() not in (".png", ".svg"):
        raise InputError(f"cannot write a chart to {out.name}", "give --out a .png or .svg file name")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
    for series in table.series[:top]:
        ax.plot(table.periods, [table.per_1000_words(series, p) for p in table.periods], marker="o",
                markersize=3, label=series)
    ax.set_ylabel("findings per 1,000 words")
    ax.set_title(f"{table.group.capitalize()} frequency by {table.by}")
    if table.series:
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.autofmt_xdate()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out
