"""The search layer's front door: the backend the settings ask for. I/O: opens that backend.

One interface (`SearchBackend`), an embedded tantivy backend and
Elasticsearch and OpenSearch ones, the neutral query objects and results (search hits,
search-box `Suggestion`s, `Spelling` for "did you mean"), and
`document_from_record`. The facet fields are declared in
`metadata.facets.FACETS`.

`open_backend(settings)` is the one way the rest of the product gets a
backend: the embedded tantivy index in OER_HOME when OER_SEARCH_URL is unset,
Elasticsearch when it is an http(s) URL, OpenSearch when it is an
opensearch+http(s) URL (`Settings.search_backend`). It fails at start-up, with a
ConfigurationError a user can act on, when the backend cannot be used; later
outages raise SearchUnavailableError from the operation that met them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from oer.errors import ConfigurationError
from oer.search.backend import Capability, Health, SearchBackend
from oer.search.document import SearchDocument, document_from_record
from oer.search.errors import SearchError, SearchQueryError, SearchUnavailableError
from oer.search.query import Hit, SearchQuery, SearchResult, Sort, Spelling, Suggestion
from oer.search.reindex import ReindexReport, reindex
from oer.search.text import Match
from oer.settings import Settings

if TYPE_CHECKING:
    from oer.search.cluster_backend import ClusterBackend

__all__ = [
    "Capability",
    "Health",
    "Hit",
    "Match",
    "ReindexReport",
    "SearchBackend",
    "SearchDocument",
    "SearchError",
    "SearchQuery",
    "SearchQueryError",
    "SearchResult",
    "SearchUnavailableError",
    "Sort",
    "Spelling",
    "Suggestion",
    "document_from_record",
    "open_backend",
    "reindex",
]

log = logging.getLogger(__name__)


def open_backend(settings: Settings) -> SearchBackend:
    """The backend `settings` ask for, started and checked.

    Raises ConfigurationError when OER_SEARCH_URL is not a URL this product
    can use or the service does not answer. An index that exists but cannot
    serve searches yet (missing, or built by another version) is not a
    start-up error: it is logged, searches report it as an outage, and
    `oer reindex` repairs it.
    """
    backend: SearchBackend
    service_url = settings.search_service_url
    if service_url is None:
        from oer.search.tantivy_backend import TantivyBackend

        try:
            backend = TantivyBackend.open(settings.index_dir)
        except SearchError as error:
            raise ConfigurationError(
                f"OER_HOME: the search index in {settings.index_dir} cannot be used: {error}"
            ) from error
    else:
        cluster: type[ClusterBackend]
        if settings.search_backend == "elasticsearch":
            from oer.search.elasticsearch_backend import ElasticsearchBackend

            cluster = ElasticsearchBackend
        elif settings.search_backend == "opensearch":
            from oer.search.opensearch_backend import OpenSearchBackend

            cluster = OpenSearchBackend
        else:
            scheme = urlsplit(settings.search_url or "").scheme
            raise ConfigurationError(
                f"OER_SEARCH_URL: unsupported search backend {scheme or settings.search_url!r}; "
                "use http(s)://HOST:9200 for Elasticsearch, opensearch+http(s)://HOST:9200 "
                "for OpenSearch, or leave it unset for the embedded index"
            )
        try:
            backend = cluster.connect(service_url, index_prefix=settings.search_index_prefix)
        except SearchError as error:
            raise ConfigurationError(
                f"OER_SEARCH_URL: the search index cannot be set up: {error}"
            ) from error
    health = backend.health()
    if not health.ok:
        log.warning("search index not ready: %s", health.detail)
    return backend
