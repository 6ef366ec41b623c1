"""The accurate technique tier as a pipeline component: sentences in context, one label per segment.

Every sentence of the document (the title included, as context) is masked, embedded and scored by
the sentence model; a segment carries a technique when its best sentence passes the language's
threshold, so a paragraph never carries the same technique twice and a line cut differently gets
the same answer. A finding's confidence is the probability that the segment carries the technique,
calibrated from that best score, the segment's length and language (`detect.model.Calibration`), so a
finding at 0.4 is right about four times in ten. Evidence names what a reader can check: the
sentence that carries the technique, each cue found in it or next to it with the real words and what
it adds to the score, and, stated as such, what the encoder's reading of the sentence contributes on
its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from rhetorscope.detect.cues import cue_classes
from rhetorscope.detect.features import SentenceInput, layout_of
from rhetorscope.language import SUPPORTED, model_language
from rhetorscope.masking import PLACEHOLDER, mask, to_original
from rhetorscope.model import Finding, FindingKind, SegmentKind
from rhetorscope.techniques import TECHNIQUES, category_of
from rhetorscope.work import SentenceVerdict

if TYPE_CHECKING:
    from rhetorscope.detect.lexical import LexicalModel
    from rhetorscope.detect.model import SentenceModel
    from rhetorscope.encoder import Encoder
    from rhetorscope.work import Work

MIN_CUE_EFFECT = 0.02
"""A cue is quoted as evidence when removing it lowers the score by at least this much."""
MIN_WORD_EFFECT = 0.01
"""A word is quoted as evidence when it adds at least this much to the lexical logit."""

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


OVER_BUDGET = "fast: the document is longer than the encoder reads ({:,} characters, RHETORSCOPE_ENCODER_MAX_CHARS)"
"""How the models line says that a long document got the fast tier instead of the accurate one."""


class SentenceTechniqueComponent:
    """Adds one `technique` finding per (segment, technique) the sentence model finds.

    `fast` loads the fast tier (the lexical model alone, no encoder); findings record their tier. A
    document longer than the encoder's budget (`rhetorscope.encoder.encoder_max_chars`) gets the fast
    tier too, and the models line says why: the encoder's cost would be minutes per megabyte.
    """

    name = "sentences-model"

    def __init__(self, fast: bool = False, model: Callable[[], SentenceModel] | None = None,
                 encoder: Callable[[], Encoder] | None = None) -> None:
        self.tier = "fast" if fast else "accurate"
        self._model = model or (lambda: _load(fast))
        self._fast_model = model or (lambda: _load(True))
        self._encoder = encoder or _default_encoder

    def __call__(self, work: Work) -> None:
        from rhetorscope.encoder import encoder_max_chars

        model, tier = self._model(), self.tier
        doc = work.doc
        fallback = model_language(doc.text, doc.metadata.language)
        groups: list[list[int]] = []
        sentences: list[tuple[str, str]] = []
        for seg in doc.segments:
            groups.append(list(range(len(sentences), len(sentences) + len(seg.sentences or []))))
            lang = seg.language if seg.language in SUPPORTED else fallback
            sentences.extend((s.text, lang) for s in seg.sentences or [])
        work.models[self.name] = f"{model.version} ({tier})"
        if model.needs_encoder and sum(len(text) for text, _ in sentences) > (budget := encoder_max_chars()):
            model, tier = self._fast_model(), "fast"
            work.models[self.name] = f"{model.version} ({OVER_BUDGET.format(budget)})"
        if not sentences:
            return
        inputs = [_input(text, lang, model.needs_encoder) for text, lang in sentences]
        scored = Scored(model, inputs, model.rows(inputs, self._encoder() if model.needs_encoder else None))
        source = f"sentences {model.version}"
        for seg, group in zip(doc.segments, groups, strict=True):
            idx = np.array(group, dtype=np.int64)
            if seg.kind == SegmentKind.title.value or not len(idx):
                continue
            best = idx[scored.proba[idx].argmax(axis=0)]
            lang = inputs[idx[0]].lang
            threshold = model.threshold(lang)
            for i, sentence in zip(idx, seg.sentences, strict=True):
                passed = np.flatnonzero(scored.proba[i] >= threshold)
                alone = model.confidence(scored.proba[i], 1, inputs[i].lang) if len(passed) else None
                work.verdicts.append(SentenceVerdict(
                    seg.id, sentence.start, sentence.end, inputs[i].lang, inputs[i].masked,
                    {model.labels[j]: round(float(alone[j]), 4) for j in passed} if alone is not None else {},
                    lambda t, i=int(i): scored.cue_lines(i, model.labels.index(t))))
            score = scored.proba[best, np.arange(len(model.labels))]
            confidence = model.confidence(score, len(idx), lang)
            for j in np.flatnonzero(score >= threshold):
                i = int(best[j])
                work.findings.append(Finding(
                    id=work.next_finding_id(), kind=FindingKind.technique, technique=model.labels[j],
                    category=category_of(model.labels[j]).id, segment_id=seg.id, start=seg.start, end=seg.end,
                    text=seg.text, confidence=round(float(confidence[j]), 4),
                    evidence=scored.explain(i, int(j), quote_sentence=len(idx) > 1), source=source, tier=tier,
                ))


def _input(text: str, lang: str, with_cues: bool) -> SentenceInput:
    """A sentence for the model; its cues are searched only for a model with the encoder network.

    Cues are columns of the network's rows and the evidence drawn from them; the lexical model (the
    fast tier, and a document over the encoder's budget) reads only the masked words, and the cue
    patterns cost about a second per megabyte.
    """
    return SentenceInput(text, lang) if with_cues else SentenceInput(text, lang, masked=mask(text, lang))


def _load(fast: bool) -> SentenceModel:
    from rhetorscope.detect.model import load_model

    return load_model(fast=fast)


def _default_encoder() -> Encoder:
    from rhetorscope.encoder import load_encoder

    return load_encoder()


class Scored:
    """One document's sentences with their scores, and the means to say why each score is high."""

    def __init__(self, model: SentenceModel, inputs: Sequence[SentenceInput], rows: np.ndarray | None) -> None:
        self.model, self.inputs, self.rows = model, inputs, rows
        self.masked = [s.masked for s in inputs]
        self.lexical = model.lexical.logits(self.masked) if model.lexical is not None else None
        self._words: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.proba = model.proba(rows, self.masked, self.lexical)

    def _p(self, i: int, j: int, row: np.ndarray | None, lexical: bool = True) -> float:
        lex = self.lexical[i : i + 1] if self.lexical is not None else None
        if not lexical and row is not None:
            return float(1.0 / (1.0 + np.exp(-self.model.network_logits(row)[0, j])))
        return float(self.model.proba(row, self.masked[i : i + 1], lex)[0, j])

    def _lexical_row(self, lexical: LexicalModel, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Sentence `i`'s lexical row, for the words its evidence quotes: built again for the few sentences
        explained (a long document's rows held all at once cost more memory than rebuilding these),
        once per sentence however many techniques it explains."""
        if i not in self._words:
            self._words[i] = lexical.rows([self.masked[i]])[0]
        return self._words[i]

    def explain(self, i: int, j: int, quote_sentence: bool) -> list[str]:
        """Why sentence `i` scores technique `j`: the sentence, its words, each cue's share, the encoder's."""
        p = float(self.proba[i, j])
        out: list[str] = []
        if quote_sentence:
            text = self.inputs[i].text
            out.append(f'sentence: "{text if len(text) <= 160 else text[:157] + "…"}" (score {p:.2f})')
        if (lexical := self.model.lexical) is not None:
            words = [(w, v) for w, v in lexical.words_for(self._lexical_row(lexical, i), j)
                     if PLACEHOLDER not in w and v >= MIN_WORD_EFFECT]
            if words:
                out.append("words: " + ", ".join(f'"{w}" (+{v:.2f})' for w, v in words))
        if self.rows is None:
            return out
        out.extend(self._cue_effects(self.rows, i, j, p))
        bare = self.rows[i : i + 1].copy()
        cols = layout_of(self.rows)
        bare[0, cols["cue"]] = 0.0
        bare[0, cols["cue_near"]] = 0.0
        name = TECHNIQUES[self.model.labels[j]].name
        out.append(f"the encoder's reading of the sentence in its context, without cues or words, resembles "
                   f"training examples of {name}: {self._p(i, j, bare, lexical=False):.2f}")
        return out

    def cue_lines(self, i: int, j: int) -> list[str]:
        """The cues in or next to sentence `i` that raise its score for technique `j` (none without the
        encoder network's rows)."""
        return [] if self.rows is None else self._cue_effects(self.rows, i, j, float(self.proba[i, j]))

    def _cue_effects(self, rows: np.ndarray, i: int, j: int, p: float) -> list[str]:
        """Each cue class found in or next to the sentence, with what removing it takes off the score."""
        cols = layout_of(rows)
        effects: list[tuple[float, str]] = []
        near = [n for n in (i - 1, i, i + 1) if 0 <= n < len(self.inputs)]
        for c, cls in enumerate(cue_classes()):
            on = [n for n in near if any(m.cls == cls for m in self.inputs[n].cues)]
            if not on:
                continue
            row = rows[i : i + 1].copy()
            row[0, cols["cue"].start + c] = 0.0
            row[0, cols["cue_near"].start + c] = 0.0
            drop = p - self._p(i, j, row)
            if drop < MIN_CUE_EFFECT:
                continue
            n = i if i in on else on[0]
            match = next(m for m in self.inputs[n].cues if m.cls == cls)
            start, end = to_original(self.inputs[n].text, self.inputs[n].masked, match.start, match.end)
            words = self.inputs[n].text[start:end].strip()
            where = "" if n == i else (" (previous sentence)" if n < i else " (next sentence)")
            effects.append((drop, f'cue "{words}": {CUE_NAMES.get(cls, cls)}{where} (+{drop:.2f})'))
        return [text for _, text in sorted(effects, reverse=True)]
