"""Alembic environment: migrations always run on the connection the store hands over.

`rhetorscope.store.engine.migrate` passes its open connection in
`config.attributes["connection"]`, inside the transaction that holds the write
lock, so two processes opening a fresh database never both create the tables.
"""

from __future__ import annotations

from alembic import context

from rhetorscope.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
