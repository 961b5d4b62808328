"""Harvesting: sources, runs and their errors, checkpoints, the raw archive, provenance and renormalising.

`models`, `service` (harvest runs end to end), `sources`, `runs`, `failures` (a harvest
error's stage and kind), `queries` (reading run errors), `checkpoints`, `archive`,
`provenance` (harvested pages into resources), `renormalize`, `tasks`, `errors`.
"""
