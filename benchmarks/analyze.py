"""Cold start to finished report: `rhetorscope analyze` on the reference document, as a user runs it.

Each run is a fresh process (so imports and model loading are counted), writing
the report to a file. Prints one table: wall time (median and worst over the
runs) and peak resident memory per output format, with the commit id.

    python benchmarks/analyze.py [--runs 7] [--file examples/mfa-lavrov-interview-2025-03-21.txt]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
TARGET_WALL_S = 1.5
TARGET_RSS_MB = 300


def one_run(file: Path, fmt: str, out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `rhetorscope analyze` process."""
    cmd = [sys.executable, "-m", "rhetorscope", "analyze", str(file), "--format", fmt, "--out", str(out)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"analyze failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--file", type=Path, default=ROOT / "examples" / "mfa-lavrov-interview-2025-03-21.txt")
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    table = Table(title=f"rhetorscope analyze, cold start ({args.file.name}, {args.runs} runs, "
                        f"commit {commit.stdout.strip() or 'unknown'}, {os.cpu_count()} CPUs)")
    for column in ("format", "median wall s", "max wall s", f"target ≤ {TARGET_WALL_S} s", "peak RSS MB",
                   f"target ≤ {TARGET_RSS_MB} MB"):
        table.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("text", "json", "html"):
            one_run(args.file, fmt, Path(tmp) / f"warmup.{fmt}")  # page cache and .pyc, not interpreter state
            results = [one_run(args.file, fmt, Path(tmp) / f"out.{fmt}") for _ in range(args.runs)]
            walls = [w for w, _ in results]
            rss = max(r for _, r in results)
            median = statistics.median(walls)
            table.add_row(fmt, f"{median:.3f}", f"{max(walls):.3f}", "ok" if max(walls) <= TARGET_WALL_S else "MISS",
                          f"{rss:.0f}", "ok" if rss <= TARGET_RSS_MB else "MISS")
    Console().print(table)


if __name__ == "__main__":
    main()
