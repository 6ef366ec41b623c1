"""Runs, their failed documents, and which stored documents the current models have not analysed.

`ingest_runs` has a row per `ingest` or `reanalyze`; `run_failures` a row per document a run
could not analyse, with the reason. A document is *current* when it is analysed and every model
version it records is one the pipeline runs now: that, decided per content key in the database,
is what makes a killed run resumable without analysing anything twice (the rerun selects what
is still not current; what a killed run committed is).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, func, insert, not_, or_, select, tuple_, update

from rhetorscope.store import schema as t
from rhetorscope.store.engine import retry_locked
from rhetorscope.store.records import load_analysis

if TYPE_CHECKING:
    from rhetorscope.model import Document
    from rhetorscope.store.core import Store

#: Version of the `rhetorscope runs --format json` output (docs/scale.md).
RUNS_SCHEMA = "rhetorscope-runs/1"


@dataclass(frozen=True)
class Failure:
    """A document a run did not store, and why."""

    item: str
    reason: str
    key: bytes | None = None


@dataclass(frozen=True)
class RunInfo:
    """One row of `rhetorscope runs`."""

    id: int
    command: str
    status: str
    started_at: str
    finished_at: str | None
    executor: str | None
    workers: int | None
    analyzed: bool
    added: int
    skipped: int
    failed_files: int
    failed_documents: int
    paths: list[str]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def describe_run(store: Store, run_id: int, *, command: str, executor: str, workers: int) -> None:
    """Say what runs a run: the command, and the executor and its workers."""
    retry_locked(store.engine, lambda conn: conn.execute(update(t.ingest_runs).where(t.ingest_runs.c.id == run_id)
                                                         .values(command=command, executor=executor,
                                                                 workers=workers, failed_documents=0)))


def record_failures(store: Store, run_id: int, failures: Sequence[Failure]) -> None:
    """Keep failed documents with their reasons, and the run's count of them, in one transaction."""
    if not failures:
        return

    def work(conn: Any) -> None:
        conn.execute(insert(t.run_failures), [{"run_id": run_id, "content_key": f.key, "item": f.item,
                                               "reason": f.reason} for f in failures])
        r = t.ingest_runs.c
        conn.execute(update(t.ingest_runs).where(r.id == run_id)
                     .values(failed_documents=func.coalesce(r.failed_documents, 0) + len(failures)))

    retry_locked(store.engine, work)


def list_runs(store: Store, *, limit: int = 20) -> list[RunInfo]:
    """The latest runs, newest first."""
    r = t.ingest_runs.c
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.ingest_runs).order_by(r.id.desc()).limit(limit)).mappings().all()
    return [RunInfo(id=row["id"], command=row["command"] or "ingest", status=row["status"],
                    started_at=row["started_at"].isoformat(timespec="seconds"),
                    finished_at=row["finished_at"].isoformat(timespec="seconds") if row["finished_at"] else None,
                    executor=row["executor"], workers=row["workers"], analyzed=bool(row["analyzed"]),
                    added=row["added"], skipped=row["skipped"], failed_files=row["failed"],
                    failed_documents=row["failed_documents"] or 0, paths=list(row["paths"])) for row in rows]


def run_failures(store: Store, run_id: int) -> list[Failure]:
    """The failed documents of one run, in the order they were recorded."""
    f = t.run_failures.c
    with store.engine.connect() as conn:
        rows = conn.execute(select(f.item, f.reason, f.content_key).where(f.run_id == run_id).order_by(f.id)).all()
    return [Failure(item, reason, bytes(key) if key is not None else None) for item, reason, key in rows]


def _not_current(models: Mapping[str, str]) -> Any:
    """SQL condition: the document is not analysed, or records a model version other than `models`, and its
    language is one the models read (or unknown, as `ingest` accepts it).

    A document ingest stored structure-only because of its language stays so: `reanalyze` ran the
    technique models on a Spanish post that `ingest --analyze` had refused to analyse.
    """
    from rhetorscope.language import SUPPORTED

    d, dm, mv = t.documents.c, t.document_models.c, t.model_versions.c
    pairs = list(models.items())
    other = (not_(tuple_(mv.component, mv.version).in_(pairs)) if pairs else True)
    stale = exists().where(and_(dm.document_id == d.id, mv.id == dm.model_version_id, other))
    readable = or_(d.language.is_(None), d.language.in_(SUPPORTED))
    return and_(readable, or_(not_(d.analyzed), stale))


def count_not_current(store: Store, models: Mapping[str, str]) -> int:
    """How many stored documents `reanalyze` would analyse."""
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.documents)
                                .where(_not_current(models))).scalar_one())


def not_current(store: Store, models: Mapping[str, str], *, after: int,
                limit: int) -> list[tuple[int, bytes, Document]]:
    """The next stored documents (by row id, after `after`) that the current models have not analysed.

    Keyset paging: the client streams a corpus of any size a page at a time. Each comes back as
    (row id, content key, stored document without its findings).
    """
    d = t.documents.c
    with store.engine.connect() as conn:
        rows = conn.execute(select(d.id, d.content_key).where(d.id > after, _not_current(models))
                            .order_by(d.id).limit(limit)).all()
        out = []
        for row_id, key in rows:
            analysis = load_analysis(conn, row_id)
            if analysis is not None:
                out.append((row_id, bytes(key), analysis.document))
        return out

