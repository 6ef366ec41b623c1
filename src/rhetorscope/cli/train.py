"""`rhetorscope train …`: rebuild the shipped model artifacts from the datasets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from rhetorscope.errors import RhetorscopeError

app = typer.Typer(help="Train the models that ship with rhetorscope.", no_args_is_help=True)


def _seed(what: str) -> Any:
    """The `--seed` option of every train command (13 by default: same data and seed, same model)."""
    return typer.Option(13, "--seed", help=what)


def _cache(what: str) -> Any:
    """The `--cache` option of the train commands that embed: a file, read if present, written after."""
    return typer.Option(None, "--cache", dir_okay=False, help=what)


@app.command("spans")
def spans(
    data: Path = typer.Option(..., "--data", exists=True, file_okay=False,
                              help="the semeval2023-task3-spans folder (en/, fr/, ge/, it/, po/, ru/)"),
    out: Path = typer.Option(..., "--out", file_okay=False, help="folder for fragments.npz and MODEL_CARD.md"),
    seed: int = _seed("fold assignment seed (the sentence model's)"),
    gate: str = typer.Option("fast", "--gate", help="sentence tier that gates the cross-validation: fast "
                             "(lexical, no encoder) or accurate (encoder; slow without --cache)"),
    cache: Path | None = _cache("embedding cache (.npz) for --gate accurate"),
    ptc: Path | None = typer.Option(None, "--ptc", exists=True, file_okay=False,
                                    help="PTC folder: also score the English out-of-fold spans with its labels"),
) -> None:
    """Cross-validate (six languages, nested) and train the fragment tagger; writes the artifact and card."""
    _need_sklearn("the fragment tagger")
    if gate not in ("fast", "accurate"):
        raise RhetorscopeError(f"unknown --gate {gate!r}", "use fast or accurate")
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from rhetorscope.detect.corpus import read_dataset
    from rhetorscope.detect.model import load_model
    from rhetorscope.encoder import CachedEncoder, load_encoder
    from rhetorscope.spans import fit
    from rhetorscope.spans.fragments import ARTIFACT_NAME
    from rhetorscope.spans.ptc import format_scores, read_gold_dir, score_spans

    encoder = CachedEncoder(load_encoder(), cache) if gate == "accurate" else None
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()) as bar:
        task = bar.add_task("reading and splitting articles", total=None)

        def step(text: str) -> None:
            bar.update(task, description=text)

        articles = read_dataset(data)
        try:
            items, cv = fit.run_cv(articles, seed, encoder, load_model().blend if encoder else 1.0, step)
        finally:
            if encoder is not None:
                encoder.save()
        step("final model")
        model = fit.fit_final(items, cv, {"seed": seed, "gate": gate, "data": data.name})
    paragraph = fit.paragraph_f1(items, cv.predictions)
    ptc_scores = score_spans(fit.to_ptc(cv.predictions), read_gold_dir(ptc)) if ptc else None
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / ARTIFACT_NAME)
    (out / "MODEL_CARD.md").write_text(fit.model_card(model, cv, paragraph, data.name, gate, ptc_scores),
                                       encoding="utf-8")
    for lang, s in cv.by_language.items():
        typer.echo(f"{lang}  span F1 {s.span_identification.f1:.3f}  technique-aware F1 {s.technique.f1:.3f}  "
                   f"paragraph micro-F1 {paragraph[lang]:.3f}")
    if ptc_scores is not None:
        typer.echo("PTC (English out-of-fold, PTC labels):\n" + format_scores(ptc_scores))
    typer.echo(f"wrote {out / ARTIFACT_NAME}")


@app.command("checkworthy")
def checkworthy(
    data: Path = typer.Option(..., "--data", help="the checkthat2019-task1 folder (training/*.tsv)"),
    out: Path = typer.Option(..., "--out", file_okay=False, help="folder for checkworthy.npz and MODEL_CARD.md"),
    seed: int = _seed("solver seed"),
    cache: Path | None = _cache("encoder cache file (.npz): embed the debates once"),
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


@app.command("retrieval")
def retrieval(
    data: Path = typer.Option(..., "--data", exists=True, file_okay=False,
                              help="the checkthat2020-task2 folder (verified_claims.docs.tsv, train/, dev/)"),
    out: Path = typer.Option(..., "--out", file_okay=False, help="folder for rerank.npz and RERANK_CARD.md"),
    seed: int = _seed("fold assignment and solver seed"),
    cache: Path | None = _cache("encoder cache file (.npz): embed the fact-checks and tweets once"),
) -> None:
    """Fit the claim-retrieval re-ranker on the training tweets (tree depth by cross-validation), score dev once."""
    _need_sklearn("the claim-retrieval re-ranker")
    from rhetorscope.claims.rerank import ARTIFACT_NAME
    from rhetorscope.claims.train_rerank import Task, format_report, model_card, train
    from rhetorscope.encoder import load_encoder

    typer.echo("embedding the fact-checks and tweets (cached with --cache)", err=True)
    task = Task.read(data, load_encoder(), cache)
    model, report = train(task, seed, lambda msg: typer.echo(msg, err=True))
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / ARTIFACT_NAME)
    (out / "RERANK_CARD.md").write_text(model_card(model, report, data.name), encoding="utf-8")
    typer.echo(format_report(report))
    typer.echo(f"wrote {out / ARTIFACT_NAME}")


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
    seed: int = _seed("fold assignment and network seed"),
    cache: Path | None = _cache("embedding cache (.npz): read if present, written after embedding"),
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
