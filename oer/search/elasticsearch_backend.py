"""The scaled search backend: Elasticsearch through the official client. I/O: network.

Everything but the client is shared with the OpenSearch backend and lives in
`oer.search.cluster_backend` (index layout, analysis and its detection, the
request bodies); this module only makes the calls with the `elasticsearch`
client and turns its exceptions into `ClusterRequestError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import elastic_transport
from elasticsearch import ApiError, Elasticsearch, NotFoundError
from elasticsearch.helpers import streaming_bulk

from oer.search.cluster_backend import (
    BULK_CHUNK,
    REQUEST_TIMEOUT,
    Analysis,
    ClusterBackend,
    ClusterRequestError,
    analysis_settings,
    index_mappings,
    text_fields,
)

__all__ = ["Analysis", "ElasticsearchBackend", "analysis_settings", "index_mappings"]

# The name this had before the OpenSearch backend shared it (benchmarks/search.py
# reads it); new code imports `text_fields` from oer.search.cluster_backend.
_text_fields = text_fields


class ElasticsearchBackend(ClusterBackend):
    """Elasticsearch at `url`, using indexes named after `index_prefix` (see ClusterBackend)."""

    name = "elasticsearch"
    product = "Elasticsearch"

    def __init__(
        self,
        url: str,
        *,
        index_prefix: str = "oer",
        analysis: Analysis | None = None,
        request_timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        super().__init__(url, index_prefix=index_prefix, analysis=analysis)
        self._client = Elasticsearch(
            url, request_timeout=request_timeout, max_retries=1, retry_on_timeout=False
        )

    def close(self) -> None:
        self._client.close()

    @contextmanager
    def _client_errors(self) -> Iterator[None]:
        try:
            yield
        except elastic_transport.TransportError as error:
            raise ClusterRequestError(None, _reason(error)) from error
        except ApiError as error:
            raise ClusterRequestError(error.meta.status, _reason(error)) from error

    def _api_cluster_health(self) -> Mapping[str, Any]:
        health: Mapping[str, Any] = self._client.cluster.health().body
        return health

    def _api_analyze(self, body: dict[str, Any]) -> Mapping[str, Any]:
        result: Mapping[str, Any] = self._client.indices.analyze(body=body).body
        return result

    def _api_search(self, index: str, body: dict[str, Any]) -> Mapping[str, Any]:
        result: Mapping[str, Any] = self._client.search(index=index, body=body).body
        return result

    def _api_count(self, index: str) -> int:
        return int(self._client.count(index=index).body["count"])

    def _api_create_index(self, name: str, body: dict[str, Any]) -> None:
        self._client.indices.create(index=name, body=body)

    def _api_delete_index(self, name: str) -> None:
        self._client.indices.delete(index=name, ignore_unavailable=True)

    def _api_index_names(self, pattern: str) -> Iterable[str]:
        return list(
            self._client.indices.get(
                index=pattern, allow_no_indices=True, expand_wildcards="all"
            ).body
        )

    def _api_alias_exists(self, alias: str) -> bool:
        return bool(self._client.indices.exists_alias(name=alias))

    def _api_alias_indexes(self, alias: str) -> Iterable[str]:
        try:
            return list(self._client.indices.get_alias(name=alias).body)
        except NotFoundError:
            return []

    def _api_update_aliases(self, actions: list[dict[str, Any]]) -> None:
        self._client.indices.update_aliases(actions=actions)

    def _api_put_settings(self, index: str, settings: dict[str, Any]) -> None:
        self._client.indices.put_settings(index=index, settings=settings)

    def _api_refresh(self, index: str) -> None:
        self._client.indices.refresh(index=index)

    def _api_mappings(self, index: str) -> Mapping[str, Any]:
        mappings: Mapping[str, Any] = self._client.indices.get_mapping(index=index).body
        return mappings

    def _api_bulk(
        self,
        actions: Iterable[dict[str, Any]],
        *,
        require_alias: bool,
        ignore_status: tuple[int, ...],
    ) -> Iterable[tuple[bool, Mapping[str, Any]]]:
        options: dict[str, Any] = {"require_alias": True} if require_alias else {}
        return streaming_bulk(
            self._client,
            actions,
            chunk_size=BULK_CHUNK,
            raise_on_error=False,
            ignore_status=ignore_status,
            **options,
        )


def _reason(error: BaseException) -> str:
    """A short reason: a transport failure's root OS error, an API error's server reason."""
    if isinstance(error, elastic_transport.ConnectionTimeout):
        return "timed out"
    if isinstance(error, elastic_transport.TransportError):
        cause: BaseException = error
        for _ in range(10):
            deeper = next(iter(getattr(cause, "errors", None) or ()), None)
            deeper = deeper or cause.__cause__ or cause.__context__
            if deeper is None:
                break
            cause = deeper
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
        return str(cause) or cause.__class__.__name__
    if isinstance(error, ApiError):
        body = error.body if isinstance(error.body, Mapping) else {}
        detail = body.get("error", {})
        if isinstance(detail, Mapping):
            return str(detail.get("reason") or detail.get("type") or error.message)
        return str(error.message)
    return str(error) or error.__class__.__name__
