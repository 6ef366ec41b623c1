"""Fact-check collections in the store: import, vectors, listing, export and matching.

Import is idempotent: a record's key (claim, URL, title) is unique in the `factchecks` table, so a
re-import adds nothing and says so. Vectors (the e5 rows of the claim and of the title, float16
bytes) are stored with the record and computed for every record that has none, in batches; on
PostgreSQL they live in the same binary columns, so one code path serves both databases. Matching
loads the collection once into a `ClaimIndex` (BM25 + cosine) and answers each claim in
milliseconds.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select, update

from rhetorscope.claims.claimreview import FactCheck, parse_file
from rhetorscope.claims.rerank import embed_views, load_default
from rhetorscope.claims.retrieval import ClaimIndex, vclaim_text
from rhetorscope.encoder import Encoder
from rhetorscope.model import Match
from rhetorscope.store import Store
from rhetorscope.store import schema as t
from rhetorscope.store.engine import retry_locked

_INSERT_BATCH = 2000
_EMBED_BATCH = 256


@dataclass
class ImportReport:
    """What an import did: records added, already present, and skipped (where, why)."""

    added: int = 0
    present: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)


def import_records(store: Store, records: Iterable[FactCheck], collection: str) -> tuple[int, int]:
    """Insert the records not yet stored; returns (added, already present)."""
    by_key: dict[str, FactCheck] = {}
    for r in records:
        by_key.setdefault(r.key, r)
    keys = list(by_key)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    added = 0
    for start in range(0, len(keys), _INSERT_BATCH):
        chunk = keys[start : start + _INSERT_BATCH]

        def work(conn: Any, chunk: list[str] = chunk) -> int:
            stored = set(conn.execute(select(t.factchecks.c.key).where(t.factchecks.c.key.in_(chunk))).scalars())
            rows = [{"key": k, "claim": by_key[k].claim, "title": by_key[k].title, "rating": by_key[k].rating,
                     "reviewer": by_key[k].reviewer, "url": by_key[k].url, "claimant": by_key[k].claimant,
                     "claim_date": by_key[k].claim_date, "review_date": by_key[k].review_date,
                     "language": by_key[k].language, "collection": collection, "imported": now}
                    for k in chunk if k not in stored]
            if rows:
                conn.execute(insert(t.factchecks), rows)
            return len(rows)

        added += retry_locked(store.engine, work)
    return added, len(keys) - added


def import_files(store: Store, paths: Sequence[Path]) -> ImportReport:
    """Import every file; records skipped inside a file are reported, not fatal."""
    report = ImportReport()
    for path in paths:
        parsed = parse_file(path)
        added, present = import_records(store, parsed.records, path.name)
        report.added += added
        report.present += present + (len(parsed.records) - len({r.key for r in parsed.records}))
        report.skipped.extend(parsed.skipped)
    return report


def embed_missing(store: Store, encoder: Encoder, progress: Callable[[int], None] | None = None) -> int:
    """Compute and store the claim and title vectors of every fact-check that has none (or one from
    another encoder); without a title, the claim's vector stands for it when matching."""
    c = t.factchecks.c
    with store.engine.connect() as conn:
        todo = conn.execute(select(c.id, c.claim, c.title).where((c.vector.is_(None)) | (c.encoder != encoder.name))
                            .order_by(c.id)).all()
    for start in range(0, len(todo), _EMBED_BATCH):
        chunk = todo[start : start + _EMBED_BATCH]
        rows = encoder.encode([r.claim for r in chunk], "passage").astype(np.float16)
        titled = [i for i, r in enumerate(chunk) if r.title]
        titles = encoder.encode([chunk[i].title for i in titled], "passage").astype(np.float16)
        title_of = dict(zip(titled, titles, strict=True))

        def work(conn: Any, chunk: list[Any] = chunk, rows: np.ndarray = rows,
                 title_of: dict[int, np.ndarray] = title_of) -> None:
            for i, (r, row) in enumerate(zip(chunk, rows, strict=True)):
                title = title_of.get(i)
                conn.execute(update(t.factchecks).where(c.id == r.id).values(
                    vector=row.tobytes(), title_vector=None if title is None else title.tobytes(),
                    encoder=encoder.name))

        retry_locked(store.engine, work)
        if progress:
            progress(len(chunk))
    return len(todo)


def count(store: Store) -> dict[str, int]:
    """Fact-checks stored, and how many have a vector."""
    c = t.factchecks.c
    with store.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(t.factchecks)).scalar_one()
        vectors = conn.execute(select(func.count()).where(c.vector.is_not(None))).scalar_one()
    return {"factchecks": int(total), "with_vectors": int(vectors)}


_PUBLIC = ("id", "claim", "title", "rating", "reviewer", "url", "claimant", "claim_date", "review_date",
           "language", "collection")


def _public(row: Any) -> dict[str, Any]:
    out = {k: getattr(row, k) for k in _PUBLIC}
    for k in ("claim_date", "review_date"):
        out[k] = out[k].isoformat() if out[k] else None
    return out


def list_factchecks(store: Store, *, limit: int = 20, offset: int = 0, reviewer: str | None = None,
                    since: dt.date | None = None, until: dt.date | None = None) -> list[dict[str, Any]]:
    """Stored fact-checks, newest review first, optionally filtered by reviewer and review date."""
    c = t.factchecks.c
    query = select(*(getattr(c, k) for k in _PUBLIC))
    if reviewer:
        query = query.where(c.reviewer.contains(reviewer))
    if since:
        query = query.where(c.review_date >= since)
    if until:
        query = query.where(c.review_date <= until)
    query = query.order_by(c.review_date.desc().nulls_last(), c.id).limit(limit).offset(offset)
    with store.engine.connect() as conn:
        return [_public(r) for r in conn.execute(query)]


def export_claim_review(store: Store) -> Iterable[str]:
    """Every stored fact-check as one schema.org ClaimReview JSON line (what `import` reads back)."""
    c = t.factchecks.c
    with store.engine.connect() as conn:
        for r in conn.execute(select(*(getattr(c, k) for k in _PUBLIC)).order_by(c.id)):
            obj: dict[str, Any] = {"@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": r.claim}
            if r.title:
                obj["headline"] = r.title
            if r.url:
                obj["url"] = r.url
            if r.rating:
                obj["reviewRating"] = {"@type": "Rating", "alternateName": r.rating}
            if r.reviewer:
                obj["author"] = {"@type": "Organization", "name": r.reviewer}
            if r.review_date:
                obj["datePublished"] = r.review_date.isoformat()
            if r.language:
                obj["inLanguage"] = r.language
            item: dict[str, Any] = {"@type": "Claim"}
            if r.claimant:
                item["author"] = {"@type": "Person", "name": r.claimant}
            if r.claim_date:
                item["datePublished"] = r.claim_date.isoformat()
            if len(item) > 1:
                obj["itemReviewed"] = item
            yield json.dumps(obj, ensure_ascii=False, sort_keys=True)


class StoreMatcher:
    """Matches claim sentences against the store's fact-checks (loaded once, searched in memory).

    Fact-checks without a vector are still found by their words; run `factchecks import` (or
    `embed_missing`) to give them one.
    """

    def __init__(self, store: Store, encoder: Encoder | None, top: int = 3, min_score: float = 0.0) -> None:
        c = t.factchecks.c
        with store.engine.connect() as conn:
            rows = conn.execute(select(*(getattr(c, k) for k in _PUBLIC), c.vector, c.title_vector)
                                .order_by(c.id)).all()
        self.rows = rows
        self.encoder = encoder
        self.top = top
        self.min_score = min_score
        vectors = titles = None
        if encoder is not None and rows:
            vectors = np.zeros((len(rows), encoder.dim), dtype=np.float32)
            titles = np.zeros((len(rows), encoder.dim), dtype=np.float32)
            for i, r in enumerate(rows):
                if r.vector is not None:
                    vectors[i] = np.frombuffer(r.vector, dtype=np.float16)
                    titles[i] = vectors[i] if r.title_vector is None else np.frombuffer(r.title_vector, np.float16)
        self.index = ClaimIndex([vclaim_text(r.claim, r.title or "") for r in rows], vectors, titles,
                                load_default())

    def __len__(self) -> int:
        return len(self.rows)

    def __call__(self, claims: Sequence[str], top: int | None = None) -> list[list[Match]]:
        """The best fact-checks per claim, each with its score, shared rare words and matched passage."""
        if not claims or not self.rows:
            return [[] for _ in claims]
        vectors, views = None, None
        if self.encoder is not None:
            vectors = self.encoder.encode(list(claims), "query")
            if self.index.reranker is not None:
                views = embed_views(self.encoder, claims, vectors)
        out = []
        for n, claim in enumerate(claims):
            hits = self.index.search(claim, None if vectors is None else vectors[n], top or self.top,
                                     views=None if views is None else views[n])
            matches = []
            for h in hits:
                if h.score < self.min_score:
                    continue
                r = self.rows[h.index]
                matches.append(Match(
                    factcheck_id=r.id, claim=r.claim, rating=r.rating, reviewer=r.reviewer, url=r.url,
                    language=r.language, score=round(h.score, 4),
                    shared_terms=self.index.shared_terms(claim, vclaim_text(r.claim, r.title or "")),
                    passage=r.claim))
            out.append(matches)
        return out
