"""Corpus commands: `ingest`, `search`, `repeats`, `trends`, `export`.

Thin typer layer over `rhetorscope.store`. SQLAlchemy, datasketch and
matplotlib are imported inside the commands, never at module import, so
`rhetorscope analyze` starts as fast as before these commands existed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rhetorscope.cli.scale_options import ExecutorOption, SchedulerOption, WorkersOption
from rhetorscope.errors import InputError, RhetorscopeError
from rhetorscope.io import write_csv

if TYPE_CHECKING:
    from rhetorscope.readers.base import RawDocument
    from rhetorscope.store import Prepared, SearchFilters, Store

DbOption = Annotated[str | None, typer.Option(
    "--db", help="SQLite file or postgresql:// URL [default: $RHETORSCOPE_DB, else the user data folder].")]
SinceOption = Annotated[str | None, typer.Option(help="Only documents dated on or after (YYYY-MM-DD).")]
UntilOption = Annotated[str | None, typer.Option(help="Only documents dated on or before (YYYY-MM-DD).")]
SourceOption = Annotated[str | None, typer.Option(help="Only sources whose name contains this.")]
TechniqueOption = Annotated[str | None, typer.Option(help="Technique id, e.g. Loaded_Language.")]
CategoryOption = Annotated[str | None, typer.Option(help="Technique category id, e.g. attack_on_reputation.")]
MinConfidenceOption = Annotated[float, typer.Option(min=0.0, max=1.0, help="Findings below this confidence do "
                                                   "not count (technique filters, techniques shown, trends).")]
ForwardedOption = Annotated[str | None, typer.Option(help="Only posts forwarded from a channel or user whose name "
                                                     "contains this.")]

#: Documents per worker task: a few for the full pipeline (progress moves), more for structure only, where
#: each task's round trip to a worker would otherwise cost as much as its documents.
_CHUNK, _STRUCTURE_CHUNK = 32, 256
#: Inputs whose records carry their own date; one without is undated, and ingest says how many are.
_RECORD_FORMATS = frozenset({"telegram", "csv", "jsonl"})


class TableFormat(str, Enum):
    """How search results, repeat clusters and trend tables are printed."""

    text = "text"
    json = "json"
    csv = "csv"


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    semeval = "semeval"


class ExportUnit(str, Enum):
    document = "document"
    paragraph = "paragraph"
    finding = "finding"


class Period(str, Enum):
    day = "day"
    week = "week"
    month = "month"


def _open(db: str | None, *, readonly: bool = True) -> Store:
    """The corpus; read-only unless the command writes (only `ingest` does)."""
    from rhetorscope.store import Store

    return Store.open(db, readonly=readonly)


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date", "write it as YYYY-MM-DD") from None


def _check_taxonomy(technique: str | None, category: str | None) -> None:
    from rhetorscope.techniques import CATEGORIES, TECHNIQUES

    if technique is not None and technique not in TECHNIQUES:
        raise InputError(f"unknown technique '{technique}'", f"use one of: {', '.join(TECHNIQUES)}")
    if category is not None and category not in CATEGORIES:
        raise InputError(f"unknown category '{category}'", f"use one of: {', '.join(CATEGORIES)}")


def _filters(technique: str | None, category: str | None, speaker: str | None, lang: str | None,
             source: str | None, since: str | None, until: str | None,
             forwarded_from: str | None = None, min_confidence: float = 0.0) -> SearchFilters:
    from rhetorscope.store import SearchFilters

    _check_taxonomy(technique, category)
    return SearchFilters(technique=technique, category=category, speaker=speaker, language=lang, source=source,
                         since=_date(since, "--since"), until=_date(until, "--until"), forwarded_from=forwarded_from,
                         min_confidence=min_confidence)


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=not stderr)


# ingest

def _files(paths: Sequence[Path]) -> list[Path]:
    """Files named, and files under folders named (recursively, by extension), in a stable order."""
    from rhetorscope.readers import SUPPORTED_EXTENSIONS

    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS
                          and not p.name.startswith("."))
        elif path.exists():
            out.append(path)
        else:
            raise InputError(f"{path}: no such file or folder", "check the path")
    return out


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, which stops them after the batch in flight, and run their encoder
    on one thread (`encoder.one_thread_per_worker`).

    A forked worker also gets SIGTERM's default back: the parent's handler turns it into an interrupt of the
    whole run, which is the parent's business, not a task's.
    """
    from rhetorscope.encoder import one_thread_per_worker

    one_thread_per_worker()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _pool_context(analyze: bool) -> Any:
    """How ingest workers start: forked from a warm parent for structure only, spawned with the models.

    A fork of a process whose encoder (OpenMP) has run hangs on the encoder's first call in the child, so
    workers that run the technique models are spawned; each then imports the package and loads its
    models once. Structure-only workers never call the encoder: on Linux they are forked after the parent
    has built the structure pipeline and loaded the language models, so they start at once and share
    its pages (spawned, two workers cost seconds of imports, a tenth of a 100,000-post ingest).
    """
    import multiprocessing

    if analyze or sys.platform != "linux":
        return multiprocessing.get_context("spawn")
    from rhetorscope import pipeline as stages
    from rhetorscope.language import warm

    stages.structure_pipeline()
    warm()
    return multiprocessing.get_context("fork")


def _prepare_chunk(items: list[tuple[bytes, RawDocument]], analyze: bool, where: str,
                   fast: bool = False, language: str | None = None) -> tuple[list[Prepared], list[str], list[str]]:
    """Run the pipeline and build rows for a chunk of documents of the file `where` (in a worker process).

    The language policy is `rhetorscope.policy`'s: a document in a language rhetorscope does not
    analyse is stored with its structure only (searchable, not analysed) and comes back named
    ("file: document 7 ('ar')"); a long text that reads as no language at all is not stored (the third list).
    """
    from rhetorscope.language import UnreadableText
    from rhetorscope.policy import analyse_or_structure, pipeline_for, precheck_batch
    from rhetorscope.store.records import ToPrepare, prepare_batch

    pipeline = pipeline_for(fast=fast, language=language, structure_only=not analyze)
    todo: list[ToPrepare] = []
    refused: list[str] = []
    unreadable: list[str] = []
    names = [f"{where}: document {raw.external_id or 1}" for _, raw in items]
    early = precheck_batch([raw for _, raw in items], names, language)
    for (key, raw), name, refusal in zip(items, names, early, strict=True):
        try:
            analysis, refused_as = analyse_or_structure(raw, name, refusal, pipeline=pipeline, language=language)
        except UnreadableText as exc:
            unreadable.append(exc.message)
            continue
        if refused_as is not None:
            refused.append(refused_as)
        todo.append(ToPrepare(analysis, key, raw.source, analyze and refused_as is None))
    return prepare_batch(todo), refused, unreadable


def _terminate(_signum: int, _frame: object) -> None:
    """SIGTERM ends an ingest like Ctrl-C: the batch in flight is rolled back and the run marked interrupted."""
    raise KeyboardInterrupt


class _Ingest:
    """One ingest run: reads files, farms analysis out to a process pool, writes batches as they finish."""

    def __init__(self, store: Store, run_id: int, *, analyze: bool, jobs: int, batch: int,
                 reader_options: dict[str, Any], fast: bool = False, language: str | None = None) -> None:
        from rhetorscope.store.repeats import ClusterSchedule

        self.store, self.run_id, self.analyze, self.jobs, self.batch = store, run_id, analyze, jobs, batch
        #: near-duplicates are clustered while the workers go on, the end of the run clusters only the rest
        self.schedule = ClusterSchedule(stored_before=store.document_count())
        self.written = 0
        self.fast, self.language = fast, language
        self.reader_options = reader_options
        self.added = self.updated = self.skipped = self.failed_files = self.undated = 0
        self.undated_example: str | None = None
        self.errors: list[str] = []
        #: rows of CSV/JSON Lines files that hold no text, as "file: row 5 (empty text)"
        self.empty_rows: list[str] = []
        #: documents stored without analysis because of their language, as "file: document 7 ('ar')"
        self.unsupported: list[str] = []
        #: long documents that read as no language at all: not stored
        self.unreadable: list[str] = []

    def run(self, files: list[Path], progress: Any, task: Any) -> None:
        from concurrent.futures import ProcessPoolExecutor

        pool = (ProcessPoolExecutor(self.jobs, mp_context=_pool_context(self.analyze), initializer=_worker_init)
                if self.jobs > 1 else None)
        try:
            for path in files:
                exported = self._exported(path)
                if exported is not None:
                    progress.update(task, total=(progress.tasks[0].total or 0) + len(exported))
                    for i in range(0, len(exported), self.batch):
                        self._write(exported[i:i + self.batch], progress, task)
                    continue
                todo = self._todo(path, progress, task)
                pending: list[Prepared] = []
                for prepared, refused, unreadable in self._prepared(todo, str(path), pool):
                    pending += prepared
                    self.unsupported += refused
                    self.unreadable += unreadable
                    progress.update(task, advance=len(unreadable))
                    if len(pending) >= self.batch:
                        self._write(pending, progress, task)
                        pending = []
                self._write(pending, progress, task)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    def _exported(self, path: Path) -> list[Prepared] | None:
        """Rows of a file written by `export --format jsonl`, stored as they are (no re-analysis); None otherwise.

        Such a file starts with an `Analysis` object, whose first key is `schema_version`.
        """
        from rhetorscope.store import prepare
        from rhetorscope.store.export import read_export
        from rhetorscope.store.records import analysis_key

        try:
            with path.open("rb") as f:
                head = f.read(64)
        except OSError:
            return None  # read_path says why
        if not head.lstrip(b"\xef\xbb\xbf").startswith(b'{"schema_version"'):
            return None
        error = f"{path}: its first line is not a rhetorscope analysis (JSON)"
        try:
            size, limit = path.stat().st_size, self.reader_options["max_bytes"]
            if size > limit:
                raise InputError(f"{path} is {size / 1_048_576:.1f} MB, over the {limit / 1_048_576:.0f} MB limit",
                                 "split it, or raise the limit with --max-size (MB)")
            analyses = read_export(path.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError:
            analyses, error = None, f"{path}: the rhetorscope export is not UTF-8"
        except RhetorscopeError as exc:
            analyses, error = None, f"{path}: {exc}"
        if analyses is None:
            self.failed_files += 1
            self.errors.append(error)
            return []
        return [prepare(a, key=analysis_key(a), analyzed=bool(a.models)) for a in analyses or []]

    def _todo(self, path: Path, progress: Any, task: Any) -> list[tuple[bytes, RawDocument]]:
        from rhetorscope.readers import read_path
        from rhetorscope.store import raw_key

        empty_rows: list[str] = []
        try:
            raws = read_path(path, skipped=empty_rows, **self.reader_options)
        except RhetorscopeError as exc:
            self.failed_files += 1
            self.errors.append(str(exc))
            progress.console.print(f"[red]skipped[/] {exc}", markup=True, highlight=False)
            return []
        undated = [raw for raw in raws if raw.date is None and raw.input_format in _RECORD_FORMATS]
        if undated:
            self.undated += len(undated)
            self.undated_example = self.undated_example or f"{path}, {undated[0].undated or 'no date'}"
        self.empty_rows += [f"{path}: {row}" for row in empty_rows]
        keyed = list({raw_key(raw): raw for raw in raws}.items())
        stored = self.store.stored_keys(k for k, _ in keyed)
        # a stored record re-read with an edit time may be a later edit of it: the writer compares the times
        todo = [(k, raw) for k, raw in keyed
                if k not in stored or (self.analyze and not stored[k]) or raw.extra.get("edited")]
        self.skipped += len(raws) - len(todo)
        progress.update(task, total=(progress.tasks[0].total or 0) + len(raws), advance=len(raws) - len(todo))
        return todo

    def _prepared(self, todo: list[tuple[bytes, RawDocument]], where: str,
                  pool: Any) -> Iterator[tuple[list[Prepared], list[str], list[str]]]:
        size = _CHUNK if self.analyze else _STRUCTURE_CHUNK
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        if pool is None:
            return (_prepare_chunk(chunk, self.analyze, where, self.fast, self.language) for chunk in chunks)
        return pool.map(_prepare_chunk, chunks, [self.analyze] * len(chunks), [where] * len(chunks),
                        [self.fast] * len(chunks), [self.language] * len(chunks))

    def _write(self, batch: list[Prepared], progress: Any, task: Any) -> None:
        if batch:
            written = self.store.write_batch(batch, run_id=self.run_id)
            self.added += written.added
            self.updated += written.updated
            self.skipped += len(batch) - written.added - written.updated
            progress.update(task, advance=len(batch))
            self.written += len(batch)
            if self.schedule.due(self.written):
                self.store.update_repeats()
                self.schedule.clustered_at = self.written


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders (searched recursively) and Telegram exports.")],
    db: DbOption = None,
    analyze: Annotated[bool, typer.Option("--analyze", help="Run the full pipeline and store its findings.")] = False,
    fast: Annotated[bool, typer.Option("--fast", help="With --analyze: the fast technique tier (no encoder), for "
                                       "large corpora; each finding records its tier.")] = False,
    jobs: Annotated[int, typer.Option(help="Worker processes [default: number of CPU cores].")] = 0,
    input_format: Annotated[str | None, typer.Option(help="Override sniffing: text, html, telegram, jsonl, csv.")]
    = None,
    max_size: Annotated[float, typer.Option(help="Refuse files larger than this many MB.")] = 2048.0,
    text_column: Annotated[str | None, typer.Option(help="Text column of CSV/JSONL files.")] = None,
    source: Annotated[str | None, typer.Option(help="Source name of documents whose file names none (a text file, "
                                               "a CSV without a source column) [default: the file's path].")]
    = None,
    date_column: Annotated[str | None, typer.Option(help="Date column of CSV/JSONL files [default: date, "
                                                    "published, published_at, created_at, datetime, time].")]
    = None,
    date_format: Annotated[str | None, typer.Option(help="Read dates only in this strptime format, e.g. %d/%m/%Y "
                                                    "[default: ISO, epochs, RFC 2822, and the usual ways of the "
                                                    "six languages].")] = None,
    batch: Annotated[int, typer.Option(min=1, help="Documents per transaction: at most this many are lost "
                                       "if the process is killed (with --executor: per batch sent to a worker).")]
    = 500,
    language: Annotated[str | None, typer.Option(help="Force the language of every document (en, ru, fr, de, it, "
                                                 "pl) instead of detecting it.")] = None,
    executor: ExecutorOption = None,
    workers: WorkersOption = 0,
    scheduler: SchedulerOption = None,
) -> None:
    """Add documents to the corpus. Idempotent: what is stored already is skipped; Ctrl-C keeps what was written."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from rhetorscope.language import forced_language

    files = _files(paths)
    reader_options = {"input_format": input_format, "max_bytes": int(max_size * 1024 * 1024),
                      "text_column": text_column, "date_column": date_column, "source": source,
                      "date_format": date_format}
    if executor is not None:
        from rhetorscope.cli.scale import scale_ingest

        if language is not None:
            raise InputError("--language cannot be combined with --executor yet",
                             "leave out --executor to force the language, or let each document's be detected")

        scale_ingest(files, db=db, analyze=analyze, fast=fast, executor=executor, workers=workers,
                     scheduler=scheduler, batch=batch, reader_options=reader_options)
        return
    store = _open(db, readonly=False)
    console = _console(stderr=True)
    run_id = store.begin_run([str(p) for p in paths], analyzed=analyze)
    job = _Ingest(store, run_id, analyze=analyze, jobs=jobs or min(os.cpu_count() or 1, 8), batch=batch,
                  reader_options=reader_options, fast=fast, language=forced_language(language))
    started = time.perf_counter()
    status = "failed"
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn())
    previous_term = signal.signal(signal.SIGTERM, _terminate)
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("analysing" if analyze else "ingesting", total=0, rate="")
            rate_updater = _RateProgress(progress, task, started)
            progress.console.print(f"{len(files)} file{'s' if len(files) != 1 else ''} to read",
                                   highlight=False)
            job.run(files, rate_updater, task)
            clustered = progress.add_task("finding repeated passages", total=None, rate="")
            store.update_repeats()
            if job.added or job.updated:
                store.compact()
            progress.update(clustered, total=1, completed=1)
        status = "finished" if not job.failed_files else "finished with errors"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        try:
            _finish_run(store, job, status, console)
        finally:
            store.close()
    elapsed = time.perf_counter() - started
    total = job.added + job.updated + job.skipped
    if job.added or job.updated:
        updated = f", updated {job.updated} edited since they were stored" if job.updated else ""
        console.print(f"added {job.added} document{'s' if job.added != 1 else ''}{updated}, skipped {job.skipped} "
                      f"already in the corpus, in {elapsed:.1f} s ({total / max(elapsed, 1e-9):.0f} documents/s)",
                      highlight=False)
    else:
        console.print(f"nothing new: all {total} documents are already in the corpus", highlight=False)
    if job.undated:
        console.print(f"{job.undated} record{'s' if job.undated != 1 else ''} read without a date (first: "
                      f"{job.undated_example}); trends and --since/--until leave undated documents out — "
                      "name the column with --date-column, or its format with --date-format", highlight=False)
    if job.empty_rows:
        console.print(f"skipped {len(job.empty_rows)} row{'s' if len(job.empty_rows) != 1 else ''} without text: "
                      + _named(job.empty_rows), highlight=False, markup=False)
    if job.unsupported:
        console.print(f"{len(job.unsupported)} stored without analysis, in a language rhetorscope does not analyse "
                      f"(force one with --language): {_named(job.unsupported)}",
                      highlight=False, markup=False)
    if job.unreadable:
        console.print(f"not stored, reading as no language at all: {_named(job.unreadable)}", highlight=False,
                      markup=False)
    if job.errors:
        raise InputError(f"{job.failed_files} of {len(files)} files could not be read: " + "; ".join(job.errors),
                         "nothing was taken from those files; fix them and rerun ingest")


def _named(items: list[str], shown: int = 20) -> str:
    """The first `shown` items, then how many more: a summary line stays readable for a channel of 100,000 posts."""
    more = len(items) - shown
    return "; ".join(items[:shown]) + (f"; and {more} more" if more > 0 else "")


def _finish_run(store: Store, job: _Ingest, status: str, console: Any) -> None:
    """Record how the run ended; when even that fails (the disk still full), say so and keep the first error."""
    try:
        store.finish_run(job.run_id, status, added=job.added, skipped=job.skipped, failed=job.failed_files)
    except RhetorscopeError as exc:
        if status == "finished":
            raise
        console.print(f"the run could not be marked {status} ({exc.message}); it stays 'running' in ingest_runs",
                      highlight=False, markup=False)


class _RateProgress:
    """Progress proxy that keeps a 'N documents/s' field current while the bar advances."""

    def __init__(self, progress: Any, task: Any, started: float) -> None:
        self._progress, self._task, self._started = progress, task, started
        self.console, self.tasks = progress.console, progress.tasks

    def update(self, task: Any, **kwargs: Any) -> None:
        self._progress.update(task, **kwargs)
        done = self._progress.tasks[0].completed
        rate = done / max(time.perf_counter() - self._started, 1e-9)
        self._progress.update(task, rate=f"{rate:,.0f} docs/s")


# search

def search(
    query: Annotated[list[str], typer.Argument(help='Words, "phrases", a OR b, a AND b, NOT a, -a, (groups), '
                                               'prefix*; "" for filters only (see docs/corpus.md).')],
    technique: TechniqueOption = None,
    category: CategoryOption = None,
    speaker: Annotated[str | None, typer.Option(help="Only paragraphs by a speaker whose name contains this.")]
    = None,
    lang: Annotated[str | None, typer.Option(help="Only paragraphs in this language (ISO 639-1).")] = None,
    source: SourceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    forwarded_from: ForwardedOption = None,
    min_confidence: MinConfidenceOption = 0.0,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Hits to show.")] = 20,
    offset: Annotated[int, typer.Option(min=0, help="Hits to skip (paging).")] = 0,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")] = TableFormat.text,
    db: DbOption = None,
) -> None:
    """Search the corpus: ranked paragraphs with the matched words highlighted."""
    filters = _filters(technique, category, speaker, lang, source, since, until, forwarded_from, min_confidence)
    with _open(db) as store:
        result = store.search(" ".join(query), filters, limit=limit, offset=offset)
    if fmt is TableFormat.json:
        from dataclasses import asdict

        payload = {"query": result.query, "total": result.total, "undated_left_out": result.undated,
                   "complete": result.complete, "hits": [asdict(h) for h in result.hits]}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    if fmt is TableFormat.csv:
        from rhetorscope.store.search import HIT_COLUMNS

        write_csv(sys.stdout, result.rows(offset), HIT_COLUMNS)
        return
    from rich.text import Text

    from rhetorscope.store.search import PG_SEARCH_CAP

    console = _console()
    console.print(("" if result.complete else "at least ")
                  + f"{result.total} matching paragraph{'s' if result.total != 1 else ''}"
                  + (f", showing {offset + 1}–{offset + len(result.hits)}" if result.hits else "")
                  + (f" ({result.undated} more in undated documents, left out by the date window)"
                     if result.undated else "")
                  + ("" if result.complete else f" (ranked among the first {PG_SEARCH_CAP:,} matching "
                     "paragraphs; add words or filters to narrow the search)"))
    for rank, h in enumerate(result.hits, offset + 1):
        head = Text(f"{rank}. ", style="bold")
        head.append(f"{h.date or 'undated'}  {h.source}", style="cyan")
        head.append(f"  doc {h.document_id} {h.segment_key}" + (f"  {h.speaker}" if h.speaker else "")
                    + (f"  forwarded from {h.forwarded_from}" if h.forwarded_from else "")
                    + (f"  {h.link}" if h.link else ""), style="dim")
        if h.techniques:
            head.append("  " + ", ".join(h.techniques), style="magenta")
        body = Text("   " + h.snippet)
        for start, end in h.highlights:
            body.stylize("bold yellow", start + 3, end + 3)
        console.print(head)
        console.print(body)


# repeats

def repeats(
    ctx: typer.Context,
    min_count: Annotated[int, typer.Option(min=2, help="Only passages found in at least this many documents.")]
    = 2,
    since: SinceOption = None,
    until: UntilOption = None,
    source: Annotated[str | None, typer.Option(help="Only talking points with at least one occurrence in a source "
                                               "whose name contains this.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Clusters to list.")] = 30,
    offset: Annotated[int, typer.Option(min=0, help="Clusters to skip (paging).")] = 0,
    occurrences: Annotated[int, typer.Option(min=0, help="Occurrences to list per cluster [default (0): 3 in text, all "
                                             "in JSON and CSV].")] = 0,
    include_boilerplate: Annotated[bool, typer.Option(help="Also list passages that recur in a large share of one "
                                                      "source's posts (credit lines, signatures).")] = False,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")] = TableFormat.text,
    db: DbOption = None,
) -> None:
    """Talking points repeated across the corpus: near-identical sentences and paragraphs, with their occurrences."""
    if ctx.invoked_subcommand:
        return  # `repeats show ID`
    keep = occurrences or (3 if fmt is TableFormat.text else 100_000)
    with _open(db) as store:
        page = store.repeats(min_count=min_count, since=_date(since, "--since"), until=_date(until, "--until"),
                             source=source, limit=limit, offset=offset, occurrences=keep,
                             include_boilerplate=include_boilerplate)
    if fmt is TableFormat.json:
        from dataclasses import asdict

        payload = {"total": page.total, "offset": page.offset, "limit": limit,
                   "boilerplate_hidden": page.boilerplate_hidden, "clusters": [asdict(c) for c in page.clusters]}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    if fmt is TableFormat.csv:
        from rhetorscope.store.repeats import OCCURRENCE_COLUMNS

        write_csv(sys.stdout, page.rows(), OCCURRENCE_COLUMNS)
        typer.echo(_repeats_summary(page), err=True)
        return
    from rich.table import Table

    table = Table(title=_repeats_summary(page), show_lines=True)
    for column in ("docs", "first seen", "last seen", "sources", "canonical wording and occurrences"):
        table.add_column(column, overflow="fold")
    for c in page.clusters:
        seen = "\n".join(f"  · {o.date or 'undated'} {o.source}" + (f" {o.link}" if o.link else "")
                         + (f" ({o.similarity:.2f})" if o.similarity < 1 else "") for o in c.occurrences)
        more = c.count - len(c.occurrences)
        table.add_row(str(c.documents), str(c.first_seen or "?"), str(c.last_seen or "?"),
                      _shorten(", ".join(c.sources), 40),
                      _shorten(c.canonical, 240) + ("  [boilerplate]" if c.boilerplate else "") + "\n" + seen
                      + (f"\n  … {more} more" if more > 0 else ""))
    _console().print(table)


def _repeats_summary(page: Any) -> str:
    shown = (f", showing {page.offset + 1}–{page.offset + len(page.clusters)}" if page.clusters
             else "")
    hidden = (f"; {page.boilerplate_hidden} boilerplate passage{'s' if page.boilerplate_hidden != 1 else ''} "
              "hidden (--include-boilerplate)" if page.boilerplate_hidden else "")
    return f"{page.total} repeated talking point{'s' if page.total != 1 else ''}{shown}{hidden}"


def _shorten(value: str, width: int) -> str:
    return value if len(value) <= width else value[:width - 1] + "…"


def _write_rows(rows: list[dict[str, Any]], fmt: TableFormat, fields: list[str]) -> None:
    if fmt is TableFormat.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    write_csv(sys.stdout, rows, fields)


# trends

def trends(
    technique: TechniqueOption = None,
    category: CategoryOption = None,
    by: Annotated[Period, typer.Option(help="Period length.")] = Period.month,
    source: SourceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    min_confidence: MinConfidenceOption = 0.0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Also draw a chart (.png or .svg).")] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="Table format.")] = TableFormat.text,
    db: DbOption = None,
) -> None:
    """Technique frequency per period: raw counts and per 1,000 words."""
    if technique and category:
        raise InputError("give --technique or --category, not both", "a trend follows one technique or one category")
    _check_taxonomy(technique, category)
    with _open(db) as store:
        table = store.trends(by=by.value, technique=technique, category=category, source=source,
                             since=_date(since, "--since"), until=_date(until, "--until"),
                             min_confidence=min_confidence)
    rows = table.rows()
    if fmt is not TableFormat.text:
        _write_rows(rows, fmt, table.columns)
    else:
        from rich.table import Table

        view = Table(title=f"{table.group} frequency by {table.by}")
        for column in ("period", table.group, "count", "per 1,000 words", "words"):
            view.add_column(column, justify="left" if column in ("period", table.group) else "right")
        for row in rows:
            view.add_row(row["period"], row[table.group], str(row["count"]), f"{row['per_1000_words']:.2f}",
                         str(row["words"]))
        _console().print(view if rows else "no analysed, dated documents match")
    if table.undated:
        typer.echo(f"{table.undated} analysed document{'s' if table.undated != 1 else ''} without a date "
                   "left out (no period to count them in)", err=True)
    if out is not None:
        from rhetorscope.store import plot

        plot(table, out)
        typer.echo(f"wrote {out}", err=True)


# export

def export(
    query: Annotated[list[str], typer.Argument(help="Search query (same syntax as `search`); \"\" for all.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="jsonl: Analysis JSON per document (ingest "
                                              "reads it back); csv: one row per paragraph; semeval: SemEval-2023 "
                                              "lines.")]
    = ExportFormat.jsonl,
    per: Annotated[ExportUnit | None, typer.Option(help="One record per document (jsonl), paragraph (csv, semeval) "
                                                   "or finding (csv, jsonl) [default: the format's].")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write (atomically).")] = Path("export.jsonl"),
    technique: TechniqueOption = None,
    category: CategoryOption = None,
    speaker: Annotated[str | None, typer.Option(help="Only paragraphs by this speaker.")] = None,
    lang: Annotated[str | None, typer.Option(help="Only paragraphs in this language.")] = None,
    source: SourceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    forwarded_from: ForwardedOption = None,
    min_confidence: MinConfidenceOption = 0.0,
    db: DbOption = None,
) -> None:
    """Export every result of a search to a file."""
    from rhetorscope.io import write_atomic
    from rhetorscope.store.export import export as run_export

    filters = _filters(technique, category, speaker, lang, source, since, until, forwarded_from, min_confidence)
    with _open(db) as store:
        content, count = run_export(store, " ".join(query), filters, fmt.value, per.value if per else None)
    write_atomic(out, content)
    unit = per.value if per else ("document" if fmt is ExportFormat.jsonl else "paragraph")
    typer.echo(f"wrote {out} ({count} {unit}{'s' if count != 1 else ''})", err=True)


#: A query word may start with '-' (`search -Запад war`): an unknown option is taken as part of the query.
#: One that is a known option (`-f`) still is that option; put `--` before such a query.
_QUERY_SETTINGS = {"ignore_unknown_options": True}


def register(app: typer.Typer) -> None:
    """Add the corpus commands to the main app."""
    from rhetorscope.cli import propagation

    for command in (ingest, search, trends, export):
        settings = _QUERY_SETTINGS if command in (search, export) else None
        app.command(command.__name__, context_settings=settings)(command)
    # `repeats` lists clusters; `repeats show ID` follows one of them
    group = typer.Typer(invoke_without_command=True, add_completion=False)
    group.callback()(repeats)
    group.command("show")(propagation.show)
    app.add_typer(group, name="repeats")
