"""`/api/v1/factchecks` and `/api/v1/claims/match`: the store's fact-checks, and matching a claim against them.

Plain `def` endpoints (the store is synchronous; FastAPI runs them in its thread pool). The matcher
holds the whole collection in memory and is rebuilt only when the number of stored fact-checks
changes, so a match costs the claim's encoding plus a few milliseconds of search.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from rhetorscope.model import Match
from rhetorscope.web.api import Limit, Offset, StoreDep
from rhetorscope.web.convert import FormDate

router = APIRouter(prefix="/api/v1")
_LOCK = threading.Lock()


class FactCheckOut(BaseModel):
    """One stored fact-check."""

    model_config = ConfigDict(extra="forbid")

    id: int
    claim: str
    title: str | None
    rating: str | None
    reviewer: str | None
    url: str | None
    claimant: str | None
    claim_date: str | None = Field(description="ISO date the claim was made, when known")
    review_date: str | None = Field(description="ISO date of the fact-check, when known")
    language: str | None
    collection: str = Field(description="the file it was imported from")


class FactCheckPage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    total: int
    limit: int
    offset: int
    factchecks: list[FactCheckOut]


class MatchOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    claim: str
    matches: list[Match]


@router.get("/factchecks", response_model=FactCheckPage, summary="Stored fact-checks, newest review first")
def factchecks(store: StoreDep, limit: Limit = 20, offset: Offset = 0,
               reviewer: Annotated[str | None, Query(max_length=200, description="part of the reviewer's name")] = None,
               since: Annotated[FormDate, Query(description="reviewed on or after this day")] = None,
               until: Annotated[FormDate, Query(description="reviewed on or before this day")] = None) -> FactCheckPage:
    from rhetorscope.claims.factchecks import count, list_factchecks

    rows = list_factchecks(store, limit=limit, offset=offset, reviewer=reviewer or None, since=since, until=until)
    return FactCheckPage(total=count(store)["factchecks"], limit=limit, offset=offset,
                         factchecks=[FactCheckOut(**r) for r in rows])


@router.get("/claims/match", response_model=MatchOut, summary="Has this claim been fact-checked already?")
def match(request: Request, store: StoreDep,
          q: Annotated[str, Query(min_length=1, max_length=2000, description="the claim, in any of six languages")],
          top: Annotated[int, Query(ge=1, le=20, description="fact-checks to return")] = 3) -> MatchOut:
    """The best stored fact-checks for a claim: BM25 and multilingual meaning, with shared words."""
    return MatchOut(claim=q, matches=matcher(request, store)([q], top)[0])


def matcher(request: Request, store: Any) -> Any:
    """The app's matcher, rebuilt when the collection's size changed since it was built."""
    from rhetorscope.claims.factchecks import StoreMatcher, count
    from rhetorscope.encoder import load_encoder

    size = count(store)["factchecks"]
    with _LOCK:
        cached = getattr(request.app.state, "claim_matcher", None)
        if cached is None or len(cached) != size:
            cached = StoreMatcher(store, load_encoder())
            request.app.state.claim_matcher = cached
    return lambda claims, top: cached(claims, top=top)
