"""Tag whole articles (a folder of `articleNNN.txt`, one paragraph a line) with technique fragments.

Each article is one document: its lines are split into sentences, the sentence technique model
scores every sentence in its context and passes some techniques per sentence (the gate), and the
fragment tagger places each passed technique on words of its sentence. Training and cross-validation
(`rhetorscope.spans.fit`) use the same tokenised articles and the same tagging step.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rhetorscope.detect.corpus import Article
from rhetorscope.detect.features import SentenceInput
from rhetorscope.detect.model import SentenceModel
from rhetorscope.encoder import Encoder
from rhetorscope.masking import mask
from rhetorscope.spans.fragments import Fragment, FragmentModel
from rhetorscope.spans.ptc import LabeledSpan
from rhetorscope.spans.tokens import Token, document_counts, tokenize
from rhetorscope.techniques import TECHNIQUES

LABELS = list(TECHNIQUES)


@dataclass
class Tokenised:
    """One article's sentences as tokens (offsets in the article), with the gold span labels per token."""

    article: Article
    tokens: list[list[Token]]
    inside: list[np.ndarray]
    """inside[i][k, j]: token k of sentence i lies in a span of technique j."""
    holds: np.ndarray
    """holds[i, j]: sentence i overlaps a span of technique j."""


def tokenise(art: Article, masked: Sequence[str] | None = None) -> Tokenised:
    """Tokens and gold labels of every sentence of an article; `masked`, its sentences already masked
    (`SentenceInput.masked`), saves masking them again."""
    masked = [mask(u.text, art.lang) for u in art.units] if masked is None else masked
    counts = document_counts(masked)
    index = {t: j for j, t in enumerate(LABELS)}
    tokens, inside = [], []
    holds = np.zeros((len(art.units), len(LABELS)), dtype=bool)
    for i, (u, m) in enumerate(zip(art.units, masked, strict=True)):
        toks = [Token(t.start + u.start, t.end + u.start, t.form, t.features)
                for t in tokenize(u.text, m, art.lang, counts)]
        ins = np.zeros((len(toks), len(LABELS)), dtype=bool)
        for s in art.spans:
            if s.technique not in index or s.end <= u.start or s.start >= u.end:
                continue
            j = index[s.technique]
            holds[i, j] = True
            for k, t in enumerate(toks):
                if t.start < s.end and s.start < t.end:
                    ins[k, j] = True
        tokens.append(toks)
        inside.append(ins)
    return Tokenised(art, tokens, inside, holds)


def logits_of(model: FragmentModel, it: Tokenised, gate: np.ndarray) -> dict[int, np.ndarray]:
    """Word logits of every sentence the gate passes for some technique."""
    return {int(i): model.scores(it.tokens[i]) for i in np.flatnonzero(gate.any(axis=1)) if it.tokens[i]}


def fragments_of(model: FragmentModel, it: Tokenised, gate: np.ndarray,
                 logits: dict[int, np.ndarray]) -> Iterator[tuple[int, int, Fragment]]:
    """(sentence, technique, fragment) for every technique the gate passes in a sentence: `gate[i, j]` is
    the sentence model's probability where it passed technique j in sentence i, 0 elsewhere."""
    for i, z in logits.items():
        for j in np.flatnonzero(gate[i] > 0):
            for f in model.fragments(it.tokens[i], z, int(j), it.article.lang):
                yield i, int(j), f


def tag(model: FragmentModel, it: Tokenised, gate: np.ndarray, logits: dict[int, np.ndarray]) -> list[LabeledSpan]:
    """Fragments of one article (see `fragments_of`), offsets in the article."""
    return [LabeledSpan(f.start, f.end, LABELS[j]) for _, j, f in fragments_of(model, it, gate, logits)]


def gate(model: SentenceModel, encoder: Encoder | None, inputs: Sequence[SentenceInput], lang: str) -> np.ndarray:
    """(sentences, labels): the sentence model's probability of each technique it passes in each of an
    article's sentences, 0 where it does not pass it."""
    if not inputs:
        return np.zeros((0, len(LABELS)), dtype=bool)
    proba = model.proba(model.rows(inputs, encoder), [s.masked for s in inputs])
    order = [model.labels.index(t) for t in LABELS]
    proba = proba[:, order]
    return np.where(proba >= model.threshold(lang)[order], proba, 0.0)


def predict_article(sentences: SentenceModel, encoder: Encoder | None, fragments: FragmentModel,
                    art: Article) -> list[LabeledSpan]:
    """Every fragment of one article, offsets in the article text, `end` exclusive."""
    inputs = [SentenceInput(u.text, art.lang) for u in art.units]
    it = tokenise(art, [s.masked for s in inputs])
    passed = gate(sentences, encoder, inputs, art.lang)
    return tag(fragments, it, passed, logits_of(fragments, it, passed))


def predict_folder(folder: Path, lang: str | None, fast: bool) -> tuple[dict[str, list[LabeledSpan]], str]:
    """Fragments of every `articleNNN.txt` of a folder, keyed by NNN, and the fragment model's version;
    the language is detected per article when `lang` is None. Shows progress."""
    from rich.progress import Progress

    from rhetorscope.detect.corpus import read_article
    from rhetorscope.detect.model import load_model
    from rhetorscope.encoder import load_encoder
    from rhetorscope.errors import InputError
    from rhetorscope.language import detect, model_language
    from rhetorscope.spans.fragments import load_default

    paths = sorted(folder.glob("article*.txt"))
    if not paths:
        raise InputError(f"no article*.txt files in {folder}", "pass the folder that holds the articles")
    sentences = load_model(fast=fast)
    encoder = load_encoder() if sentences.needs_encoder else None
    fragments = load_default()
    out: dict[str, list[LabeledSpan]] = {}
    with Progress(transient=True) as bar:
        task = bar.add_task("tagging articles", total=len(paths))
        for path in paths:
            text = path.read_text(encoding="utf-8")
            art = read_article(path, None, lang or model_language(text, detect(text)[0]))
            out[art.article_id] = predict_article(sentences, encoder, fragments, art)
            bar.advance(task)
    return out, fragments.version


def to_ptc_labels(spans: Sequence[LabeledSpan]) -> list[LabeledSpan]:
    """The same spans under the 14 PTC labels; techniques PTC has no label for are left out."""
    from rhetorscope.techniques import PTC_2020_TO_2023

    back = {t: ptc for ptc, ts in PTC_2020_TO_2023.items() for t in ts}
    return [LabeledSpan(s.start, s.end, back[s.label]) for s in spans if s.label in back]
