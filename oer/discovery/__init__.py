"""Discovery, the read side: index documents, search requests and results, detail pages.

`queries` (index entries, detail reads), `indexing` (the search projection), `search`.
"""
