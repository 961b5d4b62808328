"""Choosing and starting the backend from the settings; start-up failures are configuration errors."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from oer.errors import ConfigurationError
from oer.search import open_backend
from oer.search.elasticsearch_backend import ElasticsearchBackend
from oer.search.opensearch_backend import OpenSearchBackend
from oer.search.tantivy_backend import (
    CURRENT_FILE,
    GENERATIONS_DIR,
    VERSION_FILE,
    TantivyBackend,
)
from oer.settings import Settings


def settings_for(home: Path, search_url: str | None = None, prefix: str = "oer") -> Settings:
    return Settings(
        home=home,
        database_url=f"sqlite:///{home / 'oer.sqlite3'}",
        search_url=search_url,
        broker_url=None,
        secret_key="test",
        search_index_prefix=prefix,
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_no_search_url_means_the_embedded_index_in_oer_home(tmp_path: Path) -> None:
    backend = open_backend(settings_for(tmp_path))
    assert isinstance(backend, TantivyBackend)
    assert backend.directory == tmp_path / "index"
    assert (tmp_path / "index" / CURRENT_FILE).is_file()
    assert backend.health().ok


def test_an_unusable_home_is_a_configuration_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("a file, not a directory")
    with pytest.raises(ConfigurationError, match="OER_HOME"):
        open_backend(settings_for(home))


def test_an_unreachable_elasticsearch_is_a_configuration_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(ConfigurationError, match=r"OER_SEARCH_URL: .*cannot be reached"):
        open_backend(settings_for(tmp_path, url))


def test_an_unreachable_opensearch_is_a_configuration_error_naming_it(tmp_path: Path) -> None:
    port = closed_port()
    with pytest.raises(ConfigurationError) as raised:
        open_backend(settings_for(tmp_path, f"opensearch+http://127.0.0.1:{port}"))
    assert str(raised.value).startswith(
        f"OER_SEARCH_URL: OpenSearch at http://127.0.0.1:{port} cannot be reached (Connection refused)"
    )


def test_an_unknown_backend_is_a_configuration_error(tmp_path: Path) -> None:
    # Settings.from_env refuses it already; settings built in code are checked again.
    with pytest.raises(ConfigurationError, match="unsupported search backend 'solr'"):
        open_backend(settings_for(tmp_path, "solr://localhost:8983"))


@pytest.mark.parametrize("scheme", ["http", "opensearch+http"])
def test_credentials_in_the_url_stay_out_of_messages(tmp_path: Path, scheme: str) -> None:
    url = f"{scheme}://elastic:s3cret@127.0.0.1:{closed_port()}"
    with pytest.raises(ConfigurationError) as raised:
        open_backend(settings_for(tmp_path, url))
    assert "s3cret" not in str(raised.value)


def test_an_index_needing_a_reindex_still_opens_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    TantivyBackend.open(tmp_path / "index")
    name = (tmp_path / "index" / CURRENT_FILE).read_text().strip()
    (tmp_path / "index" / GENERATIONS_DIR / name / VERSION_FILE).write_text('{"schema_version": 0}')
    with caplog.at_level(logging.WARNING, logger="oer.search"):
        backend = open_backend(settings_for(tmp_path))
    assert "oer reindex" in caplog.text
    # So that `oer reindex` can repair it.
    backend.rebuild([])
    assert backend.health().ok


@pytest.mark.elasticsearch
def test_an_http_url_means_elasticsearch_with_the_configured_prefix(
    tmp_path: Path,
    elasticsearch_url: str,
    elasticsearch_cleanup: list[str],
    search_session_prefix: str,
) -> None:
    elasticsearch_cleanup.append(elasticsearch_url)
    prefix = f"{search_session_prefix}-open"
    backend = open_backend(settings_for(tmp_path, elasticsearch_url, prefix))
    try:
        assert isinstance(backend, ElasticsearchBackend)
        assert backend.alias == f"{prefix}-resources"
        assert backend.health().ok
    finally:
        backend.drop()
        backend.close()


@pytest.mark.opensearch
def test_an_opensearch_url_means_opensearch_with_the_configured_prefix(
    tmp_path: Path,
    opensearch_url: str,
    opensearch_cleanup: list[str],
    search_session_prefix: str,
) -> None:
    opensearch_cleanup.append(opensearch_url)
    prefix = f"{search_session_prefix}-open"
    backend = open_backend(settings_for(tmp_path, f"opensearch+{opensearch_url}", prefix))
    # Left behind if this fails: the session's cleanup removes it.
    assert isinstance(backend, OpenSearchBackend)
    try:
        assert backend.alias == f"{prefix}-resources"
        health = backend.health()
        assert health.ok
        assert health.backend == "opensearch"
        assert health.detail.startswith(f"OpenSearch at {opensearch_url}")
    finally:
        backend.drop()
        backend.close()
