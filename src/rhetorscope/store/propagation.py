"""How one repeated talking point travelled: who posted it first, who repeated it, in what order, how.

A repeat cluster (`rhetorscope.store.repeats`) is a set of near-identical
passages. Ordered by when each document was posted — the post time where the
export has one (`documents.posted_at`, seconds in the post's own clock), else
the start of its day — the first is the *first poster*; every later
occurrence is a *forward* (the post says it was forwarded from somewhere), a
*copy* (the same words as the first) or a *rewording* (near-identical words:
word-set Jaccard similarity to the first under 1). Each source's first
occurrence gives the order in which sources took the point up, with its delay
after the first post. Undated occurrences cannot be placed; they are listed
last and counted.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, WithJsonSchema
from sqlalchemy import Connection, Date, text

from rhetorscope.shingles import jaccard, words
from rhetorscope.store.engine import StoreError
from rhetorscope.store.records import post_link
from rhetorscope.store.repeats import json_object

PROPAGATION_SCHEMA_VERSION = "1.0"
#: A post's time in its own clock: ISO 8601 without an offset (exports give none), so not RFC 3339 `date-time`.
LocalTime = Annotated[dt.datetime, WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$",
                                                   "description": "ISO 8601 local time, no offset"})]
_EPOCH = dt.datetime(1970, 1, 1)


class Step(BaseModel):
    """One occurrence of the talking point, in the order it was posted."""

    order: int = Field(description="1 for the first post; undated occurrences come last")
    kind: Literal["first", "forward", "copy", "rewording"]
    document_id: int
    segment_id: str
    source: str
    date: dt.date | None
    posted_at: LocalTime | None = Field(description="the post's time, where the export gives one")
    delay_seconds: float | None = Field(description="seconds after the first post (null when undated)")
    forwarded_from: str | None
    external_id: str | None
    link: str | None
    similarity: float = Field(description="word-set Jaccard similarity to the first occurrence")
    text: str


class SourceStep(BaseModel):
    """A source's part: when it first posted the point, and how often and how it repeated it."""

    source: str
    order: int = Field(description="1 for the source of the first post")
    first_at: LocalTime | None
    delay_seconds: float | None
    occurrences: int
    forwards: int
    rewordings: int


#: The columns of `Propagation.rows()`, i.e. of `repeats show --format csv`.
STEP_COLUMNS = ("order", "kind", "date", "posted_at", "delay_seconds", "source", "forwarded_from", "document_id",
                "external_id", "link", "similarity", "text")


class Propagation(BaseModel):
    """`rhetorscope repeats show CLUSTER_ID` output (JSON schema version `schema_version`)."""

    schema_version: str = PROPAGATION_SCHEMA_VERSION
    cluster_id: int
    first: Step
    occurrences: list[Step]
    sources: list[SourceStep] = Field(description="in the order the sources first posted it")
    forwards: int
    copies: int
    rewordings: int
    undated: int = Field(description="occurrences without a date, listed last, not ordered")

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per occurrence (`STEP_COLUMNS`), for CSV and data frames."""
        return [dict(zip(STEP_COLUMNS, (
            s.order, s.kind, s.date or "", s.posted_at or "", "" if s.delay_seconds is None else s.delay_seconds,
            s.source, s.forwarded_from or "", s.document_id, s.external_id or "", s.link or "", s.similarity,
            s.text), strict=True)) for s in self.occurrences]

    def to_frame(self) -> Any:
        """`rows()` as a pandas DataFrame (the `notebook` extra)."""
        from rhetorscope.frames import frame

        return frame(self.rows(), STEP_COLUMNS)


def propagation(conn: Connection, cluster_id: int) -> Propagation:
    """The timeline of one cluster; one occurrence per document (its first passage in the cluster)."""
    rows = conn.execute(text(
        'SELECT p.document_id, p.segment_key, d.date, d.posted_at, s.name, SUBSTR(d.text, p.start + 1, p."end" - '
        "p.start), d.external_id, COALESCE(d.input_format, s.kind), d.extra, CASE WHEN d.shares_source THEN "
        "s.extra END FROM passages p JOIN documents d ON d.id = p.document_id JOIN sources s ON s.id = d.source_id "
        "WHERE p.cluster_id = :cid ORDER BY p.id").columns(date=Date), {"cid": cluster_id}).all()
    if not rows:
        raise StoreError(f"there is no repeat cluster {cluster_id} in the corpus",
                         "take a cluster id from `rhetorscope repeats --format json` (or the Repeats page)")
    seen: dict[int, Any] = {}
    for row in rows:
        seen.setdefault(row[0], row)
    timed = sorted(seen.values(), key=lambda r: (_moment(r) is None, _moment(r) or _EPOCH, r[0]))
    first_words = set(words(timed[0][5]))
    start = _moment(timed[0])
    steps = []
    for order, row in enumerate(timed, 1):
        extra = {**json_object(row[9]), **json_object(row[8])}
        forwarded = extra.get("forwarded_from")
        similarity = round(jaccard(first_words, set(words(row[5]))), 3)
        kind = "first" if order == 1 else "forward" if forwarded else "copy" if similarity == 1 else "rewording"
        moment = _moment(row)
        steps.append(Step(order=order, kind=kind, document_id=row[0], segment_id=row[1], source=row[4], date=row[2],
                          posted_at=_EPOCH + dt.timedelta(seconds=row[3]) if row[3] is not None else None,
                          delay_seconds=(moment - start).total_seconds() if moment and start else None,
                          forwarded_from=str(forwarded) if forwarded else None, external_id=row[6],
                          link=post_link(row[7], row[6], extra), similarity=similarity, text=row[5]))
    return Propagation(cluster_id=cluster_id, first=steps[0], occurrences=steps, sources=_sources(steps),
                       forwards=sum(s.kind == "forward" for s in steps), copies=sum(s.kind == "copy" for s in steps),
                       rewordings=sum(s.kind == "rewording" for s in steps),
                       undated=sum(s.date is None for s in steps))


def delay(seconds: float | None) -> str:
    """A delay as people say it: 0, 45 min, 3.5 h, 2.0 days ('?' when unknown)."""
    if seconds is None:
        return "?"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min" if seconds else "0"
    return f"{seconds / 3600:.1f} h" if seconds < 86_400 else f"{seconds / 86_400:.1f} days"


def _moment(row: Any) -> dt.datetime | None:
    """When a document was posted: its post time, else the start of its date; None when undated."""
    if row[3] is not None:
        return _EPOCH + dt.timedelta(seconds=row[3])
    return dt.datetime.combine(row[2], dt.time()) if row[2] is not None else None


def _sources(steps: list[Step]) -> list[SourceStep]:
    out: dict[str, SourceStep] = {}
    for step in steps:
        entry = out.get(step.source)
        if entry is None:
            entry = out[step.source] = SourceStep(
                source=step.source, order=len(out) + 1,
                first_at=step.posted_at or (dt.datetime.combine(step.date, dt.time()) if step.date else None),
                delay_seconds=step.delay_seconds, occurrences=0, forwards=0, rewordings=0)
        entry.occurrences += 1
        entry.forwards += step.kind == "forward"
        entry.rewordings += step.kind == "rewording"
    return list(out.values())
