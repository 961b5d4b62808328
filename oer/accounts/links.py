"""Signed links sent by e-mail: verify an address, reset a password, confirm a new address. No I/O.

A link carries a token signed with the instance's secret key (itsdangerous),
salted per purpose so a token for one purpose is worthless for another, and
stamped so it expires. A reset token also carries a fingerprint of the
password hash it was issued against: once the password is reset the
fingerprint no longer matches, so the link works once.
"""

from __future__ import annotations

import enum
import hashlib
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from oer.accounts.errors import ExpiredLink, InvalidLink


class LinkPurpose(enum.Enum):
    VERIFY_EMAIL = "verify-email"
    RESET_PASSWORD = "reset-password"
    CHANGE_EMAIL = "change-email"
    INVITATION = "invitation"


# How long each link stays usable, in seconds.
MAX_AGE = {
    LinkPurpose.VERIFY_EMAIL: 3 * 24 * 3600,
    LinkPurpose.RESET_PASSWORD: 3600,
    LinkPurpose.CHANGE_EMAIL: 24 * 3600,
    LinkPurpose.INVITATION: 14 * 24 * 3600,
}


def _serializer(secret: str, purpose: LinkPurpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"oer.accounts.{purpose.value}")


def make_link_token(secret: str, purpose: LinkPurpose, payload: dict[str, Any]) -> str:
    return _serializer(secret, purpose).dumps(payload)


def read_link_token(secret: str, purpose: LinkPurpose, token: str, *,
                    max_age: int | None = None) -> dict[str, Any]:
    """The payload of a valid token; ExpiredLink or InvalidLink otherwise."""
    try:
        payload = _serializer(secret, purpose).loads(token, max_age=max_age or MAX_AGE[purpose])
    except SignatureExpired as error:
        raise ExpiredLink("this link has expired") from error
    except BadSignature as error:
        raise InvalidLink("this link is not valid") from error
    if not isinstance(payload, dict):
        raise InvalidLink("this link is not valid")
    return payload


def password_fingerprint(password_hash: str | None) -> str:
    """A short digest of the stored hash: changes whenever the password does."""
    return hashlib.sha256((password_hash or "").encode("utf-8")).hexdigest()[:16]
