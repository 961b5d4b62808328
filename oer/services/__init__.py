"""Services: the only writers of the store, and the one API for web, CLI and tasks.

Every service takes an SQLAlchemy `Session` and never commits: the caller owns
the transaction (`with factory.begin() as session:`), so a harvested page, its
run counters and its checkpoint are committed together or not at all.

The page writer works with bulk statements (a fixed number per page), so ORM
objects loaded earlier in the same session may be stale afterwards: read
through `oer.services.catalogue` (plain values, fresh queries) or expire them.

Modules: `sources` (registry), `harvest_runs`, `checkpoints`, `archive` (raw
XML), `resources` (harvested records into resources: dedup, provenance,
tombstones, relations, feed datestamps), `catalogue` (reads for index and API),
`outcome` (the Outcome enum), `errors`.
"""
