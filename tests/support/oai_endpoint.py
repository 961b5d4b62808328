"""Settings and feeds for the OAI-PMH endpoint tests."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from metadata.normalize import normalize_document
from oer.settings import Settings
from tests.unit.oai.memory_feed import (
    START,
    InMemoryFeedRepository,
    identifier_for,
)

SECRET = "functional test secret"


def settings_for(home: Path, secret_key: str | None = SECRET) -> Settings:
    return Settings(
        home=home,
        database_url=f"sqlite:///{home / 'oer.sqlite3'}",
        search_url=None,
        broker_url=None,
        secret_key=secret_key,
        # Far above the product's feed limit: harvesting tests take every page as fast as it comes.
        rate_limit_feed="100000/minute",
    )


def fixture_records_feed(fixtures_dir: Path) -> InMemoryFeedRepository:
    """A feed of the real records in the vendored LOM and OAI-PMH fixtures, normalised."""
    repository = InMemoryFeedRepository()
    sources = sorted((fixtures_dir / "lom").glob("*.xml")) + sorted((fixtures_dir / "oai").glob("[ae]*/*.xml"))
    number = 0
    for path in sources:
        for record in normalize_document(path.read_bytes()):
            if record.deleted:
                continue
            identifier = identifier_for(50_000 + number)
            repository.put(identifier, record, {"curated"}, START + timedelta(minutes=number))
            number += 1
    return repository
