"""The analyze pool: the pipeline runs in worker processes, admission is bounded, and every analysis ends.

The pipeline is CPU-bound Python, so it runs in its own processes: the event
loop keeps answering searches and pages while documents are analysed, and a
pathological input cannot grow the server's own heap. At most `workers`
documents are analysed at once and `queue` more wait; the request after that is
answered 429 (with Retry-After) instead of piling up bodies in memory.

A `ProcessPoolExecutor` cannot stop a task once it runs, so a burst of large
documents used to hold every worker for minutes, after the clients had gone, and
the server could not shut down. Here each worker is a process of its own, doing
one document at a time, and an analysis ends in one of four ways: its result;
its time limit; its memory limit (the worker's resident size, read from /proc);
or its client leaving. After a time limit or a client leaving, the worker is
interrupted (SIGUSR1) and goes back to work warm; one that does not stop within
`STOP_GRACE_SECONDS`, one over its memory limit, and every worker when the server
stops, is killed (and replaced while the server runs). Either way the slot is
free at once and the queue drains.
Workers also die with the server: on Linux the kernel kills them when it exits
(PR_SET_PDEATHSIG), elsewhere a thread in each worker notices the parent is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from rhetorscope.errors import InputError, RhetorscopeError
from rhetorscope.language import UnsupportedLanguage

#: How often a running analysis checks its clock, its worker's memory and its client.
POLL_SECONDS = 0.2
#: How long a worker told to stop may take before it is killed and replaced (a cold start costs seconds).
STOP_GRACE_SECONDS = 2.0
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class Busy(Exception):
    """Every worker and queue slot is taken; the client should retry shortly."""


class WorkerLost(Exception):
    """A worker process died (killed, out of memory); it was replaced."""


class ClientGone(Exception):
    """The client disconnected while its document waited or was analysed; the work was stopped."""


class LimitExceeded(RhetorscopeError):
    """An analysis passed its time or memory limit and was stopped."""

    status = 503


def _warm() -> None:
    """Load the pipeline and its models before the first request needs them."""
    from rhetorscope.policy import pipeline_for
    from rhetorscope.readers.base import RawDocument

    # the very pipeline `analyze_bytes` gets (default_pipeline's cache tells f() from f(fast=False))
    pipeline_for()(RawDocument(text="Warm-up text.\n\nThe pipeline loads its models once.", input_format="text"))


#: What a worker answers: (True, analysis JSON, "", 200), or (False, message, hint, HTTP status) for bad input.
Answer = tuple[bool, str, str, int]


def analyze_bytes(data: bytes, name: str, input_format: str | None, text_column: str | None,
                  language: str | None = None) -> Answer:
    """Runs in a worker: the analysis as JSON, or the refusal with its status (422 for an unsupported language).

    The result is JSON, not an `Analysis`, so the API can send it as it is and the
    error travels as plain strings (a pickled `InputError` would lose its hint).
    The language policy is `rhetorscope.policy`'s, as in the CLI.
    """
    from rhetorscope.policy import analyse
    from rhetorscope.readers import read_bytes

    try:
        raws = read_bytes(data, name=name, input_format=input_format, text_column=text_column, skipped=[])
        if len(raws) > 1:
            raise InputError(f"{name} holds {len(raws)} documents; the web app analyses one at a time",
                             "send a single document, or add the file to the corpus with `rhetorscope ingest`")
        analysis = analyse(raws[0], name, language=language)
    except RhetorscopeError as exc:
        return False, exc.message, exc.hint, getattr(exc, "status", 400)
    return True, analysis.model_dump_json(), "", 200


def _die_with_parent() -> None:
    """Make sure this worker does not outlive the server, even after `kill -9` of the server."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent left before the line above
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


class _Stopped(BaseException):
    """Raised in a worker by SIGUSR1: the parent no longer wants the document in progress."""


def _worker_main(conn: Connection) -> None:
    """A worker: warm up, say so, then analyse one document per message until the pipe closes.

    Every task gets exactly one answer: its result, or None when SIGUSR1 stopped
    it. The worker then stays warm for the next document; a SIGUSR1 between
    documents is ignored.
    """
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops the workers
    busy = False

    def stop(_signum: int, _frame: object) -> None:
        if busy:
            raise _Stopped

    signal.signal(signal.SIGUSR1, stop)
    _warm()
    conn.send("ready")
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        result: Answer | None
        try:
            busy = True
            result = analyze_bytes(*task)
        except _Stopped:
            result = None
        finally:
            busy = False
        conn.send(result)


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(target=_worker_main, args=(child,), daemon=True,
                                                    name="rhetorscope-analyze")
        self.process.start()
        child.close()

    def rss(self) -> int:
        """Resident memory in bytes (0 where /proc is not available)."""
        try:
            with open(f"/proc/{self.process.pid}/statm", "rb") as handle:
                return int(handle.read().split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            return 0

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class AnalyzePool:
    """Worker processes with a bounded waiting room, used from the event loop only."""

    def __init__(self, workers: int, queue: int, *, timeout_s: float = 120.0, memory_bytes: int = 0) -> None:
        self.workers = max(1, workers)
        self.capacity = self.workers + max(0, queue)
        self.timeout_s = timeout_s
        self.memory_bytes = memory_bytes
        self.pending = 0
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._tasks: set[asyncio.Task[None]] = set()  # worker start-ups and recoveries in flight
        self._closed = False

    async def start(self) -> None:
        """Start every worker and wait until each has loaded the models, so the first requests are fast."""
        self._idle = asyncio.Queue()
        await asyncio.gather(*(self._spawn() for _ in range(self.workers)))

    async def _spawn(self) -> None:
        worker = _Worker()  # started from the loop's thread: PR_SET_PDEATHSIG follows the thread that forks
        self._all.add(worker)
        try:
            ready = await asyncio.to_thread(worker.conn.recv)
        except (EOFError, OSError):
            ready = None
        if ready != "ready" or self._closed:
            self._all.discard(worker)
            worker.kill()
            return
        assert self._idle is not None
        self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker and start its successor in the background."""
        self._all.discard(worker)
        worker.kill()
        if not self._closed:
            self._background(self._spawn())

    def close(self) -> None:
        """Stop every worker now, busy or not; pending requests end with their tasks."""
        self._closed = True
        for worker in list(self._all):
            worker.kill()
        self._all.clear()

    async def analyze(self, data: bytes, *, name: str, input_format: str | None = None,
                      text_column: str | None = None, language: str | None = None,
                      disconnected: Callable[[], Awaitable[bool]] | None = None) -> str:
        """Analyse one document; returns the `Analysis` as JSON.

        Raises Busy, WorkerLost, LimitExceeded, ClientGone (when `disconnected()` turns true) or InputError.
        """
        if self._idle is None:
            raise RuntimeError("AnalyzePool.start() was not awaited")
        if self.pending >= self.capacity:
            raise Busy
        self.pending += 1
        try:
            worker = await self._wait_for_worker(disconnected)
            ok, body, hint, status = await self._run(worker, (data, name, input_format, text_column, language),
                                                     disconnected)
        finally:
            self.pending -= 1
        if not ok:
            raise (UnsupportedLanguage if status == UnsupportedLanguage.status else InputError)(body, hint)
        return body

    async def _wait_for_worker(self, disconnected: Callable[[], Awaitable[bool]] | None) -> _Worker:
        assert self._idle is not None
        while True:
            try:
                return await asyncio.wait_for(self._idle.get(), POLL_SECONDS * 5)
            except TimeoutError:
                if disconnected is not None and await disconnected():
                    raise ClientGone from None

    async def _run(self, worker: _Worker, task: tuple[Any, ...],
                   disconnected: Callable[[], Awaitable[bool]] | None) -> Answer:
        assert self._idle is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_s
        answer: asyncio.Future[Any] | None = None
        outcome = "kill"  # how the worker is handed back: "done" (idle), "stop" (interrupt it), "kill"
        try:
            try:
                await asyncio.to_thread(worker.conn.send, task)
            except OSError:
                raise WorkerLost from None
            answer = asyncio.ensure_future(asyncio.to_thread(worker.conn.recv))
            while True:
                done, _ = await asyncio.wait({answer}, timeout=POLL_SECONDS)
                if done:
                    try:
                        result: Answer | None = answer.result()
                    except (EOFError, OSError):
                        raise WorkerLost from None
                    outcome = "done"
                    if result is None:
                        raise WorkerLost  # stopped, though nobody asked: treat as lost
                    return result
                if self.memory_bytes and worker.rss() > self.memory_bytes:
                    raise LimitExceeded(f"the analysis needed more than the "
                                        f"{self.memory_bytes / 1_048_576:.0f} MB memory limit",
                                        "send a shorter document, or start the server with a larger "
                                        "--worker-memory-mb")
                if loop.time() > deadline:
                    outcome = "stop"
                    raise LimitExceeded(f"the analysis took longer than the {self.timeout_s:g} s limit",
                                        "send a shorter document, or start the server with a larger "
                                        "--analyze-timeout")
                if disconnected is not None and await disconnected():
                    outcome = "stop"
                    raise ClientGone
        finally:
            if outcome == "done":
                self._idle.put_nowait(worker)
            elif outcome == "stop" and answer is not None and not self._closed:
                self._background(self._recover(worker, answer))
            else:  # over memory, the worker died, or the server is stopping
                if answer is not None:  # its read ends with the worker; nobody waits for it any more
                    answer.add_done_callback(lambda f: f.cancelled() or f.exception())
                self._replace(worker)

    async def _recover(self, worker: _Worker, answer: asyncio.Future[Any]) -> None:
        """Interrupt a worker's analysis and take it back warm; kill and replace it if it does not stop soon."""
        assert self._idle is not None
        with contextlib.suppress(OSError):
            os.kill(worker.process.pid, signal.SIGUSR1)  # type: ignore[arg-type]
        try:
            await asyncio.wait_for(asyncio.shield(answer), STOP_GRACE_SECONDS)
            answer.result()
        except (TimeoutError, EOFError, OSError):
            answer.add_done_callback(lambda f: f.cancelled() or f.exception())
            self._replace(worker)
            return
        if self._closed:
            worker.kill()
        else:
            self._idle.put_nowait(worker)

    def _background(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
