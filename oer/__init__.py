"""The core of the OER repository: settings, store, services, search, tasks and CLI commands."""
