"""Fuzzers over the metadata core's parsers of untrusted input (Hypothesis property tests).

Brief in `make test`; `make fuzz` runs them for longer (see `tests.fuzz.profiles`).
"""
