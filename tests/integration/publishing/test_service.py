"""Publishing on the store (SQLite and PostgreSQL): drafts, versions, withdrawal, and who may."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from harvester.outcome import Outcome
from metadata.record import Record
from oer.accounts.actor import SYSTEM
from oer.accounts.models import TokenScope, User
from oer.catalogue.models import Origin, Resource
from oer.feed.models import FeedMembership
from oer.harvesting.models import Source
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from oer.publishing import service
from oer.publishing.errors import InvalidState, InvalidSubmission, PublishingNotAllowed, UnknownPublication
from oer.publishing.files import StoredFile
from oer.publishing.models import Publication, PublicationState
from oer.publishing.queries import file_of, get_publication, list_publications
from tests.support.accounts import People
from tests.support.publishing import SITE, SUBMISSION

PDF = StoredFile("a" * 64, 1234, "application/pdf", "breuken.pdf")


@pytest.fixture
def verified(people: People) -> People:
    for user in people.session.scalars(select(User)):
        user.email_verified = True
    people.session.commit()
    return people


def resource(session: Session, resource_id: str) -> Resource:
    found = session.get(Resource, resource_id)
    assert found is not None
    return found


def test_a_redacteur_publishes_a_draft_in_the_school_s_name(verified: People) -> None:
    session, actor = verified.session, verified.actor(verified.redacteur)
    draft_id = service.create_draft(session, actor, SUBMISSION, organisation_id=verified.school)
    session.commit()
    assert session.get(Resource, draft_id) is None, "a draft is not in the catalogue"

    published = service.publish(session, actor, draft_id, SITE)
    session.commit()

    assert (published.version, published.created) == (1, True)
    stored = resource(session, draft_id)
    record = Record.from_dict(stored.record)
    assert stored.origin is Origin.PUBLISHED and not stored.deleted and stored.title == "Breuken vergelijken"
    assert record.oai_identifier == f"oai:oer.example.org:{draft_id}"
    assert [(i.catalog, i.entry) for i in record.identifiers] == [("oer.example.org", draft_id)]
    assert [(c.role, c.name) for c in record.contributors] == [("author", "Rik Redacteur"), ("publisher", "Het Lyceum")]
    assert record.cost is False and record.licence is not None and record.licence.code == "cc-by-sa-40"
    assert [t.label for t in record.educational_objectives] == ["PO 26: Structuren doorzien"]
    assert record.completeness.missing_required == ()
    assert stored.feed_hash != "" and stored.index_pending, "the projections ran at the commit"
    specs = set(session.scalars(select(FeedMembership.set_spec).where(FeedMembership.resource_id == draft_id)))
    assert specs == {"sector:PO"}


def test_every_problem_is_reported_at_once_and_nothing_is_published(verified: People) -> None:
    session, actor = verified.session, verified.actor(verified.redacteur)
    bad = {**SUBMISSION, "title": "", "licence": "yes", "location": "javascript:alert(1)",
           "aggregation_level": 7, "educational_objectives": ["niet-een-kerndoel"]}
    draft_id = service.create_draft(session, actor, bad, organisation_id=verified.school)
    with pytest.raises(InvalidSubmission) as refused:
        service.publish(session, actor, draft_id, SITE)
    problems = {(p.field, p.code) for p in refused.value.problems}
    assert problems == {("title", "required"), ("licence", "unknown-value"), ("location", "invalid-url"),
                        ("aggregation_level", "invalid"), ("educational_objectives", "unknown-value")}
    assert all(p.message_nl and p.message_en for p in refused.value.problems)
    assert session.get(Resource, draft_id) is None


def test_editing_a_published_material_makes_version_two_and_moves_the_feed_datestamp(verified: People) -> None:
    session, actor = verified.session, verified.actor(verified.redacteur)
    first = service.publish_submission(session, actor, SITE, SUBMISSION, organisation_id=verified.school)
    session.commit()
    stamp = resource(session, first.id).feed_datestamp
    session.execute(Resource.__table__.update().values(feed_datestamp=stamp.replace(year=2020)))
    session.commit()

    service.update_draft(session, actor, first.id, {**SUBMISSION, "title": "Breuken vergelijken en ordenen"})
    session.commit()
    assert resource(session, first.id).title == "Breuken vergelijken", "a draft changes nothing public"
    second = service.publish(session, actor, first.id, SITE)
    session.commit()

    assert second.version == 2
    stored = resource(session, first.id)
    assert stored.title == "Breuken vergelijken en ordenen" and stored.feed_datestamp.year > 2020
    view = get_publication(session, first.id, actor)
    assert [(v.number, v.title) for v in view.versions] == [
        (1, "Breuken vergelijken"), (2, "Breuken vergelijken en ordenen")]
    # Publishing the same again is no new version.
    service.update_draft(session, actor, first.id, {**SUBMISSION, "title": "Breuken vergelijken en ordenen"})
    assert service.publish(session, actor, first.id, SITE).version is None


def test_withdrawing_leaves_a_tombstone_and_keeps_the_versions(verified: People) -> None:
    session, actor = verified.session, verified.actor(verified.redacteur)
    published = service.publish_submission(session, actor, SITE, SUBMISSION, organisation_id=verified.school)
    session.commit()

    service.withdraw(session, actor, published.id, "  Verouderd:   nieuwe kerndoelen ")
    session.commit()

    stored = resource(session, published.id)
    assert stored.deleted and stored.deleted_at is not None
    publication = session.get(Publication, published.id)
    assert publication is not None and publication.state is PublicationState.WITHDRAWN
    assert publication.withdrawn_reason == "Verouderd: nieuwe kerndoelen"
    assert len(publication.versions) == 1
    membership = session.scalars(select(FeedMembership).where(FeedMembership.resource_id == published.id)).one()
    assert membership.set_spec == "sector:PO"
    with pytest.raises(InvalidState):
        service.update_draft(session, actor, published.id, SUBMISSION)
    with pytest.raises(InvalidState):
        service.withdraw(session, actor, published.id)


def test_importing_the_same_identifier_again_updates_instead_of_duplicating(verified: People) -> None:
    session, actor = verified.session, verified.actor(verified.redacteur)
    first = service.publish_submission(session, actor, SITE, SUBMISSION, organisation_id=verified.school,
                                       external_id="les-12")
    again = service.publish_submission(session, actor, SITE, {**SUBMISSION, "keywords": ["breuken", "noemer"]},
                                       organisation_id=verified.school, external_id="les-12")
    unchanged = service.publish_submission(session, actor, SITE, {**SUBMISSION, "keywords": ["breuken", "noemer"]},
                                           organisation_id=verified.school, external_id="les-12")
    session.commit()
    assert first.created and (again.id, again.version, again.created) == (first.id, 2, False)
    assert (unchanged.id, unchanged.version) == (first.id, None)
    assert len(list(session.scalars(select(Publication)))) == 1


# -- who may -----------------------------------------------------------------------------------


def test_a_lid_and_an_outsider_may_not_publish_in_the_school_s_name(verified: People) -> None:
    for user in (verified.lid, verified.outsider):
        with pytest.raises(PublishingNotAllowed):
            service.create_draft(verified.session, verified.actor(user), SUBMISSION, organisation_id=verified.school)
    # The beheerder may, as the redacteur may.
    assert service.create_draft(verified.session, verified.actor(verified.org_beheerder), SUBMISSION,
                                organisation_id=verified.school)


def test_a_verified_teacher_publishes_as_themselves_an_unverified_one_may_not(people: People) -> None:
    session = people.session
    with pytest.raises(PublishingNotAllowed, match="confirm your e-mail"):
        service.create_draft(session, people.actor(people.outsider), SUBMISSION)
    session.get(User, people.outsider).email_verified = True  # type: ignore[union-attr]
    published = service.publish_submission(session, people.actor(people.outsider), SITE,
                                           {**SUBMISSION, "authors": []})
    session.commit()
    record = Record.from_dict(resource(session, published.id).record)
    assert [(c.role, c.name) for c in record.contributors] == [("author", "Otto Outsider")], \
        "their name is the author, no organisation is the publisher"
    view = get_publication(session, published.id, people.actor(people.outsider))
    assert view.organisation_id is None and view.maker_name == "Otto Outsider"


def test_only_who_may_edit_changes_or_withdraws_a_material(verified: People) -> None:
    session = verified.session
    school_material = service.publish_submission(
        session, verified.actor(verified.redacteur), SITE, SUBMISSION, organisation_id=verified.school).id
    own_material = service.publish_submission(session, verified.actor(verified.outsider), SITE, SUBMISSION).id
    session.commit()
    for user, material in ((verified.lid, school_material), (verified.outsider, school_material),
                           (verified.redacteur, own_material), (verified.beheerder, own_material)):
        with pytest.raises(PublishingNotAllowed):
            service.update_draft(session, verified.actor(user), material, SUBMISSION)
        with pytest.raises(PublishingNotAllowed):
            service.withdraw(session, verified.actor(user), material)
    # Allowed: the school's beheerder on the school's, the maker on their own, the system on any.
    service.update_draft(session, verified.actor(verified.org_beheerder), school_material, SUBMISSION)
    service.update_draft(session, verified.actor(verified.outsider), own_material, SUBMISSION)
    service.withdraw(session, SYSTEM, own_material)
    assert [s.id for s in list_publications(session, verified.actor(verified.lid))] == []
    assert {s.id for s in list_publications(session, verified.actor(verified.org_beheerder))} == {school_material}


def test_a_token_needs_the_publish_scope_and_its_organisation(verified: People) -> None:
    session = verified.session
    redacteur = verified.actor(verified.redacteur)
    annotate_only = dataclasses.replace(redacteur, scopes=frozenset({TokenScope.ANNOTATE}))
    other_org = dataclasses.replace(redacteur, scopes=frozenset({TokenScope.PUBLISH}), token_organisation_id=999)
    publish = dataclasses.replace(redacteur, scopes=frozenset({TokenScope.PUBLISH}),
                                  token_organisation_id=verified.school)
    for actor in (annotate_only, other_org):
        with pytest.raises(PublishingNotAllowed):
            service.create_draft(session, actor, SUBMISSION, organisation_id=verified.school)
    with pytest.raises(PublishingNotAllowed):
        service.create_draft(session, publish, SUBMISSION)  # an organisation's token, in their own name
    assert service.create_draft(session, publish, SUBMISSION, organisation_id=verified.school)


def test_a_draft_is_unknown_to_whoever_may_not_edit_it(verified: People) -> None:
    session = verified.session
    draft_id = service.create_draft(session, verified.actor(verified.redacteur), SUBMISSION,
                                    organisation_id=verified.school, files=[PDF])
    session.commit()
    with pytest.raises(UnknownPublication):
        get_publication(session, draft_id, verified.actor(verified.outsider))
    assert get_publication(session, draft_id, verified.actor(verified.org_beheerder)).files == (PDF,)
    # Its file is not public; an editor may fetch it.
    assert file_of(session, draft_id, PDF.sha256, None) is None
    assert file_of(session, draft_id, PDF.sha256, verified.actor(verified.outsider)) is None
    assert file_of(session, draft_id, PDF.sha256, verified.actor(verified.redacteur)) == PDF


def test_a_material_of_files_only_is_located_at_its_page(verified: People) -> None:
    session, actor = verified.session, verified.actor(verified.redacteur)
    submission: dict[str, Any] = {**SUBMISSION, "location": None}
    refused = service.create_draft(session, actor, submission, organisation_id=verified.school)
    with pytest.raises(InvalidSubmission) as problems:
        service.publish(session, actor, refused, SITE)
    assert [(p.field, p.code) for p in problems.value.problems] == [("location", "required")]

    published = service.publish_submission(session, actor, SITE, submission, organisation_id=verified.school,
                                           files=[PDF])
    session.commit()
    record = Record.from_dict(resource(session, published.id).record)
    assert record.location == f"https://oer.example.org/resources/{published.id}"
    assert record.formats == ("application/pdf",)
    assert file_of(session, published.id, PDF.sha256, None) == PDF


def test_a_harvested_record_never_takes_over_a_published_material(verified: People) -> None:
    session, actor = verified.session, verified.actor(verified.redacteur)
    published = service.publish_submission(session, actor, SITE, SUBMISSION, organisation_id=verified.school)
    source = Source(name="elders", base_url="http://elders.example.org/oai", metadata_prefix="lom")
    session.add(source)
    session.commit()
    shown = Record.from_dict(resource(session, published.id).record)
    # Its catalog entry claimed: refused and said why.
    claimed = shown.with_changes(title="Overgenomen?")
    result = apply_harvested_page(session, source, [HarvestedRecord("oai:elders:1", "2026-01-01", claimed)])
    assert result.outcomes == (Outcome.FAILED,)
    assert "published here" in result.refusals["oai:elders:1"]
    # Only its location shared (another identifier): a material of its own.
    located = shown.with_changes(title="Overgenomen?", identifiers=())
    apply_harvested_page(session, source, [HarvestedRecord("oai:elders:2", "2026-01-01", located)])
    session.commit()
    assert resource(session, published.id).title == "Breuken vergelijken"
    others = list(session.scalars(select(Resource).where(Resource.id != published.id)))
    assert [(r.origin, r.title) for r in others] == [(Origin.HARVESTED, "Overgenomen?")]


def test_the_system_publishes_in_an_organisation_s_name_only(verified: People) -> None:
    with pytest.raises(PublishingNotAllowed):
        service.create_draft(verified.session, SYSTEM, SUBMISSION)
    draft_id = service.create_draft(verified.session, SYSTEM, SUBMISSION, organisation_id=verified.school)
    publication = verified.session.get(Publication, draft_id)
    assert publication is not None and publication.created_by == verified.org_beheerder
