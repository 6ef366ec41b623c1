"""Span tagger quality and speed: article-level k-fold cross-validation on the shared PTC articles.

Trains the CRF layers on k-1 folds and tags the held-out fold, exactly as
`rhetorscope train spans` does, then prints span-identification and
technique-aware P/R/F1 (SemEval-2020 partial-overlap metric), per-technique
scores, tagging speed (features + CRF on one core) and the commit id.

    python benchmarks/ptc.py --data ../shared/datasets/ptc [--folds 5] [--seed 0] [--extra DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import time
from pathlib import Path

from rich.progress import Progress

from rhetorscope.spans.ptc import read_span_dataset
from rhetorscope.spans.train import LAYERS, cross_validate, format_table, prepare

ROOT = Path(__file__).resolve().parents[1]


def commit_id() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    code = ["src/rhetorscope/spans", ":!src/rhetorscope/spans/artifact", "benchmarks/ptc.py"]
    dirty = subprocess.run(["git", "status", "--porcelain", "--", *code], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return (result.stdout.strip() or "unknown") + ("+dirty" if dirty else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets" / "ptc")
    parser.add_argument("--extra", type=Path, action="append", default=[],
                        help="extra span corpus joining every training fold (e.g. semeval2021-task6)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    started = time.perf_counter()
    commit = commit_id()
    examples = prepare(read_span_dataset(args.data))
    extra = prepare([a for directory in args.extra for a in read_span_dataset(directory)])
    with Progress(transient=True) as progress:
        task = progress.add_task("cross-validation", total=len(LAYERS) * args.folds)
        result = cross_validate(examples, extra, args.folds, args.seed,
                                lambda step, n: progress.update(task, advance=n, description=step))
    print(f"PTC span tagger, {args.folds}-fold CV by article, {len(examples)} articles"
          f"{f' (+{len(extra)} extra training texts)' if extra else ''}, seed {args.seed}, "
          f"commit {commit}, {time.perf_counter() - started:.0f} s")
    print(format_table(result))


if __name__ == "__main__":
    main()
