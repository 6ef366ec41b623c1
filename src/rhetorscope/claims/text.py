"""Text preparation shared by training, prediction and matching, so each sees the same input.

`checkworthy_text` applies the shared masking step (`rhetorscope.masking.mask`: the actor gazetteer,
then every capitalised name the language does not write in lower case), the same one the technique
models read, so the score does not depend on who is named and the encoder rows of a sentence serve
both models; it is what both the sparse features and the encoder read.

`query_text` strips what a social-media post carries besides
its claim: links, picture links and the date of a trailing "— Name (@handle) date" signature (the
name stays: "X tweeted that ..." is often the claim; on the CheckThat! training tweets dropping it
costs 4 points of BM25 MAP@5).
"""

from __future__ import annotations

import re

from rhetorscope.masking import mask

_URL_RE = re.compile(r"(?:https?://|pic\.twitter\.com/|www\.)\S+")
_SIGNATURE_DATE_RE = re.compile(r"(\(@\w+\))\s+\w+ \d{1,2}, \d{4}\s*$")
_SPACE_RE = re.compile(r"\s+")


def checkworthy_text(sentence: str, lang: str | None) -> str:
    """The sentence as the check-worthiness model reads it: names masked, whitespace collapsed."""
    return from_masked(mask(sentence, lang))


def from_masked(masked: str) -> str:
    """`checkworthy_text` of a sentence whose `mask` is known (the technique model masked it already)."""
    return _SPACE_RE.sub(" ", masked).strip()


def query_text(text: str) -> str:
    """A post reduced to its claim and author: no links, no signature date, whitespace collapsed."""
    text = _SIGNATURE_DATE_RE.sub(r"\1", text)
    return _SPACE_RE.sub(" ", _URL_RE.sub(" ", text)).strip()
