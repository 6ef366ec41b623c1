"""SemEval-2023 articles with character-level spans, cut into sentences and re-segmented.

The technique models learn from sentences, so that a one-sentence line and the same sentence inside
a paragraph look alike to them. This module reads `semeval2023-task3-spans/<lang>/` (one paragraph a
line, spans as `NNN<TAB>technique<TAB>start<TAB>end`), splits every line into sentences and labels
each sentence and each segment by the rule in `carries`.

Segmentations (`SEGMENTATIONS`) rebuild the same article as a reader could receive it: the lines as
given, one sentence per line, or every run of up to four lines merged into one paragraph. Models see
only sentences and their neighbours, never the line number, so the three must score alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rhetorscope.errors import InputError
from rhetorscope.sentences import split

DATASET_LANGS = {"en": "en", "fr": "fr", "ge": "de", "it": "it", "po": "pl", "ru": "ru"}
"""Folder name of the dataset -> the ISO code the rest of rhetorscope uses."""

SEGMENTATIONS = ("given", "sentences", "merged")
MERGE = 4
"""Lines merged into one paragraph by the `merged` segmentation."""


@dataclass(frozen=True)
class Span:
    technique: str
    start: int
    end: int


@dataclass
class Unit:
    """One sentence of an article: its place, its text and the techniques it carries."""

    start: int
    end: int
    text: str
    line: int
    labels: frozenset[str] = frozenset()


@dataclass
class Article:
    lang: str
    article_id: str
    text: str
    spans: list[Span]
    units: list[Unit] = field(default_factory=list)
    lines: list[tuple[int, int]] = field(default_factory=list)
    """(start, end) of every non-empty line; line 0 is the title."""


def carries(span: Span, start: int, end: int) -> bool:
    """A stretch of text carries a technique when the span starts in it or covers half of it.

    The start rule is how the paragraph labels of SemEval-2023 relate to its spans (96-99.7 % agree);
    the half rule labels the middle sentences of a long span too, so a reader gets the technique on
    every sentence that is mostly inside it.
    """
    if start <= span.start < end:
        return True
    overlap = min(end, span.end) - max(start, span.start)
    return overlap > 0 and overlap * 2 >= end - start


def labels_of(spans: Iterable[Span], start: int, end: int) -> frozenset[str]:
    return frozenset(s.technique for s in spans if carries(s, start, end))


def read_article(path: Path, labels: Path | None, lang: str) -> Article:
    text = path.read_text(encoding="utf-8")
    article_id = path.stem.removeprefix("article")
    spans: list[Span] = []
    if labels is not None and labels.exists():
        for n, row in enumerate(labels.read_text(encoding="utf-8").splitlines(), 1):
            if not row.strip():
                continue
            parts = row.split("\t")
            if len(parts) != 4:
                raise InputError(f"{labels}:{n}: expected 4 tab-separated fields", "use NNN, technique, start, end")
            spans.append(Span(parts[1], int(parts[2]), int(parts[3])))
    art = Article(lang, article_id, text, spans)
    offset = 0
    for raw in text.split("\n"):
        line_end = offset + len(raw)
        if raw.strip():
            art.lines.append((offset, line_end))
            for s in split(raw, offset, lang):
                art.units.append(Unit(s.start, s.end, s.text, len(art.lines) - 1, labels_of(spans, s.start, s.end)))
        offset = line_end + 1
    return art


def read_language(data_dir: Path, folder: str) -> list[Article]:
    lang = DATASET_LANGS[folder]
    base = data_dir / folder
    arts = sorted((base / "train-articles").glob("article*.txt"))
    if not arts:
        raise InputError(f"no articles under {base / 'train-articles'}", "pass the semeval2023-task3-spans folder")
    return [read_article(p, base / "train-labels-spans" / f"{p.stem}-labels.txt", lang) for p in arts]


def read_dataset(data_dir: Path, folders: Sequence[str] = tuple(DATASET_LANGS)) -> list[Article]:
    return [a for f in folders for a in read_language(data_dir, f)]


def segments(article: Article, how: str, with_title: bool = False) -> list[tuple[int, int, list[int]]]:
    """The article cut one way: (start, end, indices of its units) per segment.

    The title (line 0) is one segment of its own when `with_title` is set, whatever the cut, as the
    SemEval-2023 paragraph files count it as paragraph 1.
    """
    head: list[tuple[int, int, list[int]]] = []
    title = [i for i, u in enumerate(article.units) if u.line == 0]
    if with_title and title:
        head = [(article.lines[0][0], article.lines[0][1], title)]
    body = [i for i, u in enumerate(article.units) if u.line > 0]
    if how == "sentences":
        return head + [(article.units[i].start, article.units[i].end, [i]) for i in body]
    by_line: dict[int, list[int]] = {}
    for i in body:
        by_line.setdefault(article.units[i].line, []).append(i)
    lines = sorted(by_line)
    if how == "given":
        groups = [[ln] for ln in lines]
    elif how == "merged":
        groups = [lines[k : k + MERGE] for k in range(0, len(lines), MERGE)]
    else:
        raise ValueError(f"unknown segmentation {how!r}")
    out = head
    for g in groups:
        idx = [i for ln in g for i in by_line[ln]]
        out.append((article.lines[g[0]][0], article.lines[g[-1]][1], idx))
    return out
