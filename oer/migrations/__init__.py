"""Alembic migrations of the store (env.py, versions/); run through `oer.store.database.migrate`. Pure; no I/O."""
