"""pandas DataFrames of analyses and corpus results, for notebooks.

pandas is the optional `notebook` extra: it is imported here only, when a frame
is asked for, so nothing else in rhetorscope pays for it or needs it installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rhetorscope.errors import RhetorscopeError

if TYPE_CHECKING:
    import pandas as pd

    from rhetorscope.model import Analysis

FINDING_COLUMNS = ("document", "finding", "kind", "technique", "category", "segment", "start", "end", "confidence",
                   "tier", "text", "evidence")
SEGMENT_COLUMNS = ("document", "segment", "kind", "speaker", "language", "start", "end", "sentences", "findings",
                   "techniques", "text")


def frame(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """Rows as a DataFrame with these columns (in this order, also when there are no rows)."""
    try:
        import pandas as pd
    except ImportError:
        raise RhetorscopeError("pandas is not installed", "pip install 'rhetorscope[notebook]'") from None
    return pd.DataFrame(list(rows), columns=list(columns))


def findings_frame(analysis: Analysis) -> pd.DataFrame:
    """One row per finding; `evidence` joins the reasons with ' | '."""
    doc = analysis.document.id
    return frame(({"document": doc, "finding": f.id, "kind": f.kind, "technique": f.technique, "category": f.category,
                   "segment": f.segment_id, "start": f.start, "end": f.end, "confidence": f.confidence, "tier": f.tier,
                   "text": f.text, "evidence": " | ".join(f.evidence)} for f in analysis.findings), FINDING_COLUMNS)


def segments_frame(analysis: Analysis) -> pd.DataFrame:
    """One row per segment (paragraph) with its findings counted and its techniques listed."""
    doc = analysis.document.id
    rows = []
    for seg in analysis.document.segments:
        found = analysis.findings_for(seg.id)
        techniques = ",".join(sorted({f.technique for f in found if f.technique}))
        rows.append({"document": doc, "segment": seg.id, "kind": seg.kind, "speaker": seg.speaker,
                     "language": seg.language, "start": seg.start, "end": seg.end, "sentences": len(seg.sentences),
                     "findings": len(found), "techniques": techniques, "text": seg.text})
    return frame(rows, SEGMENT_COLUMNS)
