"""The documents a scale-out run analyses, streamed: read from files, or stored ones that are not current.

Neither holds the corpus: files are read one at a time (a Telegram JSON export message by
message, `readers.stream`), and their keys are checked against the store a chunk at a time, so
what is stored already (or analysed, with `--analyze`) never reaches a worker. A file that
cannot be read, or a message that is malformed, becomes a `Failure` and the run goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rhetorscope.errors import RhetorscopeError
from rhetorscope.scale.tasks import Item
from rhetorscope.store.runs import Failure

if TYPE_CHECKING:
    from rhetorscope.readers.base import RawDocument
    from rhetorscope.store.core import Store

T = TypeVar("T")
#: Documents whose keys are looked up in one query.
KEY_CHUNK = 500
_HEAD = 200_000


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` items (the last shorter), without reading ahead."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


@dataclass
class Reading:
    """What reading has done so far: bytes for the progress bar, documents skipped, failures to list."""

    bytes_total: int = 0
    bytes_read: int = 0
    documents: int = 0
    skipped: int = 0
    failures: list[Failure] = field(default_factory=list)
    on_progress: Callable[[], None] = lambda: None

    def fail(self, item: str, reason: str) -> None:
        self.failures.append(Failure(item, reason))


def from_files(store: Store, files: list[Path], *, analyze: bool, reader_options: Mapping[str, Any],
               reading: Reading) -> Iterator[Item]:
    """The documents of the files that still need the store's attention, in file order."""
    reading.bytes_total = sum(p.stat().st_size for p in files)
    done = 0
    for path in files:
        for chunk in chunks(_documents(path, reader_options, reading, done), KEY_CHUNK):
            yield from _todo(store, path, chunk, analyze=analyze, reading=reading)
        done += path.stat().st_size
        reading.bytes_read = done
        reading.on_progress()


def _documents(path: Path, options: Mapping[str, Any], reading: Reading, done: int) -> Iterator[RawDocument]:
    from rhetorscope.readers import read_path
    from rhetorscope.readers.stream import is_streamable, stream_telegram

    limit = options.get("max_bytes")
    if limit is not None and path.stat().st_size > limit:
        reading.fail(str(path), f"{path.stat().st_size / 1_048_576:.1f} MB, over the {limit / 1_048_576:.0f} MB "
                     "limit (raise it with --max-size)")
        return
    try:
        with path.open("rb") as f:
            head = f.read(_HEAD)
            if head.lstrip(b"\xef\xbb\xbf").startswith(b'{"schema_version"'):
                reading.fail(str(path), "a rhetorscope export: ingest it without --executor, which stores it as "
                             "it is")
                return
            if options.get("input_format") in (None, "telegram") and is_streamable(head):
                f.seek(0)
                for raw in stream_telegram(f, name=options.get("source") or str(path), on_failure=reading.fail):
                    reading.bytes_read = done + f.tell()
                    yield raw
                return
    except OSError as exc:
        reading.fail(str(path), f"cannot be read ({exc.strerror})")
        return
    empty: list[str] = []
    try:
        raws = read_path(path, skipped=empty, **options)
    except RhetorscopeError as exc:
        reading.fail(str(path), exc.message)
        return
    for row in empty:
        reading.fail(f"{path}: {row}", "no text")
    yield from raws


def _todo(store: Store, path: Path, raws: list[RawDocument], *, analyze: bool, reading: Reading) -> Iterator[Item]:
    """The documents not stored yet (or not analysed, with `analyze`; or possibly edited since)."""
    from rhetorscope.store import raw_key

    keyed = [(raw_key(raw), raw) for raw in raws]
    stored = store.stored_keys(k for k, _ in keyed)
    reading.documents += len(keyed)
    for n, (key, raw) in enumerate(keyed, reading.documents - len(keyed) + 1):
        if key in stored and not (analyze and not stored[key]) and not raw.extra.get("edited"):
            reading.skipped += 1
            continue
        yield Item(key=key, name=f"{path}: {'message ' + raw.external_id if raw.external_id else f'document {n}'}",
                   raw=raw)
    reading.on_progress()


def from_store(store: Store, models: Mapping[str, str], reading: Reading, *, page: int = KEY_CHUNK) -> Iterator[Item]:
    """Stored documents the current models (`models`) have not analysed, by row id, a page at a time.

    The caller sets `reading.documents` to their count first (`runs.count_not_current`).
    """
    from rhetorscope.store.runs import not_current

    after = 0
    while rows := not_current(store, models, after=after, limit=page):
        for row_id, key, document in rows:
            yield Item(key=key, name=f"document {row_id}", stored=document)
        after = rows[-1][0]
        reading.on_progress()
