"""The publishing domain's writer: drafts, versions and withdrawals of materials published here. I/O: database.

Each use case takes the session (the caller owns the transaction) and the
`Actor` performing it, checks the actor may (`oer.accounts.actor`), and raises
one of `oer.publishing.errors` when it may not or the input is wrong.

Publishing checks the draft by NL-LOM's rules (`metadata.submission`), freezes
it into a new `PublicationVersion` and hands the record it makes to the
catalogue (`oer.catalogue.service`, the one writer of resources) as a resource
with origin `published`, whose id is the publication's. The resource is then
marked changed, so the feed (its datestamp moves) and the search index follow
at the commit like after a harvest. Withdrawing turns the resource into a
tombstone: the feed shows a deleted header, search drops it, its page answers
410; the versions stay.

Who may: members with role `redacteur` or `beheerder` publish, edit and
withdraw in their organisation's name; any user whose address is verified
publishes in their own name and edits what they published so; the system (an
operator's command) may do everything. An API token needs the `publish` scope
(and, when bound to an organisation, that organisation).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from metadata.submission import (
    SUBMITTED_FIELDS,
    AttachedFile,
    CheckedSubmission,
    PublisherContext,
    check_submission,
)
from oer.accounts.actor import Actor, can_publish_as_self, can_publish_for
from oer.accounts.errors import UnknownOrganisation, UnknownUser
from oer.accounts.models import MemberRole, Membership, Organisation, User
from oer.catalogue import service as catalogue
from oer.catalogue.content import record_hash
from oer.catalogue.models import Origin, Resource
from oer.catalogue.site import Site
from oer.publishing.errors import (
    InvalidState,
    InvalidSubmission,
    PublishingNotAllowed,
    UnknownPublication,
)
from oer.publishing.files import StoredFile
from oer.publishing.models import (
    EXTERNAL_ID_LENGTH,
    REASON_LENGTH,
    Publication,
    PublicationState,
    PublicationVersion,
)
from oer.store.types import to_second, utcnow


@dataclass(frozen=True, slots=True)
class Published:
    """What publishing did: the publication (= resource) id, and its version (None: unchanged)."""

    id: str
    version: int | None
    created: bool


def new_publication_id() -> str:
    return str(uuid.uuid4())


def owner_key(organisation_id: int | None, user_id: int | None) -> str:
    """Whose namespace an external identifier lives in: the organisation's, else the user's."""
    return f"org:{organisation_id}" if organisation_id is not None else f"user:{user_id}"


# -- permissions -------------------------------------------------------------------------------


def require_publisher(session: Session, actor: Actor, organisation_id: int | None) -> None:
    if organisation_id is not None:
        if session.get(Organisation, organisation_id) is None:
            raise UnknownOrganisation(f"no organisation with id {organisation_id}")
        if not can_publish_for(actor, organisation_id):
            raise PublishingNotAllowed("only the organisation's redacteuren and beheerders publish in its name")
        return
    if not can_publish_as_self(actor):
        raise PublishingNotAllowed("this key may not publish in your own name")
    if actor.is_system:
        raise PublishingNotAllowed("a material in no one's name needs an organisation")
    user = session.get(User, actor.user_id)
    if user is None or user.deleted_at is not None:
        raise UnknownUser(f"no user with id {actor.user_id}")
    if not user.email_verified:
        raise PublishingNotAllowed("confirm your e-mail address before you publish")


def may_edit(actor: Actor, publication: Publication) -> bool:
    """Whether the actor may edit, publish or withdraw this publication."""
    if actor.is_system:
        return True
    if publication.organisation_id is not None:
        return can_publish_for(actor, publication.organisation_id)
    return actor.user_id == publication.created_by and can_publish_as_self(actor)


def _editable(session: Session, actor: Actor, publication_id: str) -> Publication:
    publication = session.get(Publication, publication_id)
    if publication is None:
        raise UnknownPublication(f"no material {publication_id!r} was published here")
    if not may_edit(actor, publication):
        raise PublishingNotAllowed("you may not change this material")
    return publication


# -- drafts --------------------------------------------------------------------------------------


def _clean_submission(submission: Mapping[str, Any]) -> dict[str, Any]:
    # Stored as given (problems are reported when it is checked), but only the known fields.
    return {name: submission[name] for name in SUBMITTED_FIELDS if name in submission}


def create_draft(
    session: Session,
    actor: Actor,
    submission: Mapping[str, Any],
    *,
    organisation_id: int | None = None,
    files: Sequence[StoredFile] = (),
    external_id: str | None = None,
) -> str:
    """A new unpublished material; returns its id. Raises PublishingNotAllowed, UnknownOrganisation."""
    require_publisher(session, actor, organisation_id)
    if external_id is not None and len(external_id) > EXTERNAL_ID_LENGTH:
        raise InvalidState(f"an identifier is at most {EXTERNAL_ID_LENGTH} characters")
    now = utcnow()
    publication = Publication(
        id=new_publication_id(),
        state=PublicationState.DRAFT,
        organisation_id=organisation_id,
        created_by=actor.user_id if actor.user_id is not None else _system_user(session, organisation_id),
        owner_key=owner_key(organisation_id, actor.user_id),
        external_id=external_id,
        draft=_clean_submission(submission),
        draft_files=[f.to_dict() for f in files],
        current_version=0,
        created_at=now,
        updated_at=now,
    )
    session.add(publication)
    session.flush()
    return publication.id


def _system_user(session: Session, organisation_id: int | None) -> int:
    # An operator's import in an organisation's name: the first beheerder or redacteur is recorded
    # as its maker (a publication always names a user who can be asked about it).
    member = session.scalars(
        select(Membership.user_id).where(
            Membership.organisation_id == organisation_id,
            Membership.role.in_([MemberRole.BEHEERDER, MemberRole.REDACTEUR]),
        ).order_by(Membership.id)
    ).first()
    if member is None:
        raise PublishingNotAllowed("the organisation has no redacteur or beheerder to publish in its name")
    return member


def update_draft(
    session: Session,
    actor: Actor,
    publication_id: str,
    submission: Mapping[str, Any],
    files: Sequence[StoredFile] | None = None,
) -> None:
    """Replace the working copy (and its files, when given). Raises UnknownPublication,
    PublishingNotAllowed, InvalidState (withdrawn)."""
    publication = _editable(session, actor, publication_id)
    if publication.state is PublicationState.WITHDRAWN:
        raise InvalidState("a withdrawn material cannot be edited")
    publication.draft = _clean_submission(submission)
    if files is not None:
        publication.draft_files = [f.to_dict() for f in files]
    elif publication.draft_files is None:
        publication.draft_files = _current_files(publication)
    publication.updated_at = utcnow()
    session.flush()


def _current_files(publication: Publication) -> list[dict[str, Any]]:
    return list(publication.versions[-1].files) if publication.versions else []


def working_copy(publication: Publication) -> tuple[dict[str, Any], list[StoredFile]]:
    """The submission and files being edited: the draft, else the current version's."""
    if publication.draft is not None:
        return dict(publication.draft), [StoredFile.from_dict(f) for f in publication.draft_files or []]
    if publication.versions:
        version = publication.versions[-1]
        return dict(version.submission), [StoredFile.from_dict(f) for f in version.files]
    return {}, []


def discard_draft(session: Session, actor: Actor, publication_id: str) -> bool:
    """Drop unpublished changes; a material never published is deleted. Returns whether it still exists."""
    publication = _editable(session, actor, publication_id)
    if publication.current_version == 0:
        session.delete(publication)
        session.flush()
        return False
    publication.draft = None
    publication.draft_files = None
    publication.updated_at = utcnow()
    session.flush()
    return True


# -- publishing ----------------------------------------------------------------------------------


def _publisher_name(session: Session, publication: Publication) -> str | None:
    if publication.organisation_id is None:
        return None
    organisation = session.get(Organisation, publication.organisation_id)
    return organisation.name if organisation is not None else None


def _context(session: Session, site: Site, publication: Publication, files: Sequence[StoredFile],
             now: datetime) -> PublisherContext:
    return PublisherContext(
        oai_identifier=site.oai_identifier(publication.id),
        catalog=site.repository_id,
        entry=publication.id,
        publisher_name=_publisher_name(session, publication),
        date=to_second(now).strftime("%Y-%m-%d"),
        files=tuple(AttachedFile(f.sha256, f.size, f.media_type, f.name) for f in files),
        page_url=site.page_url(publication.id),
        default_author=_maker_name(session, publication) if publication.organisation_id is None else None,
    )


def _maker_name(session: Session, publication: Publication) -> str | None:
    user = session.get(User, publication.created_by)
    return user.display_name if user is not None and user.deleted_at is None else None


def check(session: Session, site: Site, publication: Publication) -> CheckedSubmission:
    """The working copy checked by NL-LOM's rules, with the record it would publish."""
    submission, files = working_copy(publication)
    return check_submission(submission, _context(session, site, publication, files, utcnow()))


def publish(session: Session, actor: Actor, publication_id: str, site: Site) -> Published:
    """Publish the working copy as a new version; raises InvalidSubmission with every problem.

    Publishing what is already the current version changes nothing (version None).
    """
    publication = _editable(session, actor, publication_id)
    if publication.state is PublicationState.WITHDRAWN:
        raise InvalidState("a withdrawn material cannot be published again")
    submission, files = working_copy(publication)
    now = utcnow()
    checked = check_submission(submission, _context(session, site, publication, files, now))
    if not checked.ok:
        raise InvalidSubmission(checked.problems)
    record = checked.record.to_dict()
    content = record_hash(record)
    previous = publication.versions[-1] if publication.versions else None
    if previous is not None and publication.state is PublicationState.PUBLISHED and \
            previous.submission == submission and previous.files == [f.to_dict() for f in files]:
        publication.draft = None
        publication.draft_files = None
        session.flush()
        return Published(publication.id, None, created=False)
    number = publication.current_version + 1
    session.add(PublicationVersion(
        publication_id=publication.id, number=number, submission=submission,
        files=[f.to_dict() for f in files], record=record, published_by=actor.user_id, published_at=now,
    ))
    created = session.get(Resource, publication.id) is None
    catalogue.write_own_resource(session, publication.id, record, content, Origin.PUBLISHED, now, created=created)
    publication.state = PublicationState.PUBLISHED
    publication.current_version = number
    publication.draft = None
    publication.draft_files = None
    publication.published_at = publication.published_at or now
    publication.updated_at = now
    session.flush()
    return Published(publication.id, number, created=created)


def withdraw(session: Session, actor: Actor, publication_id: str, reason: str = "") -> None:
    """Withdraw a published material: its resource becomes a tombstone; its versions stay.

    Raises UnknownPublication, PublishingNotAllowed, InvalidState (not published).
    """
    publication = _editable(session, actor, publication_id)
    if publication.state is not PublicationState.PUBLISHED:
        raise InvalidState("only a published material can be withdrawn")
    now = utcnow()
    publication.state = PublicationState.WITHDRAWN
    publication.withdrawn_at = now
    publication.withdrawn_reason = " ".join(reason.split())[:REASON_LENGTH] or None
    publication.draft = None
    publication.draft_files = None
    publication.updated_at = now
    catalogue.withdraw_own_resource(session, publication.id, now)
    session.flush()


def publish_submission(
    session: Session,
    actor: Actor,
    site: Site,
    submission: Mapping[str, Any],
    *,
    organisation_id: int | None = None,
    files: Sequence[StoredFile] = (),
    external_id: str | None = None,
    publication_id: str | None = None,
) -> Published:
    """Create or update a material and publish it at once (the write API, bulk import).

    With `publication_id` the material is that one; else one with the same
    `external_id` in the same owner's namespace is updated (importing again does
    not duplicate); else a new one is made. Raises InvalidSubmission and the
    permission errors; a refused submission leaves nothing behind (the caller's
    transaction is rolled back, or it uses a savepoint).
    """
    if any(name not in SUBMITTED_FIELDS for name in submission):
        # Fields that do not exist would be dropped silently by the draft: refuse them with
        # every other problem of the submission.
        raise InvalidSubmission(check_submission(submission).problems)
    existing: Publication | None = None
    if publication_id is not None:
        existing = _editable(session, actor, publication_id)
    elif external_id is not None:
        require_publisher(session, actor, organisation_id)
        existing = session.scalars(select(Publication).where(
            Publication.owner_key == owner_key(organisation_id, actor.user_id),
            Publication.external_id == external_id,
        )).first()
        if existing is not None and not may_edit(actor, existing):
            raise PublishingNotAllowed("you may not change this material")
    if existing is None:
        new_id = create_draft(session, actor, submission, organisation_id=organisation_id, files=files,
                              external_id=external_id)
        result = publish(session, actor, new_id, site)
        return Published(new_id, result.version, created=True)
    if existing.state is PublicationState.WITHDRAWN:
        raise InvalidState("this material was withdrawn; it cannot be published again")
    update_draft(session, actor, existing.id, submission, files if files else None)
    return publish(session, actor, existing.id, site)
