"""The catalogue: the resource everything points at, its dedup keys and relations.

`models` (tables), `keys` (dedup keys), `queries` (counts, references), `service` (the one
writer of resource state), `changes` (marks and projections). Imports no other domain.
"""
