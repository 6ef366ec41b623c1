"""CSV and JSON downloads of the corpus views: Corpus search, Trends, Repeats, Compare.

Each download takes the same query parameters as its page (the page links to it
with its own query string), and answers the whole result rather than the page
shown: up to `MAX_HITS` hits, `MAX_CLUSTERS` clusters. JSON is the REST API's
JSON for the same question; CSV is the CLI's CSV (`--format csv`), from the same
row builders.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from rhetorscope.io import csv_text
from rhetorscope.store.compare import ROW_COLUMNS
from rhetorscope.store.repeats import OCCURRENCE_COLUMNS
from rhetorscope.store.search import HIT_COLUMNS
from rhetorscope.web import convert

MAX_HITS = 10_000
MAX_CLUSTERS = 1_000
MAX_OCCURRENCES = 100
Format = Literal["csv", "json"]

router = APIRouter(include_in_schema=False)


def attachment(body: str | bytes, media_type: str, filename: str, headers: Mapping[str, str] | None = None) -> Response:
    """An answer the browser saves as `filename` instead of showing it."""
    return Response(body, media_type=media_type,
                    headers={"content-disposition": f'attachment; filename="{filename}"', **(headers or {})})


def _answer(fmt: Format, name: str, json_body: str, csv_body: str) -> Response:
    if fmt == "json":
        return attachment(json_body, "application/json", f"{name}.json")
    return attachment(csv_body, "text/csv; charset=utf-8", f"{name}.csv")


@router.get("/corpus/download.{fmt}")
def corpus_download(request: Request, fmt: Format, params: Annotated[convert.SearchParams, Query()]) -> Response:
    result = request.app.state.store.search(params.q, params.to_filters(), limit=MAX_HITS, offset=0)
    out = convert.search_out(result, limit=MAX_HITS, offset=0)
    return _answer(fmt, "search", out.model_dump_json(indent=2), csv_text(result.rows(), HIT_COLUMNS))


@router.get("/trends/download.{fmt}")
def trends_download(request: Request, fmt: Format, params: Annotated[convert.TrendParams, Query()]) -> Response:
    table = params.table(request.app.state.store)
    return _answer(fmt, "trends", convert.trends_out(table).model_dump_json(indent=2),
                   csv_text(table.rows(), table.columns))


@router.get("/repeats/download.{fmt}")
def repeats_download(request: Request, fmt: Format, params: Annotated[convert.RepeatParams, Query()]) -> Response:
    page = params.page(request.app.state.store, limit=MAX_CLUSTERS, offset=0, occurrences=MAX_OCCURRENCES)
    clusters = [convert.cluster_out(c).model_dump(mode="json") for c in page.clusters]
    return _answer(fmt, "repeats", json.dumps(clusters, ensure_ascii=False, indent=2),
                   csv_text(page.rows(), OCCURRENCE_COLUMNS))


@router.get("/compare/download.{fmt}")
def compare_download(request: Request, fmt: Format, params: Annotated[convert.CompareParams, Query()]) -> Response:
    result = params.run(request.app.state.store)
    return _answer(fmt, "compare", result.model_dump_json(indent=2), csv_text(result.rows(), ROW_COLUMNS))
