"""`rhetorscope ptc …`: PTC (SemEval-2020 Task 11) span prediction files and scorer."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="PTC span prediction and scoring.", no_args_is_help=True)


@app.command("predict")
def predict(
    articles: Path = typer.Option(..., "--articles", exists=True, file_okay=False,
                                  help="folder with articleNNN.txt files (English, one paragraph a line)"),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="prediction file to write"),
    fast: bool = typer.Option(False, "--fast", help="gate with the fast tier (no encoder)"),
) -> None:
    """Tag every article and write `NNN<TAB>technique<TAB>start<TAB>end` lines with the 14 PTC labels
    (the fragment tagger's 2023 techniques mapped; those PTC has no label for are left out)."""
    from rhetorscope.spans.predict import predict_folder, to_ptc_labels
    from rhetorscope.spans.ptc import write_span_file

    predictions, version = predict_folder(articles, "en", fast)
    count = write_span_file(out, {k: to_ptc_labels(v) for k, v in predictions.items()})
    typer.echo(f"{count} spans in {len(predictions)} articles -> {out} (spans {version})")


@app.command("score")
def score(
    pred: Path = typer.Option(..., "--pred", exists=True, dir_okay=False, help="prediction file"),
    gold: Path = typer.Option(..., "--gold", exists=True, file_okay=False,
                              help="folder with article*.labels files (or a PTC folder with train-labels/)"),
) -> None:
    """Span identification and technique-aware P/R/F1 with the SemEval-2020 partial-overlap metric."""
    from rhetorscope.spans.ptc import PTC_LABELS, format_scores, score_files

    scores, unknown = score_files(pred, gold, PTC_LABELS)
    if unknown:
        typer.echo(f"ignoring {len(unknown)} predicted articles without gold labels, e.g. {unknown[0]}", err=True)
    typer.echo(format_scores(scores))
