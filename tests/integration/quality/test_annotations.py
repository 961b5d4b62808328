"""Quality annotations on the store (SQLite and PostgreSQL): who may annotate in which role, moderation,
the right of reply, experience and abuse reports, framework versions, and what the feed and search see."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from metadata.conformance import ims_lom_errors
from metadata.lom import record_to_lom
from metadata.quality import AnnotatorRole
from metadata.record import Contributor, Identifier, Licence, Record, Term
from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM, Actor
from oer.accounts.models import PlatformRole, TokenScope, User
from oer.catalogue import service as catalogue_service
from oer.catalogue.models import Resource
from oer.feed.repository import DatabaseFeedRepository
from oer.harvesting.models import Source
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from oer.quality import service
from oer.quality.errors import (
    AlreadyReplied,
    AnnotationNotAllowed,
    InvalidAnnotation,
    InvalidFramework,
    UnknownResource,
)
from oer.quality.models import ModerationState, QualityAnnotation
from oer.quality.queries import (
    annotations_of,
    lom_annotations,
    moderation_queue,
    pending_count,
    profile,
    search_tokens,
)
from oer.store.types import to_second, utcnow
from schemas import resources
from tests.support.accounts import People
from tests.support.store import Clock

REKENEN = Term("b48fa351-4561-44c7-a071-ebfd6103eec3", "Rekenen")


@dataclass(frozen=True)
class Shelf:
    people: People
    # Published by "Het Lyceum" (the people's school), author Otto Outsider; and one by someone else.
    ours: str
    theirs: str

    def actor(self, user_id: int) -> Actor:
        return self.people.actor(user_id)


def record(number: int, publisher: str, author: str) -> Record:
    title = f"Breuken {number}"
    return Record(
        oai_identifier=f"oai:elders:{number}", title=title, titles={"nl": title}, languages=("nl",),
        identifiers=(Identifier("URI", f"urn:uuid:00000000-0000-4000-8000-{number:012d}"),),
        location=f"https://elders.example.org/les/{number}", aggregation_level=2, contexts=("PO",),
        disciplines=(REKENEN,), licence=Licence("cc-by-40", "https://creativecommons.org/licenses/by/4.0/"),
        contributors=(Contributor("publisher", publisher), Contributor("author", author)),
    )


def established(people: People, *user_ids: int) -> None:
    """Make accounts older than the new-account period (with nothing else, a new one is moderated)."""
    for user_id in user_ids:
        user = people.session.get(User, user_id)
        assert user is not None
        user.created_at = utcnow() - timedelta(days=service.NEW_ACCOUNT_DAYS + 1)
        user.email_verified = True
    people.session.flush()


@pytest.fixture
def shelf(people: People) -> Shelf:
    session = people.session
    source = Source(name="elders", base_url="http://elders.example.org/oai", metadata_prefix="lom")
    session.add(source)
    session.flush()
    apply_harvested_page(session, source, [
        HarvestedRecord("oai:elders:1", "2026-01-01", record(1, "Het Lyceum", "Otto Outsider")),
        HarvestedRecord("oai:elders:2", "2026-01-01", record(2, "Een Uitgever", "Iemand Anders")),
    ])
    session.commit()
    by_title = {r.title: r.id for r in session.scalars(select(Resource))}
    return Shelf(people, by_title["Breuken 1"], by_title["Breuken 2"])


def test_a_verified_teacher_annotates_and_an_unverified_user_may_not(shelf: Shelf) -> None:
    people = shelf.people
    established(people, people.outsider)
    stored = service.annotate(people.session, shelf.actor(people.outsider), shelf.ours, AnnotatorRole.LERAAR,
                              "didactiek.doelen", "goed", "Duidelijke doelen per les.")
    assert not stored.pending
    [shown] = annotations_of(people.session, shelf.ours)
    assert (shown.criterion, shown.value, shown.role, shown.framework_version) == (
        "didactiek.doelen", "goed", AnnotatorRole.LERAAR, "1")
    assert shown.annotator == "Otto Outsider"

    unverified = people.session.get(User, people.lid)
    assert unverified is not None and not unverified.email_verified
    with pytest.raises(AnnotationNotAllowed):
        service.annotate(people.session, shelf.actor(people.lid), shelf.ours, AnnotatorRole.LERAAR,
                         "didactiek.doelen", "goed")


def test_a_new_accounts_annotation_waits_for_the_redactie(shelf: Shelf) -> None:
    people = shelf.people
    user = people.session.get(User, people.outsider)
    assert user is not None
    user.email_verified = True
    stored = service.annotate(people.session, shelf.actor(people.outsider), shelf.ours, AnnotatorRole.LERAAR,
                              "didactiek.doelen", "voldoende")
    assert stored.pending
    assert annotations_of(people.session, shelf.ours) == []
    assert [a.id for a in moderation_queue(people.session).annotations] == [stored.id]
    # Their own page shows it to them, marked as waiting.
    [own] = annotations_of(people.session, shelf.ours, states=(), annotator_id=people.outsider)
    assert own.state is ModerationState.PENDING


def test_the_auteur_role_is_for_the_publishing_organisation_and_the_named_author(shelf: Shelf) -> None:
    people = shelf.people
    established(people, people.lid, people.outsider, people.redacteur)
    # A member of Het Lyceum (named as publisher): shown at once.
    member = service.annotate(people.session, shelf.actor(people.lid), shelf.ours, AnnotatorRole.AUTEUR,
                              "toegankelijkheid.ondertiteld", "ja")
    assert not member.pending
    # Otto is named as author, by name only: his self-declaration waits for the redactie.
    named = service.annotate(people.session, shelf.actor(people.outsider), shelf.ours, AnnotatorRole.AUTEUR,
                             "toegankelijkheid.ondertiteld", "ja")
    assert named.pending
    # Neither publishes the other material.
    for user_id in (people.lid, people.outsider):
        with pytest.raises(AnnotationNotAllowed):
            service.annotate(people.session, shelf.actor(user_id), shelf.theirs, AnnotatorRole.AUTEUR,
                             "toegankelijkheid.ondertiteld", "ja")


def test_a_vakexpert_annotates_only_the_disciplines_of_their_grant(shelf: Shelf) -> None:
    people = shelf.people
    established(people, people.outsider)
    accounts.grant_role(people.session, SYSTEM, people.outsider, PlatformRole.VAKEXPERT, discipline="Rekenen")
    expert = shelf.actor(people.outsider)
    assert not service.annotate(people.session, expert, shelf.ours, AnnotatorRole.VAKEXPERT,
                                "vakinhoud.juistheid", "goed").pending
    # The grant's discipline may be the OBK id too.
    accounts.grant_role(people.session, SYSTEM, people.lid, PlatformRole.VAKEXPERT, discipline=REKENEN.id)
    assert not service.annotate(people.session, shelf.actor(people.lid), shelf.ours, AnnotatorRole.VAKEXPERT,
                                "vakinhoud.juistheid", "voldoende").pending

    accounts.grant_role(people.session, SYSTEM, people.redacteur, PlatformRole.VAKEXPERT, discipline="Biologie")
    with pytest.raises(AnnotationNotAllowed):
        service.annotate(people.session, shelf.actor(people.redacteur), shelf.ours, AnnotatorRole.VAKEXPERT,
                         "vakinhoud.juistheid", "goed")
    # A teacher without a grant may not claim the role.
    established(people, people.org_beheerder)
    with pytest.raises(AnnotationNotAllowed):
        service.annotate(people.session, shelf.actor(people.org_beheerder), shelf.ours, AnnotatorRole.VAKEXPERT,
                         "vakinhoud.juistheid", "goed")


def test_only_the_redactie_annotates_as_redactie(shelf: Shelf) -> None:
    people = shelf.people
    established(people, people.redacteur, people.outsider)
    accounts.grant_role(people.session, SYSTEM, people.redacteur, PlatformRole.REDACTIE)
    assert not service.annotate(people.session, shelf.actor(people.redacteur), shelf.ours, AnnotatorRole.REDACTIE,
                                "actualiteit.actueel", "goed").pending
    for user_id in (people.outsider, people.beheerder):
        with pytest.raises(AnnotationNotAllowed):
            service.annotate(people.session, shelf.actor(user_id), shelf.ours, AnnotatorRole.REDACTIE,
                             "actualiteit.actueel", "goed")


def test_pupils_and_parents_need_no_account_and_are_always_moderated(shelf: Shelf) -> None:
    people = shelf.people
    pupil = service.annotate(people.session, None, shelf.ours, AnnotatorRole.LEERLING, "werkbaarheid.begrijpelijk",
                             "goed", name="Sam")
    assert pupil.pending
    # Without an account, only the pupil's and parent's roles.
    with pytest.raises(AnnotationNotAllowed):
        service.annotate(people.session, None, shelf.ours, AnnotatorRole.LERAAR, "didactiek.doelen", "goed")
    # And only the criteria the framework gives them.
    with pytest.raises(InvalidAnnotation) as refused:
        service.annotate(people.session, None, shelf.ours, AnnotatorRole.OUDER, "vakinhoud.juistheid", "goed")
    assert [p.field for p in refused.value.problems] == ["role"]
    service.moderate(people.session, SYSTEM, pupil.id, approve=True)
    [shown] = annotations_of(people.session, shelf.ours)
    assert (shown.shown_name, shown.role) == ("Sam", AnnotatorRole.LEERLING)


def test_what_the_framework_refuses(shelf: Shelf) -> None:
    people = shelf.people
    established(people, people.outsider)
    teacher = shelf.actor(people.outsider)
    cases = {
        ("didactiek.onbekend", "goed", None): ["criterion"],
        ("didactiek.doelen", "prima", None): ["value"],
        # The lowest value of an ordinal scale needs a justification.
        ("didactiek.doelen", "onvoldoende", None): ["justification"],
        ("didactiek.doelen", "onvoldoende", "   "): ["justification"],
        ("didactiek.doelen", "goed", "x" * 4001): ["justification"],
    }
    for (criterion, value, justification), fields in cases.items():
        with pytest.raises(InvalidAnnotation) as refused:
            service.annotate(people.session, teacher, shelf.ours, AnnotatorRole.LERAAR, criterion, value,
                             justification)
        assert [p.field for p in refused.value.problems] == fields, criterion
    assert service.annotate(people.session, teacher, shelf.ours, AnnotatorRole.LERAAR, "didactiek.doelen",
                            "onvoldoende", "Geen doelen genoemd.").id
    with pytest.raises(UnknownResource):
        service.annotate(people.session, teacher, "no-such-material", AnnotatorRole.LERAAR, "didactiek.doelen",
                         "goed")


def test_a_second_annotation_of_the_same_criterion_replaces_the_first(shelf: Shelf) -> None:
    people = shelf.people
    established(people, people.outsider)
    teacher = shelf.actor(people.outsider)
    first = service.annotate(people.session, teacher, shelf.ours, AnnotatorRole.LERAAR, "didactiek.doelen", "goed")
    again = service.annotate(people.session, teacher, shelf.ours, AnnotatorRole.LERAAR, "didactiek.doelen",
                             "voldoende")
    assert first.id == again.id
    assert [a.value for a in annotations_of(people.session, shelf.ours)] == ["voldoende"]


def test_a_token_needs_the_annotate_scope(shelf: Shelf) -> None:
    people = shelf.people
    established(people, people.outsider)
    for scopes, allowed in (({TokenScope.ANNOTATE}, True), ({TokenScope.PUBLISH}, False)):
        made = accounts.create_token(people.session, SYSTEM, people.outsider, "t", scopes=scopes)
        actor = accounts.authenticate_token(people.session, made.secret)
        if allowed:
            service.annotate(people.session, actor, shelf.ours, AnnotatorRole.LERAAR, "didactiek.doelen", "goed")
        else:
            with pytest.raises(AnnotationNotAllowed):
                service.annotate(people.session, actor, shelf.ours, AnnotatorRole.LERAAR, "didactiek.doelen", "goed")


# -- moderation, reply, reports ---------------------------------------------------------------------


def test_the_redactie_moderates_and_a_rejection_needs_a_reason(shelf: Shelf) -> None:
    people = shelf.people
    accounts.grant_role(people.session, SYSTEM, people.redacteur, PlatformRole.REDACTIE)
    redactie = shelf.actor(people.redacteur)
    pupil = service.annotate(people.session, None, shelf.ours, AnnotatorRole.LEERLING, "werkbaarheid.begrijpelijk",
                             "voldoende")
    parent = service.annotate(people.session, None, shelf.ours, AnnotatorRole.OUDER, "toegankelijkheid.dyslexie",
                              "goed")
    assert pending_count(people.session) == 2
    # Nobody else moderates.
    established(people, people.outsider)
    for user_id in (people.outsider, people.beheerder, people.lid):
        with pytest.raises(AnnotationNotAllowed):
            service.moderate(people.session, shelf.actor(user_id), pupil.id, approve=True)
    with pytest.raises(InvalidAnnotation):
        service.moderate(people.session, redactie, parent.id, approve=False, reason=" ")
    service.moderate(people.session, redactie, parent.id, approve=False, reason="Reclame voor een bijlesbureau.")
    service.moderate(people.session, redactie, pupil.id, approve=True)
    assert [a.id for a in annotations_of(people.session, shelf.ours)] == [pupil.id]
    rejected = people.session.get(QualityAnnotation, parent.id)
    assert rejected is not None and rejected.moderation_reason == "Reclame voor een bijlesbureau."
    assert pending_count(people.session) == 0


def test_the_author_replies_once_and_others_may_not(shelf: Shelf) -> None:
    people = shelf.people
    established(people, people.outsider, people.org_beheerder)
    annotation = service.annotate(people.session, shelf.actor(people.org_beheerder), shelf.ours,
                                  AnnotatorRole.LERAAR, "didactiek.instructie", "onvoldoende", "Te weinig uitleg.")
    # A member of the publishing school replies; a teacher without a tie to the material may not.
    with pytest.raises(AnnotationNotAllowed):
        service.reply(people.session, shelf.actor(people.beheerder), annotation.id, "Dank!")
    service.reply(people.session, shelf.actor(people.lid), annotation.id, "In versie 2 staat een uitlegfilmpje.")
    with pytest.raises(AlreadyReplied):
        service.reply(people.session, shelf.actor(people.redacteur), annotation.id, "Nog iets.")
    [shown] = annotations_of(people.session, shelf.ours)
    assert shown.reply == "In versie 2 staat een uitlegfilmpje." and shown.reply_at is not None


def test_experience_reports_and_abuse_reports_reach_the_queue(shelf: Shelf) -> None:
    people = shelf.people
    established(people, people.outsider)
    accounts.grant_role(people.session, SYSTEM, people.redacteur, PlatformRole.REDACTIE)
    teacher = shelf.actor(people.outsider)
    with pytest.raises(InvalidAnnotation) as refused:
        service.report_experience(people.session, teacher, shelf.ours, group_level=" ")
    assert {p.field for p in refused.value.problems} == {"group_level", "worked"}
    report = service.report_experience(people.session, teacher, shelf.ours, group_level="groep 7",
                                       duration="2 lessen", worked="De getallenlijn.", not_worked=None)
    assert not report.pending
    assert [r.group_level for r in profile(people.session, shelf.ours).experiences] == ["groep 7"]
    with pytest.raises(AnnotationNotAllowed):
        service.report_experience(people.session, shelf.actor(people.lid), shelf.ours, group_level="x", worked="y")

    annotation = service.annotate(people.session, teacher, shelf.ours, AnnotatorRole.LERAAR, "didactiek.doelen",
                                  "goed")
    service.report_abuse(people.session, None, "Dit is reclame.", annotation_id=annotation.id)
    service.report_abuse(people.session, None, "Persoonlijke gegevens.", report_id=report.id)
    queue = moderation_queue(people.session)
    assert [a.reason for a in queue.abuse] == ["Dit is reclame.", "Persoonlijke gegevens."]
    assert queue.abuse[0].annotation is not None and queue.abuse[1].experience is not None
    # Rejecting what a report is about handles the report; a dismissal leaves what it was about shown.
    redactie = shelf.actor(people.redacteur)
    service.moderate(people.session, redactie, annotation.id, approve=False, reason="Reclame.")
    service.dismiss_abuse(people.session, redactie, queue.abuse[1].id)
    assert moderation_queue(people.session).size == 0
    assert len(profile(people.session, shelf.ours).experiences) == 1
    with pytest.raises(AnnotationNotAllowed):
        service.dismiss_abuse(people.session, teacher, queue.abuse[1].id)


def test_an_annotator_takes_back_their_own_only(shelf: Shelf) -> None:
    people = shelf.people
    established(people, people.outsider, people.org_beheerder)
    annotation = service.annotate(people.session, shelf.actor(people.outsider), shelf.ours, AnnotatorRole.LERAAR,
                                  "didactiek.doelen", "goed")
    with pytest.raises(AnnotationNotAllowed):
        service.remove_annotation(people.session, shelf.actor(people.org_beheerder), annotation.id)
    service.remove_annotation(people.session, shelf.actor(people.outsider), annotation.id)
    assert annotations_of(people.session, shelf.ours) == []


# -- framework versions ------------------------------------------------------------------------------


def version_two() -> dict[str, object]:
    """Version 2: `didactiek.doelen` renamed to `didactiek.leerdoelen`, `actualiteit.actueel` dropped."""
    document = copy.deepcopy(resources.load_json("quality/v1.json"))
    document["version"] = "2"
    document["published"] = "2027-09-01"
    document["replaces"] = {"version": "1", "criteria": {"didactiek.doelen": "didactiek.leerdoelen"}}
    didactiek = document["groups"][0]
    didactiek["criteria"][0]["id"] = "didactiek.leerdoelen"
    document["groups"] = [g for g in document["groups"] if g["id"] != "actualiteit"]
    return document


def test_an_annotation_under_v1_is_still_shown_after_v2_is_loaded(shelf: Shelf) -> None:
    people = shelf.people
    established(people, people.outsider)
    teacher = shelf.actor(people.outsider)
    service.annotate(people.session, teacher, shelf.ours, AnnotatorRole.LERAAR, "didactiek.doelen", "goed",
                     "Heldere doelen.")
    service.annotate(people.session, teacher, shelf.ours, AnnotatorRole.LERAAR, "actualiteit.actueel", "voldoende")
    with pytest.raises(AnnotationNotAllowed):
        service.load_framework(people.session, teacher, version_two())
    framework = service.load_framework(people.session, SYSTEM, version_two())
    assert framework.version == "2"

    shown = profile(people.session, shelf.ours)
    assert shown.framework.version == "2"
    by_id = {item.criterion_id: item for item in shown.criteria}
    # Renamed: shown under its new id, still saying it was given under 1.
    renamed = by_id["didactiek.leerdoelen"]
    assert [a.framework_version for a in renamed.annotations] == ["1"]
    assert [(c.value, c.count) for c in renamed.roles[0].counts] == [("goed", 1)]
    # Dropped: still shown, under version 1's own label.
    dropped = by_id["actualiteit.actueel"]
    assert dropped.framework_version == "1" and dropped.criterion is not None
    assert dropped.criterion.nl == "Inhoud is actueel"
    # Search follows the current names; the dropped criterion no longer makes a token.
    criteria, details = search_tokens(people.session, [shelf.ours])[shelf.ours]
    assert criteria == ("didactiek.leerdoelen",)
    assert "didactiek.leerdoelen/leraar>=voldoende" in details
    # New annotations are made under version 2.
    stored = service.annotate(people.session, teacher, shelf.ours, AnnotatorRole.LERAAR, "didactiek.leerdoelen",
                              "voldoende")
    annotation = people.session.get(QualityAnnotation, stored.id)
    assert annotation is not None and annotation.framework_version == "2"


def test_a_framework_that_cannot_be_loaded_says_every_problem(shelf: Shelf) -> None:
    people = shelf.people
    broken = version_two()
    broken["replaces"] = {"version": "1", "criteria": {"didactiek.bestaatniet": "didactiek.leerdoelen",
                                                         "didactiek.instructie": "nergens"}}
    with pytest.raises(InvalidFramework) as refused:
        service.load_framework(people.session, SYSTEM, broken)
    assert refused.value.problems == [
        "replaces/criteria/didactiek.bestaatniet: version 1 has no criterion 'didactiek.bestaatniet'",
        "replaces/criteria/didactiek.instructie: maps to 'nergens', which this version does not have",
    ]
    # The same version number with other content is refused: annotations name versions.
    changed = copy.deepcopy(resources.load_json("quality/v1.json"))
    changed["name"]["nl"] = "Anders"
    with pytest.raises(InvalidFramework) as refused:
        service.load_framework(people.session, SYSTEM, changed)
    assert "loaded already with other content" in refused.value.problems[0]
    # Loading the same document again is harmless.
    assert service.load_framework(people.session, SYSTEM, resources.load_json("quality/v1.json")).version == "1"


# -- what the feed and search see ---------------------------------------------------------------------


def test_annotations_travel_in_the_lom_and_move_the_datestamp(shelf: Shelf, monkeypatch: pytest.MonkeyPatch) -> None:
    people = shelf.people
    session = people.session
    established(people, people.outsider)
    before = session.get(Resource, shelf.ours).feed_datestamp  # type: ignore[union-attr]
    clock = Clock(utcnow() + timedelta(minutes=5))
    monkeypatch.setattr(catalogue_service, "utcnow", clock)
    pending = service.annotate(session, None, shelf.ours, AnnotatorRole.OUDER, "toegankelijkheid.dyslexie", "goed")
    session.commit()
    session.expire_all()
    assert session.get(Resource, shelf.ours).feed_datestamp == before, "a waiting one is not shown"  # type: ignore[union-attr]
    service.annotate(session, shelf.actor(people.outsider), shelf.ours, AnnotatorRole.LERAAR,
                     "didactiek.instructie", "onvoldoende", "Te weinig uitleg <en> \"voorbeelden\".")
    service.moderate(session, SYSTEM, pending.id, approve=True)
    session.commit()
    session.expire_all()
    assert session.get(Resource, shelf.ours).feed_datestamp == to_second(clock.now)  # type: ignore[union-attr]

    [entry] = [e for e in DatabaseFeedRepository(session).list_items(None, None, None, None, 100)
               if e.oai_identifier.endswith(shelf.ours)]
    assert entry.record is not None
    shown = {(a.role, a.name) for a in entry.record.annotations}
    assert shown == {("leraar", "Otto Outsider"), ("ouder", "Ouder")}
    teacher = next(a for a in entry.record.annotations if a.role == "leraar")
    assert teacher.description is not None
    assert "versie 1" in teacher.description and "Uitleg en instructie" in teacher.description
    assert "Onvoldoende" in teacher.description and "Te weinig uitleg" in teacher.description
    assert ims_lom_errors(record_to_lom(entry.record)) == []
    assert lom_annotations(session, [shelf.theirs]) == {}


def test_search_tokens_hold_criteria_roles_and_thresholds(shelf: Shelf) -> None:
    people = shelf.people
    established(people, people.outsider)
    service.annotate(people.session, shelf.actor(people.outsider), shelf.ours, AnnotatorRole.LERAAR,
                     "didactiek.doelen", "voldoende")
    criteria, details = search_tokens(people.session, [shelf.ours])[shelf.ours]
    assert criteria == ("didactiek.doelen",)
    assert set(details) == {
        "didactiek.doelen", "didactiek.doelen=voldoende", "didactiek.doelen>=onvoldoende",
        "didactiek.doelen>=voldoende", "didactiek.doelen/leraar", "didactiek.doelen/leraar=voldoende",
        "didactiek.doelen/leraar>=onvoldoende", "didactiek.doelen/leraar>=voldoende",
    }
    assert shelf.theirs not in search_tokens(people.session, [shelf.theirs])
