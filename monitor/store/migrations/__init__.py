"""Alembic migrations of the store, run by ``monitor.store.open_store`` (no alembic.ini)."""
