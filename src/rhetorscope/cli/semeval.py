"""`rhetorscope semeval …`: official SemEval-2023 Task 3 (subtask 3) prediction files and scorer."""

from __future__ import annotations

import typer

app = typer.Typer(help="SemEval-2023 Task 3 prediction and scoring.", no_args_is_help=True)
