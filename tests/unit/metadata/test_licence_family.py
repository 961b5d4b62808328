"""The usage-rights facet: which family every licence code belongs to, and that it agrees with
what the licence allows."""

from __future__ import annotations

import pytest

from metadata.licence import (
    LicenceElement,
    LicenceFamily,
    Permission,
    licence_family,
    licence_name,
    licence_rights,
    licence_table,
    licence_terms,
)
from metadata.record import Licence


@pytest.mark.parametrize("code", sorted(licence_table().urls))
def test_every_coded_licence_has_the_families_of_its_elements(code: str) -> None:
    terms = licence_terms(code)
    assert terms is not None
    expected = []
    if LicenceElement.NON_COMMERCIAL in terms.elements:
        expected.append(LicenceFamily.NON_COMMERCIAL)
    if LicenceElement.NO_DERIVATIVES in terms.elements:
        expected.append(LicenceFamily.NO_DERIVATIVES)
    assert licence_family(code) == (tuple(expected) or (LicenceFamily.OPEN,))


@pytest.mark.parametrize("code", sorted(licence_table().urls))
def test_a_family_says_what_the_licence_allows(code: str) -> None:
    rights = licence_rights(Licence(code))
    assert rights is not None and rights.allows is not None
    families = licence_family(code)
    assert (LicenceFamily.NON_COMMERCIAL in families) is not rights.allows[Permission.COMMERCIAL]
    assert (LicenceFamily.NO_DERIVATIVES in families) is not rights.allows[Permission.ADAPT]
    assert (LicenceFamily.OPEN in families) is (
        rights.allows[Permission.COMMERCIAL] and rights.allows[Permission.ADAPT])


@pytest.mark.parametrize(
    ("code", "families"),
    [
        ("yes", (LicenceFamily.ALL_RIGHTS_RESERVED,)),
        ("no", (LicenceFamily.OPEN,)),
        (" CC-BY-NC-ND-40 ", (LicenceFamily.NON_COMMERCIAL, LicenceFamily.NO_DERIVATIVES)),
        ("eigen licentie", ()),
        ("", ()),
        (None, ()),
    ],
)
def test_reserved_unknown_and_untidy_codes(code: str | None, families: tuple[LicenceFamily, ...]) -> None:
    assert licence_family(code) == families


def test_family_values_are_the_public_filter_values() -> None:
    # The values are part of the API (`licence_family=open`, docs/api.md): renaming one breaks links.
    assert [family.value for family in LicenceFamily] == [
        "open", "non-commercial", "no-derivatives", "all-rights-reserved"]


def test_licence_names_leave_reserved_codes_to_the_front_end() -> None:
    assert licence_name("cc-by-sa-40") == licence_table().labels["cc-by-sa-40"]
    assert licence_name("yes") is None and licence_name("no") is None
    assert licence_name("eigen licentie") is None
