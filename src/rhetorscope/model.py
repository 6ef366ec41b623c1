"""The one data model every stage enriches and every consumer reads.

`Analysis` is the public contract: the CLI's JSON output, the REST API and the
store exports all serialise it. Offsets (`start`, `end`) are always character
positions in `Document.text`, the repaired text; `original_start` and
`original_end` point into the text as it was read. Adding fields is free;
renaming or removing one needs a `SCHEMA_VERSION` bump.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.1"


class SegmentKind(str, Enum):
    """Role of a paragraph in the statement; drives speaker resolution and display."""

    title = "title"
    lead = "lead"
    question = "question"
    answer = "answer"
    key_point = "key_point"
    paragraph = "paragraph"
    closing = "closing"


class FindingKind(str, Enum):
    """What a finding reports: a persuasion technique, a repeated passage or a checkable claim."""

    technique = "technique"
    repetition = "repetition"
    claim = "claim"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class Span(_Strict):
    """A stretch of the repaired document text."""

    start: int = Field(ge=0, description="first character, in the repaired text")
    end: int = Field(ge=0, description="one past the last character, in the repaired text")
    text: str


class Sentence(Span):
    """One sentence of a segment, as found by the language's sentence splitter."""

    checkworthiness: float | None = Field(
        None, ge=0.0, le=1.0, description="how likely a fact-checker would check it; null when not scored")


class Editorial(Span):
    """A bracketed insertion by the editor (`[in 1994]`), not the speaker's words."""


class Segment(_Strict):
    """One paragraph of the statement, with its role, speaker and sentences."""

    id: str = Field(description="stable within a document: s1, s2, ...")
    kind: SegmentKind
    speaker: str | None = Field(None, description="resolved speaker; 'Interviewer' for questions")
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    original_start: int = Field(ge=0, description="start in the text as read, before repair")
    original_end: int = Field(ge=0)
    language: str | None = Field(None, description="ISO 639-1 code, or null when too short to tell")
    sentences: list[Sentence] = Field(default_factory=list)
    editorial: list[Editorial] = Field(default_factory=list)


class Repair(_Strict):
    """One change made to copy-paste damage, kept so a reader can audit it."""

    rule: str
    original_start: int
    original_end: int
    original: str
    replacement: str


class DocumentMetadata(_Strict):
    """What the input says about itself, plus what the readers and detectors found."""

    title: str | None = None
    source_line: str | None = Field(None, description="the dateline/provenance line under the title")
    date: dt.date | None = Field(None, description=(
        "the record's own date (a Telegram post's, a CSV/JSONL date column, an HTML page's publication date); "
        "only a text or HTML file without one takes the date it states"))
    stated_date: dt.date | None = Field(None, description=(
        "the first date stated in the title, source line or first paragraph; never replaces `date`"))
    language: str | None = Field(None, description="dominant language, ISO 639-1")
    language_confidence: float | None = None
    input_format: str = Field(description="text | html | telegram | jsonl | csv")
    encoding: str | None = None
    source: str | None = Field(None, description="file path, channel name or other provenance")
    external_id: str | None = Field(None, description="message id, row id or URL inside the source")
    extra: dict[str, Any] = Field(default_factory=dict, description="reader-specific fields")


class Document(_Strict):
    """A structured statement: metadata and ordered segments over the repaired text."""

    id: str = Field(description="content hash of the repaired text (sha256, first 16 hex)")
    metadata: DocumentMetadata
    text: str = Field(description="the repaired text all offsets refer to")
    segments: list[Segment] = Field(default_factory=list)
    repairs: list[Repair] = Field(default_factory=list)

    def segment(self, segment_id: str) -> Segment:
        """Look up a segment by id; raises KeyError when absent."""
        for seg in self.segments:
            if seg.id == segment_id:
                return seg
        raise KeyError(segment_id)


class Related(_Strict):
    """Another place a finding points to (the first occurrence of a repeat, a confirming span)."""

    relation: str = Field(description="e.g. 'repeats', 'repeated_by', 'confirms'")
    segment_id: str
    start: int
    end: int
    finding_id: str | None = None


class Match(_Strict):
    """A stored fact-check that may verify a claim finding, with why it was matched."""

    factcheck_id: int = Field(description="id of the fact-check in the store")
    claim: str = Field(description="the claim as the fact-checker stated it")
    rating: str | None = Field(None, description="the fact-checker's verdict, verbatim (e.g. 'False')")
    reviewer: str | None = Field(None, description="who checked it")
    url: str | None = None
    language: str | None = None
    score: float = Field(description="how likely the fact-check checks this claim: the re-ranker's probability over "
                         "lexical (BM25) and multilingual (e5) evidence; the hybrid similarity without vectors")
    shared_terms: list[str] = Field(default_factory=list, description="rare words claim and fact-check share")
    passage: str = Field("", description="the matched text of the fact-check (its claim, or its title)")


class Finding(_Strict):
    """Evidence-backed observation about a stretch of text."""

    id: str = Field(description="stable within an analysis: f1, f2, ...")
    kind: FindingKind
    technique: str | None = Field(None, description="SemEval-2023 technique id; null where not a technique")
    category: str | None = Field(None, description="technique category id; null where not a technique")
    segment_id: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: list[str] = Field(default_factory=list)
    related: list[Related] = Field(default_factory=list)
    matches: list[Match] = Field(default_factory=list, description="claim findings: stored fact-checks, best first")
    source: str = Field("", description="component that produced the finding, with its model version")
    tier: str | None = Field(None, description="technique tier that produced it: 'accurate' (sentence model "
                             "with the contextual encoder) or 'fast' (sparse paragraph model); null otherwise")


class Analysis(_Strict):
    """The result of running the pipeline on one document."""

    schema_version: str = SCHEMA_VERSION
    generator: str = Field(description="rhetorscope version that produced this")
    document: Document
    findings: list[Finding] = Field(default_factory=list)
    models: dict[str, str] = Field(default_factory=dict, description="component -> model version")

    def findings_for(self, segment_id: str) -> list[Finding]:
        return [f for f in self.findings if f.segment_id == segment_id]

    def _repr_html_(self) -> str:
        """Jupyter shows the HTML report, its styles scoped to its own element (`rhetorscope.render.notebook`)."""
        from rhetorscope.render.notebook import notebook_html

        return notebook_html(self)

    def to_json(self, *, indent: int | None = None) -> str:
        """The public JSON (`docs/schema.md`), the same as `analyze --format json`."""
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_json(cls, data: str | bytes) -> Analysis:
        """An `Analysis` back from its JSON (`to_json`, a CLI or API answer); invalid JSON raises ValidationError."""
        return cls.model_validate_json(data)

    def findings_frame(self) -> Any:
        """A pandas DataFrame, one row per finding (needs the `notebook` extra; see `rhetorscope.frames`)."""
        from rhetorscope.frames import findings_frame

        return findings_frame(self)

    def segments_frame(self) -> Any:
        """A pandas DataFrame, one row per segment with its findings counted (see `rhetorscope.frames`)."""
        from rhetorscope.frames import segments_frame

        return segments_frame(self)


def analysis_json_schema() -> dict[str, Any]:
    """The JSON Schema published as `rhetorscope/schema/analysis.schema.json`."""
    schema = Analysis.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://rhetorscope.invalid/schema/analysis-{SCHEMA_VERSION}.json"
    return schema
