"""Scale-out commands: `ingest --executor local|dask`, `reanalyze`, `runs` (docs/scale.md).

Thin: `rhetorscope.scale` does the work; this module opens the store and the executor, records
the run, shows progress and prints the summary with the failures.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rhetorscope.cli.corpus import DbOption, TableFormat, _console, _named, _open, _terminate
from rhetorscope.cli.scale_options import ExecutorKind, SchedulerOption, WorkersOption
from rhetorscope.errors import InputError

if TYPE_CHECKING:
    from rhetorscope.scale.executors import Executor
    from rhetorscope.scale.inputs import Reading
    from rhetorscope.scale.runner import Totals
    from rhetorscope.scale.tasks import Item
    from rhetorscope.store import Store


def _workers(workers: int) -> int:
    return workers or min(os.cpu_count() or 1, 8)


def _executor(kind: ExecutorKind, workers: int, scheduler: str | None) -> Executor:
    from rhetorscope.scale.executors import make_executor

    if scheduler is not None and kind is not ExecutorKind.dask:
        raise InputError("--scheduler is for --executor dask", "add --executor dask, or leave --scheduler out")
    return make_executor(kind.value, workers=_workers(workers), scheduler=scheduler)


def _run(store: Store, run_id: int, executor: Executor, items: Callable[[Reading], Iterator[Item]], *,
         analyze: bool, fast: bool, batch: int, label: str, files: bool) -> tuple[Totals, Reading]:
    """Run the batches with progress; Ctrl-C and SIGTERM end it as interrupted, with what came back written."""
    from rhetorscope.scale.inputs import Reading
    from rhetorscope.scale.progress import RunProgress
    from rhetorscope.scale.runner import Runner
    from rhetorscope.store.repeats import ClusterSchedule

    reading = Reading()
    runner = Runner(store, run_id, executor, analyze=analyze, fast=fast, batch=batch, write_batch=batch,
                    schedule=ClusterSchedule(stored_before=store.document_count()))
    status = "failed"
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        with RunProgress(_console(stderr=True), reading, label=label, files=files) as progress:
            runner.run(items(reading), reading, progress)
            runner.finish()
        status = "finished with errors" if reading.failures or runner.totals.failures else "finished"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        runner.close()
        t = runner.totals
        store.finish_run(run_id, status, added=t.added + t.updated, skipped=reading.skipped + t.written - t.added
                         - t.updated, failed=len({f.item.split(": ")[0] for f in reading.failures if f.key is None}))
    return runner.totals, reading


def _summary(totals: Totals, reading: Reading, run_id: int, workers: int) -> None:
    """The run's counts and rates on stderr, then the failures with their reasons (exit 2 when there are any)."""
    console = _console(stderr=True)
    t = totals
    per_worker = t.analysed / t.cpu_seconds if t.cpu_seconds else 0.0
    steady = t.steady_documents / t.steady_seconds if t.steady_seconds else 0.0
    console.print(
        f"run {run_id}: {t.added} added, {t.updated} updated, {reading.skipped + t.written - t.added - t.updated} "
        f"skipped (stored already), {t.analysed} analysed in {t.wall_seconds:.1f} s "
        f"({t.analysed / max(t.wall_seconds, 1e-9):,.0f} docs/s on {workers} worker{'s' if workers != 1 else ''}; "
        f"{per_worker:,.0f} docs per worker CPU second; after start-up "
        f"{steady:,.1f} docs/s); writes {t.write_seconds:.1f} s "
        f"({t.written / max(t.write_seconds, 1e-9):,.0f} docs/s), clustering {t.cluster_seconds:.1f} s",
        highlight=False, markup=False)
    if t.unsupported:
        console.print(f"{len(t.unsupported)} stored without analysis, in a language rhetorscope does not analyse: "
                      + _named(t.unsupported), highlight=False, markup=False)
    failures = reading.failures + t.failures
    if failures:
        console.print(f"{len(failures)} not stored: " + _named([f"{f.item} ({f.reason})" for f in failures]),
                      highlight=False, markup=False)
        raise InputError(f"{len(failures)} documents or files were not stored (run {run_id})",
                         f"`rhetorscope runs --failures {run_id}` lists them with their reasons")


def _scaled(db: str | None, kind: ExecutorKind, workers: int, scheduler: str | None, *, command: str,
            paths: list[str], analyze: bool, fast: bool, batch: int,
            plan: Callable[[Store, Executor], Callable[[Reading], Iterator[Item]]]) -> None:
    """Open the store and the executor, record the run, run what `plan` streams, and print the summary."""
    from rhetorscope.store.runs import describe_run

    store = _open(db, readonly=False)
    try:
        with _executor(kind, workers, scheduler) as pool:
            items = plan(store, pool)
            run_id = store.begin_run(paths, analyzed=analyze)
            describe_run(store, run_id, command=command, executor=pool.name, workers=pool.workers)
            totals, reading = _run(store, run_id, pool, items, analyze=analyze, fast=fast, batch=batch,
                                   label="analysing" if analyze else "ingesting", files=bool(paths))
            workers_used = pool.workers
    finally:
        store.close()
    _summary(totals, reading, run_id, workers_used)


def scale_ingest(files: list[Path], *, db: str | None, analyze: bool, fast: bool, executor: ExecutorKind,
                 workers: int, scheduler: str | None, batch: int, reader_options: dict[str, Any]) -> None:
    """`ingest --executor …`: read the files as a stream and analyse them on the executor's workers."""
    from rhetorscope.scale.inputs import from_files

    def plan(store: Store, _pool: Executor) -> Callable[[Reading], Iterator[Item]]:
        return lambda reading: from_files(store, files, analyze=analyze, reader_options=reader_options,
                                          reading=reading)

    _scaled(db, executor, workers, scheduler, command="ingest", paths=[str(p) for p in files], analyze=analyze,
            fast=fast, batch=batch, plan=plan)


def reanalyze(
    db: DbOption = None,
    fast: Annotated[bool, typer.Option("--fast", help="The fast technique tier (no encoder).")] = False,
    executor: Annotated[ExecutorKind, typer.Option("--executor", help="local (a process pool here) or dask.")]
    = ExecutorKind.local,
    workers: WorkersOption = 0,
    scheduler: SchedulerOption = None,
    batch: Annotated[int, typer.Option(min=1, help="Documents per batch sent to a worker.")] = 200,
) -> None:
    """Analyse again the stored documents that the current models have not analysed (e.g. after a model update).

    Resumable: a document is analysed when its stored analysis is missing or by other model versions, so a
    killed run, run again, does the rest and nothing twice.
    """
    from rhetorscope.scale.inputs import from_store
    from rhetorscope.scale.tasks import current_models
    from rhetorscope.store.runs import count_not_current

    def plan(store: Store, pool: Executor) -> Callable[[Reading], Iterator[Item]]:
        models = pool.call(current_models, fast)
        todo = count_not_current(store, models)
        _console(stderr=True).print(f"{todo} stored documents to analyse with {', '.join(models.values())}",
                                    highlight=False, markup=False)

        def items(reading: Reading) -> Iterator[Item]:
            reading.documents = todo
            return from_store(store, models, reading)

        return items

    _scaled(db, executor, workers, scheduler, command="reanalyze", paths=[], analyze=True, fast=fast, batch=batch,
            plan=plan)


def runs(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=1, help="Runs to list, newest first.")] = 20,
    failures: Annotated[int | None, typer.Option(help="List this run's failed documents with their reasons.")]
    = None,
    fmt: Annotated[TableFormat, typer.Option("--format", help="text or json (csv: use json).")] = TableFormat.text,
) -> None:
    """List ingest and reanalyze runs with their state and counts (or one run's failed documents)."""
    from rhetorscope.store.runs import RUNS_SCHEMA, list_runs, run_failures

    store = _open(db)
    try:
        if failures is not None:
            rows = [{"item": f.item, "reason": f.reason, "content_key": f.key.hex() if f.key else None}
                    for f in run_failures(store, failures)]
            payload: dict[str, Any] = {"schema": RUNS_SCHEMA, "run": failures, "failures": rows}
        else:
            payload = {"schema": RUNS_SCHEMA, "runs": [r.as_json() for r in list_runs(store, limit=limit)]}
    finally:
        store.close()
    if fmt is TableFormat.json:
        typer.echo(json.dumps(payload, ensure_ascii=False))
    elif fmt is TableFormat.csv:
        raise InputError("runs has no csv output", "use --format json")
    elif failures is not None:
        for row in payload["failures"]:
            typer.echo(f"{row['item']}\t{row['reason']}")
    else:
        _print_runs(payload["runs"])


def _print_runs(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table("run", "command", "status", "started", "finished", "executor", "workers", "added", "skipped",
                  "failed docs", "failed files")
    for r in rows:
        table.add_row(str(r["id"]), r["command"] + (" --analyze" if r["analyzed"] and r["command"] == "ingest" else ""),
                      r["status"], r["started_at"], r["finished_at"] or "", r["executor"] or "pool",
                      str(r["workers"] or ""), str(r["added"]), str(r["skipped"]), str(r["failed_documents"]),
                      str(r["failed_files"]))
    _console().print(table)


def register(app: typer.Typer) -> None:
    """Add `reanalyze` and `runs` to the main app (`ingest --executor` is an option of ingest)."""
    app.command("reanalyze")(reanalyze)
    app.command("runs")(runs)
