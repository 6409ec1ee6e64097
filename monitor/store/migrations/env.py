"""Alembic environment: runs on the connection ``open_store`` hands over.

``open_store`` opens the transaction (BEGIN IMMEDIATE on SQLite, an advisory lock on
PostgreSQL) before calling Alembic, so concurrent daemons migrate one after another and a
failed migration leaves nothing half-applied. Offline (``--sql``) mode is not supported.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("the store's migrations run through monitor.store.open_store(url)")

context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
