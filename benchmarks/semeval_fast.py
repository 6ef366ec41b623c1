"""Fast tier (sparse paragraph classifier): quality, speed and neutrality on the shared SemEval-2023 train split.

Runs the same article-level k-fold cross-validation as `rhetorscope train
paragraphs` (same folds for the same seed), times the model's prediction on
one core (CPU time of this single-threaded process, so other load on the
machine does not distort it), and runs the actor-swap test; prints one table
with the commit id.

    OMP_NUM_THREADS=1 python benchmarks/semeval_fast.py --data ../shared/datasets/semeval2023-task3 [--seed 13]
        [--model PATH]   (speed and flip rate of that artifact; the shipped one by default)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from rich.progress import Progress

from rhetorscope.classify.model import load_model
from rhetorscope.classify.neutrality import flip_rate, swap_set
from rhetorscope.classify.semeval import read_dataset
from rhetorscope.classify.train import Dataset, TrainConfig, cross_validate

ROOT = Path(__file__).resolve().parents[1]


def commit_id() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src/rhetorscope/classify"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return (head.stdout.strip() or "unknown") + ("+dirty" if dirty else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()

    paragraphs = read_dataset(args.data)
    cfg = TrainConfig(seed=args.seed)
    with Progress(transient=True) as bar:
        task = bar.add_task("cross-validating", total=len(paragraphs) + cfg.folds * 23)
        ds = Dataset(paragraphs, cfg, lambda step, n: bar.update(task, description=step, advance=n))
        cv = cross_validate(ds, lambda step, n: bar.update(task, description=step, advance=n))

    start = time.process_time()
    model = load_model(args.model)
    load_s = time.process_time() - start
    speed = {}
    for lang in {s.lang for s in cv.table}:
        items = [p for p in paragraphs if p.lang == lang]
        start = time.process_time()
        model.predict(items)
        speed[lang] = len(items) / (time.process_time() - start)
    flips = flip_rate(model, swap_set(paragraphs))

    print(f"rhetorscope paragraph classifier {model.version} @ {commit_id()}, "
          f"{cfg.folds}-fold article-level CV, seed {cfg.seed}")
    print(f"{'lang':<6}{'paragraphs':>11}{'micro-F1':>10}{'macro-F1':>10}{'para/s':>9}")
    for s in cv.table:
        print(f"{s.lang:<6}{s.paragraphs:>11}{s.micro_f1:>10.3f}{s.macro_f1:>10.3f}{speed[s.lang]:>9.0f}")
    mean_macro = sum(s.macro_f1 for s in cv.table) / len(cv.table)
    print(f"{'mean':<6}{len(paragraphs):>11}{cv.mean_micro_f1:>10.3f}{mean_macro:>10.3f}")
    print(f"model load {load_s:.3f} s CPU; actor-swap flip rate {flips.rate:.2%} "
          f"({flips.flips} of {flips.labels} labels, {flips.changed_paragraphs} of {flips.paragraphs} "
          f"swapped paragraphs changed)")


if __name__ == "__main__":
    main()
