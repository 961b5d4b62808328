"""The licence engine: every single part, pair and triple against an oracle written from the rules.

The oracle below is written once from the rules in plain terms (issue 12,
from Creative Commons' FAQ on collections and the adapter's licence chart)
and knows nothing of `metadata.licence_rules` or its table: it carries its
own list of what each code is made of and its own openness order. For every
candidate licence it asks "may an arrangement of these parts carry it?", part
by part; the module instead intersects sets. Then come focused tests, one per
rule, named for what they prove.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata.licence import LicenceElement, LicenceTerms, licence_table, licence_terms
from metadata.licence_rules import CheckCode, Part, Use, check_licences, rules_table

# -- the oracle ------------------------------------------------------------------------------------

# What each code is made of, written out: (elements, major version).
LICENSED: dict[str, tuple[frozenset[str], int]] = {
    "cc-by-40": (frozenset({"by"}), 4),
    "cc-by-sa-40": (frozenset({"by", "sa"}), 4),
    "cc-by-nd-40": (frozenset({"by", "nd"}), 4),
    "cc-by-nc-40": (frozenset({"by", "nc"}), 4),
    "cc-by-nc-sa-40": (frozenset({"by", "nc", "sa"}), 4),
    "cc-by-nc-nd-40": (frozenset({"by", "nc", "nd"}), 4),
    "cc-by-30": (frozenset({"by"}), 3),
    "cc-by-sa-30": (frozenset({"by", "sa"}), 3),
    "cc-by-nd-30": (frozenset({"by", "nd"}), 3),
    "cc-by-nc-30": (frozenset({"by", "nc"}), 3),
    "cc-by-nc-sa-30": (frozenset({"by", "nc", "sa"}), 3),
    "cc-by-nc-nd-30": (frozenset({"by", "nc", "nd"}), 3),
    "cc0-10": (frozenset(), 1),
    "pdm-10": (frozenset(), 1),
}
NO_RESTRICTIONS = "no"
ALL_RIGHTS_RESERVED = "yes"
UNKNOWN = ("cc-by-25", "eigen licentie")
CODES = (*LICENSED, NO_RESTRICTIONS, ALL_RIGHTS_RESERVED, *UNKNOWN)
USES = ("include", "adapt")
KINDS = tuple(itertools.product(CODES, USES))

# Most open first: CC0; then BY, BY-SA, BY-NC, BY-NC-SA, BY-ND, BY-NC-ND; 4.0 before 3.0.
# The Public Domain Mark is not applied to new works, so an arrangement never carries it.
OPENNESS = (
    "cc0-10",
    "cc-by-40", "cc-by-30",
    "cc-by-sa-40", "cc-by-sa-30",
    "cc-by-nc-40", "cc-by-nc-30",
    "cc-by-nc-sa-40", "cc-by-nc-sa-30",
    "cc-by-nd-40", "cc-by-nd-30",
    "cc-by-nc-nd-40", "cc-by-nc-nd-30",
)


def adapter_may_use(original: str, candidate: str) -> bool:
    """May an adaptation of material under `original` be shared under `candidate`?"""
    elements, version = LICENSED[original]
    wanted, wanted_version = LICENSED[candidate]
    if "sa" in elements:  # the same licence, this version or a later one
        return wanted == elements and wanted_version >= version
    if "nc" in elements:  # NC stays
        return "nc" in wanted
    if "by" in elements:  # attribution stays: no public-domain dedication
        return "by" in wanted
    return True  # CC0, PDM: anything


def oracle(kinds: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The expected answer: allowed licences, (part, code, conflicts) problems, (part, code) notices."""
    problems: set[tuple[int, str, tuple[int, ...]]] = set()
    notices: set[tuple[int, str]] = set()
    narrowing: list[tuple[int, str]] = []
    for index, (code, use) in enumerate(kinds):
        if code == NO_RESTRICTIONS:
            continue
        if code not in LICENSED:  # all rights reserved, or unknown: only a link
            if use == "include":
                notices.add((index, "link-only"))
            elif code == ALL_RIGHTS_RESERVED:
                problems.add((index, "adapt-all-rights-reserved", ()))
            else:
                problems.add((index, "adapt-unknown-licence", ()))
        elif use == "adapt":
            if "nd" in LICENSED[code][0]:
                problems.add((index, "adapt-no-derivatives", ()))
            else:
                narrowing.append((index, code))
    for index, code in narrowing:
        clashes = tuple(
            other for other, other_code in narrowing
            if not any(adapter_may_use(code, c) and adapter_may_use(other_code, c) for c in OPENNESS)
        )
        if clashes:
            rule = "share-alike-conflict" if "sa" in LICENSED[code][0] else "non-commercial-conflict"
            problems.add((index, rule, clashes))
    allowed = [] if problems else [
        candidate for candidate in OPENNESS
        if all(adapter_may_use(code, candidate) for _, code in narrowing)
    ]
    return {"allowed": allowed, "problems": problems, "notices": notices}


def answer(kinds: Sequence[tuple[str, str]]) -> dict[str, Any]:
    check = check_licences([Part(code, Use(use)) for code, use in kinds])
    assert check.recommended == (check.allowed[0] if check.allowed else None)
    return {
        "allowed": list(check.allowed),
        "problems": {(p.part, p.code.value, p.conflicts_with) for p in check.problems},
        "notices": {(n.part, n.code.value) for n in check.notices},
    }


def mismatches(combinations: Sequence[Sequence[tuple[str, str]]]) -> list[str]:
    found = []
    for kinds in combinations:
        expected, got = oracle(kinds), answer(kinds)
        if expected != got:
            found.append(f"{list(kinds)}: expected {expected}, got {got}")
    return found


# -- exhaustive ------------------------------------------------------------------------------------


def test_the_oracle_covers_every_code_of_the_vocabulary() -> None:
    assert set(LICENSED) == set(licence_table().urls)


@pytest.mark.parametrize("kind", KINDS, ids=[f"{code}:{use}" for code, use in KINDS])
def test_every_single_part(kind: tuple[str, str]) -> None:
    assert mismatches([[kind]]) == []


@pytest.mark.parametrize("first", KINDS, ids=[f"{code}:{use}" for code, use in KINDS])
def test_every_pair(first: tuple[str, str]) -> None:
    assert mismatches([[first, second] for second in KINDS]) == []


@pytest.mark.parametrize("first", KINDS, ids=[f"{code}:{use}" for code, use in KINDS])
def test_every_triple(first: tuple[str, str]) -> None:
    found = mismatches([[first, *rest] for rest in itertools.product(KINDS, repeat=2)])
    assert found[:5] == [], f"{len(found)} mismatches"


kinds_strategy = st.lists(st.sampled_from(KINDS), max_size=8)


@given(kinds_strategy, st.randoms(use_true_random=False))
def test_order_of_parts_changes_no_verdict(kinds: list[tuple[str, str]], random: Any) -> None:
    shuffled = list(kinds)
    random.shuffle(shuffled)
    assert check_licences([Part(c, Use(u)) for c, u in kinds]).allowed == \
        check_licences([Part(c, Use(u)) for c, u in shuffled]).allowed


@given(kinds_strategy)
def test_longer_arrangements_match_the_oracle(kinds: list[tuple[str, str]]) -> None:
    assert mismatches([kinds]) == []


# -- one rule at a time ----------------------------------------------------------------------------


def check(*specs: str) -> Any:
    return check_licences([Part(spec.split(":")[0], Use(spec.split(":")[1])) for spec in specs])


def test_an_empty_arrangement_may_carry_any_candidate_and_cc0_is_recommended() -> None:
    result = check()
    assert result.allowed == OPENNESS
    assert result.recommended == "cc0-10"
    assert result.possible and result.problems == () and result.notices == ()


def test_included_parts_keep_their_own_licence_and_leave_the_choice_free() -> None:
    result = check("cc-by-nc-nd-40:include", "cc-by-sa-30:include", "cc-by-nc-sa-40:include")
    assert result.allowed == OPENNESS
    assert result.problems == ()


def test_a_no_derivatives_part_may_be_included_but_never_adapted() -> None:
    assert check("cc-by-nd-40:include").possible
    result = check("cc-by-40:adapt", "cc-by-nd-40:adapt")
    assert result.allowed == () and result.recommended is None
    [problem] = result.problems
    assert (problem.part, problem.code) == (1, CheckCode.ADAPT_NO_DERIVATIVES)
    assert problem.message_nl.startswith("Deel 2 (CC BY-ND 4.0) mag niet bewerkt worden")
    assert problem.message_en.startswith("Part 2 (CC BY-ND 4.0) may not be adapted")


def test_all_rights_reserved_and_unknown_parts_may_only_be_linked() -> None:
    result = check("cc-by-40:adapt", "yes:include", "cc-by-25:include")
    assert result.allowed[0] == "cc-by-40"
    assert result.link_only == {1, 2}
    assert [n.code for n in result.notices] == [CheckCode.LINK_ONLY, CheckCode.LINK_ONLY]
    assert result.notices[0].message_nl == (
        "Deel 2 (alle rechten voorbehouden) mag alleen als link opgenomen worden, "
        "niet meegeleverd of bewerkt.")
    assert result.notices[1].message_en == (
        "Part 3 (unknown licence 'cc-by-25') may only be included as a link, never packaged or adapted.")


def test_all_rights_reserved_and_unknown_parts_may_never_be_adapted() -> None:
    result = check("yes:adapt", "onbekend:adapt")
    assert result.allowed == ()
    assert [(p.part, p.code) for p in result.problems] == [
        (0, CheckCode.ADAPT_ALL_RIGHTS_RESERVED), (1, CheckCode.ADAPT_UNKNOWN_LICENCE)]
    assert result.notices == ()


def test_an_adapted_share_alike_part_forces_the_same_licence() -> None:
    assert check("cc-by-sa-40:adapt", "cc-by-40:adapt", "cc0-10:adapt").allowed == ("cc-by-sa-40",)
    assert check("cc-by-nc-sa-40:adapt", "cc-by-nc-40:adapt").allowed == ("cc-by-nc-sa-40",)


def test_share_alike_30_may_go_to_40_but_40_not_back_to_30() -> None:
    assert check("cc-by-sa-30:adapt").allowed == ("cc-by-sa-40", "cc-by-sa-30")
    assert check("cc-by-sa-30:adapt").recommended == "cc-by-sa-40"
    assert check("cc-by-sa-30:adapt", "cc-by-sa-40:adapt").allowed == ("cc-by-sa-40",)
    assert check("cc-by-nc-sa-40:adapt").allowed == ("cc-by-nc-sa-40",)


def test_an_adapted_non_commercial_part_forces_a_non_commercial_licence() -> None:
    assert check("cc-by-nc-30:adapt").allowed == (
        "cc-by-nc-40", "cc-by-nc-30", "cc-by-nc-sa-40", "cc-by-nc-sa-30",
        "cc-by-nc-nd-40", "cc-by-nc-nd-30")
    assert check("cc-by-nc-40:include").recommended == "cc0-10"


def test_adapted_by_sa_and_adapted_by_nc_sa_cannot_be_combined() -> None:
    result = check("cc-by-sa-40:adapt", "cc-by-40:include", "cc-by-nc-sa-40:adapt")
    assert result.allowed == ()
    assert [(p.part, p.code, p.conflicts_with) for p in result.problems] == [
        (0, CheckCode.SHARE_ALIKE_CONFLICT, (2,)), (2, CheckCode.SHARE_ALIKE_CONFLICT, (0,))]
    assert result.problems[0].message_nl == (
        "Een bewerking van deel 1 (CC BY-SA 4.0) moet onder dezelfde licentie of een latere versie "
        "ervan gedeeld worden; dat kan niet samen met de bewerking van deel 3 (CC BY-NC-SA 4.0). "
        "Neem dit deel ongewijzigd op of kies ander materiaal.")


def test_adapted_by_sa_and_adapted_by_nc_cannot_be_combined() -> None:
    result = check("cc-by-nc-40:adapt", "cc-by-sa-30:adapt")
    assert [(p.part, p.code, p.conflicts_with) for p in result.problems] == [
        (0, CheckCode.NON_COMMERCIAL_CONFLICT, (1,)), (1, CheckCode.SHARE_ALIKE_CONFLICT, (0,))]


def test_the_conflict_is_resolved_by_including_one_part_unchanged() -> None:
    assert check("cc-by-sa-40:adapt", "cc-by-nc-sa-40:include").allowed == ("cc-by-sa-40",)
    assert check("cc-by-sa-40:include", "cc-by-nc-40:adapt").recommended == "cc-by-nc-40"


def test_a_conflict_message_names_three_parts_and_counts_the_rest() -> None:
    result = check("cc-by-sa-40:adapt", *["cc-by-nc-40:adapt"] * 5)
    first = result.problems[0]
    assert first.conflicts_with == (1, 2, 3, 4, 5)
    assert "deel 2 (CC BY-NC 4.0), deel 3 (CC BY-NC 4.0), deel 4 (CC BY-NC 4.0) en nog 2 andere" in (
        first.message_nl)
    assert "part 2 (CC BY-NC 4.0), part 3 (CC BY-NC 4.0), part 4 (CC BY-NC 4.0) and 2 more" in (
        first.message_en)
    assert [p.conflicts_with for p in result.problems[1:]] == [(0,)] * 5


def test_public_domain_and_no_restrictions_leave_everything_free() -> None:
    assert check("cc0-10:adapt", "pdm-10:adapt", "no:adapt", "no:include").allowed == OPENNESS


def test_an_adapted_attribution_part_keeps_its_attribution_so_cc0_is_not_allowed() -> None:
    result = check("cc-by-30:adapt")
    assert result.allowed == OPENNESS[1:]
    assert result.recommended == "cc-by-40"


def test_codes_are_read_regardless_of_case_and_surrounding_space() -> None:
    assert check(" CC-BY-SA-40 :adapt").allowed == ("cc-by-sa-40",)


def test_every_problem_means_nothing_is_allowed_and_every_message_has_both_languages() -> None:
    result = check("cc-by-nd-30:adapt", "cc-by-40:adapt")
    assert result.allowed == () and result.recommended is None
    assert result.to_dict("en")["problems"][0]["message"] == result.problems[0].message_en
    assert result.to_dict()["problems"][0]["message"] == result.problems[0].message_nl


def test_json_form() -> None:
    assert check("cc-by-sa-40:adapt", "yes:include").to_dict("en") == {
        "allowed": ["cc-by-sa-40"],
        "recommended": "cc-by-sa-40",
        "problems": [],
        "notices": [{
            "part": 1,
            "code": "link-only",
            "message": "Part 2 (all rights reserved) may only be included as a link, never packaged or adapted.",
            "message_nl": "Deel 2 (alle rechten voorbehouden) mag alleen als link opgenomen worden, "
                          "niet meegeleverd of bewerkt.",
            "message_en": "Part 2 (all rights reserved) may only be included as a link, never packaged or adapted.",
            "conflicts_with": [],
        }],
    }


# -- the tables ------------------------------------------------------------------------------------


def test_candidates_are_every_coded_licence_but_the_public_domain_mark() -> None:
    assert set(rules_table().candidates) == set(licence_table().urls) - {"pdm-10"}
    assert len(rules_table().candidates) == len(set(rules_table().candidates))


def test_every_code_has_a_message_in_dutch_and_english() -> None:
    messages = rules_table().messages
    assert set(messages) == set(CheckCode)
    assert all(set(texts) == {"nl", "en"} for texts in messages.values())


def test_licence_terms_say_what_a_code_is_made_of() -> None:
    assert licence_terms("cc-by-nc-sa-30") == LicenceTerms(
        frozenset({LicenceElement.ATTRIBUTION, LicenceElement.NON_COMMERCIAL,
                   LicenceElement.SHARE_ALIKE}), (3, 0))
    assert licence_terms("cc0-10") == LicenceTerms(frozenset(), (1, 0))
    assert licence_terms("yes") is None and licence_terms("no") is None
    assert licence_terms("cc-by-25") is None
    for code, (elements, version) in LICENSED.items():
        terms = licence_terms(code)
        assert terms is not None
        assert {e.value for e in terms.elements} == elements and terms.version[0] == version
