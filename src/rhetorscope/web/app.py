"""The app factory: one FastAPI app with the pages, the REST API under /api/v1, and the rules around them.

Only `rhetorscope serve` and the tests import this package, so FastAPI never
slows down `rhetorscope analyze`.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from rhetorscope import __version__
from rhetorscope.errors import RhetorscopeError
from rhetorscope.web import api, claims_api, downloads, pages
from rhetorscope.web.pool import AnalyzePool, Busy, ClientGone, WorkerLost
from rhetorscope.web.reports import ReportCache
from rhetorscope.web.security import (
    BodyLimitMiddleware,
    HeadMiddleware,
    LoopbackHostMiddleware,
    SameOriginMiddleware,
    SecurityHeadersMiddleware,
    common_headers,
)
from rhetorscope.web.settings import LOOPBACK_HOSTS, Settings

if TYPE_CHECKING:
    from rhetorscope.store import Store

log = logging.getLogger("rhetorscope.web")

DESCRIPTION = """Analyse political texts for persuasion techniques, and search an analysed corpus.

`POST /api/v1/analyze` and `GET /api/v1/documents/{id}` answer with the same `Analysis` JSON as
`rhetorscope analyze --format json`. Errors are `{"detail": …, "hint": …}`; 429 means every analyze
worker and queue slot is busy (retry after the `Retry-After` seconds)."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the analyze pool and the store open when the server starts, and close when it stops."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = open_store(settings)
        app.state.pool = AnalyzePool(settings.workers, settings.queue, timeout_s=settings.analyze_timeout_s,
                                     memory_bytes=settings.worker_memory_bytes)
        try:
            await app.state.pool.start()
            yield
        finally:
            app.state.pool.close()
            app.state.store.close()

    app = FastAPI(title="rhetorscope", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.reports = ReportCache(settings.report_cache_bytes)

    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, timeout_s=settings.body_timeout_s)
    app.add_middleware(SameOriginMiddleware)
    if settings.loopback:
        # A page on another site must not reach this server through DNS rebinding.
        app.add_middleware(LoopbackHostMiddleware, allowed=LOOPBACK_HOSTS)
    app.add_middleware(HeadMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    _add_error_handlers(app)

    app.include_router(api.router)
    app.include_router(claims_api.router)
    app.include_router(downloads.router)  # before pages: /repeats/download.csv is not /repeats/{cluster_id}
    app.include_router(pages.router)
    app.mount("/static/docs", StaticFiles(directory=str(files("fastapi_offline") / "static")), name="docs-static")
    app.mount("/static", StaticFiles(packages=[("rhetorscope.web", "static")]), name="static")
    app.add_api_route("/docs", _docs, include_in_schema=False, response_class=HTMLResponse)
    return app


def open_store(settings: Settings) -> Store:
    """The corpus, read-only: no page or endpoint writes to it (GET /repeats included).

    With `create_db` an empty corpus is made first where there is none.
    """
    from rhetorscope.store import Store

    if settings.create_db:
        Store.open(settings.db).close()
    return Store.open(settings.db, readonly=True)


def check_store(settings: Settings) -> None:
    """Open and close the corpus, so a bad database is refused before the server starts."""
    open_store(settings).close()


def _docs() -> HTMLResponse:
    """Swagger UI from local files; its one inline script is allowed by hash, nothing else inline runs."""
    page = get_swagger_ui_html(openapi_url="/openapi.json", title="rhetorscope API",
                               swagger_js_url="/static/docs/swagger-ui-bundle.js",
                               swagger_css_url="/static/docs/swagger-ui.css",
                               swagger_favicon_url="/static/docs/favicon.png")
    html = bytes(page.body).decode()
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
                      for s in re.findall(r"<script>(.*?)</script>", html, re.S))
    csp = (f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
           "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")
    return HTMLResponse(html, headers={"content-security-policy": csp})


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _problem(request: Request, status: int, detail: str, hint: str = "",
             headers: dict[str, str] | None = None) -> Response:
    """One error answer: JSON `{detail, hint}` for the API, the error page for a browser."""
    if _is_api(request):
        return JSONResponse({"detail": detail, "hint": hint}, status_code=status, headers=headers)
    return pages.error_page(request, status, detail, hint, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    """Map every failure to a status and a one-line message; a traceback goes to the log, never to the client."""

    @app.exception_handler(RhetorscopeError)
    async def user_error(request: Request, exc: RhetorscopeError) -> Response:
        return _problem(request, getattr(exc, "status", 400), exc.message, exc.hint)

    @app.exception_handler(ClientGone)
    async def client_gone(request: Request, exc: ClientGone) -> Response:
        return Response(status_code=499)  # nobody reads it: nginx's "client closed request", for the log

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy) -> Response:
        return _problem(request, 429, "every analyze worker is busy", "retry in a moment",
                        headers={"retry-after": "1"})

    @app.exception_handler(WorkerLost)
    async def worker_lost(request: Request, exc: WorkerLost) -> Response:
        return _problem(request, 503, "the analyze worker stopped while working on this document",
                        "retry; if it happens again the document may be too large for this machine")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        return _problem(request, exc.status_code, detail, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if _is_api(request):
            body = {"detail": [{k: e[k] for k in ("type", "loc", "msg") if k in e} for e in errors],
                    "hint": "see /openapi.json for the expected parameters"}
            return JSONResponse(body, status_code=422)
        where = ".".join(str(p) for p in errors[0]["loc"][1:]) if errors else ""
        message = f"{where}: {errors[0]['msg']}" if errors else "invalid request"
        return pages.error_page(request, 400, message, "correct the form and submit again")

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        # Starlette sends this answer from outside every middleware, so it gets the security headers here.
        return _problem(request, 500, "internal error", "the server log has the details", headers=common_headers())
