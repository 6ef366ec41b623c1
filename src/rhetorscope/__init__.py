"""rhetorscope: show how political and diplomatic texts try to persuade."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from rhetorscope.model import Analysis


def analyze(text: str, *, source: str | None = None) -> Analysis:
    """Analyse one text with the default pipeline; the notebook entry point."""
    from rhetorscope.pipeline import default_pipeline
    from rhetorscope.readers.base import RawDocument

    return default_pipeline()(RawDocument(text=text, input_format="text", source=source))


__all__ = ["__version__", "analyze"]
