"""Technique fragments: the exact words that carry each persuasion technique, in six languages.

Submodules are imported where needed, so importing this package costs nothing: `tokens` (words
and their features), `fragments` (the model: word scores, decoding, readable fragments),
`predict` (tagging whole articles), `fit` (cross-validation and training), `ptc` (task file
formats and the SemEval-2020 span metrics), `component` (the `analyze` pipeline stage).
"""
