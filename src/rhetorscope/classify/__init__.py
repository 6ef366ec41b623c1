"""The actor gazetteer (`actors`) and the SemEval-2023 paragraph-file formats and scorer (`semeval`).

Technique detection itself lives in `rhetorscope.detect`; version 1's paragraph classifier that
lived here was replaced by its sentence model (see docs/models.md).
"""
