"""`rhetorscope checkworthy …` and `rhetorscope claims …`: the CheckThat! formats in and out, and scorers.

Thin typer layer over `rhetorscope.claims`; the encoder and the models load inside the commands.
"""

from __future__ import annotations

from pathlib import Path

import typer

checkworthy_app = typer.Typer(help="Check-worthiness of sentences (CLEF CheckThat! 2019 task 1 formats).",
                              no_args_is_help=True)
claims_app = typer.Typer(help="Has this claim been fact-checked already? (CheckThat! 2020 task 2 formats).",
                         no_args_is_help=True)


@checkworthy_app.command("predict")
def checkworthy_predict(
    debate: Path = typer.Option(..., "--debate", help="line_number<TAB>speaker<TAB>text[<TAB>label] file"),
    out: Path = typer.Option(..., "--out", help="prediction file to write (line_number<TAB>score)"),
    model: Path | None = typer.Option(None, "--model", help="checkworthy.npz; the shipped model by default"),
    lang: str = typer.Option("en", "--lang", help="language of the debate (en uses the English head)"),
) -> None:
    """Score every line of a debate; the speaker column is read but never used."""
    from rhetorscope.claims.checkworthy import load_model
    from rhetorscope.claims.clef import read_debate, write_scores

    lines = read_debate(debate)
    scored = load_model(model).score([ln.text for ln in lines], [lang] * len(lines))
    n = write_scores(out, ((ln.line_number, s.score) for ln, s in zip(lines, scored, strict=True)))
    typer.echo(f"wrote {n} scores to {out}")


@checkworthy_app.command("score")
def checkworthy_score(
    pred: list[Path] = typer.Option(..., "--pred", help="prediction file(s), line_number<TAB>score"),
    gold: list[Path] = typer.Option(..., "--gold", help="gold debate file(s) with the label column, same order"),
) -> None:
    """MAP over the debates given (one pair of files each), R-precision and P@1/3/5/10/20."""
    from rhetorscope.claims.clef import mean_scores, rank_scores, read_debate, read_scores
    from rhetorscope.errors import InputError

    if len(pred) != len(gold):
        raise InputError(f"{len(pred)} --pred file(s) for {len(gold)} --gold file(s)", "give one of each per debate")
    results = []
    for p, g in zip(pred, gold, strict=True):
        lines = read_debate(g)
        if any(ln.label is None for ln in lines):
            raise InputError(f"{g}: gold file without a label column")
        scores = read_scores(p)
        missing = [ln.line_number for ln in lines if ln.line_number not in scores]
        if missing:
            raise InputError(f"{p}: no score for line {missing[0]} of {g} ({len(missing)} missing)")
        results.append(rank_scores([int(ln.label or 0) for ln in lines], [scores[ln.line_number] for ln in lines]))
    m = mean_scores(results)
    cells = [f"MAP={m.avg_precision:.4f}", f"R-precision={m.r_precision:.4f}",
             *(f"P@{k}={v:.4f}" for k, v in m.p_at.items()), f"debates={len(results)}"]
    typer.echo("\t".join(cells))


@claims_app.command("retrieve")
def claims_retrieve(
    queries: Path = typer.Option(..., "--queries", help="tweet_id<TAB>text file with a header line"),
    vclaims: Path = typer.Option(..., "--vclaims", help="vclaim_id<TAB>vclaim<TAB>title file with a header line"),
    out: Path = typer.Option(..., "--out", help="TREC run to write (top --top per query)"),
    top: int = typer.Option(1000, "--top", min=1, help="fact-checks per query"),
    lexical_only: bool = typer.Option(False, "--bm25", help="BM25 alone, no encoder"),
    cache: Path | None = typer.Option(None, "--cache", help="encoder cache file (.npz): embed the claims once"),
    hybrid_only: bool = typer.Option(False, "--no-rerank", help="the hybrid order, without the shipped re-ranker"),
) -> None:
    """Rank the verified claims for every query: BM25 + multilingual e5, blended, then re-ranked."""
    from rhetorscope.claims.clef import read_queries, read_vclaims, write_run
    from rhetorscope.claims.rerank import load_default
    from rhetorscope.claims.retrieval import rank_vclaims
    from rhetorscope.encoder import load_encoder
    from rhetorscope.errors import InputError

    qs, vcs = read_queries(queries), read_vclaims(vclaims)
    if not qs or not vcs:
        raise InputError(f"{queries if not qs else vclaims}: no rows after the header line")
    reranker = None if lexical_only or hybrid_only else load_default()
    run = rank_vclaims(qs, vcs, None if lexical_only else load_encoder(), top, cache=cache, reranker=reranker)
    tag = "rhetorscope-bm25" if lexical_only else "rhetorscope-reranked" if reranker else "rhetorscope-hybrid"
    n = write_run(out, run, tag)
    typer.echo(f"wrote {n} lines for {len(run)} queries to {out}")


@claims_app.command("score")
def claims_score(
    run: Path = typer.Option(..., "--run", help="TREC run: query Q0 doc rank score tag"),
    qrels: Path = typer.Option(..., "--qrels", help="TREC qrels: query 0 doc relevance"),
) -> None:
    """MAP@1/3/5/10 and MRR (MAP@5 is CheckThat! 2020's ranking metric)."""
    from rhetorscope.claims.clef import read_qrels, read_run, retrieval_scores

    scores = retrieval_scores(read_run(run), read_qrels(qrels))
    typer.echo("\t".join(f"{k}={v:.4f}" for k, v in scores.items()))


factchecks_app = typer.Typer(help="Fact-check collections in the corpus database (schema.org ClaimReview, TSV).",
                             no_args_is_help=True)
_DB_HELP = "SQLite file or postgresql:// URL [default: $RHETORSCOPE_DB, else the user data folder]."


@factchecks_app.command("import")
def factchecks_import(
    files: list[Path] = typer.Argument(..., help="ClaimReview JSON, JSON Lines, DataFeed or HTML; or a TSV"),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    vectors: bool = typer.Option(True, "--vectors/--no-vectors",
                                 help="embed the new fact-checks now (needed for cross-lingual matching)"),
) -> None:
    """Add fact-checks to the store; a re-import adds nothing. Skipped records are listed with the reason."""
    from rhetorscope.claims.factchecks import count, embed_missing, import_files
    from rhetorscope.store import Store

    with Store.open(db) as store:
        report = import_files(store, files)
        for where, why in report.skipped[:20]:
            typer.echo(f"skipped {where}: {why}", err=True)
        if len(report.skipped) > 20:
            typer.echo(f"… and {len(report.skipped) - 20} more skipped", err=True)
        embedded = 0
        if vectors:
            from rhetorscope.encoder import load_encoder

            embedded = embed_missing(store, load_encoder())
        total = count(store)
    typer.echo(f"added {report.added}, already stored {report.present}, skipped {len(report.skipped)}; "
               f"embedded {embedded}; {total['factchecks']} fact-checks in the store")


@factchecks_app.command("list")
def factchecks_list(
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    limit: int = typer.Option(20, "--limit", min=1, max=1000),
    offset: int = typer.Option(0, "--offset", min=0),
    reviewer: str | None = typer.Option(None, "--reviewer", help="only reviewers whose name contains this"),
    since: str | None = typer.Option(None, help="reviewed on or after (YYYY-MM-DD)"),
    until: str | None = typer.Option(None, help="reviewed on or before (YYYY-MM-DD)"),
    as_json: bool = typer.Option(False, "--json", help="JSON Lines instead of a table"),
) -> None:
    """Stored fact-checks, newest first."""
    import json

    from rhetorscope.claims.factchecks import list_factchecks
    from rhetorscope.cli.corpus import _date
    from rhetorscope.store import Store

    with Store.open(db) as store:
        rows = list_factchecks(store, limit=limit, offset=offset, reviewer=reviewer,
                               since=_date(since, "--since"), until=_date(until, "--until"))
    for r in rows:
        typer.echo(json.dumps(r, ensure_ascii=False) if as_json else
                   f"{r['id']}\t{r['review_date'] or '-'}\t{r['reviewer'] or '-'}\t{r['rating'] or '-'}\t{r['claim']}")


@factchecks_app.command("search")
def factchecks_search(
    query: str = typer.Argument(..., help="a claim, in any of the six languages"),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    top: int = typer.Option(5, "--top", min=1, max=100),
    as_json: bool = typer.Option(False, "--json", help="JSON Lines instead of a table"),
) -> None:
    """The stored fact-checks closest to a claim (BM25 + multilingual meaning)."""
    _print_matches([query], db, top, as_json)


@factchecks_app.command("export")
def factchecks_export(
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    out: Path | None = typer.Option(None, "--out", "-o", help="write here (atomically) instead of stdout"),
) -> None:
    """Every stored fact-check as schema.org ClaimReview JSON Lines (re-importable)."""
    import sys

    from rhetorscope.claims.factchecks import export_claim_review
    from rhetorscope.store import Store

    with Store.open(db) as store:
        content = "".join(line + "\n" for line in export_claim_review(store))
    if out is None:
        sys.stdout.write(content)
    else:
        from rhetorscope.io import write_atomic

        write_atomic(out, content)


@claims_app.command("match")
def claims_match(
    text: str = typer.Argument(..., help="a claim, or a file whose check-worthy sentences are matched"),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    top: int = typer.Option(3, "--top", min=1, max=100),
    as_json: bool = typer.Option(False, "--json", help="JSON Lines instead of a table"),
) -> None:
    """Has this been fact-checked already? The best stored fact-checks, with score and reason."""
    path = Path(text)
    claims = [text]
    if len(text) < 4096 and path.is_file():
        from rhetorscope.pipeline import default_pipeline
        from rhetorscope.readers import read_path

        claims = [f.text for raw in read_path(path) for f in default_pipeline()(raw).findings if f.kind == "claim"]
        if not claims:
            typer.echo(f"{path}: no check-worthy sentence found", err=True)
            return
    _print_matches(claims, db, top, as_json)


def _print_matches(claims: list[str], db: str | None, top: int, as_json: bool) -> None:
    import json

    from rhetorscope.claims.factchecks import StoreMatcher
    from rhetorscope.encoder import load_encoder
    from rhetorscope.store import Store

    with Store.open(db) as store:
        matcher = StoreMatcher(store, load_encoder(), top=top)
    if not len(matcher):
        typer.echo("no fact-checks in the store — add some with `rhetorscope factchecks import FILE`", err=True)
        return
    for claim, matches in zip(claims, matcher(claims), strict=True):
        if as_json:
            typer.echo(json.dumps({"claim": claim, "matches": [m.model_dump() for m in matches]}, ensure_ascii=False))
            continue
        typer.echo(claim)
        for m in matches:
            why = f" · shared: {', '.join(m.shared_terms)}" if m.shared_terms else ""
            typer.echo(f"  {m.score:.3f}  [{m.rating or '?'}] {m.claim}  ({m.reviewer or '-'}, {m.url or '-'}){why}")

