"""Fragment tagger quality and speed: article-level 5-fold CV in six languages, PTC, articles per second.

Runs the protocol of `rhetorscope train spans` (`rhetorscope.spans.fit.run_cv`): the sentence model
of each fold gates which sentences are searched for which technique, the fragment models of the
other folds place the techniques, decoder and threshold per technique are chosen on the other
folds. Prints per language the SemEval-2020 span identification and technique-aware P/R/F1 and the
paragraph micro-F1 of the spans projected onto their lines; per technique F1 over all languages; the
English out-of-fold spans on the PTC articles under the 14 PTC labels; and the tagging speed of the
shipped fragment model alone (tokens, word scores, fragments; CPU time of one core), with the commit.

    python benchmarks/spans.py --data ../shared/datasets/semeval2023-task3-spans \
        [--ptc ../shared/datasets/ptc] [--gate fast|accurate --cache e5.npz] [--speed-only]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from rich.progress import Progress

from _commit import commit_id
from rhetorscope.detect.corpus import Article, read_dataset
from rhetorscope.detect.model import load_model
from rhetorscope.encoder import CachedEncoder, load_encoder
from rhetorscope.spans import fit
from rhetorscope.spans.fragments import load_default
from rhetorscope.spans.predict import tag, tokenise
from rhetorscope.spans.ptc import format_scores, read_gold_dir, score_spans

ROOT = Path(__file__).resolve().parents[1]


def speed(articles: list[Article], rounds: int = 3) -> tuple[float, float]:
    """Articles and KB per second of CPU time for the fragment model alone, every sentence searched for
    the techniques of its best three word scores (an upper bound: the gate passes fewer)."""
    model = load_default()
    best = float("inf")
    for _ in range(rounds):
        t0 = time.process_time()
        for art in articles:
            it = tokenise(art)
            logits = {i: model.scores(toks) for i, toks in enumerate(it.tokens) if toks}
            gate = np.zeros((len(it.tokens), len(model.labels)), dtype=bool)
            for i, z in logits.items():
                gate[i, np.argsort(-z.max(axis=0))[:3]] = True
            tag(model, it, gate, logits)
        best = min(best, time.process_time() - t0)
    kb = sum(len(a.text.encode("utf-8")) for a in articles) / 1024
    return len(articles) / best, kb / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets" / "semeval2023-task3-spans")
    parser.add_argument("--ptc", type=Path, default=None, help="PTC folder: score the English spans with its labels")
    parser.add_argument("--gate", choices=("fast", "accurate"), default="fast")
    parser.add_argument("--cache", type=Path, default=None, help="embedding cache for --gate accurate")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--speed-only", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    commit = commit_id()
    articles = read_dataset(args.data)
    sample = articles[::10]
    per_s, kb_s = speed(sample)
    print(f"fragment tagger {load_default().version}, commit {commit}: {per_s:.1f} articles/s, {kb_s:.0f} KB/s "
          f"(CPU time of one core, {len(sample)} articles, best of 3)")
    if args.speed_only:
        return
    encoder = None
    if args.gate == "accurate":
        encoder = CachedEncoder(load_encoder(), args.cache)
    with Progress(transient=True) as bar:
        task = bar.add_task("cross-validation", total=None)
        try:
            items, cv = fit.run_cv(articles, args.seed, encoder, load_model().blend if encoder else 1.0,
                                   lambda s: bar.update(task, description=s))
        finally:
            if encoder is not None:
                encoder.save()
    paragraph = fit.paragraph_f1(items, cv.predictions)
    print(f"\n5-fold CV by article, gate: out-of-fold {args.gate} sentence model, seed {args.seed}, "
          f"{len(articles)} articles, {time.perf_counter() - started:.0f} s")
    print(f"{'lang':<6}{'span P':>8}{'span R':>8}{'span F1':>9}{'tech P':>8}{'tech R':>8}{'tech F1':>9}"
          f"{'para F1':>9}")
    for lang, s in cv.by_language.items():
        si, te = s.span_identification, s.technique
        print(f"{lang:<6}{si.precision:8.3f}{si.recall:8.3f}{si.f1:9.3f}{te.precision:8.3f}{te.recall:8.3f}"
              f"{te.f1:9.3f}{paragraph[lang]:9.3f}")
    means = [np.mean([getattr(s, m).f1 for s in cv.by_language.values()]) for m in ("span_identification",
                                                                                     "technique")]
    print(f"{'mean':<6}{'':>16}{means[0]:9.3f}{'':>16}{means[1]:9.3f}{np.mean(list(paragraph.values())):9.3f}")
    pooled = score_spans(cv.predictions, {f"{it.article.lang}/{it.article.article_id}": fit.gold_of(it)
                                          for it in items}, labels=fit.LABELS)
    print("\nper technique, six languages pooled\n" + format_scores(pooled).split("\n\n", 1)[1])
    if args.ptc is not None:
        print("\nEnglish out-of-fold spans on the PTC articles, PTC labels\n"
              + format_scores(score_spans(fit.to_ptc(cv.predictions), read_gold_dir(args.ptc))))


if __name__ == "__main__":
    main()
