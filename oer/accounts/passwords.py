"""Password hashing (Argon2id) and the password policy. I/O: reads the bundled list of common passwords once.

`hash_password`, `verify_password` and `needs_rehash` wrap argon2-cffi's
`PasswordHasher` with its defaults (Argon2id, RFC 9106's low-memory profile),
so hashes made today carry their parameters and are upgraded on the next
sign-in when the defaults move (`needs_rehash`).

The policy follows NIST SP 800-63B: a minimum length and a list of passwords
known to be common, no composition rules. `check_password` raises WeakPassword
with a message saying what to change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from oer.accounts.errors import WeakPassword

MIN_LENGTH = 12
# Far above any passphrase; keeps a request from making the server hash megabytes.
MAX_LENGTH = 1024
# Units shorter than this, repeated, make a password anyone guesses ("abcabcabcabc").
_SHORT_UNIT = 4
_REPEATED = re.compile(r"(.+?)\1+", re.DOTALL)

_hasher = PasswordHasher()


@cache
def common_passwords() -> frozenset[str]:
    """The bundled common passwords, lower case (`data/common_passwords.txt`, see its SOURCES.md)."""
    text = resources.files("oer.accounts").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def check_password(password: str, *, personal: Iterable[str] = ()) -> None:
    """Raise WeakPassword unless `password` meets the policy.

    `personal` are the user's own words (e-mail address, its local part, name),
    which are as easy to guess for someone who knows the user as a common one.
    """
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters; this one has {len(password)}")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password may have at most {MAX_LENGTH} characters")
    folded = password.strip().lower()
    common = common_passwords()
    if folded in common:
        raise WeakPassword("this password is one of the most commonly used ones: choose another")
    repeated = _REPEATED.fullmatch(folded)
    if repeated is not None and (len(repeated.group(1)) < _SHORT_UNIT or repeated.group(1) in common):
        raise WeakPassword("this password repeats a short or common part: choose another")
    for word in personal:
        word = word.strip().lower()
        if len(word) >= _SHORT_UNIT and word in folded:
            raise WeakPassword("a password may not contain your e-mail address or name")


def hash_password(password: str) -> str:
    """The encoded Argon2id hash of `password` (salt and parameters included)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches the encoded hash; False too for a hash that is not Argon2."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's (rehash it on sign-in)."""
    return _hasher.check_needs_rehash(password_hash)
