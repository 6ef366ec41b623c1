"""Word shingles: the one definition of "the same wording" used in a document and across a corpus.

Text is lower-cased, editorial insertions in square brackets and punctuation
are dropped, and the words are cut into overlapping n-word shingles. Two
passages are near-duplicates when the Jaccard similarity of their shingle sets
reaches a threshold; the corpus estimates that similarity with MinHash, a
single document computes it exactly.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

SHINGLE_SIZE = 3
_EDITORIAL = re.compile(r"\[[^\[\]\n]*\]")
_WORDS = re.compile(r"\w+(?:['’\-]\w+)*")


def words(text: str) -> list[str]:
    return _WORDS.findall(_EDITORIAL.sub(" ", text).lower())


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[str]:
    """The set of `size`-word shingles; a text shorter than `size` words is one shingle."""
    tokens = words(text)
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1)}


def jaccard(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    """|a & b| / |a | b|, counted without building the union (corpus clustering compares millions of pairs)."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)
