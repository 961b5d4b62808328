"""Asking a repository, before it is registered, whether it is one and offers the format. I/O: network.

A typo in a URL or a prefix the repository does not serve should be caught
when the operator types it, not at the first harvest hours later: the probe
asks Identify and ListMetadataFormats (both required by OAI-PMH 2.0), once
each, within a short deadline, and says what the repository offers instead.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from harvester import errors as harvester_errors
from harvester.backoff import RetryPolicy
from harvester.oai_client import ClientSettings, OaiClient
from harvester.records import RepositoryInfo
from oer.harvesting.errors import InvalidSourceError

PROBE_SECONDS = 15.0
# Identify and ListMetadataFormats answers are small; a megabyte is generous.
PROBE_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class RepositoryProbe:
    """What a repository said about itself: Identify's answer and the prefixes it offers."""

    info: RepositoryInfo
    formats: tuple[str, ...]


def probe_settings(client: ClientSettings) -> ClientSettings:
    """The harvest's client settings (contact URL, address checks) with a probe's short deadline."""
    return dataclasses.replace(
        client, connect_timeout=PROBE_SECONDS, read_timeout=PROBE_SECONDS, response_deadline=PROBE_SECONDS,
        max_response_bytes=PROBE_MAX_BYTES, retry=RetryPolicy(max_attempts=1),
    )


def probe_repository(url: str, metadata_prefix: str, client: ClientSettings) -> RepositoryProbe:
    """Identify the repository at `url` and check it offers `metadata_prefix`; InvalidSourceError if not."""
    try:
        with OaiClient(url, probe_settings(client)) as oai:
            info = oai.identify()
            formats = oai.list_metadata_formats()
    except harvester_errors.HarvestError as error:
        raise InvalidSourceError(f"no OAI-PMH repository answers at {url}: {error}") from error
    if metadata_prefix not in formats:
        offered = ", ".join(formats) or "none"
        raise InvalidSourceError(
            f"{url} does not offer metadataPrefix {metadata_prefix!r} (it offers: {offered}); "
            "choose one of those"
        )
    return RepositoryProbe(info=info, formats=formats)
