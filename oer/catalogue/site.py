"""Where this repository publishes what is made here: its OAI repository id and each resource's page. Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Site:
    """The OAI repository id (catalog of what is made here) and the page URL of a resource.

    The web layer builds one per request from its public URL; the CLI and the demo from theirs.
    """

    repository_id: str
    page_url: Callable[[str], str]

    def oai_identifier(self, resource_id: str) -> str:
        return f"oai:{self.repository_id}:{resource_id}"
