"""The OAI-PMH 2.0 data provider of the curated feed. Pure protocol core; no web framework.

The core (`OaiProvider` and what it needs) imports no Flask; `web.oai.views`
is the thin Flask layer and is not imported here.
"""

from web.oai.arguments import Verb
from web.oai.errors import ErrorCode
from web.oai.feed import FeedItem, FeedRepository, FeedSet, RepositoryIdentity
from web.oai.formats import MetadataFormat, MetadataFormats, feed_formats, standard_formats
from web.oai.provider import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MIN_PAGE_SIZE, OaiProvider
from web.oai.tokens import ResumptionTokens

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "MIN_PAGE_SIZE",
    "ErrorCode",
    "FeedItem",
    "FeedRepository",
    "FeedSet",
    "MetadataFormat",
    "MetadataFormats",
    "OaiProvider",
    "RepositoryIdentity",
    "ResumptionTokens",
    "Verb",
    "feed_formats",
    "standard_formats",
]
