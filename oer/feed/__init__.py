"""The curated feed: set membership, stored payloads and the OAI-PMH provider core (`oai`, free of Flask).

`models`, `sets` (set definitions and membership), `projection` (sets and datestamps follow
the resources), `payloads` (each record stored serialised per format, as the feed serves it),
`repository` (the feed read from the store).
"""
