"""`rhetorscope semeval …`: official SemEval-2023 Task 3 (subtask 3) prediction files and scorer."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="SemEval-2023 Task 3 prediction and scoring.", no_args_is_help=True)


@app.command("predict")
def predict(
    template: Path = typer.Option(..., "--template", help="official .template file (id, paragraph no, text)"),
    out: Path = typer.Option(..., "--out", help="prediction file to write"),
    lang: str | None = typer.Option(None, "--lang", help="en|fr|ge|it|po|ru; detected when absent"),
    model: Path | None = typer.Option(None, "--model", help="paragraphs.npz; the shipped model by default"),
) -> None:
    """Write one `article_id<TAB>paragraph_no<TAB>labels` line per template paragraph."""
    from rhetorscope.classify.model import load_model
    from rhetorscope.classify.semeval import read_template, resolve_language, write_predictions

    iso = resolve_language(template, lang)
    paragraphs = read_template(template, iso)
    predictions = load_model(model).predict(paragraphs)
    n = write_predictions(out, ((p.article_id, p.paragraph_no, pred.labels)
                               for p, pred in zip(paragraphs, predictions, strict=True)))
    typer.echo(f"wrote {n} predictions ({iso}) to {out}")


@app.command("score")
def score_cmd(
    pred: Path = typer.Option(..., "--pred", help="prediction file"),
    gold: Path = typer.Option(..., "--gold", help="gold labels file"),
) -> None:
    """Official micro-F1 (the task's ranking metric) and macro-F1 over the 23 techniques."""
    from rhetorscope.classify.semeval import read_labels, score

    s = score(read_labels(gold), read_labels(pred))
    typer.echo(f"micro-F1={s.micro_f1:.5f}\tmacro-F1={s.macro_f1:.5f}\tparagraphs={s.paragraphs}")
