"""The sentence model's inputs: what a sentence says, what surrounds it, and which cues it holds.

Every input is a property of the sentence and of the sentences around it in the document, never of
the line it sits on, so a one-sentence line and the same sentence inside a paragraph get the same
row. All text is masked first (`rhetorscope.masking`).

Columns, in order (`layout`):
- `sent`: the sentence's encoder embedding;
- `near`: the mean embedding of up to `WINDOW` sentences either side (the argument it belongs to);
- `doc`: the mean embedding of the whole document (its topic and register);
- `cue`: the cue classes of `rhetorscope.detect.cues` found in the sentence, and `cue_near` in its
  neighbours (whataboutism and appeal to authority often name the compared case a sentence away);
- `lang`: the language, one column each, so each language keeps its own base rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rhetorscope.detect.cues import Match, cue_classes, find, vector
from rhetorscope.encoder import Encoder, remembered
from rhetorscope.masking import LANGS, mask

WINDOW = 2


@dataclass
class SentenceInput:
    """One sentence of a document, ready for the model: its masked text and the cues found in it."""

    text: str
    lang: str
    masked: str = ""
    cues: tuple[Match, ...] = ()

    def __post_init__(self) -> None:
        if not self.masked:
            self.masked = mask(self.text, self.lang)
            self.cues = tuple(find(self.masked, self.lang))


def layout(dim: int) -> dict[str, slice]:
    """Where each block of columns sits in a row."""
    n_cue = len(cue_classes())
    sizes = [("sent", dim), ("near", dim), ("doc", dim), ("cue", n_cue), ("cue_near", n_cue), ("lang", len(LANGS))]
    out, at = {}, 0
    for name, size in sizes:
        out[name] = slice(at, at + size)
        at += size
    return out


def layout_of(rows: np.ndarray) -> dict[str, slice]:
    """The layout of rows of a given width (the encoder's dimension is what is left over)."""
    return layout((rows.shape[1] - 2 * len(cue_classes()) - len(LANGS)) // 3)


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.maximum(norm, 1e-6)


def document_rows(sentences: Sequence[SentenceInput], emb: np.ndarray) -> np.ndarray:
    """The feature rows of one document's sentences (in reading order) from their embeddings."""
    n, dim = emb.shape
    cols = layout(dim)
    width = cols["lang"].stop
    rows = np.zeros((n, width), dtype=np.float32)
    if n == 0:
        return rows
    emb = emb.astype(np.float32)
    csum = np.vstack([np.zeros((1, dim), np.float32), np.cumsum(emb, axis=0)])
    cues = np.stack([vector(list(s.cues)) for s in sentences])
    doc = _unit(emb.sum(axis=0))
    for i in range(n):
        lo, hi = max(0, i - WINDOW), min(n, i + WINDOW + 1)
        near = csum[hi] - csum[lo] - emb[i]
        rows[i, cols["near"]] = _unit(near) if hi - lo > 1 else 0.0
        rows[i, cols["cue_near"]] = cues[max(0, i - 1) : i + 2].max(axis=0)
    rows[:, cols["sent"]] = emb
    rows[:, cols["doc"]] = doc
    rows[:, cols["cue"]] = cues
    for i, s in enumerate(sentences):
        if s.lang in LANGS:
            rows[i, cols["lang"].start + LANGS.index(s.lang)] = 1.0
    return rows


def embed(sentences: Sequence[SentenceInput], encoder: Encoder) -> np.ndarray:
    """Passage embeddings of the masked sentences (remembered for the process: the claim stage reads
    the same masked sentences)."""
    return remembered(encoder, [s.masked for s in sentences], "passage")
