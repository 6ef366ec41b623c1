"""Language detection: accuracy and cost of `rhetorscope.language.detect` against lingua alone.

The gold language of a text is its SemEval-2023 Task 3 folder's (en, fr, de, it, pl, ru); a
paragraph that quotes another language counts against every detector alike, so the numbers
are lower bounds that compare. Two kinds of text, `--per-language` of each drawn per language
(seeded): whole paragraphs, and single sentences of 5 to 25 words (a post, a short segment).
For each detector: accuracy, how often it answered an unsupported language (which `analyze`
refuses) and the CPU milliseconds per call. The `detect` row also gives the share that fastText
decided alone (probability at least `FAST_CONFIDENCE`). `--thresholds` adds the accuracy and the
share left to lingua at other values of `FAST_CONFIDENCE`, which is how it was chosen.

    python benchmarks/language.py --datasets ../shared/datasets [--per-language 500] [--seed 3] [--thresholds]
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

from rhetorscope.language import SUPPORTED, fasttext_answer, lingua_detect, warm

FOLDERS = {"en": "en", "fr": "fr", "ge": "de", "it": "it", "po": "pl", "ru": "ru"}
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def texts(datasets: Path, per_language: int, rng: random.Random) -> dict[str, list[tuple[str, str]]]:
    """{'paragraphs' | 'sentences': [(gold language, text)]}, `per_language` of each per language."""
    drawn: dict[str, list[tuple[str, str]]] = {"paragraphs": [], "sentences": []}
    for folder, language in FOLDERS.items():
        template = datasets / "semeval2023-task3" / folder / "train-labels-subtask-3.template"
        paragraphs = [p[2] for p in (line.split("\t", 2) for line in template.read_text(encoding="utf-8").splitlines())
                      if len(p) == 3 and len(p[2].split()) >= 5]
        sentences = [s for p in paragraphs for s in _SENTENCE_END.split(p) if 5 <= len(s.split()) <= 25]
        drawn["paragraphs"] += [(language, t) for t in rng.sample(paragraphs, min(per_language, len(paragraphs)))]
        drawn["sentences"] += [(language, t) for t in rng.sample(sentences, min(per_language, len(sentences)))]
    return drawn


def measure(detect: Callable[[str], tuple[str | None, float]],
            items: list[tuple[str, str]]) -> tuple[float, float, float]:
    """Accuracy, share answered unsupported, CPU ms per call."""
    started = time.process_time()
    answers = [detect(text[:400])[0] for _, text in items]
    cpu = (time.process_time() - started) * 1000 / len(items)
    right = sum(a == gold for a, (gold, _) in zip(answers, items, strict=True))
    unsupported = sum(a is not None and a not in SUPPORTED for a in answers)
    return right / len(items), unsupported / len(items), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "datasets")
    parser.add_argument("--per-language", type=int, default=500)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--thresholds", action="store_true", help="also sweep FAST_CONFIDENCE over 0.5-0.9")
    args = parser.parse_args()
    warm()

    def hybrid(text: str) -> tuple[str | None, float]:  # `detect`'s decision, without its cache so each call is paid
        return fasttext_answer(text) or lingua_detect(text)
    print("| texts | detector | n | accuracy | answered unsupported | CPU ms a call | decided by fastText |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    drawn = texts(args.datasets, args.per_language, random.Random(args.seed))
    for kind, items in drawn.items():
        alone = sum(fasttext_answer(t[:400]) is not None for _, t in items) / len(items)
        for name, detect, share in (("lingua alone (before)", lingua_detect, ""), ("detect (fastText, then lingua)",
                                                                                   hybrid, f"{alone:.1%}")):
            accuracy, unsupported, cpu = measure(detect, items)
            print(f"| {kind} | {name} | {len(items)} | {accuracy:.3f} | {unsupported:.1%} | {cpu:.3f} | {share} |")
    if args.thresholds:
        sweep(drawn)


def sweep(drawn: dict[str, list[tuple[str, str]]]) -> None:
    """Accuracy and the share lingua decides, for fastText's answer standing at each probability."""
    print("\n| texts | FAST_CONFIDENCE | accuracy | left to lingua |")
    print("| --- | --- | --- | --- |")
    for kind, items in drawn.items():
        fallback = [lingua_detect(text[:400])[0] for _, text in items]
        for threshold in (0.5, 0.6, 0.7, 0.8, 0.9):
            alone = [fasttext_answer(text[:400], threshold) for _, text in items]
            answers = [top[0] if top else other for top, other in zip(alone, fallback, strict=True)]
            right = sum(a == gold for a, (gold, _) in zip(answers, items, strict=True)) / len(items)
            print(f"| {kind} | {threshold} | {right:.4f} | {sum(top is None for top in alone) / len(items):.1%} |")


if __name__ == "__main__":
    main()
