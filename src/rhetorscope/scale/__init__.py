"""Scale-out analysis: a corpus analysed by a pool of workers (local processes or a Dask cluster).

`tasks` is what a worker runs on a batch, `executors` sends batches to workers with a bounded
number in flight, `inputs` streams documents to analyse (from files, or stored ones that are
not current), and `runner` ties them to the store: one writer, bulk transactions, exactly once.
See docs/scale.md.
"""
