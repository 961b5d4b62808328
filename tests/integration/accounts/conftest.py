"""The accounts suite runs on the people of `tests.fixtures.accounts` (SQLite and PostgreSQL)."""
