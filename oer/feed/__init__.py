"""The curated feed: set membership and the OAI-PMH provider core (`oai`, free of Flask).

`models`, `sets` (set definitions and membership), `repository` (the feed read from the store).
"""
