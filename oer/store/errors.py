"""Exceptions of the store, each with a message fit for a user. Pure; no I/O."""

from oer.errors import OerError


class StoreError(OerError):
    """The database could not be used as asked."""


class DatabaseUnavailableError(StoreError):
    """The database server cannot be reached, or refuses the connection."""


class DatabaseOutdatedError(StoreError):
    """The database schema is not at the version this code needs (run `oer init`)."""
