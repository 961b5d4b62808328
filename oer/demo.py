"""The bundled sample sources of `oer demo`: replayed on loopback and registered. I/O: network, database, package data.

The sample is data in `schemas/sample/` (see its README): per source a chain
of real or generated OAI-PMH ListRecords pages, listed in
`schemas/sample/sources.json`. `sample_replay` serves every sample source,
for a `with` block, from one `OaiReplayServer` on 127.0.0.1 (a free port),
each under its own path `/<name>/oai`; `register_sample_sources` registers
them as ordinary harvest sources, so the real harvester
(`oer.harvesting.service.harvest`) fetches them over HTTP like any repository.

Re-running the demo reuses the instance: a sample source that is already
registered keeps its records, runs and checkpoint, and only its base URL
follows the replay's new port. Sample sources are registered disabled: their
replay runs only while `oer demo` harvests them, so `oer harvest --all` and the
scheduler leave them alone (the demo harvests them by name).
"""

from __future__ import annotations

import enum
import json
import os
import secrets
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from harvester.replay_pages import PageSource, RecordedPages
from harvester.replay_server import OaiReplayServer, route_by_path
from metadata.quality import AnnotatorRole
from oer.accounts import service as accounts_service
from oer.accounts.actor import SYSTEM
from oer.accounts.models import MemberRole, OrganisationKind, PlatformRole
from oer.accounts.queries import find_organisation, find_user_by_email, load_actor
from oer.catalogue.models import Origin, Resource
from oer.catalogue.site import Site
from oer.collections import service as collections
from oer.collections.models import Collection
from oer.harvesting.errors import ServiceError
from oer.harvesting.models import Source
from oer.harvesting.sources import add_source, find_source
from oer.publishing.service import publish_submission
from oer.quality import service as quality
from oer.quality.service import ensure_framework
from schemas import resources

SAMPLE_DIRECTORY = "sample"
MANIFEST = f"{SAMPLE_DIRECTORY}/sources.json"
REPLAY_HOST = "127.0.0.1"
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class DemoError(ServiceError):
    """The demo cannot run as asked (a port, or a source name taken by something else)."""


@dataclass(frozen=True, slots=True)
class SampleSource:
    """One bundled sample source: its name, the format it serves, and its pages in list order."""

    name: str
    title: str
    description: str
    metadata_prefix: str
    pages: tuple[str, ...]

    @property
    def path(self) -> str:
        """The URL path the replay serves this source under."""
        return f"/{self.name}/oai"

    def read_pages(self) -> list[bytes]:
        return [resources.read_bytes(f"{SAMPLE_DIRECTORY}/{page}") for page in self.pages]


def sample_sources() -> tuple[SampleSource, ...]:
    """The bundled sample sources, from `schemas/sample/sources.json`."""
    manifest = resources.load_json(MANIFEST)
    return tuple(
        SampleSource(
            name=entry["name"],
            title=entry["title"],
            description=entry["description"],
            metadata_prefix=entry["metadata_prefix"],
            pages=tuple(entry["pages"]),
        )
        for entry in manifest["sources"]
    )


def sample_page_source(sources: Sequence[SampleSource]) -> PageSource:
    """One page source answering every sample source under its own path."""
    return route_by_path({
        source.path: RecordedPages(source.read_pages(), name=source.title) for source in sources
    })


@contextmanager
def sample_replay(sources: Sequence[SampleSource] | None = None, *,
                  host: str = REPLAY_HOST, port: int = 0) -> Iterator[OaiReplayServer]:
    """The sample sources served over HTTP (port 0: a free one) for the `with` block."""
    server = OaiReplayServer(sample_page_source(sources or sample_sources()), host=host, port=port)
    try:
        server.start()
    except OSError as error:
        raise DemoError(
            f"cannot start the sample OAI-PMH server on {host}:{port or 'a free port'}: "
            f"{error.strerror or error}"
        ) from error
    try:
        yield server
    finally:
        server.stop()


class Registration(enum.Enum):
    """What registering a sample source did."""

    ADDED = "added"
    # Already registered; its base URL was moved to the replay's current port.
    MOVED = "moved"
    KEPT = "kept"


@dataclass(frozen=True, slots=True)
class SourceRegistration:
    name: str
    base_url: str
    registration: Registration


def register_sample_sources(session: Session, replay_base_url: str,
                            sources: Sequence[SampleSource] | None = None) -> list[SourceRegistration]:
    """Register the sample sources at `replay_base_url` (idempotent), inside the caller's transaction.

    A source of the same name that is not a sample source (another prefix, a
    set, or a URL that is not this replay's path on loopback) is left alone and
    DemoError says so: the demo never rewrites a user's own source.
    """
    done = []
    for sample in sources or sample_sources():
        url = replay_base_url.rstrip("/") + sample.path
        existing = find_source(session, sample.name)
        if existing is None:
            add_source(session, sample.name, url, sample.metadata_prefix, enabled=False)
            done.append(SourceRegistration(sample.name, url, Registration.ADDED))
            continue
        if not is_sample_registration(existing, sample):
            raise DemoError(
                f"a source named {sample.name!r} already exists in this instance and is not the "
                f"bundled sample ({existing.base_url}, prefix {existing.metadata_prefix}); run the "
                "demo with another OER_HOME, or remove that source with `oer sources remove`"
            )
        if existing.base_url == url:
            done.append(SourceRegistration(sample.name, url, Registration.KEPT))
            continue
        existing.base_url = url
        session.flush()
        done.append(SourceRegistration(sample.name, url, Registration.MOVED))
    return done


@cache
def _samples() -> tuple[SampleSource, ...]:
    # Read once per process: `sources list` asks for every row.
    return sample_sources()


def is_demo_source(source: Source) -> bool:
    """Whether a registered source is one of the demo's bundled samples (served only while it runs)."""
    return any(is_sample_registration(source, sample) for sample in _samples())


def demo_replay_is_up(source: Source, *, timeout: float = 1.0) -> bool:
    """Whether something listens where the demo's replay served this sample source (I/O: one connect)."""
    parts = urlsplit(source.base_url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=timeout):
            return True
    except OSError:
        return False


def is_sample_registration(source: Source, sample: SampleSource) -> bool:
    """Whether a registered source is this sample source served by a demo replay (any port)."""
    parts = urlsplit(source.base_url)
    return (
        parts.scheme == "http"
        and parts.hostname in _LOOPBACK_HOSTS
        and parts.path == sample.path
        and source.metadata_prefix == sample.metadata_prefix
        and source.set_spec is None
    )


# -- demo accounts --------------------------------------------------------------------------------

DEMO_ACCOUNTS_FILE = "demo-accounts.json"
DEMO_SCHOOL = ("demoschool-de-brug", "Demoschool De Brug")


@dataclass(frozen=True, slots=True)
class DemoAccount:
    email: str
    name: str
    what: str
    password: str


# Who the demo signs in as: a teacher (member of the school) and an editor (the school's
# redacteur and a platform curator), each with what they may do in one line.
_DEMO_PEOPLE = (
    ("lotte.leraar@demoschool.example.org", "Lotte Leraar", "docent, lid van Demoschool De Brug",
     MemberRole.LID, False),
    ("ruben.redacteur@demoschool.example.org", "Ruben Redacteur",
     "redacteur van Demoschool De Brug en platformredactie", MemberRole.REDACTEUR, True),
)


def ensure_demo_accounts(session: Session, home: Path) -> list[DemoAccount]:
    """The demo school, teacher and editor (idempotent), with passwords kept in OER_HOME.

    Passwords are random per instance, never fixed in the code: a demo left
    running on a reachable port is not open to anyone who read this file. They
    are kept in OER_HOME/demo-accounts.json (readable by its owner only), so
    every run of the demo prints the same ones.
    """
    stored = _read_demo_passwords(home / DEMO_ACCOUNTS_FILE)
    school = find_organisation(session, DEMO_SCHOOL[0])
    school_id = school.id if school is not None else accounts_service.add_organisation(
        session, SYSTEM, DEMO_SCHOOL[0], DEMO_SCHOOL[1], OrganisationKind.SCHOOL).id
    made = []
    for email, name, what, member_role, curator in _DEMO_PEOPLE:
        password = stored.get(email)
        existing = find_user_by_email(session, email)
        if existing is None:
            password = password or secrets.token_urlsafe(12)
            user_id = accounts_service.add_user(
                session, SYSTEM, email, name, password=password, email_verified=True).id
            accounts_service.add_member(session, SYSTEM, school_id, user_id, member_role)
            if curator:
                accounts_service.grant_role(session, SYSTEM, user_id, PlatformRole.REDACTIE)
        elif password is None:
            # The file was removed: a new password, so the one printed is the one that works.
            password = secrets.token_urlsafe(12)
            accounts_service.set_password(session, SYSTEM, existing.id, password)
        made.append(DemoAccount(email, name, what, password))
    _write_demo_passwords(home / DEMO_ACCOUNTS_FILE, {a.email: a.password for a in made})
    return made


# A material the demo school publishes itself, so the published side (its page, versions, the feed,
# the organisation page) is there to see on a fresh clone. Its text is the demo's own.
DEMO_PUBLICATION_ID = "demo-breuken-op-de-getallenlijn"
DEMO_PUBLICATION: dict[str, Any] = {
    "title": "Breuken op de getallenlijn (voorbeeldles Demoschool De Brug)",
    "description": ("Een voorbeeldles die de demo zelf publiceert: leerlingen zetten breuken op een "
                    "getallenlijn en vergelijken ze. Gemaakt voor de demo van deze repository."),
    "keywords": ["breuken", "getallenlijn", "vergelijken"],
    "languages": ["nl"],
    "location": "https://demoschool.example.org/lessen/breuken-op-de-getallenlijn",
    "aggregation_level": 2,
    "learning_resource_types": ["open opdracht"],
    "end_user_roles": ["learner", "teacher"],
    "contexts": ["PO"],
    "educational_levels": ["512e4729-03a4-43a2-95ba-758071d1b725"],
    "disciplines": ["b48fa351-4561-44c7-a071-ebfd6103eec3"],
    # PO 26: Structuren doorzien.
    "educational_objectives": ["1ed1e736-c541-4b47-9061-34117d70c859"],
    "typical_age_range": "9-11",
    "typical_learning_time": 45,
    "licence": "cc-by-sa-40",
    "authors": ["Ruben Redacteur"],
}


def ensure_demo_publication(session: Session, site: Site) -> str:
    """The demo school's own published material (idempotent: its identifier keeps it one); its id."""
    school = find_organisation(session, DEMO_SCHOOL[0])
    editor = find_user_by_email(session, _DEMO_PEOPLE[1][0])
    if school is None or editor is None:
        raise RuntimeError("the demo accounts come first (ensure_demo_accounts)")
    published = publish_submission(session, load_actor(session, editor.id, via="cli"), site, DEMO_PUBLICATION,
                                   organisation_id=school.id, external_id=DEMO_PUBLICATION_ID)
    return published.id


def _read_demo_passwords(path: Path) -> dict[str, str]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def _write_demo_passwords(path: Path, passwords: dict[str, str]) -> None:
    partial = path.with_name(path.name + ".part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(passwords, handle, indent=2)
    partial.replace(path)


# -- quality information and collections ------------------------------------------------------------

DEMO_COLLECTIONS = (
    # (slug, title, description, kept by the demo school instead of the redactie)
    ("rekenen-in-het-po", "Rekenen in het primair onderwijs",
     "Een keuze van de redactie uit open rekenmateriaal voor de basisschool, elk met een korte notitie "
     "over waarvoor het goed werkt. (Een voorbeeldcollectie van de demo.)", False),
    ("keuze-van-de-brug", "De keuze van Demoschool De Brug",
     "Materialen die de leraren van Demoschool De Brug zelf gebruiken. (Een voorbeeldcollectie van de demo.)",
     True),
)


@dataclass(frozen=True, slots=True)
class DemoCuration:
    collections: tuple[str, ...]
    annotated: tuple[str, ...]
    waiting: int


def _demo_materials(session: Session, limit: int) -> list[str]:
    """Harvested live materials for the demo's curation: those for primary education first, by title."""
    rows = session.execute(
        select(Resource.id, Resource.record["contexts"]).where(
            Resource.deleted.is_(False), Resource.origin == Origin.HARVESTED
        ).order_by(Resource.title, Resource.id)
    ).all()
    primary = [row[0] for row in rows if "PO" in (row[1] or [])]
    others = [row[0] for row in rows if "PO" not in (row[1] or [])]
    return (primary + others)[:limit]


def ensure_demo_curation(session: Session, published_id: str) -> DemoCuration:
    """Framework version 1, annotations in several roles, an experience, two collections (idempotent).

    Runs after the harvest: it annotates and collects harvested materials too.
    The collections' existence is what says it ran before.
    """
    ensure_framework(session)
    school = find_organisation(session, DEMO_SCHOOL[0])
    teacher = find_user_by_email(session, _DEMO_PEOPLE[0][0])
    editor = find_user_by_email(session, _DEMO_PEOPLE[1][0])
    if school is None or teacher is None or editor is None:
        raise RuntimeError("the demo accounts come first (ensure_demo_accounts)")
    slugs = tuple(slug for slug, *_rest in DEMO_COLLECTIONS)
    if session.scalar(select(Collection.id).where(Collection.slug.in_(slugs)).limit(1)) is not None:
        return DemoCuration(slugs, (), 0)
    lotte = load_actor(session, teacher.id, via="cli")
    ruben = load_actor(session, editor.id, via="cli")
    harvested = _demo_materials(session, 5)
    annotated: list[str] = [published_id]
    # The school declares as author of its own material; the redactie and a teacher add theirs.
    quality.annotate(session, ruben, published_id, AnnotatorRole.AUTEUR, "kerndoelen.aansluiting", "goed",
                     "Sluit aan op kerndoel 26 (structuren doorzien): de getallenlijn als model.")
    quality.annotate(session, ruben, published_id, AnnotatorRole.AUTEUR, "toegankelijkheid.ondertiteld", "nee")
    quality.annotate(session, lotte, published_id, AnnotatorRole.LERAAR, "werkbaarheid.direct", "voldoende",
                     "Goed bruikbaar, wel zelf getallenlijnen printen.")
    quality.report_experience(session, lotte, published_id, group_level="groep 6",
                              duration="twee lessen van 45 minuten",
                              worked="Leerlingen zagen zelf dat 3/4 groter is dan 2/3.",
                              not_worked="De laatste opdracht was voor een deel van de groep te moeilijk.")
    if harvested:
        first = harvested[0]
        annotated.append(first)
        quality.annotate(session, ruben, first, AnnotatorRole.REDACTIE, "vakinhoud.juistheid", "goed",
                         "Inhoudelijk gecontroleerd door de redactie.")
        quality.annotate(session, lotte, first, AnnotatorRole.LERAAR, "didactiek.instructie", "onvoldoende",
                         "De uitleg springt te snel naar de opgaven.")
        pupil = quality.annotate(session, None, first, AnnotatorRole.LEERLING, "werkbaarheid.begrijpelijk", "goed",
                                 "Ik snapte het meteen.", name="Sam")
        quality.moderate(session, SYSTEM, pupil.id, approve=True)
        # One more waits in the moderation queue, so the redactie has something to see.
        quality.annotate(session, None, first, AnnotatorRole.OUDER, "toegankelijkheid.dyslexie", "voldoende",
                         "Mijn dochter met dyslexie kon het met voorleessoftware goed lezen.")
    for (slug, title, description, by_school), items in zip(
            DEMO_COLLECTIONS, ([published_id, *harvested[:3]], [published_id, *harvested[3:5]]), strict=True):
        collection_id = collections.create_collection(
            session, ruben, slug=slug, title=title, description=description,
            organisation_id=school.id if by_school else None)
        for position, resource_id in enumerate(items):
            note = "Een mooie start van het thema." if position == 0 else None
            collections.add_item(session, ruben, collection_id, resource_id, note=note, featured=position == 0)
        collections.set_featured(session, ruben, collection_id, True)
    return DemoCuration(slugs, tuple(annotated), waiting=1)
