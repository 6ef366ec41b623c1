"""Options shared by `ingest --executor` and `reanalyze` (apart from cli/scale.py, which imports cli/corpus)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer


class ExecutorKind(str, Enum):
    local = "local"
    dask = "dask"


ExecutorOption = Annotated[ExecutorKind | None, typer.Option(
    "--executor", help="Where analysis runs: local (a process pool here, --workers) or dask (--scheduler) "
    "[default: ingest's own process pool, --jobs].")]
WorkersOption = Annotated[int, typer.Option(min=0, help="Local worker processes (and the size of --scheduler "
                                            "local:N when none is given) [default: number of CPU cores].")]
SchedulerOption = Annotated[str | None, typer.Option(help="Dask scheduler: tcp://HOST:PORT, or local:N to start a "
                                                     "LocalCluster of N workers here.")]
