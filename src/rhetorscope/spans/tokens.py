"""Words of a sentence for the fragment tagger: offsets in the real text, features from the masked one.

The fragment tagger chooses words, so it needs each word's place in the text a reader sees; it must
also judge a fragment the same whichever side it names, so the words it *looks at* are those of the
masked sentence (`rhetorscope.masking`: actor and other names become one placeholder). This module
tokenises the masked sentence, maps every word back to the original offsets, and describes each word
by features that work in all six languages: the word, its prefix and suffixes (inflection in Russian
and Polish), its neighbours, its shape, whether it sits inside quotation marks, how often the document
repeats it. No feature is a hand-made word list.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rhetorscope.masking import PLACEHOLDER, offset_map

_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)
QUOTES_OPEN = "\"“«„‘‚‹'"
QUOTES_CLOSE = "\"”»“’‘›'"


@dataclass(frozen=True)
class Token:
    """One word or punctuation mark: offsets in the original sentence, its masked form, its features."""

    start: int
    end: int
    form: str
    """lower-cased masked form (the placeholder for a name)"""
    features: tuple[str, ...]

    @property
    def is_word(self) -> bool:
        return self.form[:1].isalnum() or self.form == PLACEHOLDER


def _shape(word: str) -> str:
    if word == PLACEHOLDER:
        return "name"
    if not word[:1].isalnum():
        return "punct"
    if word.isdigit():
        return "digit"
    if word.isupper() and len(word) > 1:
        return "caps"
    return "cap" if word[:1].isupper() else "low"


_POS = tuple(f"pos={k}" for k in range(4))
_END = tuple(f"end={k}" for k in range(4))


@lru_cache(maxsize=1 << 14)
def _word_features(word: str, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The features of a word that do not depend on its place: language, form and shape, then its
    prefix and suffixes. A text repeats its words, so each is described once."""
    form, shape = word.lower(), _shape(word)
    affixes = (f"p4={form[:4]}", f"s3={form[-3:]}", f"s4={form[-4:]}") if len(form) > 4 else ()
    return (f"L={lang}", f"w={form}", f"sh={shape}", f"L={lang}|sh={shape}"), affixes


def tokenize(sentence: str, masked: str, lang: str, repeats: Counter[str] | None = None) -> list[Token]:
    """The tokens of one sentence (and `masked`, its `mask`) with their features; `repeats` counts
    masked words over the document (`document_counts`)."""
    first, last = offset_map(sentence, masked)
    raw = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(masked)]
    forms = [w.lower() for _, _, w in raw]
    inside = _inside_quotes(forms)
    out: list[Token] = []
    n = len(raw)
    for i, (s, e, word) in enumerate(raw):
        form = forms[i]
        own, affixes = _word_features(word, lang)
        prev1 = forms[i - 1] if i else "<s>"
        prev2 = forms[i - 2] if i > 1 else "<s>"
        next1 = forms[i + 1] if i + 1 < n else "</s>"
        next2 = forms[i + 2] if i + 2 < n else "</s>"
        feats = [
            "b", *own,
            f"-1={prev1}", f"+1={next1}", f"-2={prev2}", f"+2={next2}",
            f"bg-={prev1}|{form}", f"bg+={form}|{next1}",
            _POS[min(i, 3)], _END[min(n - 1 - i, 3)], *affixes,
        ]
        if inside[i]:
            feats.append("inq")
        if repeats is not None and repeats[form] > 1 and len(form) > 3:
            feats.append(f"rep={min(repeats[form], 4)}")
        out.append(Token(first[s], last[e - 1], form, tuple(feats)))
    return out


def quote_pairs(forms: Sequence[str]) -> dict[int, int]:
    """Each quotation mark's partner (both ways), pairing an opening mark with the next closing one."""
    out: dict[int, int] = {}
    open_at: int | None = None
    for i, w in enumerate(forms):
        if open_at is None and w in QUOTES_OPEN and w not in "'’":
            open_at = i
        elif open_at is not None and w in QUOTES_CLOSE:
            out[open_at], out[i] = i, open_at
            open_at = None
    return out


def _inside_quotes(forms: Sequence[str]) -> list[bool]:
    """Whether each token lies between an opening and a closing quotation mark of the sentence."""
    out = [False] * len(forms)
    for o, c in quote_pairs(forms).items():
        if o < c:
            out[o + 1 : c] = [True] * (c - o - 1)
    return out


def document_counts(masked: Sequence[str]) -> Counter[str]:
    """How often each word of the masked sentences occurs in the document (the Repetition feature)."""
    counts: Counter[str] = Counter()
    for s in masked:
        counts.update(m.group(0).lower() for m in _TOKEN.finditer(s) if m.group(0)[:1].isalpha())
    return counts
