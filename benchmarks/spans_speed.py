"""Span tagger speed: `SpanModel.predict` over every PTC article, CPU time of one core, artifacts alternated.

On a shared machine the clock speed drifts between minutes, so two artifacts are
only comparable when they are timed in the same run, taking turns; each round
prints one row per artifact.

    python benchmarks/spans_speed.py --data ../shared/datasets/ptc [--model DIR ...] [--rounds 3]

Without `--model` it times the artifact shipped in the package.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from rhetorscope.spans.model import SpanModel, default_model_dir
from rhetorscope.spans.ptc import read_span_dataset

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets" / "ptc")
    parser.add_argument("--model", type=Path, action="append", default=[], help="artifact folder (repeatable)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    texts = [article.text for article in read_span_dataset(args.data)]
    kilobytes = sum(len(text.encode("utf-8")) for text in texts) / 1000
    models = {str(path): SpanModel.load(path) for path in (args.model or [default_model_dir()])}
    table = Table(title=f"span tagger speed, {len(texts)} articles ({kilobytes / len(texts):.1f} KB each)")
    for column in ("round", "artifact", "version", "articles/s", "KB/s"):
        table.add_column(column)
    for round_ in range(1, args.rounds + 1):
        for name, model in models.items():
            started = time.process_time()
            for text in texts:
                model.predict(text)
            seconds = time.process_time() - started
            table.add_row(str(round_), name, model.version, f"{len(texts) / seconds:.1f}",
                          f"{kilobytes / seconds:.0f}")
    Console().print(table)


if __name__ == "__main__":
    main()
