"""Wire the stages together; the only module that knows their order.

A component (`rhetorscope.work.Component`) is a callable with a `name` that takes the `Work` in
progress and enriches it in place (spaCy's pipeline, without the registry). Components import the
types of `rhetorscope.work`, never this module; they do not know about renderers or the store, and
models are loaded once, lazily, by the component that owns them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from rhetorscope import __version__
from rhetorscope.model import Analysis, Document, Finding
from rhetorscope.readers.base import RawDocument
from rhetorscope.work import Component, Work

if TYPE_CHECKING:
    from rhetorscope.claims.component import Matcher


class Pipeline:
    """Runs components in order and returns the finished `Analysis`."""

    def __init__(self, components: Iterable[Component]) -> None:
        self.components = list(components)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.components]

    def __call__(self, raw: RawDocument, on_stage: Callable[[str], None] | None = None,
                 document: Document | None = None) -> Analysis:
        """Run every component; `on_stage(name)` is told as each one starts (progress for long texts).

        `document` is one whose structure is known already (a stored document that
        `rhetorscope reanalyze` runs `analysis_stages` on again).
        """
        work = Work(raw=raw, text=document.text if document else "", document=document)
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


def technique_components(fast: bool = False) -> list[Component]:
    """The trained stages: a technique tier, the span tagger and claims, when their artifacts are present.

    The accurate tier (default) is the sentence model over the contextual encoder blended with the
    lexical model; `fast` is the lexical model alone, for bulk work (hundreds of paragraphs a second
    on one core). Claims (check-worthiness) follow in the accurate tier only, since they read every
    sentence with the encoder. They produce no findings until a trained model is available; never
    fake ones.
    """
    components: list[Component] = []
    from rhetorscope.detect.model import shipped_artifact as sentence_artifact

    if sentence_artifact(fast).is_file():
        from rhetorscope.detect.component import SentenceTechniqueComponent

        components.append(SentenceTechniqueComponent(fast=fast))
    from rhetorscope.spans.fragments import shipped_artifact as fragments_artifact

    if components and fragments_artifact().is_file():
        from rhetorscope.spans.component import SpanComponent

        components.append(SpanComponent())
    from rhetorscope.claims.checkworthy import shipped_artifact as claims_artifact

    if not fast and claims_artifact().is_file():
        from rhetorscope.claims.component import ClaimComponent

        components.append(ClaimComponent())
    return components


def with_matcher(pipeline: Pipeline, matcher: Matcher) -> Pipeline:
    """The same pipeline whose claim stage also matches each claim against a fact-check collection."""
    from rhetorscope.claims.component import ClaimComponent

    return Pipeline([ClaimComponent(c.artifact, matcher) if isinstance(c, ClaimComponent) else c
                     for c in pipeline.components])


@lru_cache(maxsize=1)
def structure_pipeline() -> Pipeline:
    """repair -> structure -> language: what a corpus stores for a document ingested without analysis."""
    from rhetorscope.language import LanguageComponent
    from rhetorscope.structure import RepairComponent, StructureComponent

    return Pipeline([RepairComponent(), StructureComponent(), LanguageComponent()])


@lru_cache(maxsize=2)
def analysis_stages(fast: bool = False) -> Pipeline:
    """The stages after structure and language: what `rhetorscope reanalyze` reruns on a stored document."""
    known = set(structure_pipeline().names)
    return Pipeline(c for c in default_pipeline(fast=fast).components if c.name not in known)


@lru_cache(maxsize=4)
def default_pipeline(techniques: bool = True, fast: bool = False) -> Pipeline:
    """read -> repair -> structure -> language -> sentences -> repetition -> techniques -> claims.

    `techniques=False` leaves the trained models out: structure and repetition only; `fast` picks
    the sparse technique tier instead of the accurate one.
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
        *(technique_components(fast) if techniques else []),
    ])
