"""The trained paragraph classifier as a small numpy artifact: load, predict, explain.

Prediction needs numpy only (no scikit-learn, no scipy), so loading the shipped
model stays well under half a second and `analyze` starts fast. The artifact
is one `.npz` file read with `allow_pickle=False` (no code execution on load):
the vocabulary, idf, per-namespace weights, a linear model per technique
(one-vs-rest logistic regression) and the decision threshold of each
technique, tuned on article-level out-of-fold predictions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rhetorscope.classify.actors import PLACEHOLDER
from rhetorscope.classify.features import NAMESPACES, encode, tokenize, weigh
from rhetorscope.classify.semeval import Paragraph
from rhetorscope.errors import RhetorscopeError

if TYPE_CHECKING:
    import numpy as np

ARTIFACT_NAME = "paragraphs.npz"
_WORDING_BLOCKS = (NAMESPACES.index("w"), NAMESPACES.index("c"))
_PREFIX_LABEL = {"w": "word", "c": "chars", "x": "context", "m": "layout"}


@dataclass(frozen=True)
class Prediction:
    """Techniques found in one paragraph, with the probability of every technique and the evidence."""

    labels: tuple[str, ...]
    confidence: dict[str, float]
    evidence: dict[str, list[str]]


@dataclass
class ParagraphModel:
    """Linear one-vs-rest model over the features of `features.tokenize`."""

    tokens: list[str]
    idf: np.ndarray
    block_weights: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    thresholds: np.ndarray
    labels: list[str]
    meta: dict[str, Any]

    block: np.ndarray | None = None

    def __post_init__(self) -> None:
        import numpy as np

        self.vocab = dict(zip(self.tokens, range(len(self.tokens)), strict=True))
        if self.block is None:
            self.block = np.fromiter((NAMESPACES.index(t[0]) for t in self.tokens), dtype=np.int64,
                                     count=len(self.tokens))
        self.char_range = tuple(self.meta.get("char_range", (2, 5)))

    @cached_property
    def evidence_columns(self) -> np.ndarray:
        """Columns fit to show as evidence: the paragraph's own words and character grams of four or
        more characters (layout, context and function words explain little to a reader)."""
        import numpy as np

        wording = np.isin(self.block, _WORDING_BLOCKS)
        long_enough = np.fromiter((len(t[2:].strip()) >= 4 for t in self.tokens), dtype=bool,
                                  count=len(self.tokens))
        return wording & long_enough

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unknown"))

    def save(self, path: Path) -> None:
        """Write the artifact; float16 weights keep it small at no measurable cost in F1."""
        import numpy as np

        np.savez(
            path,
            tokens=np.frombuffer("\n".join(self.tokens).encode("utf-8"), dtype=np.uint8),
            labels=np.frombuffer("\n".join(self.labels).encode("utf-8"), dtype=np.uint8),
            idf=self.idf.astype(np.float32),
            block=np.asarray(self.block, dtype=np.int8),
            block_weights=self.block_weights.astype(np.float32),
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float32),
            thresholds=self.thresholds.astype(np.float32),
            meta=np.frombuffer(json.dumps(self.meta, sort_keys=True).encode("utf-8"), dtype=np.uint8),
        )

    @classmethod
    def load(cls, path: Path) -> ParagraphModel:
        """Read an artifact written by `save`."""
        import numpy as np

        try:
            with np.load(path, allow_pickle=False) as z:
                def text(name: str) -> str:
                    return z[name].tobytes().decode("utf-8")

                return cls(
                    tokens=text("tokens").split("\n"),
                    labels=text("labels").split("\n"),
                    idf=z["idf"],
                    block_weights=z["block_weights"],
                    coef=z["coef"].astype(np.float32),
                    intercept=z["intercept"],
                    thresholds=z["thresholds"],
                    meta=json.loads(text("meta")),
                    block=z["block"].astype(np.int64),
                )
        except (OSError, KeyError, ValueError) as exc:
            raise RhetorscopeError(f"cannot read paragraph model {path}: {exc}",
                                   "rebuild it with `rhetorscope train paragraphs`") from exc

    def _features(self, paragraphs: Sequence[Paragraph]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        docs = [tokenize(p, self.char_range) for p in paragraphs]  # type: ignore[arg-type]
        rows, cols, counts = encode(docs, self.vocab)
        values = weigh(rows, cols, counts, len(paragraphs), self.idf, self.block, self.block_weights)
        return rows, cols, values

    def predict(self, paragraphs: Sequence[Paragraph], evidence: int = 0) -> list[Prediction]:
        """Techniques above their threshold; with `evidence` > 0, the strongest features behind each."""
        import numpy as np

        rows, cols, values = self._features(paragraphs)
        scores = np.tile(self.intercept.astype(np.float64), (len(paragraphs), 1))
        contributions = values[:, None] * self.coef[cols]
        # rows come out of `encode` sorted, so each paragraph's features are one contiguous run:
        # a segmented sum (reduceat) instead of the unbuffered, much slower np.add.at
        starts = np.searchsorted(rows, np.arange(len(paragraphs) + 1))
        filled = starts[:-1] < starts[1:]
        if filled.any():
            scores[filled] += np.add.reduceat(contributions, starts[:-1][filled], axis=0)
        proba = 1.0 / (1.0 + np.exp(-scores))
        out: list[Prediction] = []
        for r in range(len(paragraphs)):
            chosen = [j for j in range(len(self.labels)) if proba[r, j] >= self.thresholds[j]]
            why: dict[str, list[str]] = {}
            if evidence:
                lo, hi = starts[r], starts[r + 1]
                wording = self.evidence_columns[cols[lo:hi]]
                for j in chosen:
                    share = np.where(wording, contributions[lo:hi, j], 0.0)
                    top = np.argsort(-share, kind="stable")[:evidence]
                    why[self.labels[j]] = [self.describe(int(cols[lo + i])) for i in top if share[i] > 0]
            out.append(Prediction(
                labels=tuple(self.labels[j] for j in chosen),
                confidence={self.labels[j]: float(proba[r, j]) for j in range(len(self.labels))},
                evidence=why,
            ))
        return out

    def describe(self, col: int) -> str:
        """A feature as a reader can follow it: `word: "so-called"`, `chars: "лжи"`, `layout: question`."""
        token = self.tokens[col]
        kind, value = _PREFIX_LABEL[token[0]], token[2:].replace(PLACEHOLDER, "<actor>")
        return f"{kind}: {value}" if kind == "layout" else f'{kind}: "{value.strip()}"'


def shipped_artifact() -> Path:
    """Path of the model that ships inside the package (found with importlib.resources)."""
    return Path(str(resources.files("rhetorscope.classify") / "data" / ARTIFACT_NAME))


@lru_cache(maxsize=4)
def load_model(path: Path | None = None) -> ParagraphModel:
    """Load once and cache: the shipped artifact by default, or the one at `path`."""
    target = path or shipped_artifact()
    if not target.is_file():
        raise RhetorscopeError(f"paragraph model not found at {target}",
                               "rebuild it with `rhetorscope train paragraphs`")
    return ParagraphModel.load(target)
