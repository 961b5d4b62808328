"""Harvesting: sources, runs, checkpoints, the raw archive, provenance and renormalising.

`models`, `service` (harvest runs end to end), `sources`, `runs`, `checkpoints`,
`archive`, `provenance` (harvested pages into resources), `renormalize`, `tasks`, `errors`.
"""
