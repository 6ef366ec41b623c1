"""Paragraph-level persuasion-technique classifier (SemEval-2023 Task 3, subtask 3).

Submodules split by cost: `semeval`, `actors`, `features`, `component` and
`neutrality` are pure Python or numpy-only at call time; `model` loads and runs
the shipped numpy artifact; `train` needs scikit-learn and is imported only by
`rhetorscope train paragraphs` and the benchmark.
"""
