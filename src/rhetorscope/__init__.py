"""rhetorscope: show how political and diplomatic texts try to persuade.

The notebook API (`rhetorscope.api`): `analyze(text_or_path)`, `analyze_many(items, n_jobs=…)` and
`Corpus(db)`; importing the package loads none of the models or the database layer.
"""

from __future__ import annotations

__version__ = "0.1.0"

from rhetorscope.api import Corpus, Failed, analyze, analyze_many

__all__ = ["Corpus", "Failed", "__version__", "analyze", "analyze_many"]
