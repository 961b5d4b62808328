"""The OAI-PMH 2.0 data provider of the curated feed. Pure protocol core; no web framework.

The core (`OaiProvider` and what it needs) imports no Flask; `oer.feed.oai.views`
is the thin Flask layer and is not imported here. The formats it offers are
`metadata.formats`' registry (`FORMATS` by default).
"""

from oer.feed.oai.arguments import Verb
from oer.feed.oai.contract import FeedItem, FeedRepository, FeedSet, RepositoryIdentity
from oer.feed.oai.errors import ErrorCode
from oer.feed.oai.formats import disseminate, with_writers
from oer.feed.oai.provider import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MIN_PAGE_SIZE,
    OaiProvider,
)
from oer.feed.oai.tokens import ResumptionTokens

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "MIN_PAGE_SIZE",
    "ErrorCode",
    "FeedItem",
    "FeedRepository",
    "FeedSet",
    "OaiProvider",
    "RepositoryIdentity",
    "ResumptionTokens",
    "Verb",
    "disseminate",
    "with_writers",
]
