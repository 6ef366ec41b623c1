"""The analyze pool: the pipeline runs in worker processes, and admission is bounded.

The pipeline is CPU-bound Python, so it runs in its own processes: the event
loop keeps answering searches and pages while documents are analysed, and a
pathological input cannot grow the server's own heap. At most `workers`
documents are analysed at once and `queue` more wait; the request after that is
answered 429 (with Retry-After) instead of piling up bodies in memory.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from rhetorscope.errors import InputError, RhetorscopeError


class Busy(Exception):
    """Every worker and queue slot is taken; the client should retry shortly."""


class WorkerLost(Exception):
    """A worker process died (killed, out of memory); the pool was restarted."""


def _warm() -> None:
    """Worker initializer: load the pipeline and its models before the first request needs them."""
    from rhetorscope.pipeline import default_pipeline
    from rhetorscope.readers.base import RawDocument

    default_pipeline()(RawDocument(text="Warm-up text.\n\nThe pipeline loads its models once.", input_format="text"))


def analyze_bytes(data: bytes, name: str, input_format: str | None, text_column: str | None) -> tuple[bool, str, str]:
    """Runs in a worker: `(True, analysis_json, "")`, or `(False, message, hint)` for bad input.

    The result is JSON, not an `Analysis`, so the API can send it as it is and the
    error travels as plain strings (a pickled `InputError` would lose its hint).
    """
    from rhetorscope.language import refuse_unsupported_early, require_supported
    from rhetorscope.pipeline import default_pipeline
    from rhetorscope.readers import read_bytes

    try:
        raws = read_bytes(data, name=name, input_format=input_format, text_column=text_column, skipped=[])
        if len(raws) > 1:
            raise InputError(f"{name} holds {len(raws)} documents; the web app analyses one at a time",
                             "send a single document, or add the file to the corpus with `rhetorscope ingest`")
        refuse_unsupported_early(raws[0].text, name)
        analysis = default_pipeline()(raws[0])
        require_supported(analysis.document.metadata.language, name)
    except RhetorscopeError as exc:
        return False, exc.message, exc.hint
    return True, analysis.model_dump_json(), ""


class AnalyzePool:
    """A process pool with a bounded waiting room, used from the event loop only."""

    def __init__(self, workers: int, queue: int) -> None:
        self.workers = max(1, workers)
        self.capacity = self.workers + max(0, queue)
        self.pending = 0
        self._executor: ProcessPoolExecutor | None = None

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm)

    async def start(self) -> None:
        """Start every worker now (one no-op each), so the first requests do not pay for process start-up."""
        self._executor = self._new_executor()
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._executor, int) for _ in range(self.workers)))

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    async def analyze(self, data: bytes, *, name: str, input_format: str | None = None,
                      text_column: str | None = None) -> str:
        """Analyse one document; returns the `Analysis` as JSON. Raises Busy, WorkerLost or InputError."""
        if self._executor is None:
            raise RuntimeError("AnalyzePool.start() was not awaited")
        if self.pending >= self.capacity:
            raise Busy
        self.pending += 1
        executor = self._executor
        try:
            ok, body, hint = await asyncio.wrap_future(
                executor.submit(analyze_bytes, data, name, input_format, text_column))
        except BrokenProcessPool:
            if self._executor is executor:
                self._executor = self._new_executor()
                executor.shutdown(wait=False, cancel_futures=True)
            raise WorkerLost from None
        finally:
            self.pending -= 1
        if not ok:
            raise InputError(body, hint)
        return body
