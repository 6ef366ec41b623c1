"""`rhetorscope train …`: rebuild the shipped model artifacts from the datasets."""

from __future__ import annotations

import typer

app = typer.Typer(help="Train the models that ship with rhetorscope.", no_args_is_help=True)
