"""Atomic file output: a reader never sees half a report, and Ctrl-C leaves no partial file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rhetorscope.errors import RhetorscopeError


def write_atomic(path: Path | str, content: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`."""
    path = Path(path)
    if path.is_dir():
        raise RhetorscopeError(f"{path} is a directory", "give a file name for --out")
    if not path.parent.is_dir():
        raise RhetorscopeError(f"{path.parent} does not exist", "create the folder first or choose another --out")
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp's 0600 would make reports unreadable to others
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
