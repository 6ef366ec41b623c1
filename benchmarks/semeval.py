"""Technique detection (accurate tier): quality in three segmentations, neutrality and speed.

Article-level k-fold cross-validation of the sentence model on the six-language span data, exactly
as `rhetorscope train sentences` runs it (same folds and weights for the same seed), scored in three
segmentations of the same articles: the lines as given, one sentence per line, and runs of four
lines merged into one paragraph, with the reliability of the findings' confidences per language.
Then the actor-swap flip rate of the shipped model on listed and on unlisted names, and the speed of
both tiers (a cold `analyze` of the reference document, warm paragraphs per second, peak memory).
Prints one table with the commit id.

    python benchmarks/semeval.py --data ../shared/datasets/semeval2023-task3-spans [--seed 13]
        [--cache e5.npz]   (embedding cache: the first run embeds every sentence, about 40 minutes on 2 cores)
        [--model PATH]     (flip rate of that accurate-tier artifact; the shipped one by default)
        [--no-cv]          (neutrality and speed only)   [--no-flips]   (no actor-swap test)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from _commit import commit_id
from rhetorscope.detect.corpus import SEGMENTATIONS, read_dataset, segments
from rhetorscope.detect.features import SentenceInput
from rhetorscope.detect.model import load_model
from rhetorscope.detect.neutrality import SETS, flip_rate
from rhetorscope.detect.train import TrainConfig, cross_validate, prepare
from rhetorscope.encoder import CachedEncoder, load_encoder
from rhetorscope.masking import LANGS

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "examples" / "mfa-lavrov-interview-2025-03-21.txt"



def cold_analyze(fast: bool) -> tuple[float, float]:
    """Best wall seconds of three `rhetorscope analyze` runs of the reference document, and the peak
    resident MB of the largest of them (each child's own, from wait4)."""
    cmd = [sys.executable, "-m", "rhetorscope", "analyze", str(REFERENCE), "--format", "json",
           *(["--fast"] if fast else [])]
    best, peak = float("inf"), 0.0
    for _ in range(3):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        best = min(best, time.perf_counter() - start)
        peak = max(peak, usage.ru_maxrss / 1024)
        if status:
            raise SystemExit(f"analyze failed with status {status}")
    return best, peak


def warm_speed(articles: list, n: int = 300) -> float:
    """Paragraphs per second of the accurate tier once loaded: mask, embed, score, aggregate."""
    model, encoder = load_model(), load_encoder()
    picked, count = [], 0
    for art in articles[:: max(1, len(articles) // 60)]:
        picked.append(art)
        count += len(segments(art, "given"))
        if count >= n:
            break
    start = time.perf_counter()
    for art in picked:
        inputs = [SentenceInput(u.text, art.lang) for u in art.units]
        model.proba(model.rows(inputs, encoder), [s.masked for s in inputs])
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--no-cv", action="store_true")
    parser.add_argument("--no-flips", action="store_true")
    args = parser.parse_args()

    print(f"rhetorscope technique detection @ {commit_id()}, seed {args.seed}")
    # first, while this process is small: a child's peak memory counts what it shared of its parent
    for fast in (False, True):
        seconds, peak = cold_analyze(fast)
        print(f"{'fast' if fast else 'accurate'} tier: cold analyze of the reference document {seconds:.2f} s, "
              f"peak memory {peak:.0f} MB")
    articles = read_dataset(args.data)
    embed = CachedEncoder(load_encoder(), args.cache)
    print(f"{len(articles)} articles")
    if not args.no_cv:
        try:
            prep = prepare(articles, embed)
        finally:
            embed.save()
        cfg = TrainConfig(seed=args.seed)
        cvs = cross_validate(prep, cfg, progress=lambda step: print(f"  {step}", file=sys.stderr))
        print(f"{cfg.folds}-fold article-level CV, nested thresholds; micro-F1 / macro-F1")
        print(f"{'tier':<9}{'segmentation':<13}" + "".join(f"{lang:>13}" for lang in LANGS) + f"{'mean':>8}")
        for tier, cv in zip(("accurate", "fast"), cvs, strict=True):
            for how in SEGMENTATIONS:
                rows = {r.lang: r for r in cv.by_segmentation[how]}
                print(f"{tier:<9}{how:<13}"
                      + "".join(f"{rows[lang].micro:>7.3f}/{rows[lang].macro:.3f}" for lang in LANGS)
                      + f"{cv.mean(how):>8.3f}")
        print("reliability of the cross-validated findings, all segmentations (bin: findings, mean confidence, "
              "share right)")
        for tier, cv in zip(("accurate", "fast"), cvs, strict=True):
            for r in cv.reliability:
                print(f"{tier:<9}{r.lang:<4}ECE {r.ece:.3f}  "
                      + "  ".join(f"{lo:.1f}-{hi:.1f}: {n} {mc:.2f}/{mr:.2f}" for lo, hi, n, mc, mr in r.bins))
    for tier, model in (("accurate", load_model(args.model)), ("fast", load_model(fast=True))):
        for which in SETS if not args.no_flips else ():
            report = flip_rate(model, articles, which, embed)
            print(f"{tier} tier, actor swap ({which} names): {report.rate:.2%} of {report.labels} predicted "
                  f"labels changed ({report.changed}) over {report.articles} articles")
    embed.save()
    print(f"accurate tier warm: {warm_speed(articles):.1f} paragraphs/s (2 cores)")


if __name__ == "__main__":
    main()
