"""Published JSON Schemas: `analysis.schema.json` (see `rhetorscope.model`) and the corpus outputs'.

`published()` reads a shipped file; `corpus_schemas()` generates the corpus ones from their pydantic
types, and a test keeps the shipped files equal to what it generates (regenerate with
`python -m rhetorscope.schema`, i.e. `write_corpus_schemas()`).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def corpus_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema of `compare --format json` and `repeats show --format json`."""
    from rhetorscope.store.compare import COMPARE_SCHEMA_VERSION, Comparison
    from rhetorscope.store.propagation import PROPAGATION_SCHEMA_VERSION, Propagation

    out = {}
    for name, model, version in (("compare", Comparison, COMPARE_SCHEMA_VERSION),
                                 ("propagation", Propagation, PROPAGATION_SCHEMA_VERSION)):
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"https://rhetorscope.invalid/schema/{name}-{version}.json"
        out[f"{name}.schema.json"] = schema
    return out


def published(name: str) -> dict[str, Any]:
    """A schema file as shipped in the package."""
    return json.loads(resources.files(__name__).joinpath(name).read_text("utf-8"))  # type: ignore[no-any-return]



def write_corpus_schemas() -> None:
    """Regenerate the shipped corpus schema files (`python -m rhetorscope.schema`)."""
    from pathlib import Path

    for file_name, schema in corpus_schemas().items():
        (Path(__file__).parent / file_name).write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n",
                                                       encoding="utf-8")
