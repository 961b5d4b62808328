"""OER_SEARCH_URL names the search backend by its scheme: unset, Elasticsearch or OpenSearch."""

from __future__ import annotations

from pathlib import Path

import pytest

from oer.errors import ConfigurationError
from oer.settings import Settings


def settings(tmp_path: Path, **environ: str) -> Settings:
    return Settings.from_env({"OER_HOME": str(tmp_path), **environ})


@pytest.mark.parametrize(
    ("search_url", "backend", "service_url"),
    [
        (None, "tantivy", None),
        ("http://elasticsearch:9200", "elasticsearch", "http://elasticsearch:9200"),
        ("https://elastic:s3cret@es.example.org", "elasticsearch", "https://elastic:s3cret@es.example.org"),
        ("opensearch+http://opensearch:9200", "opensearch", "http://opensearch:9200"),
        # The client gets the rest as written: credentials (even with a "+") and a path prefix.
        (
            "opensearch+https://oer:p+ss@search.example.org:443/proxy",
            "opensearch",
            "https://oer:p+ss@search.example.org:443/proxy",
        ),
    ],
)
def test_the_url_scheme_names_the_backend_and_its_client_gets_a_plain_url(
    tmp_path: Path, search_url: str | None, backend: str, service_url: str | None
) -> None:
    environ = {} if search_url is None else {"OER_SEARCH_URL": search_url}
    configured = settings(tmp_path, **environ)
    assert configured.search_url == search_url
    assert configured.search_backend == backend
    assert configured.search_service_url == service_url


@pytest.mark.parametrize(
    "search_url",
    ["solr://localhost:8983", "opensearch://opensearch:9200", "opensearch+ftp://opensearch:21", "localhost:9200"],
)
def test_a_url_naming_no_supported_backend_is_refused_with_both_forms(
    tmp_path: Path, search_url: str
) -> None:
    with pytest.raises(
        ConfigurationError, match=r"OER_SEARCH_URL: .*http\(s\)://HOST:9200.*opensearch\+http"
    ):
        settings(tmp_path, OER_SEARCH_URL=search_url)
