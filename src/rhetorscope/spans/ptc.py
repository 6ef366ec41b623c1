"""PTC (SemEval-2020 Task 11) files and the span metrics used to score against them.

Offsets are characters of the article read as UTF-8 with newlines kept, `end`
exclusive, exactly as the task defines them, so predictions written here can be
scored by the official tools and vice versa. The scorer follows the task's
partial-overlap metric (Da San Martino et al., 2019): a predicted span earns
precision in proportion to how much of it is covered by gold, a gold span earns
recall in proportion to how much of it is covered by predictions.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rhetorscope.errors import RhetorscopeError
from rhetorscope.techniques import TECHNIQUES

PTC_LABELS: tuple[str, ...] = (
    "Appeal_to_Authority",
    "Appeal_to_fear-prejudice",
    "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-White_Fallacy",
    "Causal_Oversimplification",
    "Doubt",
    "Exaggeration,Minimisation",
    "Flag-Waving",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Slogans",
    "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
)

# SemEval-2021 Task 6 names -> the PTC label that covers them; techniques PTC
# has no label for (Smears, Glittering generalities, Obfuscation) are dropped.
SEMEVAL_2021_TO_PTC: dict[str, str] = {
    "Appeal to authority": "Appeal_to_Authority",
    "Appeal to fear/prejudice": "Appeal_to_fear-prejudice",
    "Bandwagon": "Bandwagon,Reductio_ad_hitlerum",
    "Reductio ad hitlerum": "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-white Fallacy/Dictatorship": "Black-and-White_Fallacy",
    "Causal Oversimplification": "Causal_Oversimplification",
    "Doubt": "Doubt",
    "Exaggeration/Minimisation": "Exaggeration,Minimisation",
    "Flag-waving": "Flag-Waving",
    "Loaded Language": "Loaded_Language",
    "Name calling/Labeling": "Name_Calling,Labeling",
    "Repetition": "Repetition",
    "Slogans": "Slogans",
    "Thought-terminating cliché": "Thought-terminating_Cliches",
    "Whataboutism": "Whataboutism,Straw_Men,Red_Herring",
    "Misrepresentation of Someone's Position (Straw Man)": "Whataboutism,Straw_Men,Red_Herring",
    "Presenting Irrelevant Data (Red Herring)": "Whataboutism,Straw_Men,Red_Herring",
}

_ARTICLE_RE = re.compile(r"^article(.+)\.txt$")
_LABELS_RE = re.compile(r"^article(.+?)(?:\..*labels|-labels\.txt)$")
"""PTC's `articleNNN.task-flc-tc.labels` and SemEval-2023's `articleNNN-labels.txt`."""


@dataclass(frozen=True, order=True)
class LabeledSpan:
    """One technique fragment: `text[start:end]` carries `label` (a PTC label name)."""

    start: int
    end: int
    label: str


@dataclass
class Article:
    """A text with its gold fragments (empty for unlabelled input)."""

    id: str
    text: str
    spans: list[LabeledSpan] = field(default_factory=list)


def read_article_texts(directory: Path) -> dict[str, str]:
    """`articleNNN.txt` files of a folder, keyed by NNN, read exactly as the task reads them."""
    texts: dict[str, str] = {}
    for path in sorted(Path(directory).iterdir()):
        match = _ARTICLE_RE.match(path.name)
        if match and path.is_file():
            with open(path, encoding="utf-8") as handle:
                texts[match.group(1)] = handle.read()
    if not texts:
        raise RhetorscopeError(f"no articleNNN.txt files in {directory}")
    return texts


def parse_span_lines(lines: Iterable[str], source: str) -> dict[str, list[LabeledSpan]]:
    """Parse `ID<TAB>technique<TAB>start<TAB>end` lines (gold labels and predictions share it)."""
    spans: dict[str, list[LabeledSpan]] = defaultdict(list)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.rstrip("\r\n").split("\t")
        if len(parts) != 4:
            raise RhetorscopeError(f"{source}:{number}: expected 4 tab-separated fields, got {len(parts)}")
        article_id, label, start, end = parts
        if label not in PTC_LABELS and label not in TECHNIQUES:
            raise RhetorscopeError(f"{source}:{number}: unknown technique {label!r}",
                                   "use the 14 PTC labels or the 23 SemEval-2023 technique names")
        try:
            span = LabeledSpan(int(start), int(end), label)
        except ValueError as exc:
            raise RhetorscopeError(f"{source}:{number}: offsets must be integers") from exc
        if not 0 <= span.start < span.end:
            raise RhetorscopeError(f"{source}:{number}: empty or negative span {start}-{end}")
        spans[article_id].append(span)
    return dict(spans)


def read_span_file(path: Path) -> dict[str, list[LabeledSpan]]:
    """A prediction (or concatenated gold) file, keyed by article id."""
    with open(path, encoding="utf-8") as handle:
        return parse_span_lines(handle, str(path))


def read_gold_dir(directory: Path) -> dict[str, list[LabeledSpan]]:
    """Gold label files from a folder (or its `train-labels/` or `train-labels-spans/`); every file is one
    article.

    An empty labels file still counts: the article is scored and has no gold fragments.
    """
    directory = Path(directory)
    for sub in ("train-labels", "train-labels-spans"):
        if (directory / sub).is_dir():
            directory = directory / sub
    gold: dict[str, list[LabeledSpan]] = {}
    for path in sorted(directory.iterdir()):
        match = _LABELS_RE.match(path.name)
        if not match:
            continue
        with open(path, encoding="utf-8") as handle:
            parsed = parse_span_lines(handle, str(path))
        gold[match.group(1)] = sorted(s for spans in parsed.values() for s in spans)
    if not gold:
        raise RhetorscopeError(f"no article*.labels files in {directory}")
    return gold


def read_ptc_dataset(directory: Path) -> list[Article]:
    """The shared PTC layout: `train-articles/` texts with `train-labels/` gold fragments."""
    directory = Path(directory)
    texts = read_article_texts(directory / "train-articles")
    gold = read_gold_dir(directory / "train-labels")
    return [Article(aid, text, gold.get(aid, [])) for aid, text in texts.items()]


def read_semeval2021_dataset(directory: Path) -> list[Article]:
    """SemEval-2021 Task 6 subtask 2 JSON files, labels mapped onto the PTC names."""
    articles: list[Article] = []
    for path in sorted(Path(directory).glob("*task2.json")):
        for item in json.loads(path.read_text(encoding="utf-8")):
            spans = sorted(
                LabeledSpan(label["start"], label["end"], SEMEVAL_2021_TO_PTC[label["technique"]])
                for label in item["labels"]
                if label["technique"] in SEMEVAL_2021_TO_PTC and label["end"] > label["start"]
            )
            articles.append(Article(f"{path.stem}:{item['id']}", item["text"], spans))
    return articles


def read_span_dataset(directory: Path) -> list[Article]:
    """Either supported layout, told apart by what the folder holds."""
    directory = Path(directory)
    if (directory / "train-articles").is_dir():
        return read_ptc_dataset(directory)
    if any(directory.glob("*task2.json")):
        return read_semeval2021_dataset(directory)
    raise RhetorscopeError(f"{directory} is neither a PTC folder (train-articles/) nor SemEval-2021 task 6")


def write_span_file(path: Path, predictions: dict[str, Sequence[LabeledSpan]]) -> int:
    """Write predictions in the task format, articles and spans in a stable order; returns line count."""
    lines = [
        f"{article_id}\t{span.label}\t{span.start}\t{span.end}\n"
        for article_id in sorted(predictions)
        for span in sorted(predictions[article_id])
    ]
    Path(path).write_text("".join(lines), encoding="utf-8")
    return len(lines)


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 with the span counts they were computed over."""

    precision: float
    recall: float
    f1: float
    predicted: int
    gold: int


@dataclass(frozen=True)
class SpanScores:
    """Both task metrics plus technique-aware scores per PTC label."""

    span_identification: PRF
    technique: PRF
    per_technique: dict[str, PRF]


def merge_intervals(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of overlapping intervals, so a character is never credited twice."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _overlap_sums(pred: list[tuple[int, int]], gold: list[tuple[int, int]]) -> tuple[float, float]:
    """Sum over predicted spans of covered fraction, and over gold spans of covered fraction."""
    precision_sum = recall_sum = 0.0
    for ps, pe in pred:
        for gs, ge in gold:
            inter = min(pe, ge) - max(ps, gs)
            if inter > 0:
                precision_sum += inter / (pe - ps)
                recall_sum += inter / (ge - gs)
    return precision_sum, recall_sum


def _prf(precision_sum: float, recall_sum: float, n_pred: int, n_gold: int) -> PRF:
    precision = precision_sum / n_pred if n_pred else 0.0
    recall = recall_sum / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PRF(precision, recall, f1, n_pred, n_gold)


def score_spans(
    predictions: dict[str, Sequence[LabeledSpan]], gold: dict[str, Sequence[LabeledSpan]],
    labels: Sequence[str] = PTC_LABELS,
) -> SpanScores:
    """Score predictions on the gold articles with the SemEval-2020 partial-overlap metrics.

    Span identification ignores techniques and merges overlapping spans on both
    sides first; the technique-aware score merges only spans of the same label
    and credits overlap only where labels agree. Predictions for articles
    without gold are ignored; gold articles without predictions count as misses.
    """
    si = [0.0, 0.0, 0, 0]
    per: dict[str, list[float]] = {label: [0.0, 0.0, 0, 0] for label in labels}
    for article_id, gold_spans in gold.items():
        pred_spans = predictions.get(article_id, ())
        totals = _accumulate(
            merge_intervals((s.start, s.end) for s in pred_spans), merge_intervals((s.start, s.end) for s in gold_spans)
        )
        si = [a + b for a, b in zip(si, totals, strict=True)]
        for label, acc in per.items():
            totals = _accumulate(
                merge_intervals((s.start, s.end) for s in pred_spans if s.label == label),
                merge_intervals((s.start, s.end) for s in gold_spans if s.label == label),
            )
            per[label] = [a + b for a, b in zip(acc, totals, strict=True)]
    overall = [sum(acc[i] for acc in per.values()) for i in range(4)]
    return SpanScores(
        span_identification=_prf(*si),
        technique=_prf(*overall),
        per_technique={label: _prf(*acc) for label, acc in per.items()},
    )


def score_files(pred: Path, gold: Path, labels: Sequence[str] | None = None) -> tuple[SpanScores, list[str]]:
    """Score a prediction file against a gold folder; per-technique rows for `labels` (default: every
    label of either side). Also returns the predicted article ids that have no gold (ignored)."""
    gold_spans = read_gold_dir(gold)
    predictions = read_span_file(pred)
    if labels is None:
        labels = sorted({s.label for spans in (*gold_spans.values(), *predictions.values()) for s in spans})
    return score_spans(predictions, gold_spans, labels), sorted(set(predictions) - set(gold_spans))


def _accumulate(pred: list[tuple[int, int]], gold: list[tuple[int, int]]) -> tuple[float, float, int, int]:
    precision_sum, recall_sum = _overlap_sums(pred, gold)
    return precision_sum, recall_sum, len(pred), len(gold)


def format_scores(scores: SpanScores) -> str:
    """Both metrics and the per-technique scores as a plain-text table."""
    header = f"{'':<38} {'P':>6} {'R':>6} {'F1':>6} {'pred':>6} {'gold':>6}"

    def row(name: str, p: PRF) -> str:
        return f"{name:<38} {p.precision:6.3f} {p.recall:6.3f} {p.f1:6.3f} {p.predicted:6d} {p.gold:6d}"

    lines = [header, row("span identification", scores.span_identification),
             row("technique-aware", scores.technique), "", header.replace(" " * 9, "technique", 1)]
    lines += [row(label, p) for label, p in scores.per_technique.items()]
    return "\n".join(lines)
