"""The accurate technique tier as a pipeline component: sentences in context, one label per segment.

Every sentence of the document (the title included, as context) is masked, embedded and scored by
the sentence model; a segment carries a technique when its best sentence passes the language's
threshold, so a paragraph never carries the same technique twice and a line cut differently gets
the same answer. Evidence names what a reader can check: the sentence that carries the technique,
each cue found in it or next to it with the real words and what it adds to the score, and, stated
as such, what the encoder's reading of the sentence contributes on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from rhetorscope.detect.cues import cue_classes
from rhetorscope.detect.features import SentenceInput, document_rows, embed, layout_of
from rhetorscope.masking import to_original
from rhetorscope.model import Finding, FindingKind, SegmentKind
from rhetorscope.techniques import TECHNIQUES, category_of

if TYPE_CHECKING:
    from rhetorscope.detect.model import SentenceModel
    from rhetorscope.encoder import Encoder
    from rhetorscope.pipeline import Work

TIER = "accurate"
MIN_CUE_EFFECT = 0.02
"""A cue is quoted as evidence when removing it lowers the score by at least this much."""

CUE_NAMES = {
    "association": "association with a reviled group", "authority": "an authority invoked",
    "causal": "a causal link asserted", "consequential": "a chain of consequences",
    "dilemma": "two options presented as the only ones", "doubt": "doubt cast",
    "exaggeration": "an absolute or superlative",
    "fear": "a threat named", "flag": "the nation invoked", "hypocrisy": "an accusation of double standards",
    "killer": "a discussion closed", "name_label": "a label for an opponent", "popularity": "what everyone knows",
    "reputation": "an attack on reputation", "slogan": "a slogan-like exclamation", "strawman": "a position attributed",
    "time": "urgency", "values": "a value invoked", "whatabout": "a comparison with another case",
}


def _default_model() -> SentenceModel:
    from rhetorscope.detect.model import load_model

    return load_model()


def _default_encoder() -> Encoder:
    from rhetorscope.encoder import load_encoder

    return load_encoder()


class SentenceTechniqueComponent:
    """Adds one `technique` finding per (segment, technique) the sentence model finds."""

    name = "sentences-model"

    def __init__(self, model: Callable[[], SentenceModel] = _default_model,
                 encoder: Callable[[], Encoder] = _default_encoder) -> None:
        self._model = model
        self._encoder = encoder

    def __call__(self, work: Work) -> None:
        model = self._model()
        doc = work.doc
        fallback = doc.metadata.language or "en"
        owners: list[int] = []
        inputs: list[SentenceInput] = []
        for k, seg in enumerate(doc.segments):
            for s in seg.sentences or []:
                owners.append(k)
                inputs.append(SentenceInput(s.text, seg.language or fallback))
        work.models[self.name] = model.version
        if not inputs:
            return
        rows = document_rows(inputs, embed(inputs, self._encoder()))
        proba = model.proba(rows)
        owner = np.array(owners)
        source = f"sentences {model.version}"
        for k, seg in enumerate(doc.segments):
            idx = np.flatnonzero(owner == k)
            if seg.kind == SegmentKind.title.value or not len(idx):
                continue
            best = idx[proba[idx].argmax(axis=0)]
            threshold = model.threshold(seg.language or fallback)
            for j in np.flatnonzero(proba[best, np.arange(len(model.labels))] >= threshold):
                i = int(best[j])
                work.findings.append(Finding(
                    id=work.next_finding_id(), kind=FindingKind.technique, technique=model.labels[j],
                    category=category_of(model.labels[j]).id, segment_id=seg.id, start=seg.start, end=seg.end,
                    text=seg.text, confidence=round(float(proba[i, j]), 4),
                    evidence=explain(model, rows, inputs, i, j, len(idx) > 1), source=source, tier=TIER,
                ))


def explain(model: SentenceModel, rows: np.ndarray, inputs: Sequence[SentenceInput], i: int, j: int,
            quote_sentence: bool) -> list[str]:
    """Why sentence `i` scores technique `j`: the sentence, each cue's share, the encoder's share."""
    cols = layout_of(rows)
    classes = cue_classes()
    p = float(model.proba(rows[i : i + 1])[0, j])
    out: list[str] = []
    if quote_sentence:
        text = inputs[i].text
        out.append(f'sentence: "{text if len(text) <= 160 else text[:157] + "…"}" ({p:.2f})')
    effects: list[tuple[float, str]] = []
    near = [n for n in (i - 1, i, i + 1) if 0 <= n < len(inputs)]
    for c, cls in enumerate(classes):
        on = [n for n in near if any(m.cls == cls for m in inputs[n].cues)]
        if not on:
            continue
        row = rows[i : i + 1].copy()
        row[0, cols["cue"].start + c] = 0.0
        row[0, cols["cue_near"].start + c] = 0.0
        drop = p - float(model.proba(row)[0, j])
        if drop < MIN_CUE_EFFECT:
            continue
        n = i if i in on else on[0]
        match = next(m for m in inputs[n].cues if m.cls == cls)
        start, end = to_original(inputs[n].text, inputs[n].masked, match.start, match.end)
        where = "" if n == i else (" (previous sentence)" if n < i else " (next sentence)")
        words = inputs[n].text[start:end].strip()
        effects.append((drop, f'cue "{words}": {CUE_NAMES.get(cls, cls)}{where} (+{drop:.2f})'))
    out.extend(text for _, text in sorted(effects, reverse=True))
    bare = rows[i : i + 1].copy()
    bare[0, cols["cue"]] = 0.0
    bare[0, cols["cue_near"]] = 0.0
    q = float(model.proba(bare)[0, j])
    name = TECHNIQUES[model.labels[j]].name
    out.append(f"the sentence in its context resembles training examples of {name} ({q:.2f} without cues; encoder)")
    return out
