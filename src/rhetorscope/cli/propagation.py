"""`rhetorscope repeats show CLUSTER_ID`: how one talking point spread (`rhetorscope.store.propagation`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rhetorscope.cli.corpus import DbOption, TableFormat, _console, _open, _shorten
from rhetorscope.io import write_atomic, write_csv

if TYPE_CHECKING:
    from rhetorscope.store.propagation import Propagation


def show(
    cluster_id: Annotated[int, typer.Argument(help="The cluster's id (`repeats --format json`, the Repeats page).")],
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")] = TableFormat.text,
    chart: Annotated[Path | None, typer.Option("--chart", help="Also draw the timeline (.png or .svg).")] = None,
    db: DbOption = None,
) -> None:
    """The timeline of one talking point: who posted it first, who repeated it when, forwards vs rewordings."""
    from rhetorscope.render.charts import chart_format, timeline_chart

    kind = chart_format(chart) if chart else None
    with _open(db) as store:
        spread = store.propagation(cluster_id)
    if fmt is TableFormat.json:
        sys.stdout.write(spread.model_dump_json(indent=2) + "\n")
    elif fmt is TableFormat.csv:
        from rhetorscope.store.propagation import STEP_COLUMNS

        write_csv(sys.stdout, spread.rows(), STEP_COLUMNS)
    else:
        _print(spread)
    if chart is not None and kind is not None:
        write_atomic(chart, timeline_chart(spread, kind))
        typer.echo(f"wrote {chart}", err=True)


def _print(spread: Propagation) -> None:
    from rich.table import Table

    from rhetorscope.store.propagation import delay

    console = _console()
    first = spread.first
    console.print(f"first posted by {first.source} on {first.posted_at or first.date or 'an unknown date'}: "
                  f"“{_shorten(first.text, 200)}”")
    console.print(f"{len(spread.occurrences)} occurrences in {len(spread.sources)} sources: {spread.forwards} "
                  f"forwards, {spread.copies} copies, {spread.rewordings} rewordings"
                  + (f", {spread.undated} undated (not ordered)" if spread.undated else ""))
    sources = Table(title="sources in the order they took it up")
    for column in ("#", "source", "first", "after", "occurrences", "forwards", "rewordings"):
        sources.add_column(column, justify="right" if column not in ("source", "first") else "left")
    for s in spread.sources:
        sources.add_row(str(s.order), s.source, str(s.first_at or "?"), delay(s.delay_seconds), str(s.occurrences),
                        str(s.forwards), str(s.rewordings))
    console.print(sources)
    steps = Table(title="timeline")
    for column in ("#", "when", "after", "source", "how", "text"):
        steps.add_column(column, overflow="fold")
    for s in spread.occurrences:
        how = s.kind + (f" from {s.forwarded_from}" if s.forwarded_from else "") + (
            f" ({s.similarity:.2f})" if s.kind == "rewording" else "")
        steps.add_row(str(s.order), str(s.posted_at or s.date or "undated"), delay(s.delay_seconds), s.source, how,
                      _shorten(s.text, 120))
    console.print(steps)
