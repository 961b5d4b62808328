"""The store: database models, engines, sessions and migrations. Written to only through `oer.services`."""
