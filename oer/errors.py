"""Exceptions of the core; every one of them has a message fit for a user. Pure; no I/O."""


class OerError(Exception):
    """Root of every error the core raises on purpose."""


class ConfigurationError(OerError):
    """A setting is missing, malformed, or names a service that cannot be used."""
