"""The OpenSearch search backend, through the `opensearch-py` client. I/O: network.

OpenSearch (which SURF edusources runs on) is a fork of Elasticsearch 7.10 and
speaks the same query DSL, so everything but the client is shared with the
Elasticsearch backend in `oer.search.cluster_backend`: the versioned indexes
behind an alias, the Dutch analysis and its detection (OpenSearch keeps the
Snowball stemmers and ASCII folding in its `analysis-common` module too), every
request body. This module makes the calls with `opensearch-py` and turns its
exceptions into `ClusterRequestError`.

`open_backend` picks it for OER_SEARCH_URL=opensearch+http(s)://HOST:9200; the
client is given the URL without the `opensearch+` part.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import (
    ConnectionError,
    ConnectionTimeout,
    NotFoundError,
    TransportError,
)
from opensearchpy.helpers import streaming_bulk

from oer.search.cluster_backend import (
    BULK_CHUNK,
    REQUEST_TIMEOUT,
    Analysis,
    ClusterBackend,
    ClusterRequestError,
)


class OpenSearchBackend(ClusterBackend):
    """OpenSearch at `url` (http(s)://), using indexes named after `index_prefix` (see ClusterBackend)."""

    name = "opensearch"
    product = "OpenSearch"

    def __init__(
        self,
        url: str,
        *,
        index_prefix: str = "oer",
        analysis: Analysis | None = None,
        request_timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        super().__init__(url, index_prefix=index_prefix, analysis=analysis)
        self._client = OpenSearch(
            url, timeout=request_timeout, max_retries=1, retry_on_timeout=False
        )

    def close(self) -> None:
        self._client.close()

    @contextmanager
    def _client_errors(self) -> Iterator[None]:
        try:
            yield
        except TransportError as error:
            # A connection failure carries the status "N/A": no answer came.
            status = error.status_code if isinstance(error.status_code, int) else None
            raise ClusterRequestError(status, _reason(error)) from error

    def _api_cluster_health(self) -> Mapping[str, Any]:
        health: Mapping[str, Any] = self._client.cluster.health()
        return health

    def _api_analyze(self, body: dict[str, Any]) -> Mapping[str, Any]:
        result: Mapping[str, Any] = self._client.indices.analyze(body=body)
        return result

    def _api_search(self, index: str, body: dict[str, Any]) -> Mapping[str, Any]:
        result: Mapping[str, Any] = self._client.search(index=index, body=body)
        return result

    def _api_count(self, index: str) -> int:
        return int(self._client.count(index=index)["count"])

    def _api_create_index(self, name: str, body: dict[str, Any]) -> None:
        self._client.indices.create(index=name, body=body)

    def _api_delete_index(self, name: str) -> None:
        self._client.indices.delete(index=name, ignore_unavailable=True)

    def _api_index_names(self, pattern: str) -> Iterable[str]:
        return list(
            self._client.indices.get(index=pattern, allow_no_indices=True, expand_wildcards="all")
        )

    def _api_alias_exists(self, alias: str) -> bool:
        return bool(self._client.indices.exists_alias(name=alias))

    def _api_alias_indexes(self, alias: str) -> Iterable[str]:
        try:
            return list(self._client.indices.get_alias(name=alias))
        except NotFoundError:
            return []

    def _api_update_aliases(self, actions: list[dict[str, Any]]) -> None:
        self._client.indices.update_aliases(body={"actions": actions})

    def _api_put_settings(self, index: str, settings: dict[str, Any]) -> None:
        self._client.indices.put_settings(index=index, body=settings)

    def _api_refresh(self, index: str) -> None:
        self._client.indices.refresh(index=index)

    def _api_mappings(self, index: str) -> Mapping[str, Any]:
        mappings: Mapping[str, Any] = self._client.indices.get_mapping(index=index)
        return mappings

    def _api_bulk(
        self,
        actions: Iterable[dict[str, Any]],
        *,
        require_alias: bool,
        ignore_status: tuple[int, ...],
    ) -> Iterable[tuple[bool, Mapping[str, Any]]]:
        options: dict[str, Any] = {"require_alias": True} if require_alias else {}
        results: Iterable[tuple[bool, Mapping[str, Any]]] = streaming_bulk(
            self._client,
            actions,
            chunk_size=BULK_CHUNK,
            raise_on_error=False,
            ignore_status=ignore_status,
            **options,
        )
        return results


def _reason(error: TransportError) -> str:
    """A short reason: a connection failure's root OS error, an API error's server reason."""
    if isinstance(error, ConnectionTimeout):
        return "timed out"
    if isinstance(error, ConnectionError):
        # `info` is the HTTP library's exception; the refused connection is deeper in its chain.
        cause: BaseException = error.info if isinstance(error.info, BaseException) else error
        for _ in range(10):
            if isinstance(cause, OSError) and cause.strerror:
                return cause.strerror
            deeper = cause.__cause__ or cause.__context__
            if deeper is None:
                break
            cause = deeper
        return str(cause) or cause.__class__.__name__
    info = error.info
    detail = info.get("error") if isinstance(info, Mapping) else None
    if isinstance(detail, Mapping):
        return str(detail.get("reason") or detail.get("type") or error.error)
    return str(detail or error.error)
