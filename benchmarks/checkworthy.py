"""Check-worthiness: leave-one-debate-out MAP on CheckThat! 2019 task 1, both heads; one table with the commit id.

Runs the same cross-validation as `rhetorscope train checkworthy` (same data and seed, same
numbers). `en` is the English head (words + encoder + cues), `xx` the head that scores the other
five languages (encoder + cues only), measured here on the English debates.

    OMP_NUM_THREADS=1 python benchmarks/checkworthy.py --data ../shared/datasets/checkthat2019-task1 \
        [--cache /tmp/cw.npz] [--seed 13] [--c 0.3]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from _commit import commit_id
from rhetorscope.claims.train import Data, TrainConfig, cross_validate, format_table
from rhetorscope.encoder import load_encoder

ROOT = Path(__file__).resolve().parents[1]



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--cache", type=Path, default=None, help="encoder cache (.npz)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--c", type=float, default=TrainConfig.c)
    args = parser.parse_args()

    data = Data.read(args.data, load_encoder(), args.cache)
    started = time.perf_counter()
    cv = cross_validate(data, TrainConfig(seed=args.seed, c=args.c))
    print(f"check-worthiness, leave-one-debate-out ({len(set(data.debates))} debates, {len(data.texts)} sentences)"
          f" · C {args.c} · seed {args.seed} · commit {commit_id('src/rhetorscope/claims')}"
          f" · {time.perf_counter() - started:.0f} s")
    print(format_table(cv))


if __name__ == "__main__":
    main()
