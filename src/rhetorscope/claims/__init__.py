"""Claims: which sentences state checkable facts, and which stored fact-checks already verify them.

- `checkworthy`: the check-worthiness model (sparse word/character features, multilingual e5
  vectors and claim cues, one logistic regression; numpy-only at run time);
- `clef`: the CheckThat! file formats and their metrics (MAP, R-precision, P@k, MAP@k, MRR);
- `retrieval`: BM25 + e5 hybrid ranking of verified claims for a query;
- `factchecks`: ClaimReview / TSV import into the store and matching against it;
- `vectors`: encoding with an on-disk cache, so training and benchmarks do not re-embed.
"""
