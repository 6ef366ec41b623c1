"""`rhetorscope spans …`: technique fragments for a folder of articles, and the span scorer."""

from __future__ import annotations

from pathlib import Path

import typer

from rhetorscope.detect.corpus import DATASET_LANGS

app = typer.Typer(help="Technique fragments (23 SemEval-2023 techniques, six languages) and their scorer.",
                  no_args_is_help=True)

_LANG_CODES = {**DATASET_LANGS, **{v: v for v in DATASET_LANGS.values()}}


@app.command("predict")
def predict(
    articles: Path = typer.Option(..., "--articles", exists=True, file_okay=False,
                                  help="folder with articleNNN.txt files (UTF-8, one paragraph a line)"),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="prediction file to write"),
    lang: str | None = typer.Option(None, "--lang", help="en|fr|ge|it|po|ru (or de, pl); default: detected "
                                    "per article"),
    fast: bool = typer.Option(False, "--fast", help="gate with the fast tier (no encoder)"),
) -> None:
    """Write `NNN<TAB>technique<TAB>start<TAB>end` for every fragment (23 techniques, `end` exclusive)."""
    from rhetorscope.errors import InputError
    from rhetorscope.spans.predict import predict_folder
    from rhetorscope.spans.ptc import write_span_file

    if lang is not None and lang not in _LANG_CODES:
        raise InputError(f"unknown --lang {lang!r}", f"use one of {', '.join(sorted(_LANG_CODES))}")
    predictions, version = predict_folder(articles, _LANG_CODES[lang] if lang else None, fast)
    count = write_span_file(out, predictions)
    typer.echo(f"{count} spans in {len(predictions)} articles -> {out} (spans {version})")


@app.command("score")
def score(
    pred: Path = typer.Option(..., "--pred", exists=True, dir_okay=False, help="prediction file"),
    gold: Path = typer.Option(..., "--gold", exists=True, file_okay=False,
                              help="a semeval2023-task3-spans language folder (train-labels-spans/), or a PTC "
                              "folder (train-labels/), or a folder of label files"),
) -> None:
    """Span identification and technique-aware P/R/F1 (SemEval-2020 partial overlap), per technique too."""
    from rhetorscope.spans.ptc import format_scores, score_files

    scores, unknown = score_files(pred, gold)
    if unknown:
        typer.echo(f"ignoring {len(unknown)} predicted articles without gold labels, e.g. {unknown[0]}", err=True)
    typer.echo(format_scores(scores))
