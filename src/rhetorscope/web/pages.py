"""Server-rendered pages: Analyze, Corpus, Document, Trends, Repeats (and one talking point's spread), Compare, Claims.

Every page works without JavaScript; `static/app.js` only adds the hover/click
card and keyboard focus on highlights. Reports reuse the HTML renderer's
template (`render/templates/_report.html.j2`) through an overlay of its Jinja2
environment, so the page and the downloaded report can never disagree, and
both escape everything a document contains.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from rhetorscope.errors import RhetorscopeError
from rhetorscope.model import Analysis
from rhetorscope.web import convert
from rhetorscope.web.downloads import attachment
from rhetorscope.web.inputs import PASTED, read_analyze_input
from rhetorscope.web.security import REPORT_CSP, bearer, token_matches

PER_PAGE = 20
DocId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]
RowId = Annotated[int, Path(ge=1, le=2**62)]

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    """The report renderer's environment (autoescape, filters, globals) with the web templates in front."""
    from rhetorscope.render.html import environment

    base = environment()
    env = base.overlay(loader=jinja2.ChoiceLoader([jinja2.PackageLoader("rhetorscope.web", "templates"),
                                                   base.loader]))  # type: ignore[list-item]
    return Jinja2Templates(env=env)


def render(request: Request, name: str, status_code: int = 200, headers: Mapping[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    from rhetorscope.language import LANGUAGE_NAMES

    context.setdefault("token_required", bool(request.app.state.settings.token))
    context.setdefault("languages", LANGUAGE_NAMES)
    return templates().TemplateResponse(request, name, context, status_code=status_code, headers=headers)


def error_page(request: Request, status: int, detail: str, hint: str = "",
               headers: Mapping[str, str] | None = None) -> HTMLResponse:
    return render(request, "error.html.j2", status, headers, status=status, detail=detail, hint=hint)


def analysis_view(analysis: Analysis) -> dict[str, Any]:
    """The report context plus what the page adds around it: outline, speakers, back-links, cards."""
    from rhetorscope.render.html import report_context
    from rhetorscope.techniques import TECHNIQUES

    context = report_context(analysis)
    speakers: dict[str, Counter[str]] = {}
    for seg in analysis.document.segments:
        if seg.speaker:
            speakers.setdefault(seg.speaker, Counter())[str(seg.kind).replace("_", " ")] += 1
    backlinks: dict[str, list[dict[str, str]]] = {}
    for f in analysis.findings:
        for rel in f.related:
            if rel.segment_id == f.segment_id:
                continue  # a span confirming its own paragraph's label: shown on the finding, not in the outline
            backlinks.setdefault(rel.segment_id, []).append(
                {"id": f.id, "segment_id": f.segment_id, "relation_label": _REVERSE.get(rel.relation, "linked from")})
    context.update(speakers=speakers, backlinks=backlinks, technique_info=TECHNIQUES)
    return {"r": context}


#: How a relation reads from the other end: a finding in s5 that "repeats" s2 makes s2 "repeated in" s5.
_REVERSE = {"repeats": "repeated in", "repeated_by": "repeats", "confirms": "confirmed by"}


def _report_html(analysis: Analysis, filename: str) -> Response:
    from rhetorscope.render.html import render_html

    return attachment(render_html([analysis]), "text/html; charset=utf-8", filename,
                     {"content-security-policy": REPORT_CSP})


# Analyze


@router.get("/", response_class=HTMLResponse)
async def analyze_page(request: Request) -> HTMLResponse:
    return render(request, "analyze.html.j2", page="analyze")


@router.post("/analyze", response_class=HTMLResponse)
async def analyze_submit(request: Request) -> Response:
    """Analyse the form's text or file, keep the result for download, and redirect to it (POST-redirect-GET)."""
    given = await read_analyze_input(request)
    settings = request.app.state.settings
    if not token_matches(settings.token, given.token or bearer(request.headers.get("authorization"))):
        return render(request, "analyze.html.j2", 401, page="analyze", error="This server needs its access token.",
                      text=given.data.decode("utf-8", "replace") if given.name == PASTED else "")
    try:
        body = await request.app.state.pool.analyze(given.data, name=given.name, input_format=given.input_format,
                                                    text_column=given.text_column, language=given.language,
                                                    disconnected=request.is_disconnected)
    except RhetorscopeError as exc:
        return render(request, "analyze.html.j2", getattr(exc, "status", 400), page="analyze", error=str(exc),
                      text=given.data.decode("utf-8", "replace") if given.name == PASTED else "")
    doc_id = Analysis.model_validate_json(body).document.id
    request.app.state.reports.put(doc_id, body)
    return RedirectResponse(f"/report/{doc_id}", status_code=303)


def _cached(request: Request, doc_id: str) -> tuple[str, Analysis]:
    body = request.app.state.reports.get(doc_id)
    if body is None:
        from fastapi import HTTPException

        raise HTTPException(404, "this report is no longer kept in memory; analyse the text again")
    return body, Analysis.model_validate_json(body)


@router.get("/report/{doc_id}", response_class=HTMLResponse)
async def report_page(request: Request, doc_id: DocId) -> HTMLResponse:
    _, analysis = _cached(request, doc_id)
    return render(request, "analyze.html.j2", page="analyze", analysis=analysis,
                  downloads={"json": f"/report/{doc_id}/analysis.json", "html": f"/report/{doc_id}/report.html"},
                  **analysis_view(analysis))


@router.get("/report/{doc_id}/analysis.json")
async def report_json(request: Request, doc_id: DocId) -> Response:
    body, _ = _cached(request, doc_id)
    return attachment(body, "application/json", f"{doc_id}.json")


@router.get("/report/{doc_id}/report.html")
async def report_html(request: Request, doc_id: DocId) -> Response:
    _, analysis = _cached(request, doc_id)
    return _report_html(analysis, f"{doc_id}.html")


# Corpus and documents


@router.get("/corpus", response_class=HTMLResponse)
def corpus_page(request: Request, params: Annotated[convert.SearchParams, Query()],
                page: Annotated[int, Query(ge=1, le=5000)] = 1) -> HTMLResponse:
    """Search with facets; a bad query re-renders the form with the reason instead of an error page."""
    from rhetorscope.techniques import CATEGORIES, TECHNIQUES

    store = request.app.state.store
    context: dict[str, Any] = {"page": "corpus", "params": params, "techniques": TECHNIQUES,
                               "categories": CATEGORIES, "current_page": page}
    try:
        result = store.search(params.q, params.to_filters(), limit=PER_PAGE, offset=(page - 1) * PER_PAGE,
                              facets=True)
    except RhetorscopeError as exc:
        return render(request, "corpus.html.j2", 400, error=str(exc), **context)
    hits = [{"hit": hit, "pieces": _marked(hit.snippet, hit.highlights)} for hit in result.hits]
    return render(request, "corpus.html.j2", result=result, hits=hits,
                  pages=max(1, math.ceil(result.total / PER_PAGE)), **context)


def _marked(text: str, highlights: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """Cut a snippet into (text, highlighted) pieces, so the template escapes the text and adds <mark> itself."""
    out, pos = [], 0
    for start, end in sorted(highlights):
        if start < pos:
            continue
        out += [(text[pos:start], False), (text[start:end], True)]
        pos = end
    out.append((text[pos:], False))
    return [p for p in out if p[0]]


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(request: Request, document_id: RowId) -> HTMLResponse:
    from rhetorscope.store.records import post_link

    analysis = convert.stored_analysis(request.app.state.store, document_id)
    meta = analysis.document.metadata
    provenance = {"source": meta.source, "message or row": meta.external_id, "date": meta.date,
                  "posted": meta.extra.get("datetime"), "edited": meta.extra.get("edited"),
                  "stated date": meta.stated_date, "forwarded from": meta.extra.get("forwarded_from"),
                  "sender": meta.extra.get("from")}
    return render(request, "document.html.j2", page="corpus", analysis=analysis, document_id=document_id,
                  provenance={k: v for k, v in provenance.items() if v},
                  link=post_link(meta.input_format, meta.external_id, meta.extra),
                  downloads={"json": f"/api/v1/documents/{document_id}",
                             "html": f"/documents/{document_id}/report.html"},
                  **analysis_view(analysis))


@router.get("/documents/{document_id}/report.html")
def document_report(request: Request, document_id: RowId) -> Response:
    analysis = convert.stored_analysis(request.app.state.store, document_id)
    return _report_html(analysis, f"document-{document_id}.html")


@router.get("/documents/{document_id}/at/{segment_id}")
def document_segment(request: Request, document_id: RowId,
                     segment_id: Annotated[str, Path(pattern=r"^s\d{1,6}$")]) -> RedirectResponse:
    """Link target for a repeat's occurrence: the store knows the row id, the page anchors use the content id."""
    analysis = convert.stored_analysis(request.app.state.store, document_id)
    return RedirectResponse(f"/documents/{document_id}#{analysis.document.id}-{segment_id}", status_code=303)


# Trends and repeats


@router.get("/trends", response_class=HTMLResponse)
def trends_page(request: Request, params: Annotated[convert.TrendParams, Query()]) -> HTMLResponse:
    """One small chart per series (per 1,000 words), on a shared scale, with the numbers in a table."""
    from rhetorscope.techniques import CATEGORIES, TECHNIQUES

    trends = convert.trends_out(params.table(request.app.state.store))
    peak = max((v for s in trends.series for v in s.per_1000_words), default=0.0)
    return render(request, "trends.html.j2", page="trends", trends=trends, peak=peak or 1.0, techniques=TECHNIQUES,
                  categories=CATEGORIES, **params.model_dump())


@router.get("/repeats", response_class=HTMLResponse)
def repeats_page(request: Request, params: Annotated[convert.RepeatParams, Query()],
                 page: Annotated[int, Query(ge=1, le=5000)] = 1) -> HTMLResponse:
    found = params.page(request.app.state.store, limit=PER_PAGE, offset=(page - 1) * PER_PAGE, occurrences=50)
    return render(request, "repeats.html.j2", page="repeats", clusters=found.clusters, found=found,
                  current_page=page, pages=max(1, math.ceil(found.total / PER_PAGE)), **params.model_dump())


@router.get("/repeats/{cluster_id}", response_class=HTMLResponse)
def propagation_page(request: Request, cluster_id: RowId) -> HTMLResponse:
    """One talking point's timeline: first poster, sources in the order they took it up, every occurrence."""
    from rhetorscope.store.propagation import delay

    spread = convert.spread(request.app.state.store, cluster_id)
    return render(request, "propagation.html.j2", page="repeats", spread=spread, delay=delay)


@router.get("/repeats/{cluster_id}/timeline.svg")
def propagation_chart(request: Request, cluster_id: RowId) -> Response:
    from rhetorscope.render.charts import timeline_chart

    spread = convert.spread(request.app.state.store, cluster_id)
    return Response(timeline_chart(spread, "svg"), media_type="image/svg+xml")


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, params: Annotated[convert.CompareParams, Query()]) -> HTMLResponse:
    """Profiles side by side (chart and table) with the tests; a bad choice re-renders the form with the reason."""
    from rhetorscope.store.compare import DIMENSIONS
    from rhetorscope.techniques import CATEGORIES, TECHNIQUES

    context: dict[str, Any] = {"page": "compare", "params": params, "dimensions": DIMENSIONS,
                               "techniques": TECHNIQUES, "categories": CATEGORIES}
    try:
        result = params.run(request.app.state.store)
    except RhetorscopeError as exc:
        return render(request, "compare.html.j2", 400, error=str(exc), **context)
    return render(request, "compare.html.j2", result=result, **context)


@router.get("/compare/chart.svg")
def compare_chart(request: Request, params: Annotated[convert.CompareParams, Query()]) -> Response:
    from rhetorscope.render.charts import compare_chart as draw

    return Response(draw(params.run(request.app.state.store), "svg"), media_type="image/svg+xml")


@router.get("/claims", response_class=HTMLResponse)
def claims_page(request: Request, source: Annotated[str | None, Query(max_length=200)] = None,
                since: convert.FormDate = None, until: convert.FormDate = None) -> HTMLResponse:
    from rhetorscope.claims.corpus import top_claims

    claims = top_claims(request.app.state.store, source=source or None, since=since, until=until)
    return render(request, "claims.html.j2", page="claims", claims=claims, source=source, since=since, until=until)


@router.get("/static/report.css")
def report_css() -> Response:
    """The report stylesheet, served from the renderer so the page and the downloaded report look the same."""
    return Response(_report_css(), media_type="text/css", headers={"cache-control": "max-age=3600"})


@lru_cache(maxsize=1)
def _report_css() -> str:
    return (files("rhetorscope.render") / "templates" / "report.css").read_text(encoding="utf-8")
