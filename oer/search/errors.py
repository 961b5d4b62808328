"""Exceptions of the search layer, each with a message fit for a user. Pure; no I/O."""

from oer.errors import OerError


class SearchError(OerError):
    """The search index could not be used as asked."""


class SearchUnavailableError(SearchError):
    """The search index cannot be reached or read right now (the site answers 503).

    Raised at run time instead of returning an empty result, so that an outage
    is never mistaken for "nothing found".
    """


class SearchQueryError(SearchError):
    """A query names an unknown filter or facet field, or carries a bad value or cursor."""
