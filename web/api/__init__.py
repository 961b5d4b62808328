"""The JSON API (`/api/v1`): search, a material's record with provenance, suggestions, OpenAPI."""

from web.discovery.api import init_app

__all__ = ["init_app"]
