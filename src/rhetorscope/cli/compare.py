"""`rhetorscope compare`: technique profiles of groups of the corpus, side by side, with their tests.

Thin layer over `rhetorscope.store.compare` (the statistics) and
`rhetorscope.render.charts` (the chart); the method is in the store module's docstring.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rhetorscope.cli.corpus import DbOption, MinConfidenceOption, SinceOption, UntilOption, _console, _date, _open
from rhetorscope.errors import InputError
from rhetorscope.io import csv_text, write_atomic

if TYPE_CHECKING:
    from rhetorscope.store.compare import Comparison


class Dimension(str, Enum):
    source = "source"
    speaker = "speaker"
    language = "language"
    month = "month"
    forwarded_from = "forwarded_from"


class CompareFormat(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"
    png = "png"
    svg = "svg"


def techniques_list(value: str | None) -> list[str]:
    """A comma-separated list of technique ids, each checked against the taxonomy."""
    from rhetorscope.techniques import TECHNIQUES

    names = [v.strip() for v in (value or "").split(",") if v.strip()]
    unknown = [n for n in names if n not in TECHNIQUES]
    if unknown:
        raise InputError(f"unknown technique '{unknown[0]}'", f"use ids such as: {', '.join(list(TECHNIQUES)[:5])}, …")
    return names


def compare(
    by: Annotated[Dimension, typer.Option(help="What a group is.")] = Dimension.source,
    techniques: Annotated[str | None, typer.Option(help="Only these techniques (comma-separated ids); categories "
                                                   "are then left out.")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    min_confidence: MinConfidenceOption = 0.0,
    split_date: Annotated[str | None, typer.Option(help="Compare before this date (YYYY-MM-DD) with from it on, "
                                                   "instead of the groups; see --group.")] = None,
    group: Annotated[str | None, typer.Option(help="Only this group of --by (its exact name), e.g. the one source "
                                              "to split with --split-date.")] = None,
    min_paragraphs: Annotated[int, typer.Option(min=1, help="Groups with fewer paragraphs are marked small and not "
                                                "tested.")] = 30,
    fmt: Annotated[CompareFormat, typer.Option("--format", "-f", help="text, json, csv, or a png/svg chart "
                                               "(with --out).")] = CompareFormat.text,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (atomically) instead of "
                                             "stdout; needed for png and svg.")] = None,
    db: DbOption = None,
) -> None:
    """Compare technique profiles between sources, speakers, languages, months or forward origins."""
    from rhetorscope.render.charts import compare_chart

    names = techniques_list(techniques)
    split = _date(split_date, "--split-date")
    if fmt in (CompareFormat.png, CompareFormat.svg) and out is None:
        raise InputError(f"a {fmt.value} chart needs a file", f"add --out chart.{fmt.value}")
    with _console(stderr=True).status("comparing groups…"), _open(db) as store:
        result = store.compare(by=by.value, techniques=names, since=_date(since, "--since"),
                               until=_date(until, "--until"), min_confidence=min_confidence, split_date=split,
                               group=group, min_paragraphs=min_paragraphs)
    if fmt in (CompareFormat.png, CompareFormat.svg):
        write_atomic(out, compare_chart(result, fmt.value))  # type: ignore[arg-type]
        typer.echo(f"wrote {out}", err=True)
        return
    if fmt is CompareFormat.text:
        _console().print(_table(result))
        _notes(result)
        return
    rows = result.rows()
    from rhetorscope.store.compare import ROW_COLUMNS

    body = result.model_dump_json(indent=2) + "\n" if fmt is CompareFormat.json else csv_text(rows, ROW_COLUMNS)
    if out is None:
        sys.stdout.write(body)
    else:
        write_atomic(out, body)
        typer.echo(f"wrote {out}", err=True)


def _table(result: Comparison) -> object:
    from rich.table import Table

    from rhetorscope.techniques import CATEGORIES, TECHNIQUES

    title = f"technique profiles by {result.by}" + (f" of {result.group}" if result.group else "")
    table = Table(title=title + " — paragraphs per 1,000 [95 % interval]", show_lines=False)
    table.add_column("technique / category")
    for g in result.groups:
        table.add_column(f"{g.name}\n{g.paragraphs} ¶" + (" (small)" if g.small else ""), justify="right")
    table.add_column("q (BH)", justify="right")
    table.add_column("V", justify="right")
    for t in result.tests:
        label = TECHNIQUES[t.name].name if t.name in TECHNIQUES else CATEGORIES[t.name].name.upper()
        marks = {d.group: "▲" if d.direction == "higher" else "▼" for d in t.differing}
        cells = [f"{g.rates[t.name].per_1000:.0f} [{1000 * g.rates[t.name].low:.0f}–{1000 * g.rates[t.name].high:.0f}]"
                 + (f" {marks[g.name]}" if g.name in marks else "") for g in result.groups]
        q = ("<0.001" if t.q_value < 0.001 else f"{t.q_value:.3f}") + (" *" if t.significant else "") \
            if t.test != "none" else "—"
        table.add_row(label, *cells, q, f"{t.cramers_v:.2f}", style="bold" if t.significant else None)
    return table


def _notes(result: Comparison) -> None:
    small = [g.name for g in result.groups if g.small]
    lines = [f"* significant: Benjamini–Hochberg q < {result.alpha} over {len(result.tests)} rows (chi-square, or "
             "Fisher's exact test for two groups with an expected count under 5); ▲▼ the groups that differ; "
             "V: Cramér's V"]
    if small:
        lines.append(f"small (under {result.min_paragraphs} paragraphs, not tested): {', '.join(small)}")
    if result.undated_left_out:
        lines.append(f"{result.undated_left_out} paragraphs of undated documents left out")
    for line in lines:
        typer.echo(line, err=True)
