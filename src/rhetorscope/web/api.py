"""The REST API under /api/v1: typed with pydantic, answering the CLI's JSON schema.

Store-backed endpoints are plain `def`: the store is synchronous, so FastAPI
runs them in its thread pool and the event loop stays free. `POST /analyze`
is the one endpoint that starts work; it needs the token when one is set.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rhetorscope import __version__
from rhetorscope.model import SCHEMA_VERSION, Analysis
from rhetorscope.store import Store
from rhetorscope.store.compare import Comparison
from rhetorscope.store.propagation import Propagation
from rhetorscope.web import convert
from rhetorscope.web.inputs import multipart_schema, read_analyze_input
from rhetorscope.web.schemas import (
    AnalyzeRequest,
    CategoryOut,
    DocumentPage,
    Health,
    Problem,
    RepeatClusterOut,
    SearchOut,
    TechniqueOut,
    Techniques,
    TrendsOut,
    ValidationProblem,
)
from rhetorscope.web.security import token_matches

_ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": Problem, "description": "the input cannot be used"}}
_bearer = HTTPBearer(auto_error=False, description="the server's RHETORSCOPE_TOKEN, when it has one")

router = APIRouter(prefix="/api/v1", responses=_ERRORS)


def store_of(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def require_token(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
    """401 unless the server has no token or the request carries it as `Authorization: Bearer …`."""
    if not token_matches(request.app.state.settings.token, credentials.credentials if credentials else None):
        raise HTTPException(401, "this server needs a token for this request",
                            headers={"www-authenticate": "Bearer"})


StoreDep = Annotated[Store, Depends(store_of)]
Limit = Annotated[int, Query(ge=1, le=100, description="page size")]
Offset = Annotated[int, Query(ge=0, le=100_000, description="results to skip")]
Since = Annotated[convert.FormDate, Query(description="only documents dated on or after this day")]
Until = Annotated[convert.FormDate, Query(description="only documents dated on or before this day")]
SourceFilter = Annotated[str | None, Query(max_length=200, description="part of the source name")]


@router.post(
    "/analyze", response_model=Analysis, summary="Analyse one document",
    dependencies=[Depends(require_token)],
    responses={401: {"model": Problem}, 413: {"model": Problem}, 415: {"model": Problem},
               422: {"model": ValidationProblem | Problem,
                     "description": "invalid fields (a list), or a text in a language rhetorscope does not analyse"},
               429: {"model": Problem, "description": "every worker and queue slot is busy; see Retry-After"},
               503: {"model": Problem, "description": "the analysis passed its time or memory limit"}},
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": AnalyzeRequest.model_json_schema()},
        "multipart/form-data": {"schema": multipart_schema()},
    }}},
)
async def analyze(request: Request) -> Response:
    """Read, repair, structure and analyse one document (the same JSON as `rhetorscope analyze --format json`)."""
    given = await read_analyze_input(request)
    body = await request.app.state.pool.analyze(given.data, name=given.name, input_format=given.input_format,
                                                text_column=given.text_column, language=given.language,
                                                disconnected=request.is_disconnected)
    return Response(body, media_type="application/json")


@router.get("/health", response_model=Health, summary="Liveness and load")
async def health(request: Request) -> Health:
    pool = request.app.state.pool
    return Health(status="ok", version=__version__, schema_version=SCHEMA_VERSION, workers=pool.workers,
                  analyses_in_progress=pool.pending, capacity=pool.capacity, store=request.app.state.store.dialect)


@router.get("/techniques", response_model=Techniques, summary="The technique taxonomy")
async def techniques() -> Techniques:
    from rhetorscope.techniques import CATEGORIES, TECHNIQUES

    return Techniques(categories=[CategoryOut(**vars(c)) for c in CATEGORIES.values()],
                      techniques=[TechniqueOut(**vars(t)) for t in TECHNIQUES.values()])


@router.get("/documents", response_model=DocumentPage, summary="Stored documents, newest first")
def documents(store: StoreDep, limit: Limit = 20, offset: Offset = 0, source: SourceFilter = None,
              language: Annotated[str | None, Query(max_length=10)] = None, since: Since = None,
              until: Until = None) -> DocumentPage:
    from rhetorscope.store.listing import list_documents

    total, rows = list_documents(store, limit=limit, offset=offset, source=source, language=language,
                                 since=since, until=until)
    return DocumentPage(total=total, limit=limit, offset=offset, documents=[convert.summary(r) for r in rows])


@router.get("/documents/{document_id}", response_model=Analysis, summary="One stored document's analysis",
            responses={404: {"model": Problem}})
def document(store: StoreDep, document_id: Annotated[int, Path(ge=1, le=2**62)]) -> Response:
    return Response(convert.stored_analysis(store, document_id).model_dump_json(), media_type="application/json")


@router.get("/search", response_model=SearchOut, summary="Search paragraphs, with facet counts")
def search(store: StoreDep, filters: Annotated[convert.SearchParams, Query()], limit: Limit = 20,
           offset: Offset = 0, facets: bool = True) -> SearchOut:
    """`q` uses the CLI's syntax: words, "phrases", a OR b, prefix*, -excluded."""
    result = store.search(filters.q, filters.to_filters(), limit=limit, offset=offset, facets=facets)
    return convert.search_out(result, limit=limit, offset=offset)


@router.get("/trends", response_model=TrendsOut, summary="Technique or category counts over time")
def trends(store: StoreDep, by: Literal["day", "week", "month"] = "month",
           technique: convert.TechniqueId = None, category: convert.CategoryId = None,
           source: SourceFilter = None, since: Since = None, until: Until = None,
           min_confidence: Annotated[convert.FormConfidence, Query(description="findings below this confidence "
                                                                  "do not count")] = None) -> TrendsOut:
    table = store.trends(by=by, technique=technique, category=category, source=source, since=since, until=until,
                         min_confidence=min_confidence or 0.0)
    return convert.trends_out(table)


@router.get("/repeats", response_model=list[RepeatClusterOut], summary="Repeated talking points")
def repeats(response: Response, store: StoreDep, min_count: Annotated[int, Query(ge=2, le=10_000)] = 2,
            source: SourceFilter = None, since: Since = None, until: Until = None, limit: Limit = 20,
            offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
            occurrences: Annotated[int, Query(ge=1, le=100)] = 10,
            include_boilerplate: bool = False) -> list[RepeatClusterOut]:
    """A page of clusters; `X-Total-Count` holds how many match, `X-Boilerplate-Hidden` how many were left out."""
    page = store.repeats(min_count=min_count, since=since, until=until, source=source, limit=limit, offset=offset,
                         occurrences=occurrences, include_boilerplate=include_boilerplate)
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["X-Boilerplate-Hidden"] = str(page.boilerplate_hidden)
    return [convert.cluster_out(c) for c in page.clusters]


@router.get("/repeats/{cluster_id}", response_model=Propagation, summary="How one talking point spread",
            responses={404: {"model": Problem}})
def propagation(store: StoreDep, cluster_id: Annotated[int, Path(ge=1, le=2**62)]) -> Propagation:
    """Its occurrences in posting order: the first poster, each source's delay, forwards, copies and rewordings."""
    return convert.spread(store, cluster_id)


@router.get("/compare", response_model=Comparison, summary="Compare technique profiles between groups")
def compare(store: StoreDep, params: Annotated[convert.CompareParams, Query()]) -> Comparison:
    """Per group, paragraphs with each technique and category (share, per 1,000, Wilson 95 % interval); per row a
    chi-square (or Fisher) test, Benjamini–Hochberg q-value and Cramér's V; small groups marked, not tested."""
    return params.run(store)
