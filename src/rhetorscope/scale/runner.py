"""One scale-out run: documents streamed to an executor in batches, results written to the store in bulk.

The client is the single writer. It writes a batch's rows only when the batch has completed,
in transactions of `write_batch` documents (PostgreSQL COPY, `store.bulk`; executemany on
SQLite), or of what came back in the last `flush_s` seconds when fewer, so a killed client
loses what was not committed and nothing else, and a batch retried after a lost worker is
written once: each batch's result arrives once, and `records.write` skips a key already
analysed by the same model versions.

Near-duplicate clustering (MinHash LSH, `store.repeats`) runs as batches arrive, on the
geometric schedule of `store.repeats.ClusterSchedule`. On PostgreSQL a pass runs in a process of
its own while the writes go on (the writer adds passages, a pass sets the cluster of those it
read); SQLite has one writer at a time, so there the client runs it between two writes.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rhetorscope.scale.inputs import Reading, chunks
from rhetorscope.scale.tasks import BatchResult, Item, analyse_batch
from rhetorscope.store.repeats import ClusterSchedule
from rhetorscope.store.runs import Failure, record_failures

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult, Pool

    from rhetorscope.scale.executors import Executor
    from rhetorscope.scale.progress import RunProgress
    from rhetorscope.store.core import Store
    from rhetorscope.store.records import Prepared


@dataclass
class Totals:
    """What a run did, and what it cost: the workers' CPU seconds and the writer's wall seconds."""

    added: int = 0
    updated: int = 0
    written: int = 0
    analysed: int = 0
    cpu_seconds: float = 0.0
    write_seconds: float = 0.0
    cluster_seconds: float = 0.0
    wall_seconds: float = 0.0
    workers_seen: set[str] = field(default_factory=set)
    #: Documents analysed, and seconds, after each worker's first batch: the rate without start-up and model loading.
    steady_documents: int = 0
    steady_seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    #: documents stored structure-only, in a language rhetorscope does not analyse (`BatchResult.unsupported`)
    unsupported: list[str] = field(default_factory=list)


@dataclass
class Runner:
    """Runs `task` over `items` on `executor` and writes what comes back to `store` under `run_id`."""

    store: Store
    run_id: int
    executor: Executor
    analyze: bool
    fast: bool = False
    batch: int = 200
    write_batch: int = 500
    #: Results older than this are written even in a smaller transaction: a killed client loses seconds of work.
    flush_s: float = 2.0
    schedule: ClusterSchedule = field(default_factory=ClusterSchedule)
    in_flight: int = 0
    task: Callable[..., BatchResult] = analyse_batch
    totals: Totals = field(default_factory=Totals)
    _pending: list[Prepared] = field(default_factory=list)
    #: how many reading and analysis failures are in the store already
    _recorded: tuple[int, int] = (0, 0)
    _flushed: float = field(default_factory=time.perf_counter)
    _batches: int = 0
    _steady_from: float = 0.0
    #: PostgreSQL: the process that runs clustering passes, and the pass under way
    _clusterer: Pool | None = None
    _pass: AsyncResult[float] | None = None

    def run(self, items: Iterator[Item], reading: Reading, progress: RunProgress | None = None) -> Totals:
        """Analyse and write every item; interrupted (Ctrl-C, SIGTERM), it still writes what has come back."""
        started = time.perf_counter()
        in_flight = self.in_flight or 2 * self.executor.workers
        try:
            tsvectors = self.store.dialect == "postgresql"
            for batch, result in self.executor.map_bounded(self.task, chunks(items, self.batch), self.analyze,
                                                           self.fast, tsvectors, in_flight=in_flight):
                self._take(batch, result)
                self._steady(len(batch))
                if len(self._pending) >= self.write_batch or time.perf_counter() - self._flushed > self.flush_s:
                    self._flush(reading)
                if progress is not None:
                    progress.advance(len(batch))
        finally:
            self._flush(reading)
            self.totals.wall_seconds = time.perf_counter() - started
        return self.totals

    def _steady(self, documents: int) -> None:
        t = self.totals
        self._batches += 1
        if self._batches == self.executor.workers:
            self._steady_from = time.perf_counter()
        elif self._batches > self.executor.workers:
            t.steady_documents += documents
            t.steady_seconds = time.perf_counter() - self._steady_from

    def _take(self, batch: list[Item], result: BatchResult | BaseException) -> None:
        t = self.totals
        if isinstance(result, BaseException):
            reason = f"its batch failed on every try ({type(result).__name__}: {result})"
            t.failures += [Failure(item.name, reason, item.key) for item in batch]
            return
        self._pending += result.prepared
        t.failures += result.failures
        t.unsupported += result.unsupported
        t.analysed += len(batch)
        t.cpu_seconds += result.cpu_seconds
        t.workers_seen.add(result.worker)

    def _flush(self, reading: Reading) -> None:
        t = self.totals
        if self._pending:
            started = time.perf_counter()
            written = self.store.write_batch(self._pending, run_id=self.run_id)
            t.write_seconds += time.perf_counter() - started
            t.added, t.updated = t.added + written.added, t.updated + written.updated
            t.written += len(self._pending)
            self._pending = []
        self._flushed = time.perf_counter()
        record_failures(self.store, self.run_id, reading.failures[self._recorded[0]:] + t.failures[self._recorded[1]:])
        self._recorded = (len(reading.failures), len(t.failures))
        if self.schedule.due(t.written):
            if self.store.dialect != "postgresql":
                self.cluster()
            elif self._pass_done():
                self._start_pass()

    def finish(self) -> None:
        """The last clustering pass; on PostgreSQL, VACUUM and fresh planner statistics for what the run added."""
        from rhetorscope.store.bulk import vacuum_after_load

        if self._pass is not None:
            self._pass.wait()
            self._pass_done()
        self.close()
        self.cluster()
        if self.totals.written:
            vacuum_after_load(self.store.engine)

    def close(self) -> None:
        """Stop the clustering process; a pass under way is rolled back with its connection (no partial write)."""
        if self._clusterer is not None:
            self._clusterer.terminate()
            self._clusterer.join()
            self._clusterer, self._pass = None, None

    def cluster(self) -> None:
        """Cluster the passages written since the last call (near-duplicates, incrementally), here and now."""
        started = time.perf_counter()
        self.store.update_repeats()
        self.totals.cluster_seconds += time.perf_counter() - started
        self.schedule.clustered_at = self.totals.written

    def _start_pass(self) -> None:
        """Start a pass in the clustering process, over what is written so far."""
        if self._clusterer is None:
            import multiprocessing

            from rhetorscope.scale.executors import local_worker_init

            self._clusterer = multiprocessing.get_context("spawn").Pool(1, initializer=local_worker_init)
        self._pass = self._clusterer.apply_async(cluster_pass, (self.store.url,))
        self.schedule.clustered_at = self.totals.written

    def _pass_done(self) -> bool:
        """Whether no pass is under way; a finished pass's time is counted (and its error raised)."""
        if self._pass is None:
            return True
        if not self._pass.ready():
            return False
        self.totals.cluster_seconds += self._pass.get()
        self._pass = None
        return True


def cluster_pass(url: str) -> float:
    """One clustering pass over the store at `url`, in the clustering process; its wall seconds."""
    started = time.perf_counter()
    _store(url).update_repeats()
    return time.perf_counter() - started


@functools.cache
def _store(url: str) -> Store:
    """The clustering process's store, opened once for all its passes."""
    from rhetorscope.store.core import Store

    return Store.open(url)
