"""Request and response types of the REST API, beyond `Analysis` itself.

`POST /analyze` and `GET /documents/{id}` answer with `rhetorscope.model.Analysis`,
the same JSON the CLI writes; these models describe everything around it. They
are converted from the store's dataclasses here, so the store never depends on
the web layer.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rhetorscope.language import SUPPORTED
from rhetorscope.readers.sniff import FORMATS
from rhetorscope.store.search import PG_SEARCH_CAP

InputFormatName = Literal[FORMATS]  # type: ignore[valid-type]  # the readers' formats, whatever they become


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AnalyzeRequest(_Out):
    """JSON body of `POST /analyze`: the text, and optionally how to read it."""

    text: str = Field(min_length=1, description="the document: plain text, HTML, a Telegram export, JSONL or CSV")
    format_hint: InputFormatName | None = Field(None, description="skip content sniffing and read as this format")
    text_column: str | None = Field(None, max_length=200, description="text column of CSV/JSONL input")
    name: str | None = Field(None, max_length=200, description="shown as the document's source")
    language: Literal[SUPPORTED] | None = Field(  # type: ignore[valid-type]
        None, description="analyse in this language instead of detecting it")


class Problem(_Out):
    """Every error answer: what is wrong, and what to do about it."""

    detail: str
    hint: str = ""


class FieldProblem(_Out):
    type: str
    loc: list[str | int]
    msg: str


class ValidationProblem(_Out):
    """422: which fields of the request are wrong."""

    detail: list[FieldProblem]
    hint: str = ""


class Health(_Out):
    status: Literal["ok"]
    version: str
    schema_version: str
    workers: int
    analyses_in_progress: int = Field(description="running plus waiting; 429 once this reaches capacity")
    capacity: int
    store: str = Field(description="database backend: sqlite or postgresql")


class CategoryOut(_Out):
    id: str
    name: str
    description: str


class TechniqueOut(_Out):
    id: str
    name: str
    category: str
    definition: str
    example: str


class Techniques(_Out):
    categories: list[CategoryOut]
    techniques: list[TechniqueOut]


class DocumentSummary(_Out):
    """One stored document, without its text: what a list or a search result needs."""

    id: int = Field(description="row id in the corpus; use it with GET /documents/{id}")
    doc_id: str = Field(description="content hash of the text (Analysis.document.id)")
    title: str | None
    date: dt.date | None
    source: str
    language: str | None
    external_id: str | None


class DocumentPage(_Out):
    total: int
    limit: int
    offset: int
    documents: list[DocumentSummary]


class SearchHitOut(_Out):
    document: DocumentSummary
    segment_id: str
    segment_kind: str
    speaker: str | None
    language: str | None
    score: float
    snippet: str
    highlights: list[tuple[int, int]] = Field(description="(start, end) of matched words inside snippet")
    techniques: list[str]
    link: str | None = Field(None, description="the post's public address, where the export gives one")
    forwarded_from: str | None = Field(None, description="channel or user a Telegram post was forwarded from")


class SearchOut(_Out):
    query: str
    total: int
    limit: int
    offset: int
    hits: list[SearchHitOut]
    facets: dict[str, dict[str, int]] = Field(description="dimension -> value -> matching paragraphs")
    complete: bool = Field(True, description=f"false when PostgreSQL ranked and counted only the first "
                                             f"{PG_SEARCH_CAP:,} matching paragraphs (docs/corpus.md): then "
                                             "`total` is a lower bound")


class TrendSeries(_Out):
    name: str
    counts: list[int] = Field(description="one per period")
    per_1000_words: list[float]


class TrendsOut(_Out):
    by: Literal["day", "week", "month"]
    group: Literal["technique", "category"]
    periods: list[dt.date]
    words: list[int] = Field(description="words published per period")
    series: list[TrendSeries]
    undated: int = Field(0, description="analysed documents without a date, left out of every period")


class OccurrenceOut(_Out):
    document_id: int
    segment_id: str
    start: int
    end: int
    date: dt.date | None
    source: str
    text: str
    external_id: str | None = None
    link: str | None = Field(None, description="the post's public address, where the export gives one")
    similarity: float = Field(1.0, description="word-set Jaccard similarity to the canonical wording")


class RepeatClusterOut(_Out):
    id: int
    level: str
    canonical: str
    count: int
    documents: int
    first_seen: dt.date | None
    last_seen: dt.date | None
    sources: list[str]
    occurrences: list[OccurrenceOut]
    boilerplate: bool = Field(False, description="recurs in a large share of one source's posts")
