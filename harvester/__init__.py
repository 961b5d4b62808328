"""OAI-PMH harvesting: the client loop around sickle, windows, checkpoints and retries.

Depends only on `metadata`; it writes through the sink interface that `oer`
implements, so it never imports the store.
"""
