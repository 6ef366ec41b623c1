"""`rhetorscope train …`: rebuild the shipped model artifacts from the datasets."""

from __future__ import annotations

from pathlib import Path

import typer

from rhetorscope.errors import RhetorscopeError

app = typer.Typer(help="Train the models that ship with rhetorscope.", no_args_is_help=True)


@app.command("spans")
def spans(
    data: list[Path] = typer.Option(..., "--data", exists=True, file_okay=False,
                                    help="PTC folder (cross-validated) or SemEval-2021 task 6 folder (extra training)"),
    out: Path = typer.Option(..., "--out", file_okay=False, help="artifact folder to write"),
    seed: int = typer.Option(0, "--seed", help="fold assignment seed"),
    folds: int = typer.Option(5, "--folds", min=2, help="cross-validation folds (split by article)"),
) -> None:
    """Cross-validate, tune thresholds and train the span tagger; writes the artifact and its model card."""
    from rich.progress import Progress

    from rhetorscope.spans.train import format_table, train_artifact

    with Progress() as progress:
        task = progress.add_task("span tagger", total=None)
        written, result = train_artifact(
            data, out, seed, folds,
            progress=lambda step, n: progress.update(task, advance=n, description=step),
            on_total=lambda total: progress.update(task, total=total),
        )
    typer.echo(format_table(result))
    typer.echo(f"artifact and MODEL_CARD.md -> {written}")


@app.command("checkworthy")
def checkworthy(
    data: Path = typer.Option(..., "--data", help="the checkthat2019-task1 folder (training/*.tsv)"),
    out: Path = typer.Option(..., "--out", file_okay=False, help="folder for checkworthy.npz and MODEL_CARD.md"),
    seed: int = typer.Option(13, "--seed", help="solver seed"),
    cache: Path | None = typer.Option(None, "--cache", help="encoder cache file (.npz): embed the debates once"),
) -> None:
    """Cross-validate by debate and train the check-worthiness model; same data and seed, same model."""
    _need_sklearn("the check-worthiness model")
    from rhetorscope.claims.checkworthy import ARTIFACT_NAME
    from rhetorscope.claims.train import Data, TrainConfig, cross_validate, fit_final, format_table, model_card
    from rhetorscope.encoder import load_encoder

    cfg = TrainConfig(seed=seed)
    ds = Data.read(data, load_encoder(), cache)
    cv = cross_validate(ds, cfg, lambda name, _n: typer.echo(f"fold {name}", err=True))
    model, extra = fit_final(ds, cfg, cv)
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / ARTIFACT_NAME)
    (out / "MODEL_CARD.md").write_text(model_card(model, cv, extra, data.name), encoding="utf-8")
    typer.echo(format_table(cv))
    typer.echo(f"threshold {extra['threshold']:.3f} (out-of-fold recall {extra['recall']:.2f}, precision "
               f"{extra['precision']:.3f}, flags {extra['flagged']:.1%}); wrote {out / ARTIFACT_NAME}")


def _need_sklearn(what: str) -> None:
    import importlib.util

    if importlib.util.find_spec("sklearn") is None:
        raise RhetorscopeError(f"training {what} needs scikit-learn",
                               "install it with: pip install 'rhetorscope[train]'")


@app.command("masking")
def masking(
    data: Path = typer.Option(..., "--data", exists=True, file_okay=False,
                              help="the semeval2023-task3-spans folder (en/, fr/, ge/, it/, po/, ru/)"),
    out: Path = typer.Option(..., "--out", file_okay=False, help="folder for the word lists (src/rhetorscope/data)"),
) -> None:
    """Rebuild the word lists of the general name masking from the training articles."""
    from rhetorscope.detect.corpus import DATASET_LANGS
    from rhetorscope.masking import build_lexicons

    texts = {lang: [p.read_text(encoding="utf-8") for p in sorted((data / folder / "train-articles").glob("*.txt"))]
             for folder, lang in DATASET_LANGS.items()}
    for name, size in build_lexicons(texts, out).items():
        typer.echo(f"{name}: {size} words")


@app.command("sentences")
def sentences(
    data: Path = typer.Option(..., "--data", exists=True, file_okay=False,
                              help="the semeval2023-task3-spans folder (en/, fr/, ge/, it/, po/, ru/)"),
    out: Path = typer.Option(..., "--out", file_okay=False, help="folder for sentences.npz and MODEL_CARD.md"),
    seed: int = typer.Option(13, "--seed", help="fold assignment and network seed"),
    cache: Path | None = typer.Option(None, "--cache", dir_okay=False,
                                      help="embedding cache (.npz): read if present, written after embedding"),
) -> None:
    """Cross-validate (three segmentations) and train the sentence technique model (accurate tier)."""
    _need_sklearn("the sentence model")
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from rhetorscope.detect.corpus import read_dataset
    from rhetorscope.detect.model import ARTIFACT_NAME, FAST_ARTIFACT_NAME
    from rhetorscope.detect.train import (
        TrainConfig,
        cross_validate,
        fit_final,
        model_card,
        prepare,
    )
    from rhetorscope.encoder import CachedEncoder, load_encoder

    cfg = TrainConfig(seed=seed)
    encoder = load_encoder()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()) as bar:
        task = bar.add_task("reading and splitting articles", total=None)
        articles = read_dataset(data)
        bar.update(task, description=f"embedding {sum(len(a.units) for a in articles)} sentences")
        embeddings = CachedEncoder(encoder, cache)
        try:
            prep = prepare(articles, embeddings)
        finally:
            embeddings.save()
        cvs = cross_validate(prep, cfg, progress=lambda step: bar.update(task, description=step))
        bar.update(task, description="final models")
        models = fit_final(prep, cfg, *cvs, {"model_version": "2.0", "encoder": encoder.name, "config": vars(cfg)})
    out.mkdir(parents=True, exist_ok=True)
    models[0].meta["lexical_in"] = FAST_ARTIFACT_NAME
    models[0].save(out / ARTIFACT_NAME, with_lexical=False)
    models[1].save(out / FAST_ARTIFACT_NAME)
    (out / "MODEL_CARD.md").write_text(model_card(models, cvs, data.name, len(articles), len(prep.rows)),
                                       encoding="utf-8")
    for tier, cv in zip(("accurate", "fast"), cvs, strict=True):
        for how, rows in cv.by_segmentation.items():
            cells = "  ".join(f"{r.lang} {r.micro:.3f}" for r in rows)
            typer.echo(f"{tier:<9}{how:<10} mean micro-F1 {cv.mean(how):.3f}   {cells}")
    typer.echo(f"wrote {out / ARTIFACT_NAME} and {out / FAST_ARTIFACT_NAME}")
