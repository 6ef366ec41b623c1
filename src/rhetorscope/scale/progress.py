"""The progress display of a scale-out run: bytes read and documents analysed, each with its rate and ETA.

While files are read the documents' total grows with what has been read, so the reading bar's
ETA (by bytes, and reading runs at most a few batches ahead of the workers) is the run's.
"""

from __future__ import annotations

import time
from typing import Any

from rhetorscope.scale.inputs import Reading


class RunProgress:
    """Two rich bars on stderr: reading (bytes of the input files, when there are files) and analysing."""

    def __init__(self, console: Any, reading: Reading, *, label: str, files: bool) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.reading, self.started = reading, time.perf_counter()
        self.progress = Progress(TextColumn("{task.description:<9}"), BarColumn(), TextColumn("{task.fields[done]}"),
                                 TextColumn("{task.fields[rate]}"), TextColumn("ETA"), TimeRemainingColumn(),
                                 console=console, transient=False)
        self._read = self.progress.add_task("reading", total=None, rate="", done="") if files else None
        self._done = self.progress.add_task(label, total=None, rate="", done="")
        self.analysed = 0
        reading.on_progress = self.refresh

    def __enter__(self) -> RunProgress:
        self.progress.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.refresh()
        self.progress.stop()

    def advance(self, documents: int) -> None:
        self.analysed += documents
        self.refresh()

    def refresh(self) -> None:
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        r = self.reading
        if self._read is not None:
            self.progress.update(self._read, total=max(r.bytes_total, 1), completed=r.bytes_read,
                                 done=f"{r.bytes_read / 1e6:,.1f}/{r.bytes_total / 1e6:,.1f} MB",
                                 rate=f"{r.bytes_read / elapsed / 1e6:.1f} MB/s")
        total = max(r.documents - r.skipped, self.analysed)
        self.progress.update(self._done, total=total, completed=self.analysed, done=f"{self.analysed:,}/{total:,}",
                             rate=f"{self.analysed / elapsed:,.0f} docs/s")
