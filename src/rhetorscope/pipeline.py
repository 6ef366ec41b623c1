"""Wire the stages together; the only module that knows their order.

A component is a callable with a `name` that takes the `Work` in progress and
enriches it in place (spaCy's pipeline, without the registry). Components do
not know about renderers or the store, and models are loaded once, lazily, by
the component that owns them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from rhetorscope import __version__
from rhetorscope.model import Analysis, Document, Finding, Repair
from rhetorscope.readers.base import RawDocument
from rhetorscope.repair import OffsetMap


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


class Pipeline:
    """Runs components in order and returns the finished `Analysis`."""

    def __init__(self, components: Iterable[Component]) -> None:
        self.components = list(components)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.components]

    def __call__(self, raw: RawDocument, on_stage: Callable[[str], None] | None = None) -> Analysis:
        """Run every component; `on_stage(name)` is told as each one starts (progress for long texts)."""
        work = Work(raw=raw)
        for component in self.components:
            if on_stage is not None:
                on_stage(component.name)
            component(work)
        return Analysis(generator=f"rhetorscope {__version__}", document=work.doc,
                        findings=_in_reading_order(work.findings), models=work.models)

    def pipe(self, raws: Iterable[RawDocument]) -> Iterator[Analysis]:
        for raw in raws:
            yield self(raw)


def _in_reading_order(findings: list[Finding]) -> list[Finding]:
    """Sort by position (a paragraph label before the spans inside it) and renumber f1, f2, … to match."""
    ordered = sorted(findings, key=lambda f: (f.start, -f.end, f.kind, f.technique or "", f.id))
    new_ids = {f.id: f"f{n}" for n, f in enumerate(ordered, start=1)}
    for finding in ordered:
        finding.id = new_ids[finding.id]
        for rel in finding.related:
            if rel.finding_id is not None:
                rel.finding_id = new_ids.get(rel.finding_id, rel.finding_id)
    return ordered


def document_id(text: str) -> str:
    """Content hash of the repaired text: the same statement gets the same id everywhere."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def technique_components() -> list[Component]:
    """The trained stages: paragraph classifier, span tagger, claims, when their artifacts are present.

    They produce no findings until a trained model is available; never fake ones.
    """
    components: list[Component] = []
    from rhetorscope.classify.model import shipped_artifact

    if shipped_artifact().is_file():
        from rhetorscope.classify.component import ParagraphTechniqueComponent

        components.append(ParagraphTechniqueComponent())
    from rhetorscope.spans.model import default_model_dir

    if (default_model_dir() / "spans.json").is_file():
        from rhetorscope.spans.component import SpanComponent

        components.append(SpanComponent())
    from rhetorscope.claims.checkworthy import shipped_artifact as claims_artifact

    if claims_artifact().is_file():
        from rhetorscope.claims.component import ClaimComponent

        components.append(ClaimComponent())
    return components


@lru_cache(maxsize=1)
def structure_pipeline() -> Pipeline:
    """repair -> structure -> language: what a corpus stores for a document ingested without analysis."""
    from rhetorscope.language import LanguageComponent
    from rhetorscope.structure import RepairComponent, StructureComponent

    return Pipeline([RepairComponent(), StructureComponent(), LanguageComponent()])


@lru_cache(maxsize=2)
def default_pipeline(techniques: bool = True) -> Pipeline:
    """read -> repair -> structure -> language -> sentences -> repetition -> techniques -> claims.

    `techniques=False` leaves the trained models out: structure and repetition only.
    """
    from rhetorscope.language import LanguageComponent
    from rhetorscope.repetition import RepetitionComponent
    from rhetorscope.sentences import SentenceComponent
    from rhetorscope.structure import RepairComponent, StructureComponent

    return Pipeline([
        RepairComponent(),
        StructureComponent(),
        LanguageComponent(),
        SentenceComponent(),
        RepetitionComponent(),
        *(technique_components() if techniques else []),
    ])
