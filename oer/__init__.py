"""The core of the OER repository: one package per domain, on a shared store, composed in `runtime`.

Domains: `catalogue` (the resources everything points at, and the marks of
what changed), `harvesting` (sources, runs, archive, provenance), `feed` (the
OAI-PMH feed's sets and provider core) and `discovery` (indexing and search).
Beside them: `store` (base, engine, sessions, model registry), `search`
(the tantivy and Elasticsearch backends), `tasks` (Celery), `commands` (the
CLI) and `settings`. `docs/architecture.md` gives the map and the rules.
"""
