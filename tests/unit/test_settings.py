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
