"""The insight benchmark's verdict, its cold-request summary and its Markdown for the command."""

from __future__ import annotations

from benchmarks.insights import TARGET_P95_MS, code_span, cold_summary, endpoints, target_verdict


def test_the_target_is_met_when_every_p95_is_at_most_it() -> None:
    assert target_verdict({"page at 1": 90.0, "page at 4": TARGET_P95_MS}) == "**met** (highest p95 300.0 ms)"


def test_the_verdict_names_every_row_over_the_target() -> None:
    verdict = target_verdict({"page at 1": 90.0, "cold /inzicht": 977.25, "operator at 4": 301.0})
    assert verdict.startswith("**NOT met**")
    assert "cold /inzicht (977.2 ms)" in verdict
    assert "operator at 4 (301.0 ms)" in verdict
    assert "page at 1" not in verdict


def test_nothing_measured_is_no_verdict() -> None:
    assert target_verdict({}) == "not measured"


def test_the_cold_summary_gives_the_median_and_every_time_in_order_taken() -> None:
    assert cold_summary([870.0, 977.4, 974.0]) == "median 974 ms (870, 977, 974 ms)"
    assert cold_summary([100.0, 300.0]) == "median 200 ms (100, 300 ms)"
    assert cold_summary([]) == "not measured"


def test_a_command_with_backticks_gets_a_longer_fence() -> None:
    assert code_span("python -m benchmarks.insights") == "`python -m benchmarks.insights`"
    assert code_span("--prepared 'with `oer init`'") == "`` --prepared 'with `oer init`' ``"
    assert code_span("a ``b`` c") == "``` a ``b`` c ```"


def test_only_the_reference_route_is_outside_the_target_and_only_the_operator_row_sends_a_token() -> None:
    rows = {endpoint.name: endpoint for endpoint in endpoints()}
    assert [name for name, endpoint in rows.items() if not endpoint.targeted] == ["reference"]
    assert [name for name, endpoint in rows.items() if endpoint.operator] == ["operator"]
    assert all(path.startswith("/") for endpoint in rows.values() for path in endpoint.paths)
