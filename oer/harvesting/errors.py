"""Exceptions the services raise on purpose, each with a message fit for a user. Pure; no I/O."""

from oer.errors import OerError


class ServiceError(OerError):
    """A request to a service that cannot be carried out as asked."""


class InvalidSourceError(ServiceError):
    """A source's name, URL, metadata prefix, set or schedule is malformed."""


class DuplicateSourceError(ServiceError):
    """A source with that name, or for that same URL, prefix and set, already exists."""


class UnknownSourceError(ServiceError):
    """No source has that name."""
