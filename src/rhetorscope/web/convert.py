"""Between the store's dataclasses and the API's pydantic types, shared by the API and the pages.

Query parameters that the API and the Corpus page both take are declared once
here (`SearchParams`), so a filter works the same in a URL and in a form.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import HTTPException
from pydantic import BaseModel, BeforeValidator, Field

from rhetorscope.model import Analysis
from rhetorscope.store import RepeatCluster, RepeatPage, SearchFilters, SearchResult, Store, StoreError, TrendTable
from rhetorscope.store.compare import DIMENSIONS, Comparison
from rhetorscope.store.listing import DocumentRow
from rhetorscope.store.propagation import Propagation
from rhetorscope.techniques import CATEGORIES, TECHNIQUES
from rhetorscope.web.schemas import (
    DocumentSummary,
    OccurrenceOut,
    RepeatClusterOut,
    SearchHitOut,
    SearchOut,
    TrendSeries,
    TrendsOut,
)

#: Query values where a form's empty field means "not given".
_empty_is_none = BeforeValidator(lambda value: value or None)
FormDate = Annotated[dt.date | None, _empty_is_none]
#: A confidence threshold from a form: an empty field is no threshold.
FormConfidence = Annotated[Annotated[float, Field(ge=0.0, le=1.0)] | None, _empty_is_none]
#: Taxonomy ids as enums, so an unknown id is refused with the valid ones listed (and the schema shows them).
TechniqueId = Annotated[Literal[tuple(TECHNIQUES)] | None, _empty_is_none]  # type: ignore[valid-type]
CategoryId = Annotated[Literal[tuple(CATEGORIES)] | None, _empty_is_none]  # type: ignore[valid-type]


class SearchParams(BaseModel):
    """The search query and its filters, as query parameters."""

    q: str = Field("", max_length=500, description='words, "phrases", a OR b, a AND b, NOT a, -a, (groups), prefix*')
    technique: TechniqueId = Field(None, description="technique id, see /techniques")
    category: CategoryId = Field(None, description="category id, see /techniques")
    speaker: str | None = Field(None, max_length=200, description="part of the speaker's name")
    language: str | None = Field(None, max_length=10, description="ISO 639-1 code")
    source: str | None = Field(None, max_length=200, description="part of the source name")
    since: FormDate = None
    until: FormDate = None
    forwarded_from: str | None = Field(None, max_length=200, description="part of the name a post was forwarded from")
    min_confidence: FormConfidence = Field(None, description="findings below this confidence do not count")

    def to_filters(self) -> SearchFilters:
        return SearchFilters(technique=self.technique or None, category=self.category or None,
                             speaker=self.speaker or None, language=self.language or None,
                             source=self.source or None, since=self.since, until=self.until,
                             forwarded_from=self.forwarded_from or None, min_confidence=self.min_confidence or 0.0)


class TrendParams(BaseModel):
    """What the Trends page, its downloads and `GET /trends` take."""

    by: Literal["day", "week", "month"] = "month"
    group: Literal["technique", "category"] = Field("technique", description="one chart per technique or category")
    technique: TechniqueId = None
    category: CategoryId = None
    source: str | None = Field(None, max_length=200, description="part of the source name")
    since: FormDate = None
    until: FormDate = None
    min_confidence: FormConfidence = Field(None, description="findings below this confidence do not count")

    def table(self, store: Store) -> TrendTable:
        """The trend table, folded into categories when the charts are per category."""
        table = store.trends(by=self.by, technique=self.technique, category=self.category, source=self.source or None,
                             since=self.since, until=self.until, min_confidence=self.min_confidence or 0.0)
        return by_category(table) if self.group == "category" and table.group == "technique" else table


def by_category(table: TrendTable) -> TrendTable:
    """Fold a per-technique table into categories (the store groups by category only when one is named)."""
    folded = TrendTable(by=table.by, group="category", periods=table.periods, words=table.words,
                        undated=table.undated)
    for name, counts in table.counts.items():
        cat = TECHNIQUES[name].category if name in TECHNIQUES else name
        target = folded.counts.setdefault(cat, {})
        for period, n in counts.items():
            target[period] = target.get(period, 0) + n
    return folded


class RepeatParams(BaseModel):
    """What the Repeats page, its downloads and `GET /repeats` filter on."""

    min_count: int = Field(2, ge=2, le=10_000, description="only passages found in at least this many documents")
    source: str | None = Field(None, max_length=200, description="part of the source name")
    since: FormDate = None
    until: FormDate = None
    include_boilerplate: bool = False

    def page(self, store: Store, *, limit: int, offset: int, occurrences: int) -> RepeatPage:
        return store.repeats(min_count=self.min_count, since=self.since, until=self.until, source=self.source or None,
                             limit=limit, offset=offset, occurrences=occurrences,
                             include_boilerplate=self.include_boilerplate)


class CompareParams(BaseModel):
    """What the Compare page, its downloads and `GET /compare` take (the CLI's `compare` options)."""

    by: Literal[DIMENSIONS] = Field("source", description="what a group is")  # type: ignore[valid-type]
    techniques: list[Literal[tuple(TECHNIQUES)]] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=len(TECHNIQUES), description="only these techniques (then no categories)")
    since: FormDate = None
    until: FormDate = None
    min_confidence: FormConfidence = Field(None, description="findings below this confidence do not count")
    split_date: FormDate = Field(None, description="compare before this day with from it on")
    group: str | None = Field(None, max_length=200, description="only this group of `by` (exact name)")
    min_paragraphs: int = Field(30, ge=1, le=1_000_000, description="smaller groups are marked small, not tested")

    def run(self, store: Store) -> Comparison:
        return store.compare(by=self.by, techniques=self.techniques, since=self.since, until=self.until,
                             min_confidence=self.min_confidence or 0.0, split_date=self.split_date,
                             group=self.group or None, min_paragraphs=self.min_paragraphs)


def stored_analysis(store: Store, document_id: int) -> Analysis:
    """The stored analysis, or 404."""
    try:
        return store.get_document(document_id)
    except StoreError as exc:
        raise HTTPException(404, exc.message) from None


def spread(store: Store, cluster_id: int) -> Propagation:
    """A repeat cluster's propagation, or 404."""
    try:
        return store.propagation(cluster_id)
    except StoreError as exc:
        raise HTTPException(404, exc.message) from None


def summary(row: DocumentRow) -> DocumentSummary:
    return DocumentSummary(id=row.id, doc_id=row.doc_id, title=row.title, date=row.date, source=row.source,
                           language=row.language, external_id=row.external_id)


def search_out(result: SearchResult, *, limit: int, offset: int) -> SearchOut:
    hits = [SearchHitOut(
        document=DocumentSummary(id=h.document_id, doc_id=h.doc_id, title=h.title, date=h.date, source=h.source,
                                 language=h.language, external_id=h.external_id),
        segment_id=h.segment_key, segment_kind=h.segment_kind, speaker=h.speaker, language=h.language,
        score=h.score, snippet=h.snippet, highlights=h.highlights, techniques=h.techniques, link=h.link,
        forwarded_from=h.forwarded_from,
    ) for h in result.hits]
    return SearchOut(query=result.query, total=result.total, limit=limit, offset=offset, hits=hits,
                     facets=result.facets, complete=result.complete)


def trends_out(table: TrendTable) -> TrendsOut:
    series = [TrendSeries(name=name, counts=[table.count(name, p) for p in table.periods],
                          per_1000_words=[round(table.per_1000_words(name, p), 3) for p in table.periods])
              for name in table.series]
    return TrendsOut(by=table.by, group=table.group, periods=table.periods,  # type: ignore[arg-type]
                     words=[table.words.get(p, 0) for p in table.periods], series=series,
                     undated=table.undated)


def cluster_out(cluster: RepeatCluster) -> RepeatClusterOut:
    return RepeatClusterOut(
        id=cluster.id, level=cluster.level, canonical=cluster.canonical, count=cluster.count,
        documents=cluster.documents, first_seen=cluster.first_seen, last_seen=cluster.last_seen,
        sources=cluster.sources, boilerplate=cluster.boilerplate,
        occurrences=[OccurrenceOut(document_id=o.document_id, segment_id=o.segment_key, start=o.start, end=o.end,
                                   date=o.date, source=o.source, text=o.text, external_id=o.external_id,
                                   link=o.link, similarity=o.similarity) for o in cluster.occurrences],
    )
