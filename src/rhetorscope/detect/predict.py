"""Score paragraphs that arrive without a document around them (SemEval template files, batches).

The paragraphs of one article, in their order, are one document to the sentence model: each is
split into sentences, all sentences are scored in their context, and each paragraph gets the
techniques of its best sentences (the same aggregation as `analyze`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import groupby

import numpy as np

from rhetorscope.detect.features import SentenceInput
from rhetorscope.detect.model import SentenceModel, aggregate
from rhetorscope.encoder import Encoder
from rhetorscope.sentences import split


def predict_articles(model: SentenceModel, encoder: Encoder | None,
                     articles: Sequence[tuple[str, Sequence[str]]],
                     progress: Callable[[int], None] = lambda _: None) -> list[list[tuple[str, ...]]]:
    """For each (language, paragraphs) article, the labels of every paragraph, in order."""
    out = []
    for lang, paragraphs in articles:
        inputs: list[SentenceInput] = []
        groups: list[list[int]] = []
        for text in paragraphs:
            sentences = [s.text for s in split(text, 0, lang)] or ([text] if text.strip() else [])
            groups.append(list(range(len(inputs), len(inputs) + len(sentences))))
            inputs.extend(SentenceInput(s, lang) for s in sentences)
        proba = (model.proba(model.rows(inputs, encoder), [s.masked for s in inputs]) if inputs
                 else np.zeros((0, len(model.labels))))
        hits = aggregate(proba, groups) >= model.threshold(lang)
        out.append([tuple(model.labels[j] for j in np.flatnonzero(row)) for row in hits])
        progress(len(paragraphs))
    return out


def by_article(keys: Sequence[str]) -> list[tuple[str, list[int]]]:
    """Indices of consecutive items with the same article id (template files list articles in runs)."""
    return [(k, [i for i, _ in run]) for k, run in groupby(enumerate(keys), key=lambda x: x[1])]
