"""Span tagger quality and speed: article-level k-fold cross-validation on the shared PTC articles.

Trains the CRF layers on k-1 folds and tags the held-out fold, exactly as
`rhetorscope train spans` does, then prints span-identification and
technique-aware P/R/F1 (SemEval-2020 partial-overlap metric), per-technique
scores, tagging speed (features + CRF on one core) and the commit id.

    python benchmarks/ptc.py --data ../shared/datasets/ptc [--folds 5] [--seed 0] [--extra DIR] [--no-clusters]

Word clusters need the encoder of the `train` extra (`pip install 'rhetorscope[train]'`).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.progress import Progress

from _commit import commit_id
from rhetorscope.spans.features import TypeFeatures
from rhetorscope.spans.ptc import read_span_dataset
from rhetorscope.spans.train import LAYERS, cross_validate, format_table, prepare, word_clusters

ROOT = Path(__file__).resolve().parents[1]



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets" / "ptc")
    parser.add_argument("--extra", type=Path, action="append", default=[],
                        help="extra span corpus joining every training fold (e.g. semeval2021-task6)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-clusters", action="store_true", help="leave out the e5 word-cluster features")
    args = parser.parse_args()

    started = time.perf_counter()
    commit = commit_id()
    articles = read_span_dataset(args.data)
    extra_articles = [a for directory in args.extra for a in read_span_dataset(directory)]
    with Progress(transient=True) as progress:
        task = progress.add_task("cross-validation", total=len(LAYERS) * args.folds)

        def step(description: str, n: int) -> None:
            progress.update(task, advance=n, description=description)

        clusters = None if args.no_clusters else word_clusters([*articles, *extra_articles], args.seed, step)
        types = TypeFeatures(clusters)
        examples, extra = prepare(articles, types), prepare(extra_articles, types)
        result = cross_validate(examples, extra, args.folds, args.seed, step, clusters)
    print(f"PTC span tagger, {args.folds}-fold CV by article, {len(examples)} articles"
          f"{f' (+{len(extra)} extra training texts)' if extra else ''}, seed {args.seed}, "
          f"{'' if clusters else 'no word clusters, '}commit {commit}, {time.perf_counter() - started:.0f} s")
    print(format_table(result))


if __name__ == "__main__":
    main()
