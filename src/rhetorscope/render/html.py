"""A self-contained, print-friendly HTML report: highlighted text, outline, legend, findings.

Everything is escaped by Jinja2's autoescape: a document is hostile input, and a
post containing `<script>` must show as text. No external assets, so the file
can be mailed or archived as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from rhetorscope.model import Analysis
from rhetorscope.render.layout import fragment_coverage, is_span, label, pieces, segment_badges
from rhetorscope.render.palette import CATEGORY_STYLES, CLAIM_STYLE, REPETITION_STYLE, style_for


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader("rhetorscope.render", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(style_for=style_for, label=label)
    return env


def report_context(analysis: Analysis) -> dict[str, Any]:
    """Everything the report template needs; the web app renders the same context."""
    from rhetorscope.techniques import CATEGORIES, TECHNIQUES

    doc = analysis.document
    used = {f.technique for f in analysis.findings if f.technique}
    segments = [
        {"segment": seg, "pieces": pieces(analysis, seg), "badges": segment_badges(analysis, seg),
         "findings": analysis.findings_for(seg.id)}
        for seg in doc.segments
    ]
    spans = {f.id: is_span(f, doc.segment(f.segment_id)) for f in analysis.findings}
    category_counts = {cid: sum(1 for f in analysis.findings if f.category == cid) for cid in CATEGORIES}
    return {
        "analysis": analysis,
        "doc": doc,
        "segments": segments,
        "spans": spans,
        "fragment_coverage": fragment_coverage(analysis),
        "categories": CATEGORIES,
        "category_styles": CATEGORY_STYLES,
        "category_counts": category_counts,
        "repetition_style": REPETITION_STYLE,
        "techniques_used": [TECHNIQUES[t] for t in TECHNIQUES if t in used],
        "has_repetition": any(f.kind == "repetition" for f in analysis.findings),
        "has_claims": any(f.kind == "claim" for f in analysis.findings),
        "claim_count": sum(f.kind == "claim" for f in analysis.findings),
        "claim_style": CLAIM_STYLE,
    }


def render_html(analyses: Sequence[Analysis]) -> str:
    template = environment().get_template("report.html.j2")
    return template.render(reports=[report_context(a) for a in analyses])
