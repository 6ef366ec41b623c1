"""Renderers: turn `Analysis` objects into terminal text, JSON or a self-contained HTML report."""

from __future__ import annotations

from collections.abc import Sequence

from rhetorscope.model import Analysis

FORMATS = ("text", "json", "html")


def render(analyses: Sequence[Analysis], fmt: str, *, color: bool = False, width: int = 100) -> str:
    """Render `analyses` in `fmt`; one analysis gives one JSON object, several give JSON Lines."""
    if fmt == "json":
        from rhetorscope.render.json import render_json

        return render_json(analyses)
    if fmt == "html":
        from rhetorscope.render.html import render_html

        return render_html(analyses)
    from rhetorscope.render.text import render_text

    return render_text(analyses, color=color, width=width)
