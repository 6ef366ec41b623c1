"""What a worker does with one batch: run the pipeline on each document and build its rows.

The same function runs in a local process pool and on a Dask worker, so it takes and returns
plain picklable data. Models load once per worker process (the pipelines are cached), and a
document that fails is returned with its reason instead of failing the batch: one bad post must
not cost the other 499, nor make the cluster retry the batch.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rhetorscope.model import Analysis, Document
from rhetorscope.readers.base import RawDocument
from rhetorscope.store.records import Prepared
from rhetorscope.store.runs import Failure

if TYPE_CHECKING:
    from rhetorscope.pipeline import Pipeline

#: An English probe whose analysis names every model the pipeline runs (`current_models`).
_PROBE = ("The minister said the sanctions have failed. Everyone knows the West will never admit it, "
          "and the people of Europe pay the price every single day.")


@dataclass(frozen=True)
class Item:
    """One document to analyse: as read from a file (`raw`), or stored already (`stored`, reanalysis)."""

    key: bytes
    #: How a failure names it: "posts.json: message #12", "document 381".
    name: str
    raw: RawDocument | None = None
    stored: Document | None = None


@dataclass
class BatchResult:
    """A batch's rows, its failures, and what it cost the worker (CPU seconds, not wall time)."""

    prepared: list[Prepared] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    #: documents stored with their structure only, in a language rhetorscope does not analyse: "name ('es')"
    unsupported: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0
    worker: str = ""


def analyse_batch(items: Sequence[Item], analyze: bool, fast: bool, tsvectors: bool = False) -> BatchResult:
    """Analyse (or only structure, without `analyze`) each item and prepare its rows for the writer.

    The language policy is `rhetorscope.policy`'s, as in `ingest` without an executor: a document
    in a language rhetorscope does not analyse is stored with its structure only (searchable, not
    analysed) and named in `unsupported`; a long text that reads as no language is a failure.
    `tsvectors`: also make the PostgreSQL index entries, which the writer would otherwise make.
    """
    from rhetorscope.errors import RhetorscopeError
    from rhetorscope.policy import analyse_or_structure, precheck_batch
    from rhetorscope.store.records import prepare
    from rhetorscope.store.tokens import to_tsvector

    started = time.process_time()
    result = BatchResult(worker=f"{socket.gethostname()}:{os.getpid()}")
    early = iter(precheck_batch([item.raw for item in items if item.raw is not None],
                                [item.name for item in items if item.raw is not None], None))
    for item in items:
        try:
            refused_as = None
            if item.stored is not None:
                analysis = _reanalysed(item.stored, fast)
            else:
                assert item.raw is not None
                analysis, refused_as = analyse_or_structure(item.raw, item.name, next(early),
                                                            pipeline=_pipeline(analyze, fast))
                if refused_as is not None:
                    result.unsupported.append(refused_as)
            prepared = prepare(analysis, key=item.key, source=analysis.document.metadata.source,
                               analyzed=analyze and refused_as is None)
            if tsvectors:
                prepared.tsvectors = [to_tsvector(stems, forms) for stems, forms in prepared.index]
            result.prepared.append(prepared)
        except RhetorscopeError as exc:  # its message may start with the document's name, said once already
            result.failures.append(Failure(item.name, exc.message.removeprefix(item.name).lstrip(" :"), item.key))
        except Exception as exc:  # a bug on one document must not cost the batch; it is reported with its type
            result.failures.append(Failure(item.name, f"{type(exc).__name__}: {exc}", item.key))
    result.cpu_seconds = time.process_time() - started
    return result


def current_models(fast: bool) -> dict[str, str]:
    """The model versions the analysis pipeline runs now (component -> version), found on a worker.

    The client never loads a model: it asks a worker, whose answer decides which stored
    documents `reanalyze` must analyse again.
    """
    return dict(_pipeline(True, fast)(RawDocument(text=_PROBE, input_format="text")).models)


def _pipeline(analyze: bool, fast: bool) -> Pipeline:
    from rhetorscope import pipeline

    return pipeline.default_pipeline(fast=fast) if analyze else pipeline.structure_pipeline()


def _reanalysed(stored: Document, fast: bool) -> Analysis:
    """The analysis stages run again on a stored document: its text, repairs and paragraphs stay as stored."""
    from rhetorscope.pipeline import analysis_stages

    meta = stored.metadata
    bare = stored.model_copy(update={"segments": [s.model_copy(update={"sentences": []}) for s in stored.segments]})
    raw = RawDocument(text=stored.text, input_format=meta.input_format, source=meta.source, encoding=meta.encoding,
                      external_id=meta.external_id, date=meta.date, extra=dict(meta.extra))
    return analysis_stages(fast)(raw, document=bare)
