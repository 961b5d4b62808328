"""Sources that share URLs or claim others' identifiers: no record is lost, no source takes over another's.

Harvested over real HTTP from loopback sources, then read back through the JSON API and the feed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from sqlalchemy import func, select

from harvester.outcome import Outcome
from harvester.replay_pages import GeneratedCorpus, PageSource, nl_lom_record
from harvester.replay_server import OaiReplayServer
from metadata.record import Record
from oer.accounts.actor import SYSTEM
from oer.accounts.models import MemberRole, OrganisationKind
from oer.accounts.service import add_member, add_organisation, add_user
from oer.catalogue.models import Resource
from oer.discovery.queries import get_resource
from oer.harvesting.models import HarvestError, HarvestRun
from oer.harvesting.service import harvest
from oer.publishing.service import publish_submission
from oer.settings import Settings
from oer.store.database import store_sessions
from tests.support.harvesting import add
from tests.support.publishing import SITE, SUBMISSION
from web.app import create_app

LANDING_PAGE = "https://school.example.org/cursus/breuken"


def on_one_url(index: int) -> bytes:
    """Record `index` of a repository whose records all point at one landing page, each with its own title."""
    return re.sub(rb"<location>[^<]*</location>", f"<location>{LANDING_PAGE}</location>".encode(),
                  nl_lom_record(index), count=1)


def resources(settings: Settings) -> int:
    with store_sessions(settings) as sessions, sessions() as session:
        return session.scalar(select(func.count()).select_from(Resource)) or 0


def test_six_hundred_records_on_one_url_are_six_hundred_materials(
    instance: Settings, oai_server: Callable[[PageSource], OaiReplayServer],
) -> None:
    server = oai_server(GeneratedCorpus(600, page_size=200, record=on_one_url))
    add(instance, "cursus", server.url)
    [report] = harvest(instance, ["cursus"])
    assert report.ok and report.records == 600
    # The counts add up to what was received, and say what happened to each record.
    assert report.count(Outcome.CREATED) == 600
    assert sum(report.count(outcome) for outcome in Outcome) == 600
    assert resources(instance) == 600

    # Another source listing the same landing page: separate materials (no title agrees).
    other = oai_server(GeneratedCorpus(3, record=lambda i: on_one_url(1000 + i),
                                       identifier_prefix="oai:elders.example.org:"))
    add(instance, "elders", other.url)
    [second] = harvest(instance, ["elders"])
    assert second.count(Outcome.CREATED) == 3 and resources(instance) == 603

    # Each material's page points at the others on its URL, as separate materials.
    app = create_app({"OER_SETTINGS": instance, "TESTING": True})
    try:
        client = app.test_client()
        [item] = client.get("/api/v1/resources?q=les%201001&size=1").get_json()["items"]
        page = client.get(f"/resources/{item['id']}").get_data(as_text=True)
        assert "Op hetzelfde webadres" in page and "602" in page
        assert page.count('href="/resources/') >= 10 and "en nog 592 andere" in page
    finally:
        app.extensions["oer_runtime"].close()


def test_the_counts_say_what_happened_to_every_record_and_add_up(
    instance: Settings, oai_server: Callable[[PageSource], OaiReplayServer],
) -> None:
    first = oai_server(GeneratedCorpus(4))
    add(instance, "eerste", first.url)
    assert harvest(instance, ["eerste"])[0].count(Outcome.CREATED) == 4

    def mixed(index: int) -> bytes:
        own = nl_lom_record(index)
        if index == 0:  # the first source's record 0 (same urn:uuid): merged into that material
            return own
        if index == 1:  # the same title and location as the first source's record 1: merged too
            return own.replace(f"urn:uuid:{uuid.UUID(int=2)}".encode(), b"urn:uuid:" + str(uuid.uuid4()).encode())
        if index == 2:  # only the location of record 2, another title: a separate material
            return re.sub(rb"<title><langstring([^>]*)>[^<]*<", rb"<title><langstring\1>Iets anders<",
                          own.replace(f"urn:uuid:{uuid.UUID(int=3)}".encode(), b"urn:uuid:" + str(uuid.uuid4()).encode()),
                          count=1)
        if index == 3:  # unusable: not the format asked for
            return b'<dc xmlns="http://purl.org/dc/elements/1.1/"><title>Verkeerd formaat</title></dc>'
        return nl_lom_record(100 + index)  # new (index 5 is a deletion of a record never stored)

    second = oai_server(GeneratedCorpus(6, page_size=4, record=mixed, identifier_prefix="oai:tweede.example.org:",
                                        deleted_every=6))
    add(instance, "tweede", second.url)
    [report] = harvest(instance, ["tweede"])
    assert report.ok and report.records == 6
    assert {o: report.count(o) for o in Outcome if report.count(o)} == {
        Outcome.MERGED: 2, Outcome.CREATED: 2, Outcome.FAILED: 1, Outcome.SKIPPED: 1}
    assert sum(report.count(outcome) for outcome in Outcome) == report.records
    assert resources(instance) == 4 + 2
    with store_sessions(instance) as sessions, sessions() as session:
        run = session.get(HarvestRun, report.run_id)
        assert run is not None and (run.created, run.merged, run.failed, run.skipped) == (2, 2, 1, 1)


def hijacked(index: int) -> bytes:
    """The first source's record 0 (same catalog entry), with another title and a javascript: location."""
    record = nl_lom_record(index)
    record = re.sub(rb"<title><langstring([^>]*)>[^<]*<", rb"<title><langstring\1>Overgenomen!<", record, count=1)
    return re.sub(rb"<location>[^<]*</location>", b"<location>javascript:alert(document.domain)</location>",
                  record, count=1)


def test_a_source_claiming_another_s_identifier_never_changes_what_it_shows(
    instance: Settings, oai_server: Callable[[PageSource], OaiReplayServer],
) -> None:
    first = oai_server(GeneratedCorpus(1))
    add(instance, "eerste", first.url)
    assert harvest(instance, ["eerste"])[0].ok
    # Later datestamps, the same urn:uuid: the record of the same material by another source.
    later = oai_server(GeneratedCorpus(1, record=hijacked, identifier_prefix="oai:kaper.example.org:",
                                       base=GeneratedCorpus(1).base.replace(year=2030)))
    add(instance, "kaper", later.url)
    assert harvest(instance, ["kaper"])[0].ok
    assert resources(instance) == 1

    app = create_app({"OER_SETTINGS": instance, "TESTING": True})
    try:
        client = app.test_client()
        [item] = client.get("/api/v1/resources?size=5").get_json()["items"]
        assert item["title"] == "Biologie: cellen, les 1" and item["url"].startswith("https://materiaal.example.org/")
        assert sorted(item["sources"]) == ["eerste", "kaper"]
        # The second source's record is kept as its own copy beside the first.
        with store_sessions(instance) as sessions, sessions() as session:
            detail = get_resource(session, item["id"])
        assert detail is not None
        assert {p.source: p.record.title for p in detail.provenances} == {
            "eerste": "Biologie: cellen, les 1", "kaper": "Overgenomen!"}
        feed = client.get("/oai?verb=ListRecords&metadataPrefix=lom").get_data(as_text=True)
        assert "Overgenomen!" not in feed and "javascript:" not in feed
        # The second source's own set serves its own record, still without its unsafe link.
        for prefix in ("lom", "nl_lom", "oai_dc"):
            own = client.get(f"/oai?verb=ListRecords&metadataPrefix={prefix}&set=source:kaper").get_data(as_text=True)
            assert "Overgenomen!" in own and "javascript:" not in own
        # Each source's own title stays readable, in the API's provenance and on the page's sources.
        provenance = client.get(f"/api/v1/resources/{item['id']}").get_json()["provenance"]
        assert {entry["source"]: (entry["title"], entry["languages"]) for entry in provenance} == {
            "eerste": ("Biologie: cellen, les 1", ["nl"]), "kaper": ("Overgenomen!", ["nl"])}
        page = client.get(f"/resources/{item['id']}").get_data(as_text=True)
        sources = page[page.index('id="sources-heading"'):]
        assert "Biologie: cellen, les 1" in sources and "Overgenomen!" in sources
        assert "javascript:" not in page
    finally:
        app.extensions["oer_runtime"].close()


def test_a_record_claiming_a_material_published_here_is_refused_and_reported(
    instance: Settings, oai_server: Callable[[PageSource], OaiReplayServer],
) -> None:
    with store_sessions(instance) as sessions, sessions.begin() as session:
        school = add_organisation(session, SYSTEM, "school", "School", OrganisationKind.SCHOOL)
        editor = add_user(session, SYSTEM, "rik@school.example.org", "Rik", email_verified=True)
        add_member(session, SYSTEM, school.id, editor.id, MemberRole.REDACTEUR)
        published = publish_submission(session, SYSTEM, SITE, SUBMISSION, organisation_id=school.id).id
        [identifier] = Record.from_dict(session.get(Resource, published).record).identifiers  # type: ignore[union-attr]

    def claiming(index: int) -> bytes:
        own = f"urn:uuid:{uuid.UUID(int=index + 1)}".encode()
        return nl_lom_record(index).replace(own, identifier.entry.encode()) if index == 0 else nl_lom_record(index)

    server = oai_server(GeneratedCorpus(2, record=claiming))
    add(instance, "elders", server.url)
    [report] = harvest(instance, ["elders"])
    assert report.ok and report.count(Outcome.FAILED) == 1 and report.count(Outcome.CREATED) == 1
    with store_sessions(instance) as sessions, sessions() as session:
        [error] = session.scalars(select(HarvestError)).all()
        assert error.oai_identifier == "oai:generated.example.org:0"
        assert "published here" in error.message
        shown = session.get(Resource, published)
        assert shown is not None and shown.title == SUBMISSION["title"]


def elsewhere(index: int) -> bytes:
    """Record `index` with its own catalog entry, title and location: nothing it shares with the original."""
    record = nl_lom_record(500 + index)
    return re.sub(rb"<title><langstring([^>]*)>[^<]*<", rb"<title><langstring\1>Herpubliceerd<", record, count=1)


def test_a_record_naming_its_origin_in_about_provenance_joins_the_original(
    instance: Settings, oai_server: Callable[[PageSource], OaiReplayServer],
) -> None:
    school = oai_server(GeneratedCorpus(2, identifier_prefix="oai:school.example.org:"))
    add(instance, "school", school.url)
    assert harvest(instance, ["school"])[0].count(Outcome.CREATED) == 2

    # An aggregator re-serves school record 1 under its own identifier and catalog entry, naming
    # the origin as Edurep does; its record 0 names no origin.
    def provenance(index: int) -> bytes | None:
        if index != 1:
            return None
        return (b'<provenance xmlns="http://www.openarchives.org/OAI/2.0/provenance">'
                b'<originDescription harvestDate="2026-01-01T00:00:00Z" altered="true">'
                b"<baseURL>https://school.example.org/oai</baseURL>"
                b"<identifier>oai:school.example.org:1</identifier>"
                b"<datestamp>2020-01-01T00:01:00Z</datestamp>"
                b"<metadataNamespace>http://www.imsglobal.org/xsd/imsmd_v1p2</metadataNamespace>"
                b"</originDescription></provenance>")

    aggregator = oai_server(GeneratedCorpus(2, record=elsewhere, about=provenance,
                                            identifier_prefix="oai:aggregator.example.org:school:"))
    add(instance, "aggregator", aggregator.url)
    [report] = harvest(instance, ["aggregator"])
    assert (report.count(Outcome.CREATED), report.count(Outcome.MERGED)) == (1, 1)
    assert resources(instance) == 3
    with store_sessions(instance) as sessions, sessions() as session:
        shown = {resource.title: resource.id for resource in session.scalars(select(Resource))}
        detail = get_resource(session, shown["Rekenen: breuken, les 2"])
        assert detail is not None
        # The original keeps what it shows; the aggregator's version is kept beside it.
        assert {p.source: p.record.title for p in detail.provenances} == {
            "school": "Rekenen: breuken, les 2", "aggregator": "Herpubliceerd"}


def test_an_explicit_version_or_format_relation_joins_the_original(
    instance: Settings, oai_server: Callable[[PageSource], OaiReplayServer],
) -> None:
    first = oai_server(GeneratedCorpus(3))
    add(instance, "eerste", first.url)
    assert harvest(instance, ["eerste"])[0].count(Outcome.CREATED) == 3

    def related(kind: str, index: int) -> bytes:
        target = f"urn:uuid:{uuid.UUID(int=index + 1)}".encode()
        relation = (b'<relation><kind><source><langstring xml:lang="x-none">LOMv1.0</langstring></source>'
                    b'<value><langstring xml:lang="x-none">' + kind.encode() + b"</langstring></value></kind>"
                    b"<resource><catalogentry><catalog>URI</catalog><entry>"
                    b'<langstring xml:lang="x-none">' + target + b"</langstring></entry></catalogentry>"
                    b"</resource></relation>")
        return elsewhere(index).replace(b"</lom>", relation + b"</lom>")

    kinds = ("isversionof", "hasformat", "haspart")
    other = oai_server(GeneratedCorpus(3, record=lambda i: related(kinds[i], i),
                                       identifier_prefix="oai:ander.example.org:"))
    add(instance, "ander", other.url)
    [report] = harvest(instance, ["ander"])
    # A version and another format are the same material; a part is a material of its own.
    assert (report.count(Outcome.MERGED), report.count(Outcome.CREATED)) == (2, 1)
    assert resources(instance) == 4
