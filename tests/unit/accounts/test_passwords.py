"""The password policy and Argon2id hashing of `oer.accounts.passwords`; input validation."""

from __future__ import annotations

import pytest

from oer.accounts.errors import InvalidAccountData, WeakPassword
from oer.accounts.models import PlatformRole, TokenScope
from oer.accounts.passwords import (
    MIN_LENGTH,
    check_password,
    common_passwords,
    hash_password,
    needs_rehash,
    verify_password,
)
from oer.accounts.validation import (
    normalise_brin,
    normalise_email,
    parse_platform_role,
    parse_scopes,
)

GOOD = "paars-fietsrek-onder-de-brug"


def test_a_long_uncommon_password_is_accepted() -> None:
    check_password(GOOD)
    check_password("x" * 5 + "Y7!kq" + "zz", personal=("jan@school.nl",))


@pytest.mark.parametrize("password", ["kort", "elevenchars", "a" * (MIN_LENGTH - 1)])
def test_a_short_password_is_refused(password: str) -> None:
    with pytest.raises(WeakPassword, match=f"at least {MIN_LENGTH} characters"):
        check_password(password)


@pytest.mark.parametrize("password", ["qwerty123456", "1QAZ2WSX3EDC", "leavemealone", "123456789987654321"])
def test_a_common_password_is_refused_in_any_letter_case(password: str) -> None:
    with pytest.raises(WeakPassword, match="most commonly used"):
        check_password(password)


@pytest.mark.parametrize("password", ["passwordpassword", "abcabcabcabc", "zzzzzzzzzzzzzz"])
def test_a_repeated_short_or_common_part_is_refused(password: str) -> None:
    with pytest.raises(WeakPassword, match="repeats"):
        check_password(password)


def test_a_password_containing_the_users_own_words_is_refused() -> None:
    with pytest.raises(WeakPassword, match="e-mail address or name"):
        check_password("Annelies-de-Vries-2024", personal=("annelies@school.nl", "annelies", "Annelies de Vries"))


def test_an_absurdly_long_password_is_refused() -> None:
    with pytest.raises(WeakPassword, match="at most"):
        check_password("x7" * 1000)


def test_the_bundled_list_is_read_and_lower_case() -> None:
    passwords = common_passwords()
    assert len(passwords) > 10_000
    assert "123456" in passwords and all(p == p.lower() for p in passwords)


def test_hashes_are_argon2id_and_verify() -> None:
    encoded = hash_password(GOOD)
    assert encoded.startswith("$argon2id$")
    assert GOOD not in encoded
    assert verify_password(encoded, GOOD)
    assert not verify_password(encoded, GOOD + "!")
    assert not verify_password("not-a-hash", GOOD)
    assert not needs_rehash(encoded)
    weaker = "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$4ZlEk7hRWG8aLHO8xkQG3w"
    assert needs_rehash(weaker)


def test_email_addresses_are_normalised_and_checked() -> None:
    assert normalise_email("  Jan.Jansen@School.NL ") == "jan.jansen@school.nl"
    for bad in ("jan", "jan@school", "jan jansen@school.nl", "@school.nl", "a@b@c.nl"):
        with pytest.raises(InvalidAccountData, match="is not an e-mail address"):
            normalise_email(bad)


def test_brin_codes_roles_and_scopes_are_parsed() -> None:
    assert normalise_brin(" 12ab ") == "12AB" and normalise_brin("12ab01") == "12AB01"
    assert normalise_brin(None) is None and normalise_brin("") is None
    with pytest.raises(InvalidAccountData, match="not a BRIN code"):
        normalise_brin("ABCD")
    assert parse_platform_role("beheerder") == (PlatformRole.BEHEERDER, None)
    assert parse_platform_role("Vakexpert:Wiskunde") == (PlatformRole.VAKEXPERT, "wiskunde")
    with pytest.raises(InvalidAccountData, match="needs a discipline"):
        parse_platform_role("vakexpert")
    with pytest.raises(InvalidAccountData, match="has no discipline"):
        parse_platform_role("redactie:wiskunde")
    with pytest.raises(InvalidAccountData, match=r"unknown platform role 'koning' \(known: redactie, vakexpert, beheerder\)"):
        parse_platform_role("koning")
    assert parse_scopes(["publish", "CURATE"]) == {TokenScope.PUBLISH, TokenScope.CURATE}
    with pytest.raises(InvalidAccountData, match="unknown token scope 'delete'"):
        parse_scopes(["publish", "delete"])
    with pytest.raises(InvalidAccountData, match="at least one scope"):
        parse_scopes([])
