"""JSON output: the published, versioned schema (`rhetorscope/schema/analysis.schema.json`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

from rhetorscope.model import Analysis


def render_json(analyses: Sequence[Analysis]) -> str:
    """One analysis: an indented JSON object. Several: JSON Lines, one analysis per line."""
    if len(analyses) == 1:
        return analyses[0].model_dump_json(indent=2) + "\n"
    return "".join(a.model_dump_json() + "\n" for a in analyses)


def published_schema() -> dict[str, Any]:
    """The JSON Schema shipped with the package."""
    return json.loads(resources.files("rhetorscope.schema").joinpath("analysis.schema.json").read_text("utf-8"))
