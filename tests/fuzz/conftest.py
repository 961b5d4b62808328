"""The fuzzers' pytest hooks: say which Hypothesis profile they run with; keep failures readable."""

from __future__ import annotations

import pytest

from tests.fuzz.profiles import FUZZ_SETTINGS, PROFILE_VARIABLE, profile_name


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A failing example is a whole mutated page, whose repr Hypothesis warns about; under
    # `filterwarnings = error` that warning would hide the failure it reports.
    for item in items:
        if item.path.parent.name == "fuzz":
            item.add_marker(pytest.mark.filterwarnings("ignore:Generating overly large repr"))


def pytest_report_header() -> str:
    return (f"fuzzers: Hypothesis profile {profile_name()!r} ({FUZZ_SETTINGS.max_examples} examples "
            f"per test; {PROFILE_VARIABLE}=fuzz for the long run)")
