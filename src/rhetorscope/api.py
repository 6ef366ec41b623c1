"""The Python API for notebooks and scripts: `analyze`, `analyze_many` and `Corpus`.

    import rhetorscope
    report = rhetorscope.analyze("statement.txt")           # a path, or the text itself
    report.findings_frame()                                  # pandas (the optional `notebook` extra)
    reports = rhetorscope.analyze_many(paths, n_jobs=4)      # in order; a failure is a `Failed`, the rest stay
    corpus = rhetorscope.Corpus("corpus.sqlite")
    corpus.ingest("posts.csv")
    corpus.compare(by="source").to_frame()

Everything goes through the same code as the CLI: the readers, `rhetorscope.policy`
(the language rule), the store. Worker processes are spawned, never forked: a
fork of a process whose encoder (OpenMP) has run hangs on the encoder's first call.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rhetorscope.errors import RhetorscopeError

if TYPE_CHECKING:
    from rhetorscope.model import Analysis
    from rhetorscope.store import RepeatPage, SearchResult, Store, TrendTable
    from rhetorscope.store.compare import Comparison
    from rhetorscope.store.propagation import Propagation

#: A string longer than this, or with a line break, is a text, never a path.
_MAX_PATH = 4096


def _is_path(value: str | Path) -> bool:
    if isinstance(value, Path):
        return True
    return len(value) < _MAX_PATH and "\n" not in value and Path(value).is_file()


def analyze(text_or_path: str | Path, *, language: str | None = None, input_format: str | None = None,
            fast: bool = False, source: str | None = None) -> Analysis | list[Analysis]:
    """Analyse a text, or a file of any supported format (a `Path`, or a string naming an existing file).

    One document gives an `Analysis`; a file of several (a Telegram export, CSV, JSON Lines) a list.
    `language` forces the language (else detected; an unsupported one raises `UnsupportedLanguage`);
    `input_format` skips sniffing (a text without it is plain text); `fast` is the fast technique tier.
    """
    from rhetorscope.policy import analyse, pipeline_for
    from rhetorscope.readers import read_bytes, read_path
    from rhetorscope.readers.base import RawDocument

    if _is_path(text_or_path):
        raws = read_path(Path(text_or_path), input_format=input_format, source=source, skipped=[])
        name = str(text_or_path)
    elif input_format is not None:
        raws = read_bytes(str(text_or_path).encode("utf-8"), name=source or "text", input_format=input_format,
                          source=source, skipped=[])
        name = source or "the text"
    else:
        raws = [RawDocument(text=str(text_or_path), input_format="text", source=source)]
        name = source or "the text"
    pipeline = pipeline_for(fast=fast, language=language)
    single = len(raws) == 1
    analyses = [analyse(raw, name if single else f"{name}: document {raw.external_id or n}", language=language,
                        pipeline=pipeline, single=single) for n, raw in enumerate(raws, 1)]
    return analyses[0] if single else analyses


@dataclass(frozen=True)
class Failed:
    """An input of `analyze_many` that could not be analysed: which one, and why (one line)."""

    index: int
    item: str
    error: str

    def __bool__(self) -> bool:
        return False


def _analyze_one(index: int, item: str | Path, options: dict[str, Any]) -> Analysis | list[Analysis] | Failed:
    """One input in a worker; every failure comes back as a value, so one bad input loses nothing else."""
    try:
        return analyze(item, **options)
    except RhetorscopeError as exc:
        return Failed(index, _label(item), str(exc))
    except Exception as exc:  # a bug on one input must not lose the others' results
        return Failed(index, _label(item), f"{type(exc).__name__}: {exc}")


def _label(item: str | Path) -> str:
    text = str(item)
    return text if len(text) <= 60 else text[:59] + "…"


def analyze_many(items: Iterable[str | Path], *, n_jobs: int | None = None, progress: bool = True,
                 language: str | None = None, input_format: str | None = None,
                 fast: bool = False) -> list[Analysis | list[Analysis] | Failed]:
    """`analyze` over many texts or paths, in worker processes; results in the input order.

    An input that fails gives a `Failed` (falsy, with its index and the reason) in its place, and a
    warning names how many failed; the others are analysed all the same. `n_jobs` defaults to the
    number of cores (at most the number of inputs); 1 runs in this process.
    """
    import multiprocessing
    import warnings
    from concurrent.futures import ProcessPoolExecutor

    todo = list(items)
    options = {"language": language, "input_format": input_format, "fast": fast}
    jobs = max(1, min(n_jobs or os.cpu_count() or 1, len(todo) or 1))
    results: list[Analysis | list[Analysis] | Failed] = []
    with _Bar(progress, len(todo)) as advance:
        if jobs == 1:
            for index, item in enumerate(todo):
                results.append(_analyze_one(index, item, options))
                advance()
        else:
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
                for result in pool.map(_analyze_one, range(len(todo)), todo, [options] * len(todo)):
                    results.append(result)
                    advance()
    failed = [r for r in results if isinstance(r, Failed)]
    if failed:
        warnings.warn(f"{len(failed)} of {len(todo)} inputs could not be analysed (first: #{failed[0].index} "
                      f"{failed[0].item}: {failed[0].error})", stacklevel=2)
    return results


class _Bar:
    """A rich progress bar (it renders in Jupyter too) when asked for; `advance()` moves it one input on."""

    def __init__(self, shown: bool, total: int) -> None:
        self.shown, self.total = shown and total > 1, total

    def __enter__(self) -> Any:
        if not self.shown:
            return lambda: None
        from rich.progress import Progress

        self.bar = Progress(transient=True)
        self.bar.start()
        task = self.bar.add_task("analysing", total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *_exc: object) -> None:
        if self.shown:
            self.bar.stop()


class Corpus:
    """A corpus database (SQLite path, PostgreSQL URL, or None for the default) for notebook work.

    Each query returns the store's typed result, which has `.to_frame()` (pandas) and `.rows()`.
    """

    def __init__(self, db: str | Path | None = None) -> None:
        from rhetorscope.store import Store

        self.store: Store = Store.open(db)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        stats = self.store.stats()
        return f"Corpus({self.store.url!r}: {stats['documents']} documents, {stats['analyzed']} analysed)"

    def ingest(self, *paths: str | Path, analyze: bool = True, fast: bool = False, jobs: int = 1,
               language: str | None = None, source: str | None = None, input_format: str | None = None,
               text_column: str | None = None) -> dict[str, int]:
        """Add files and folders as `rhetorscope ingest` does (same keys, policy and summary); returns row counts."""
        from rhetorscope.cli.corpus import ingest

        ingest([Path(p) for p in paths], db=self.store.url, analyze=analyze, fast=fast, jobs=jobs, language=language,
               source=source, input_format=input_format, text_column=text_column)
        return self.store.stats()

    def search(self, query: str = "", *, limit: int = 100, offset: int = 0, facets: bool = False,
               **filters: Any) -> SearchResult:
        """Ranked paragraphs (`rhetorscope.store.query` syntax); filters are `SearchFilters` fields
        (technique, category, speaker, language, source, forwarded_from, since, until, min_confidence)."""
        from rhetorscope.store import SearchFilters

        return self.store.search(query, SearchFilters(**_dates(filters)), limit=limit, offset=offset, facets=facets)

    def repeats(self, **options: Any) -> RepeatPage:
        """Repeated talking points (`Store.repeats` options: min_count, since, until, source, limit, …)."""
        return self.store.repeats(**_dates(options))

    def spread(self, cluster_id: int) -> Propagation:
        """How one repeated talking point travelled (`repeats show`)."""
        return self.store.propagation(cluster_id)

    def trends(self, **options: Any) -> TrendTable:
        """Technique counts per period (`Store.trends` options: by, technique, category, source, since, until)."""
        return self.store.trends(**_dates(options))

    def compare(self, **options: Any) -> Comparison:
        """Technique profiles between groups with their tests (`Store.compare` options: by, techniques, …)."""
        return self.store.compare(**_dates(options))


def _dates(options: dict[str, Any]) -> dict[str, Any]:
    """ISO strings accepted where a date is expected, as a notebook user types them."""
    return {k: dt.date.fromisoformat(v) if k in ("since", "until", "split_date") and isinstance(v, str) else v
            for k, v in options.items()}

