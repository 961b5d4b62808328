"""OAI-PMH harvesting: the client loop around sickle, windows, checkpoints and retries.

Depends only on `metadata`; it writes through the sink interface that `oer`
implements, so it never imports the store. Nothing is imported here, so
`import harvester.errors` stays cheap. Where things are:

- `oai_client.OaiClient`: the only module that imports sickle/requests; pages as plain values.
- `records`: `RawRecord`, `Page`, `RepositoryInfo`.  `datestamps`: parsing and formatting in a
  source's `metadata.oai.Granularity`.
- `backoff`: `RetryPolicy`, Retry-After.  `window`: incremental `from`.
- `run.harvest_source`: the page loop.  `checkpoint.Checkpoint`, `outcome.Outcome`,
  `summary.HarvestSummary`, `sink.HarvestSink`, `progress.HarvestProgress`.
- `replay_server`/`replay_pages`: a loopback OAI-PMH server for tests, benchmarks and the
  demo. (The reference sink for tests is `tests.support.memory_sink.MemorySink`.)
"""
