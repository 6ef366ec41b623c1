"""The commit a benchmark table was printed at, marked `+dirty` when the measured code has local changes."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def commit_id(measured: str = "src/rhetorscope") -> str:
    """Short HEAD id, plus `+dirty` when `measured` (a path under the repository) differs from it."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", measured], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return (head.stdout.strip() or "unknown") + ("+dirty" if dirty else "")
