"""The thin Flask layer of the OAI-PMH feed: `views` (the /oai endpoint) and `store` (wiring to the database)."""
