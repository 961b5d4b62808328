"""The catalogue: the resource everything points at, its dedup keys and relations.

`models` (tables), `keys` (dedup keys), `queries` (counts, references). Imports no other domain.
"""
