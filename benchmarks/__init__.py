"""Reproducible benchmarks; each module writes its figures to docs/benchmarks.md."""
