"""Settings read once from the environment: the feed's page size and the harvester's contact URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.oai_client import user_agent
from oer.errors import ConfigurationError
from oer.harvesting.service import default_client_settings
from oer.settings import Settings


def settings(tmp_path: Path, **environ: str) -> Settings:
    return Settings.from_env({"OER_HOME": str(tmp_path), **environ})


def test_defaults_serve_pages_of_200_and_announce_the_placeholder_contact(tmp_path: Path) -> None:
    defaults = settings(tmp_path)
    assert defaults.oai_page_size == 200
    assert defaults.harvester_contact_url == "https://example.org/oer-repository/harvester"


def test_the_feed_page_size_is_a_setting(tmp_path: Path) -> None:
    assert settings(tmp_path, OER_OAI_PAGE_SIZE="500").oai_page_size == 500


@pytest.mark.parametrize(
    ("value", "message"),
    [("99", "outside 100-500"), ("501", "outside 100-500"), ("veel", "not a whole number")],
)
def test_a_page_size_out_of_bounds_is_refused_with_the_key(tmp_path: Path, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=f"OER_OAI_PAGE_SIZE: .*{message}"):
        settings(tmp_path, OER_OAI_PAGE_SIZE=value)


def test_the_harvester_announces_the_deployments_contact_url(tmp_path: Path) -> None:
    contact = "https://oer.school.example.nl/over/oogsten"
    configured = settings(tmp_path, OER_HARVESTER_CONTACT_URL=contact)

    client = default_client_settings(configured)

    assert client.user_agent == user_agent(contact)
    assert f"+{contact})" in client.user_agent


@pytest.mark.parametrize("value", ["mailto:beheer@school.nl", "javascript:alert(1)", "https://"])
def test_a_contact_that_is_not_an_http_url_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigurationError, match="OER_HARVESTER_CONTACT_URL"):
        settings(tmp_path, OER_HARVESTER_CONTACT_URL=value)


def test_the_public_url_proxies_uploads_and_private_sources_are_settings(tmp_path: Path) -> None:
    defaults = settings(tmp_path)
    assert (defaults.public_url, defaults.proxy_hops, defaults.upload_max_bytes, defaults.allow_private_sources) == (
        None, 0, 100 * 1024 * 1024, False)
    configured = settings(tmp_path, OER_PUBLIC_URL="https://oer.example.org/", OER_PROXY_HOPS="1",
                          OER_UPLOAD_MAX_MB="20", OER_ALLOW_PRIVATE_SOURCES="1")
    assert (configured.public_url, configured.proxy_hops, configured.upload_max_bytes,
            configured.allow_private_sources) == ("https://oer.example.org", 1, 20 * 1024 * 1024, True)


@pytest.mark.parametrize(
    ("key", "value"),
    [("OER_PUBLIC_URL", "oer.example.org"), ("OER_PUBLIC_URL", "https://oer.example.org/?x=1"),
     ("OER_PROXY_HOPS", "9"), ("OER_UPLOAD_MAX_MB", "0"), ("OER_ALLOW_PRIVATE_SOURCES", "misschien")],
)
def test_malformed_deployment_settings_are_refused_with_the_key(tmp_path: Path, key: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=key):
        settings(tmp_path, **{key: value})


@pytest.mark.parametrize(
    ("value", "access_log"),
    [(None, "-"), ("", "-"), ("-", "-"), ("off", None), ("OFF", None), ("0", None), ("/var/log/oer/access.log",
                                                                                      "/var/log/oer/access.log")],
)
def test_the_access_log_goes_to_standard_output_unless_set(tmp_path: Path, value: str | None,
                                                           access_log: str | None) -> None:
    environ = {} if value is None else {"OER_ACCESS_LOG": value}
    assert settings(tmp_path, **environ).access_log == access_log
