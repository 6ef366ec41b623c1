"""Feature extraction for the paragraph classifier, shared by training and prediction.

One code path turns a paragraph into weighted sparse features, so what the
model saw in training is exactly what it sees in `analyze`. Tokens are plain
strings with a namespace prefix:

- `w|` word 1-2 grams of the paragraph (what is said, and how);
- `c|` character 2-5 grams inside word boundaries (morphology: Russian and
  Polish inflect, so word grams alone miss most of the signal);
- `x|` words of the title and the neighbouring paragraphs (techniques cluster
  by article and by passage);
- `m|` a few layout cues: language, whether it is the title, length (after masking, so
  a longer name changes nothing), quotes, question and exclamation marks. No cue depends on where
  in the article the paragraph sits: a long article cut into many short lines would otherwise
  score lower than the same text in a few paragraphs.

Names are masked first with the shared masking step (`rhetorscope.masking`: the gazetteer, then
capitalised names the language does not write in lower case). Each namespace is weighted
sub-linear tf-idf, L2-normalised on its own and scaled by a block weight, so
thousands of character grams cannot drown the handful of layout cues.
Tokenisation is pure Python; the weighting needs only numpy, imported lazily.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rhetorscope.classify.semeval import Paragraph
from rhetorscope.masking import mask

if TYPE_CHECKING:
    import numpy as np

NAMESPACES: tuple[str, ...] = ("w", "c", "x", "m")
_WORD_RE = re.compile(r"\w+")
_DIGIT_RE = re.compile(r"\d")
_SPACE_RE = re.compile(r"\s+")
_QUOTES = frozenset("\"«»“”„")


def normalise(text: str, lang: str | None) -> str:
    """Mask names, fold case and digits, collapse whitespace (tokens never contain newlines)."""
    text = mask(text, lang).lower()
    return _SPACE_RE.sub(" ", _DIGIT_RE.sub("0", text)).strip()


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def _char_grams(text: str, low: int, high: int) -> list[str]:
    out: list[str] = []
    for word in text.split(" "):
        padded = f" {word} "
        size = len(padded)
        for n in range(low, min(high, size) + 1):
            out.extend(padded[i : i + n] for i in range(size - n + 1))
    return out


def _bucket(value: int, edges: Sequence[int]) -> int:
    return sum(value >= e for e in edges)


def tokenize(p: Paragraph, char_range: tuple[int, int] = (2, 5)) -> Counter[str]:
    """All namespaced tokens of one paragraph with their counts."""
    text = normalise(p.text, p.lang)
    words = _words(text)
    tokens: list[str] = [f"w|{w}" for w in words]
    tokens.extend(f"w|{a} {b}" for a, b in itertools.pairwise(words))
    tokens.extend(f"c|{g}" for g in _char_grams(text, *char_range))
    is_title = p.position == 0
    context = "" if is_title else " ".join((p.title, p.prev_text, p.next_text))
    tokens.extend(f"x|{w}" for w in set(_words(normalise(context, p.lang))))
    raw = p.text
    tokens.extend((
        f"m|lang={p.lang}",
        f"m|title={is_title}",
        f"m|lang={p.lang}|title={is_title}",
        f"m|len={_bucket(len(text), (40, 80, 160, 320, 640, 1280))}",
        f"m|quote={any(c in _QUOTES for c in raw)}",
        f"m|question={'?' in raw}",
        f"m|exclaim={'!' in raw}",
    ))
    return Counter(tokens)


def encode(
    docs: Sequence[Counter[str]], vocab: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """COO triplets (row, column, count) for the tokens found in `vocab`; unknown tokens are dropped."""
    import numpy as np

    rows: list[int] = []
    cols: list[int] = []
    counts: list[int] = []
    for r, doc in enumerate(docs):
        for token, count in doc.items():
            col = vocab.get(token)
            if col is not None:
                rows.append(r)
                cols.append(col)
                counts.append(count)
    return (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64),
            np.asarray(counts, dtype=np.float64))


def namespace_of(token: str) -> int:
    """Index of a token's namespace in `NAMESPACES`."""
    return NAMESPACES.index(token[0])


def weigh(
    rows: np.ndarray, cols: np.ndarray, counts: np.ndarray, n_rows: int,
    idf: np.ndarray, block: np.ndarray, block_weights: np.ndarray,
) -> np.ndarray:
    """Sub-linear tf-idf values, L2-normalised per (row, namespace) and scaled by the namespace weight.

    A column with idf 0 contributes nothing, not even to the norm: cross-validation
    drops the columns unseen in a training fold that way, without re-indexing.
    """
    import numpy as np

    values = (1.0 + np.log(counts)) * idf[cols]
    blocks = block[cols]
    n_blocks = len(block_weights)
    key = rows * n_blocks + blocks
    norms = np.sqrt(np.bincount(key, weights=values * values, minlength=n_rows * n_blocks))[key]
    safe = np.where(norms > 0, norms, 1.0)
    return values / safe * block_weights[blocks]


def idf_from_df(df: np.ndarray, n_docs: int) -> np.ndarray:
    """Smoothed idf as in scikit-learn; columns never seen get 0."""
    import numpy as np

    idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    return np.where(df > 0, idf, 0.0)


