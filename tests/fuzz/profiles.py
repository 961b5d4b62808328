"""The fuzzers' Hypothesis settings: brief by default, long with `HYPOTHESIS_PROFILE=fuzz` (`make fuzz`).

The profiles are applied to the fuzzers only (each test is decorated with
`FUZZ_SETTINGS`), not loaded as Hypothesis's default, so the other property
tests of the suite keep their own settings in the same session.

Both profiles keep a deadline: it is what makes "never hangs" a property. It is
generous, because the fuzzers run beside other work (a loaded machine must not
fail them); parsing and normalising a mutated fixture takes milliseconds.
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

PROFILE_VARIABLE = "HYPOTHESIS_PROFILE"
BRIEF = "fuzz-brief"
LONG = "fuzz"

# The mutated fixtures are up to a few hundred kB: generating and shrinking them is slow by
# Hypothesis's measure, and most mutations of a record are refused documents, which is the point.
_SUPPRESSED = (HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much)

# In `make test`: the whole directory in well under a minute.
settings.register_profile(
    BRIEF, max_examples=100, deadline=timedelta(seconds=5), suppress_health_check=_SUPPRESSED)
# `make fuzz`: long enough to be worth a coffee (tens of minutes).
settings.register_profile(
    LONG, max_examples=20_000, deadline=timedelta(seconds=20), suppress_health_check=_SUPPRESSED)


def profile_name() -> str:
    """The profile `HYPOTHESIS_PROFILE` names, if it is one of ours; else the brief one."""
    name = os.environ.get(PROFILE_VARIABLE, BRIEF)
    return name if name in (BRIEF, LONG) else BRIEF


FUZZ_SETTINGS = settings.get_profile(profile_name())
