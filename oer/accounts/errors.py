"""Exceptions the accounts services raise on purpose, each with a message fit for a user. Pure; no I/O."""

from oer.errors import OerError


class AccountsError(OerError):
    """A request about accounts that cannot be carried out as asked."""


class PermissionDenied(AccountsError):
    """The actor may not do this (a missing role, membership or token scope)."""


class InvalidAccountData(AccountsError):
    """An e-mail address, name, slug, BRIN code, role, kind or scope is malformed or unknown."""


class UnknownUser(AccountsError):
    """No (current) user has that id or e-mail address."""


class DuplicateUser(AccountsError):
    """A user with that e-mail address (in any letter case) already exists."""


class WeakPassword(AccountsError):
    """The password is too short or one of the commonly used passwords."""


class UnknownOrganisation(AccountsError):
    """No organisation has that slug or id."""


class DuplicateOrganisation(AccountsError):
    """An organisation with that slug already exists."""


class UnknownMembership(AccountsError):
    """The user is not a member of that organisation."""


class DuplicateMembership(AccountsError):
    """The user is already a member of that organisation."""


class UnknownRoleGrant(AccountsError):
    """The user does not hold that platform role."""


class DuplicateRoleGrant(AccountsError):
    """The user already holds that platform role."""


class InvalidToken(AccountsError):
    """An API token that is malformed, unknown, revoked or of a deleted user."""


class UnknownToken(AccountsError):
    """No API token has that id."""


class InvalidLink(AccountsError):
    """An e-mailed link that is malformed, tampered with, or already used."""


class ExpiredLink(InvalidLink):
    """An e-mailed link past its validity."""


class SignInFailed(AccountsError):
    """Wrong address or password: one message for both, so it tells nothing about who exists."""


class EmailNotVerified(AccountsError):
    """The password is right, but the address was never confirmed."""


class UnverifiedSsoEmail(AccountsError):
    """The identity provider gave no e-mail address, or one it has not verified."""
