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
    fast: bool = typer.Option(False, "--fast", help="the fast tier (lexical model, no encoder)"),
    model: Path | None = typer.Option(None, "--model", help="a sentences.npz; the shipped one of the tier by default"),
) -> None:
    """Write one `article_id<TAB>paragraph_no<TAB>labels` line per template paragraph.

    Each article's paragraphs are scored together, sentence by sentence in their context.
    """
    from rich.progress import Progress

    from rhetorscope.detect.model import load_model
    from rhetorscope.detect.predict import by_article, predict_articles
    from rhetorscope.detect.semeval import read_template, resolve_language, write_predictions

    iso = resolve_language(template, lang)
    paragraphs = read_template(template, iso)
    sentence_model = load_model(model, fast=fast)
    encoder = None
    if sentence_model.needs_encoder:
        from rhetorscope.encoder import load_encoder

        encoder = load_encoder()
    runs = by_article([p.article_id for p in paragraphs])
    with Progress(transient=True) as bar:
        task = bar.add_task("scoring", total=len(paragraphs))
        articles = [(iso, [paragraphs[i].text for i in idx]) for _, idx in runs]
        labels = predict_articles(sentence_model, encoder, articles, progress=lambda n: bar.advance(task, n))
    flat = {i: lab for (_, idx), article in zip(runs, labels, strict=True) for i, lab in zip(idx, article, strict=True)}
    n = write_predictions(out, ((p.article_id, p.paragraph_no, flat[i]) for i, p in enumerate(paragraphs)))
    typer.echo(f"wrote {n} predictions ({iso}, {'fast' if fast else 'accurate'} tier) to {out}")


@app.command("score")
def score_cmd(
    pred: Path = typer.Option(..., "--pred", help="prediction file"),
    gold: Path = typer.Option(..., "--gold", help="gold labels file"),
) -> None:
    """Official micro-F1 (the task's ranking metric) and macro-F1 over the 23 techniques."""
    from rhetorscope.detect.semeval import read_labels, score

    s = score(read_labels(gold), read_labels(pred))
    typer.echo(f"micro-F1={s.micro_f1:.5f}\tmacro-F1={s.macro_f1:.5f}\tparagraphs={s.paragraphs}")
