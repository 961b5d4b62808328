"""The Flask site, JSON API and OAI-PMH provider. Only entry points import this package."""
