"""The fragment tagger: which words of a sentence carry a technique the sentence model found there.

The sentence model (`rhetorscope.detect`) decides *whether* a sentence uses a technique; this model
only decides *where*, inside the sentences the sentence model passed. That keeps one story per
paragraph: no fragment of a technique the paragraph does not carry, and every paragraph label has
its fragments. One logistic regression per technique scores each word of such a sentence as inside or
outside that technique's span (`rhetorscope.spans.tokens` features, the same in six languages, learnt
jointly so that Polish and Russian borrow the shared shape, quote and position features).

Two decoders, chosen per technique on cross-validation:
- `words`: the runs of words whose score passes the technique's threshold (Loaded language, Name
  calling: two or three words);
- `clause`: from the first to the last word that passes (argument-level techniques: Doubt, Appeal to
  authority, Whataboutism span a clause or the sentence); with no word passing, the whole sentence.

Every fragment is then made readable (`tidy`): it starts and ends on a word that is not a function
word of its language (the most frequent words of the training texts), never holds only punctuation,
and never cuts a quotation in two (a fragment that opens a quote runs to its end).

The artifact is one `.npz` (feature names, sparse weights, thresholds, decoders, function words),
read with numpy alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from rhetorscope.artifacts import pack_strings, unpack_strings
from rhetorscope.errors import RhetorscopeError
from rhetorscope.masking import PLACEHOLDER
from rhetorscope.spans.tokens import Token, quote_pairs

ARTIFACT_NAME = "fragments.npz"
DECODERS = ("words", "clause")
MAX_QUOTE_GROWTH = 8
"""Tokens a fragment may grow by to hold a whole quotation instead of cutting it."""
MIN_EVIDENCE = 0.3
"""A word is named as evidence when its own features add at least this much to the logit."""
_OWN = ("w=", "p4=", "s3=", "s4=")
"""The features that describe the word itself (its form and affixes), not its neighbours."""


@dataclass(frozen=True)
class Fragment:
    """A stretch of one sentence (offsets in the sentence) with the words that carry it."""

    start: int
    end: int
    confidence: float
    words: tuple[tuple[str, float], ...] = ()


@dataclass
class FragmentModel:
    """Per technique: word weights, a threshold and a decoder; per language: its function words."""

    labels: list[str]
    vocab: dict[str, int]
    weights: np.ndarray
    """(features, labels), dense: rows for features never seen with a label are zero. Float16 as read
    from the artifact (widening 6 million weights would cost every cold start a tenth of a second;
    sums are taken in float32), float32 as fitted."""
    bias: np.ndarray
    thresholds: np.ndarray
    decoders: list[str]
    function_words: dict[str, frozenset[str]]
    meta: dict[str, Any] = field(default_factory=dict)
    max_tokens: np.ndarray | None = None
    """per technique, the longest fragment kept (the 90th percentile of the gold spans' lengths in
    tokens); a longer run shrinks to its best-scoring window of that length"""

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "0"))

    @property
    def languages(self) -> frozenset[str]:
        """The languages it was trained on (each has its function words)."""
        return frozenset(self.function_words)

    def index(self, technique: str) -> int:
        return self.labels.index(technique)

    def scores(self, tokens: Sequence[Token]) -> np.ndarray:
        """Logits (tokens, labels) of every token for every technique."""
        out = np.tile(self.bias, (len(tokens), 1))
        known = self.vocab.get
        rows: list[int] = []
        starts: list[int] = []
        scored: list[int] = []
        for i, tok in enumerate(tokens):
            own = [k for f in tok.features if (k := known(f)) is not None]
            if own:
                scored.append(i)
                starts.append(len(rows))
                rows.extend(own)
        if rows:
            # one gather and one segmented sum for the sentence; each token's rows still add in order
            out[scored] += np.add.reduceat(self.weights[rows], starts, axis=0, dtype=np.float32)
        return out

    def fragments(self, tokens: Sequence[Token], logits: np.ndarray, j: int, lang: str) -> list[Fragment]:
        """The fragments of technique `j` in one sentence the sentence model passed for it (`logits`:
        `scores(tokens)`); offsets are the tokens' own."""
        if not tokens:
            return []
        p = 1.0 / (1.0 + np.exp(-np.clip(logits[:, j], -30, 30)))
        on = p >= self.thresholds[j]
        words = [t.is_word for t in tokens]
        if self.decoders[j] == "clause":
            hits = np.flatnonzero(on)
            runs = [(int(hits[0]), int(hits[-1]) + 1)] if len(hits) else [(0, len(tokens))]
        else:
            runs = _runs(on, words)
            if not runs:
                best = int(np.argmax(np.where(words, p, -1.0)))
                runs = [(best, best + 1)]
        if self.max_tokens is not None:
            runs = [_best_window(p, a, b, int(self.max_tokens[j])) for a, b in runs]
        out: list[Fragment] = []
        stop = self.function_words.get(lang, frozenset())
        for a, b in runs:
            tidy_run = tidy(tokens, a, b, stop)
            if tidy_run is None:
                continue
            a, b = tidy_run
            conf = float(p[a:b][np.array(words[a:b])].max())  # a tidy run holds a word
            out.append(Fragment(tokens[a].start, tokens[b - 1].end, round(conf, 4),
                                self._evidence(tokens[a:b], j, stop)))
        return _dedupe(out)

    def _evidence(self, tokens: Sequence[Token], j: int, stop: frozenset[str]) -> tuple[tuple[str, float], ...]:
        """The words of the fragment whose own features push hardest towards the technique; a function
        word of the language is never quoted."""
        pushes: list[tuple[float, str]] = []
        for tok in tokens:
            if not tok.is_word or tok.form == PLACEHOLDER or tok.form in stop:
                continue
            own = [self.vocab[f] for f in tok.features if f.startswith(_OWN) and f in self.vocab]
            push = float(self.weights[own, j].sum(dtype=np.float32)) if own else 0.0
            if push >= MIN_EVIDENCE:
                pushes.append((push, tok.form))
        best = sorted(set(pushes), reverse=True)[:3]
        return tuple((w, round(v, 2)) for v, w in best)

    def _stored(self) -> tuple[list[str], np.ndarray]:
        """The features with a weight for some technique, and their float16 weights: what is saved."""
        names = sorted(self.vocab, key=self.vocab.__getitem__)
        used = np.flatnonzero(np.abs(self.weights.astype(np.float16)).max(axis=1) > 0)
        return [names[i] for i in used], self.weights[used].astype(np.float16)

    def content_hash(self) -> str:
        """A hash of everything the saved model computes with (the version's suffix): a model and the
        same model read back from its file hash alike."""
        names, weights = self._stored()
        h = hashlib.sha256(weights.tobytes())
        h.update(json.dumps([names, self.bias.astype(np.float32).tolist(), self.decoders,
                             self.thresholds.astype(np.float32).tolist(),
                             None if self.max_tokens is None else self.max_tokens.tolist()]).encode())
        return h.hexdigest()[:8]

    def save(self, path: Path) -> None:
        """Write the model (feature names as one UTF-8 blob: `rhetorscope.artifacts`)."""
        names, weights = self._stored()
        np.savez_compressed(
            path, feature_names=pack_strings(names), weights=weights,
            bias=self.bias.astype(np.float32), thresholds=self.thresholds.astype(np.float32),
            labels=np.array(self.labels), decoders=np.array(self.decoders),
            max_tokens=np.zeros(0, np.int32) if self.max_tokens is None else self.max_tokens.astype(np.int32),
            function_words=np.array(json.dumps({k: sorted(v) for k, v in self.function_words.items()})),
            meta=np.array(json.dumps(self.meta, sort_keys=True)))


def _best_window(p: np.ndarray, a: int, b: int, size: int) -> tuple[int, int]:
    """The `size` consecutive tokens of [a, b) with the highest total score (the run itself if shorter)."""
    if size <= 0 or b - a <= size:
        return a, b
    sums = np.convolve(p[a:b], np.ones(size), mode="valid")
    start = a + int(np.argmax(sums))
    return start, start + size


def _runs(on: np.ndarray, words: Sequence[bool]) -> list[tuple[int, int]]:
    """Runs of passing tokens, bridging one non-passing token between two passing ones."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(on)
    while i < n:
        if not on[i]:
            i += 1
            continue
        j = i + 1
        while j < n and (on[j] or (j + 1 < n and on[j + 1])):
            j += 1
        runs.append((i, j))
        i = j
    return runs


def tidy(tokens: Sequence[Token], a: int, b: int, stop: frozenset[str]) -> tuple[int, int] | None:
    """A readable run: no function word or punctuation at either edge, no quotation cut in two.

    A run that holds one mark of a quotation grows to hold the other when that adds at most
    `MAX_QUOTE_GROWTH` tokens, and otherwise stops short of the mark; a quotation mark stays at an
    edge only with its partner inside the run. None when nothing but function words and punctuation
    is left.
    """
    partner = quote_pairs([t.form for t in tokens])
    for o, c in ((o, c) for o, c in partner.items() if o < c):
        if a <= o < b <= c:  # opens a quotation it does not close
            a, b = (a, c + 1) if c + 1 - b <= MAX_QUOTE_GROWTH else (a, o)
        elif o < a <= c < b:  # closes a quotation it did not open
            a, b = (o, b) if a - o <= MAX_QUOTE_GROWTH else (c + 1, b)
        if b <= a:
            return None

    def weak(i: int) -> bool:
        t = tokens[i]
        if t.is_word:
            return t.form in stop
        return not (i in partner and a <= partner[i] < b)

    while a < b and weak(a):
        a += 1
    while b > a and weak(b - 1):
        b -= 1
    if not any(t.is_word and t.form not in stop for t in tokens[a:b]):
        return None
    return a, b


def _dedupe(fragments: list[Fragment]) -> list[Fragment]:
    """Overlapping fragments of one technique (after tidying) merge into one."""
    out: list[Fragment] = []
    for f in sorted(fragments, key=lambda f: f.start):
        if out and f.start < out[-1].end:
            prev = out[-1]
            out[-1] = Fragment(prev.start, max(prev.end, f.end), max(prev.confidence, f.confidence),
                               prev.words + tuple(w for w in f.words if w not in prev.words))
        else:
            out.append(f)
    return out


def load(path: Path) -> FragmentModel:
    """A fragment model from its `.npz` (numpy only, no pickles)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            features = unpack_strings(z["feature_names"])
            weights = z["weights"]
            labels = z["labels"].tolist()
            model = FragmentModel(
                labels=labels, vocab={f: i for i, f in enumerate(features)}, weights=weights,
                bias=z["bias"], thresholds=z["thresholds"], decoders=z["decoders"].tolist(),
                function_words={k: frozenset(v) for k, v in json.loads(str(z["function_words"])).items()},
                meta=json.loads(str(z["meta"])),
                max_tokens=z["max_tokens"] if "max_tokens" in z.files and len(z["max_tokens"]) else None)
    except (OSError, KeyError, ValueError) as exc:
        raise RhetorscopeError(f"cannot read the fragment model {path}: {exc}",
                               "rebuild it with `rhetorscope train spans`") from exc
    return model


def shipped_artifact() -> Path:
    return Path(str(resources.files("rhetorscope.spans") / "data" / ARTIFACT_NAME))


@lru_cache(maxsize=1)
def load_default() -> FragmentModel:
    """The shipped fragment model, loaded once per process."""
    return load(shipped_artifact())
