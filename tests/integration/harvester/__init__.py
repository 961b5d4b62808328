"""Harvester against a real OAI-PMH server on loopback, with injected faults."""
