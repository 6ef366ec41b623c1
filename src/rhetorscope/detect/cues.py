"""Cues of argument-level techniques, written as data: one reviewed file per language.

`cues/<lang>.tsv` lists patterns (regular expressions on the masked text, where ζ stands for any
name) grouped by cue class ("authority", "whatabout", "dilemma" ...), each with an example it must
match (a test checks every example). They are features of the sentence model and the evidence it
quotes, never findings on their own: cross-validation decides how much each class is worth to each
technique.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from rhetorscope.masking import LANGS

CUE_FILES_LANGS = LANGS
"""Every supported language has a cue file; another language is read with the English one."""


@dataclass(frozen=True)
class Cue:
    cls: str
    pattern: re.Pattern[str]
    example: str


@dataclass(frozen=True)
class Match:
    """One cue found in a text: its class and the characters it covers (of the masked text)."""

    cls: str
    start: int
    end: int
    text: str


def _read(lang: str) -> tuple[Cue, ...]:
    path = resources.files("rhetorscope.detect") / "cues" / f"{lang}.tsv"
    cues = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cls, pattern, example = line.split("\t")
        cues.append(Cue(cls, re.compile(pattern, re.IGNORECASE), example))
    return tuple(cues)


@lru_cache(maxsize=8)
def cues_for(lang: str) -> tuple[Cue, ...]:
    return _read(lang if lang in LANGS else "en")


@lru_cache(maxsize=1)
def cue_classes() -> tuple[str, ...]:
    """Every class used by any language, in a fixed order (the feature columns)."""
    return tuple(sorted({c.cls for lang in LANGS for c in cues_for(lang)}))


def find(text: str, lang: str) -> list[Match]:
    return [Match(c.cls, m.start(), m.end(), m.group(0))
            for c in cues_for(lang) for m in c.pattern.finditer(text)]


@lru_cache(maxsize=1)
def _column_of() -> dict[str, int]:
    return {c: i for i, c in enumerate(cue_classes())}


def vector(matches: list[Match]) -> np.ndarray:
    """Per cue class: 1 when the class is present (counts add nothing measurable for a sentence)."""
    index = _column_of()
    out = np.zeros(len(index), dtype=np.float32)
    for m in matches:
        out[index[m.cls]] = 1.0
    return out
