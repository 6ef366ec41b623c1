"""Where batches run: a process pool on this machine, or a Dask cluster (dask.distributed).

Both take batches from an iterator and give back each batch with its result as it completes,
never more than `in_flight` batches submitted at once, so the client holds a bounded part of
the corpus whatever its size. A worker lost mid-batch (killed, out of memory) costs a retry of
its batch elsewhere, not the run: Dask's scheduler reschedules the tasks of a lost worker (up
to `distributed.scheduler.allowed-failures` times, then `KilledWorker`); the local pool is
replaced and its batches submitted again, `MAX_ATTEMPTS` times at most. A batch that keeps
failing comes back with the exception, and the caller records its documents as failed.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from rhetorscope.errors import InputError

B = TypeVar("B")
R = TypeVar("R")
MAX_ATTEMPTS = 3
_HINT_DASK = "install it with pip install 'rhetorscope[scale]'"


class Executor(abc.ABC):
    """Runs one function over many batches on `workers` workers."""

    #: How runs record it: "local" or the Dask scheduler's address.
    name: str
    workers: int

    @abc.abstractmethod
    def call(self, fn: Callable[..., R], *args: Any) -> R:
        """Run `fn(*args)` once on a worker and return its result."""

    @abc.abstractmethod
    def map_bounded(self, fn: Callable[..., R], batches: Iterable[B], *args: Any,
                    in_flight: int) -> Iterator[tuple[B, R | BaseException]]:
        """`fn(batch, *args)` for every batch, in completion order, with at most `in_flight` submitted at once."""

    @abc.abstractmethod
    def close(self) -> None:
        """Stop the workers this executor started (a remote cluster's workers keep running)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def local_worker_init() -> None:
    """The client's own worker processes (the local pool, the clustering process of `runner`) leave Ctrl-C to
    the client, which stops submitting, stops them and marks the run interrupted; and they run the encoder
    on one thread (`encoder.one_thread_per_worker`)."""
    import signal

    from rhetorscope.encoder import one_thread_per_worker

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    one_thread_per_worker()


class LocalExecutor(Executor):
    """A process pool on this machine; workers are spawned (a fork of a process that ran the encoder hangs)."""

    name = "local"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = self._new_pool()

    def _new_pool(self) -> Any:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=local_worker_init)

    def call(self, fn: Callable[..., R], *args: Any) -> R:
        return self._pool.submit(fn, *args).result()  # type: ignore[no-any-return]

    def map_bounded(self, fn: Callable[..., R], batches: Iterable[B], *args: Any,
                    in_flight: int) -> Iterator[tuple[B, R | BaseException]]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        todo = iter(batches)
        pending: dict[Any, tuple[B, int, Any]] = {}
        retry: list[tuple[B, int]] = []
        exhausted = False
        while True:
            while retry or (not exhausted and len(pending) < in_flight):
                if retry:
                    batch, attempt = retry.pop()
                else:
                    try:
                        batch, attempt = next(todo), 1
                    except StopIteration:
                        exhausted = True
                        continue
                pending[self._pool.submit(fn, batch, *args)] = (batch, attempt, self._pool)
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                batch, attempt, pool = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool as exc:
                    if pool is self._pool:  # the first batch to notice replaces the broken pool
                        self._pool = self._new_pool()
                    if attempt < MAX_ATTEMPTS:
                        retry.append((batch, attempt + 1))
                    else:
                        yield batch, exc
                    continue
                except Exception as exc:
                    yield batch, exc
                    continue
                yield batch, result

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(Executor):
    """A dask.distributed cluster: `tcp://HOST:PORT` of a running scheduler, or `local:N` for a LocalCluster."""

    def __init__(self, scheduler: str, *, timeout_s: float = 10) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise InputError("--executor dask needs dask.distributed, which is not installed", _HINT_DASK) from None
        self._cluster: Any = None
        if scheduler.startswith("local:"):
            count = scheduler.removeprefix("local:")
            if not count.isdigit() or int(count) < 1:
                raise InputError(f"--scheduler {scheduler}: local:N needs a number of workers", "e.g. local:2")
            self._cluster = LocalCluster(n_workers=int(count), threads_per_worker=1, processes=True,
                                         dashboard_address=None, silence_logs=logging.ERROR)
        try:
            self.client = Client(self._cluster or scheduler, timeout=timeout_s)
        except (OSError, TimeoutError, ValueError) as exc:
            self.close()
            raise InputError(f"cannot reach the Dask scheduler at {scheduler} ({type(exc).__name__}: {exc})",
                             "start one with `dask scheduler` and workers with `dask worker ADDRESS`, or use "
                             "--scheduler local:N") from None
        self.name = self._cluster.scheduler_address if self._cluster else scheduler
        self.workers = len(self.client.scheduler_info()["workers"])
        if not self.workers:
            self.client.wait_for_workers(1, timeout=timeout_s)
            self.workers = len(self.client.scheduler_info()["workers"])

    def call(self, fn: Callable[..., R], *args: Any) -> R:
        return self.client.submit(fn, *args, pure=False).result()  # type: ignore[no-any-return]

    def map_bounded(self, fn: Callable[..., R], batches: Iterable[B], *args: Any,
                    in_flight: int) -> Iterator[tuple[B, R | BaseException]]:
        from distributed import as_completed

        running = as_completed()
        pending: dict[str, B] = {}
        todo = iter(batches)
        exhausted = False
        while True:
            while not exhausted and len(pending) < in_flight:
                try:
                    batch = next(todo)
                except StopIteration:
                    exhausted = True
                    break
                future = self.client.submit(fn, batch, *args, pure=False)
                pending[future.key] = batch
                running.add(future)
            if not pending:
                return
            future = next(running)
            batch = pending.pop(future.key)
            try:
                result = future.result()
            except Exception as exc:  # KilledWorker after repeated losses, or the task raised
                yield batch, exc
                continue
            finally:
                future.release()
            yield batch, result

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(kind: str, *, workers: int, scheduler: str | None) -> Executor:
    """The executor a command asked for (`--executor local --workers N`, `--executor dask --scheduler S`)."""
    if kind == "local":
        return LocalExecutor(workers)
    if kind == "dask":
        return DaskExecutor(scheduler or f"local:{workers}")
    raise InputError(f"unknown executor '{kind}'", "use local or dask")
