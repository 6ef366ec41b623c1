"""`rhetorscope ptc …`: PTC (SemEval-2020 Task 11) span prediction files and scorer."""

from __future__ import annotations

import typer

app = typer.Typer(help="PTC span prediction and scoring.", no_args_is_help=True)
