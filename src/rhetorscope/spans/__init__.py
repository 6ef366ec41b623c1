"""Span tagger: the exact words that carry each persuasion technique (PTC / SemEval-2020 Task 11 labels).

Submodules are imported where needed, so importing this package costs nothing:
`features` and `lexicon` (token features), `model` (artifact loading and
tagging), `train` (cross-validation and training), `ptc` (task file formats and
scorer), `component` (the `analyze` pipeline stage).
"""
