"""The types every pipeline component works on: `Work` (one document in progress) and `Component`.

They live apart from `rhetorscope.pipeline`, which wires the components together, so that a
component depends on these types and not on the module that orders it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from rhetorscope.model import Document, Finding, Repair
from rhetorscope.readers.base import RawDocument
from rhetorscope.repair import OffsetMap


@dataclass
class SentenceVerdict:
    """One sentence as the sentence technique model judged it, for the components after it.

    The span tagger searches a sentence only for the techniques passed here, so fragments and
    paragraph labels tell one story.
    """

    segment_id: str
    start: int
    end: int
    language: str
    masked: str
    """the sentence after `rhetorscope.masking.mask`"""
    techniques: dict[str, float]
    """technique -> probability, for the techniques whose threshold the sentence passes"""
    cues: Callable[[str], list[str]] = lambda _technique: []
    """evidence lines for the cues in or around the sentence that raise a technique's score"""


@dataclass
class Work:
    """Everything known about one document while the pipeline runs."""

    raw: RawDocument
    text: str = ""
    offsets: OffsetMap = field(default_factory=OffsetMap)
    repairs: list[Repair] = field(default_factory=list)
    document: Document | None = None
    findings: list[Finding] = field(default_factory=list)
    models: dict[str, str] = field(default_factory=dict)
    verdicts: list[SentenceVerdict] = field(default_factory=list)
    _next_id: int = 0

    def next_finding_id(self) -> str:
        self._next_id += 1
        return f"f{self._next_id}"

    @property
    def doc(self) -> Document:
        if self.document is None:
            raise RuntimeError("the structure component must run before this one")
        return self.document


class Component(Protocol):
    """One stage: reads what earlier stages put on `Work` and adds its own part."""

    name: str

    def __call__(self, work: Work) -> None: ...


def document_id(text: str) -> str:
    """Content hash of the repaired text: the same statement gets the same id everywhere."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
