"""Exceptions raised while harvesting. Pure; no I/O."""


class HarvestError(Exception):
    """Root of every error the harvester raises."""
