"""Collections on the store (SQLite and PostgreSQL): who keeps which, the items, and the feed sets they make."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from metadata.record import Record
from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import PlatformRole, TokenScope
from oer.catalogue.models import Resource
from oer.collections import service
from oer.collections.errors import CollectionNotAllowed, InvalidCollection, UnknownResource
from oer.collections.queries import collections_of, featured_collections, get_collection, kept_by
from oer.feed.sets import current_sets, load_memberships
from oer.harvesting.models import Source
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from tests.support.accounts import People


@pytest.fixture
def materials(people: People) -> list[str]:
    session = people.session
    source = Source(name="elders", base_url="http://elders.example.org/oai", metadata_prefix="lom")
    session.add(source)
    session.flush()
    apply_harvested_page(session, source, [
        HarvestedRecord(f"oai:elders:{n}", "2026-01-01", Record(title=f"Les {n}", location=f"https://e.example.org/{n}"))
        for n in range(1, 4)
    ])
    session.commit()
    return [r.id for r in session.scalars(select(Resource).order_by(Resource.title))]


def sets_of(people: People, resource_id: str) -> frozenset[str]:
    people.session.commit()
    return current_sets(load_memberships(people.session, [resource_id])[resource_id])


def test_the_redactie_keeps_the_platforms_collections_and_no_one_else(people: People, materials: list[str]) -> None:
    accounts.grant_role(people.session, SYSTEM, people.outsider, PlatformRole.REDACTIE)
    redactie = people.actor(people.outsider)
    collection = service.create_collection(people.session, redactie, slug="klimaat", title="Klimaat")
    for user_id in (people.beheerder, people.redacteur, people.lid):
        with pytest.raises(CollectionNotAllowed):
            service.create_collection(people.session, people.actor(user_id), slug=f"x{user_id}", title="X")
        with pytest.raises(CollectionNotAllowed):
            service.add_item(people.session, people.actor(user_id), collection, materials[0])
    service.add_item(people.session, redactie, collection, materials[0], note="Om mee te beginnen.")
    assert {"curated", "collection:klimaat"} <= sets_of(people, materials[0])
    assert [c.slug for c in kept_by(people.session, redactie)] == ["klimaat"]
    assert kept_by(people.session, people.actor(people.lid)) == []


def test_an_organisations_redacteur_keeps_its_collections_but_may_not_feature_them(
    people: People, materials: list[str],
) -> None:
    redacteur = people.actor(people.redacteur)
    collection = service.create_collection(people.session, redacteur, slug="lyceum-keuze", title="Onze keuze",
                                           organisation_id=people.school)
    service.add_item(people.session, redacteur, collection, materials[1])
    assert sets_of(people, materials[1]) >= {"collection:lyceum-keuze"}
    assert "curated" not in sets_of(people, materials[1]), "an organisation's choice is not the redactie's"
    # A lid of the school, and an outsider, may not change it.
    for user_id in (people.lid, people.outsider):
        with pytest.raises(CollectionNotAllowed):
            service.add_item(people.session, people.actor(user_id), collection, materials[2])
    with pytest.raises(CollectionNotAllowed):
        service.set_featured(people.session, redacteur, collection, True)
    service.set_featured(people.session, SYSTEM, collection, True)
    assert [c.slug for c in featured_collections(people.session)] == ["lyceum-keuze"]
    # A token needs the curate scope (and, bound to an organisation, that one).
    for scopes, allowed in (({TokenScope.CURATE}, True), ({TokenScope.PUBLISH}, False)):
        made = accounts.create_token(people.session, SYSTEM, people.redacteur, "t", scopes=scopes)
        actor = accounts.authenticate_token(people.session, made.secret)
        if allowed:
            service.add_item(people.session, actor, collection, materials[2])
        else:
            with pytest.raises(CollectionNotAllowed):
                service.update_collection(people.session, actor, collection, title="Y", description=None)


def test_items_are_ordered_noted_featured_and_removed(people: People, materials: list[str]) -> None:
    collection = service.create_collection(people.session, SYSTEM, slug="reeks", title="Reeks",
                                           description="Een reeks.")
    for resource_id in materials:
        service.add_item(people.session, SYSTEM, collection, resource_id)
    service.move_item(people.session, SYSTEM, collection, materials[2], -5)
    service.update_item(people.session, SYSTEM, collection, materials[0], note="Eerst dit.", featured=True)
    people.session.commit()
    detail = get_collection(people.session, "reeks")
    assert detail is not None
    assert [i.resource_id for i in detail.items] == [materials[2], materials[0], materials[1]]
    assert [(i.note, i.featured) for i in detail.items][1] == ("Eerst dit.", True)
    service.remove_item(people.session, SYSTEM, collection, materials[0])
    people.session.commit()
    detail = get_collection(people.session, "reeks")
    assert detail is not None and [i.position for i in detail.items] == [0, 1]
    assert [c.slug for c in collections_of(people.session, materials[2])] == ["reeks"]
    assert sets_of(people, materials[0]) & {"curated", "collection:reeks"} == set()


def test_what_a_collection_refuses(people: People, materials: list[str]) -> None:
    cases = {("Klimaat PO", "Klimaat"): "slug", ("klimaat", " "): "title", ("-x", "X"): "slug",
             ("a" * 65, "X"): "slug"}
    for (slug, title), field in cases.items():
        with pytest.raises(InvalidCollection) as refused:
            service.create_collection(people.session, SYSTEM, slug=slug, title=title)
        assert [p.field for p in refused.value.problems] == [field], slug
    service.create_collection(people.session, SYSTEM, slug="klimaat", title="Klimaat")
    with pytest.raises(InvalidCollection) as refused:
        service.create_collection(people.session, SYSTEM, slug="klimaat", title="Nog eens")
    assert refused.value.problems[0].code == "taken"
    collection = service.create_collection(people.session, SYSTEM, slug="leeg", title="Leeg")
    with pytest.raises(UnknownResource):
        service.add_item(people.session, SYSTEM, collection, "no-such-material")
    with pytest.raises(InvalidCollection):
        service.add_item(people.session, SYSTEM, collection, materials[0], note="x" * 2001)
