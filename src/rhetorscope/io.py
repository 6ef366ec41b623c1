"""File output: a reader never sees half a report, and Ctrl-C leaves no partial file.

A regular file is written atomically (a temporary file beside it, renamed over
it). Anything else is written through, never replaced: a FIFO, `/dev/stdout` or
a device node keeps being what it is (renaming over `/dev/full` as root would
replace the device). A symbolic link is followed on purpose, so the file it
points to is replaced and the link stays a link.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from rhetorscope.errors import RhetorscopeError


def write_atomic(path: Path | str, content: str | bytes) -> None:
    """Write `content` to `path`: atomically for a regular file, through for a pipe or device."""
    given = Path(path)
    path = Path(os.path.realpath(given))
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise _write_error(given, exc) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise RhetorscopeError(f"{given} is a directory", "give a file name for --out")
    if mode is not None and not stat.S_ISREG(mode):
        _write_through(given, path, data)
        return
    if not path.parent.is_dir():
        raise RhetorscopeError(f"{path.parent} does not exist", "create the folder first or choose another --out")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _write_error(given, exc) from None
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp's 0600 would make reports unreadable to others
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _write_error(given, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_through(given: Path, path: Path, data: bytes) -> None:
    """A pipe, socket or device: open it and write, as a shell redirection would."""
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise _write_error(given, exc) from None


def _write_error(path: Path, exc: OSError) -> RhetorscopeError:
    return RhetorscopeError(f"cannot write {path}: {exc.strerror or exc}",
                            "free some space, check the permissions, or choose another --out")


def write_csv(stream: TextIO, rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> None:
    """Rows as CSV with a header, the one way every table is written (CLI and web downloads).

    A list value (the sources of a trend row) becomes `a;b`: a comma would need quoting in every reader.
    """
    import csv

    writer = csv.DictWriter(stream, fieldnames=list(columns))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in row.items()})


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """`write_csv` into a string."""
    import io

    buffer = io.StringIO()
    write_csv(buffer, rows, columns)
    return buffer.getvalue()
