"""`rhetorscope analyze FILE`: the product's first impression."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rhetorscope.language import UnsupportedLanguage

if TYPE_CHECKING:
    from rich.progress import Progress

    from rhetorscope.readers.base import RawDocument


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    html = "html"


class InputFormat(str, Enum):
    auto = "auto"
    text = "text"
    html = "html"
    telegram = "telegram"
    jsonl = "jsonl"
    csv = "csv"


def analyze(
    file: Annotated[Path, typer.Argument(help="Statement, article, transcript, Telegram result.json, JSONL or CSV.")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here (atomically) instead of stdout.")] = None,
    input_format: Annotated[InputFormat, typer.Option(help="Override content sniffing.")] = InputFormat.auto,
    max_size: Annotated[float, typer.Option(help="Refuse files larger than this many MB.")] = 20.0,
    text_column: Annotated[str | None, typer.Option(help="Text column of a CSV/JSONL file.")] = None,
    date_column: Annotated[str | None, typer.Option(help="Date column of a CSV/JSONL file.")] = None,
    date_format: Annotated[str | None, typer.Option(help="Read the date column only in this strptime format, "
                                                    "e.g. %d/%m/%Y.")] = None,
    language: Annotated[str | None, typer.Option(help="Force the language (en, ru, fr, de, it, pl).")] = None,
    factchecks: Annotated[str | None, typer.Option(
        help="Match each claim against the fact-checks of this corpus database (see `factchecks import`).")] = None,
    fast: Annotated[bool, typer.Option("--fast", help="Sparse technique tier: much faster, less accurate.")] = False,
    encoder_max_chars: Annotated[int | None, typer.Option(
        min=0, help="Characters of a document the contextual encoder reads at most; longer ones get the fast "
                    "technique tier and only their most promising sentences are scored for claims (0: no limit) "
                    "[default: $RHETORSCOPE_ENCODER_MAX_CHARS, else 50000].")] = None,
) -> None:
    """Analyse one file: structure, speakers, repetitions and persuasion techniques."""
    if encoder_max_chars is not None:
        os.environ["RHETORSCOPE_ENCODER_MAX_CHARS"] = str(encoder_max_chars)
    from rhetorscope.language import forced_language
    from rhetorscope.policy import analyse, pipeline_for, precheck
    from rhetorscope.readers import read_path
    from rhetorscope.render import render

    language = forced_language(language)
    empty_rows: list[str] = []
    raws = read_path(file, input_format=None if input_format is InputFormat.auto else input_format.value,
                     max_bytes=int(max_size * 1024 * 1024), text_column=text_column, date_column=date_column,
                     date_format=date_format, skipped=empty_rows)
    if empty_rows:
        typer.echo(f"rhetorscope: skipped {len(empty_rows)} row{'s' if len(empty_rows) != 1 else ''} without text: "
                   + ", ".join(empty_rows), err=True)
    single = len(raws) == 1
    if single:
        precheck(raws[0], str(file), language)  # before any model loads: a refusal takes milliseconds
    pipeline = pipeline_for(fast=fast, language=language)
    if factchecks is not None:
        from rhetorscope.claims.factchecks import StoreMatcher
        from rhetorscope.encoder import load_encoder
        from rhetorscope.pipeline import with_matcher
        from rhetorscope.store import Store

        with Store.open(factchecks) as store:
            pipeline = with_matcher(pipeline, StoreMatcher(store, load_encoder()))
    analyses, refused = [], []
    with _Progress(raws, len(pipeline.components)) as progress:
        for n, raw in enumerate(raws, 1):
            name = str(file) if single else f"{file}: document {raw.external_id or n}"
            try:
                analyses.append(analyse(raw, name, language=language, pipeline=pipeline, single=single,
                                        prechecked=single, on_stage=progress.stage))
            except UnsupportedLanguage as exc:
                if single:
                    raise
                refused.append(exc.message)  # one document of many: the others are still analysed
            progress.document()
    if refused:
        typer.echo(f"rhetorscope: not analysed, in a language rhetorscope does not analyse (force one with "
                   f"--language): {'; '.join(refused)}", err=True)
    to_terminal = out is None and sys.stdout.isatty()
    width = typer.get_terminal_size()[0] if to_terminal else 100
    rendered = render(analyses, fmt.value, color=to_terminal, width=min(max(width, 60), 140))
    if out is None:
        sys.stdout.write(rendered)
    else:
        from rhetorscope.io import write_atomic

        write_atomic(out, rendered)
        typer.echo(f"wrote {out} ({len(analyses)} document{'s' if len(analyses) != 1 else ''})", err=True)


class _Progress:
    """Progress on stderr: over documents for a multi-document input, over pipeline stages for one long text.

    Small inputs finish before a bar would be readable, and a redirected stderr is
    no place for one, so those get none.
    """

    MANY_DOCUMENTS = 20
    LONG_TEXT = 200_000  # characters; about a second of analysis

    def __init__(self, raws: list[RawDocument], stages: int) -> None:
        self.by_documents = len(raws) >= self.MANY_DOCUMENTS
        self.by_stages = not self.by_documents and sum(len(r.text) for r in raws) >= self.LONG_TEXT
        self.total = len(raws) if self.by_documents else stages * len(raws)
        self.bar: Progress | None = None

    def __enter__(self) -> _Progress:
        from rich.console import Console

        console = Console(stderr=True)
        if (self.by_documents or self.by_stages) and console.is_terminal:
            from rich.progress import Progress

            self.bar = Progress(console=console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("analysing", total=self.total)
        return self

    def stage(self, name: str) -> None:
        if self.bar is not None and self.by_stages:
            self.bar.update(self.task, description=name, advance=1)

    def document(self) -> None:
        if self.bar is not None and self.by_documents:
            self.bar.advance(self.task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
