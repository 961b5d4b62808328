"""Reading the ids of a comparison: limits, duplicates, every problem at once. No database."""

from __future__ import annotations

from oer.discovery.compare import MAX_REFERENCES, CompareProblem, parse_compare_ids


def test_comma_separated_and_repeated_ids_are_one_list() -> None:
    selection = parse_compare_ids(["a, b", "c", ",,"])
    assert selection.references == ("a", "b", "c")
    assert selection.problems == ()
    assert selection.usable == ("a", "b", "c")


def test_fewer_than_two_is_too_few() -> None:
    for values in ([], [""], ["a"], ["a,a"]):
        assert parse_compare_ids(values).problem(CompareProblem.TOO_FEW) is not None, values


def test_more_than_four_is_too_many_and_the_first_four_are_usable() -> None:
    selection = parse_compare_ids(["a,b,c,d,e,f"])
    problem = selection.problem(CompareProblem.TOO_MANY)
    assert problem is not None and problem.references == ("e", "f")
    assert selection.usable == ("a", "b", "c", "d")


def test_duplicates_are_named_once_and_reported_with_other_problems() -> None:
    selection = parse_compare_ids(["a,b,a,a,c,d,e,b"])
    duplicate = selection.problem(CompareProblem.DUPLICATE)
    assert duplicate is not None and duplicate.references == ("a", "b")
    assert selection.problem(CompareProblem.TOO_MANY) is not None
    assert selection.usable == ("a", "b", "c", "d")


def test_a_flood_of_ids_is_cut_before_anything_is_looked_up() -> None:
    selection = parse_compare_ids([",".join(str(n) for n in range(10_000))])
    assert len(selection.references) == MAX_REFERENCES
