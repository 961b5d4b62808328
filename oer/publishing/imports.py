"""Bulk import: many materials from a CSV sheet, NL-LOM files, or a zip of them. I/O: database (import_rows).

Reading a file into rows is pure (`rows_from_file`); each row is one material's
submission with the identifier it has at its source, or the reason it could not
be read. `import_rows` then publishes every row through the publishing service,
each in a savepoint of its own so a refused row never stops the others, and
reports per row what happened: created, updated, unchanged or refused (with
every problem). A dry run checks every row the same way and writes nothing.
Importing the same identifier again updates that material (the service keys
materials by organisation and identifier), so a school can re-import its sheet.

The CSV sheet has one row per material and the columns of `CSV_COLUMNS`; a
cell with several values separates them with `;`. Vocabulary columns take the
NL-LOM code (`open opdracht`); term columns the OBK or SLO id, or its label
(`Rekenen`, `PO 26`), so a sheet is easy to fill in by hand.
"""

from __future__ import annotations

import csv
import enum
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from metadata.errors import MetadataError
from metadata.kerndoelen import kerndoelen
from metadata.normalize import normalize_document
from metadata.submission import Problem, check_submission, submission_of_record
from metadata.vocabulary import obk_terms
from oer.accounts.actor import Actor
from oer.catalogue.site import Site
from oer.publishing import service
from oer.publishing.errors import InvalidState, InvalidSubmission, PublishingError, PublishingNotAllowed
from oer.publishing.models import EXTERNAL_ID_LENGTH, Publication

CSV_COLUMNS = (
    "identifier", "title", "description", "keywords", "languages", "location", "aggregation_level",
    "learning_resource_types", "end_user_roles", "contexts", "educational_levels", "disciplines",
    "educational_objectives", "typical_age_range", "typical_learning_time", "licence", "authors",
)
_LIST_COLUMNS = frozenset({"keywords", "languages", "learning_resource_types", "end_user_roles", "contexts",
                           "educational_levels", "disciplines", "educational_objectives", "authors"})
# A zip is read up to these bounds (a zip bomb is refused, not unpacked).
MAX_ZIP_MEMBERS = 5000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 10_000


class ImportOutcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One material to import: where it came from, its identifier and submission, or why not."""

    where: str
    identifier: str | None
    submission: Mapping[str, Any]
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class RowResult:
    where: str
    identifier: str | None
    title: str | None
    outcome: ImportOutcome
    problems: tuple[Problem, ...] = ()
    resource_id: str | None = None


@dataclass(frozen=True, slots=True)
class ImportReport:
    dry_run: bool
    rows: tuple[RowResult, ...] = field(default_factory=tuple)

    def count(self, outcome: ImportOutcome) -> int:
        return sum(1 for row in self.rows if row.outcome is outcome)

    @property
    def resource_ids(self) -> list[str]:
        return [row.resource_id for row in self.rows if row.resource_id is not None]


class ImportFileError(PublishingError):
    """The file as a whole cannot be read (not CSV, XML or zip; a zip too large unpacked)."""


def csv_template() -> str:
    """The CSV sheet's header and one filled-in example row."""
    example = {
        "identifier": "les-1", "title": "Breuken vergelijken",
        "description": "Leerlingen vergelijken breuken op een getallenlijn.", "keywords": "breuken; getallenlijn",
        "languages": "nl", "location": "https://www.school.example.org/lessen/breuken",
        "aggregation_level": "2", "learning_resource_types": "open opdracht", "end_user_roles": "learner; teacher",
        "contexts": "PO", "educational_levels": "Primair onderwijs", "disciplines": "Rekenen",
        "educational_objectives": "PO 26", "typical_age_range": "9-11", "typical_learning_time": "45",
        "licence": "cc-by-sa-40", "authors": "Tess Leraar",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerow(example)
    return out.getvalue()


@cache
def _term_ids_by_label() -> Mapping[str, str]:
    labels: dict[str, str] = {}
    for term in obk_terms().values():
        labels.setdefault(term.label.casefold(), term.id)
    for kerndoel in kerndoelen().values():
        labels.setdefault(kerndoel.code.casefold(), kerndoel.id)
        labels.setdefault(kerndoel.display.casefold(), kerndoel.id)
    return labels


def _term_id(value: str) -> str:
    # An id stays an id; a label or kerndoel code ("PO 26") becomes the id it names.
    return _term_ids_by_label().get(" ".join(value.split()).casefold(), value)


def _cell_values(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def rows_from_csv(data: bytes, name: str = "") -> list[ImportRow]:
    """The rows of a CSV sheet (UTF-8, with or without BOM; comma or semicolon separated)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(f"{name or 'the file'} is not UTF-8 text (save the sheet as CSV UTF-8)") from error
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") and "\t" not in sample else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [column.strip() for column in reader.fieldnames or []]
    unknown = [column for column in header if column and column not in CSV_COLUMNS]
    if "title" not in header:
        raise ImportFileError(f"{name or 'the sheet'} has no column 'title' (download the template)")
    rows = []
    prefix = f"{name}: " if name else ""
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            raise ImportFileError(f"{name or 'the sheet'} has more than {MAX_ROWS} rows; split it")
        cells = {(key or "").strip(): (value or "").strip() for key, value in raw.items() if key is not None}
        if not any(cells.values()):
            continue
        submission: dict[str, Any] = {}
        for column in CSV_COLUMNS[1:]:
            value = cells.get(column, "")
            if column in _LIST_COLUMNS:
                values = _cell_values(value)
                if column in ("educational_levels", "disciplines", "educational_objectives"):
                    values = [_term_id(v) for v in values]
                submission[column] = values
            else:
                submission[column] = value or None
        problems = tuple(Problem(column, "unknown-field", f"Onbekende kolom {column!r}.",
                                 f"Unknown column {column!r}.") for column in unknown)
        rows.append(ImportRow(f"{prefix}regel {number}", cells.get("identifier") or None, submission, problems))
    return rows


def rows_from_lom(data: bytes, name: str) -> list[ImportRow]:
    """The materials of an NL-LOM (or IEEE LOM, or OAI-PMH page) file: one row per record."""
    try:
        records = normalize_document(data)
    except MetadataError as error:
        return [ImportRow(name, None, {}, (Problem("file", "invalid", f"Geen leesbaar NL-LOM: {error}",
                                                  f"Not readable NL-LOM: {error}"),))]
    rows = []
    for index, record in enumerate(records, start=1):
        identifier = next((i.entry for i in record.identifiers if i.entry), None) or record.oai_identifier
        where = name if len(records) == 1 else f"{name} #{index}"
        rows.append(ImportRow(where, identifier, submission_of_record(record)))
    return rows


def rows_from_file(data: bytes, name: str) -> list[ImportRow]:
    """Rows of a CSV sheet, an XML file, or a zip of those (read within `MAX_*` bounds)."""
    lower = name.lower()
    if lower.endswith(".zip") or data[:4] == b"PK\x03\x04":
        return list(_rows_from_zip(data, name))
    if lower.endswith(".xml") or data.lstrip()[:1] == b"<":
        return rows_from_lom(data, name)
    return rows_from_csv(data, name)


def _rows_from_zip(data: bytes, name: str) -> Iterator[ImportRow]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ImportFileError(f"{name} is not a readable zip file") from error
    members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith(("__MACOSX/", "."))]
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportFileError(f"{name} holds more than {MAX_ZIP_MEMBERS} files")
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise ImportFileError(f"{name} unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB")
    for member in sorted(members, key=lambda m: m.filename):
        lower = member.filename.lower()
        if not lower.endswith((".xml", ".csv")):
            continue
        # The declared size can lie: read at most one byte more than it says.
        with archive.open(member) as handle:
            content = handle.read(member.file_size + 1)
        if len(content) > member.file_size:
            raise ImportFileError(f"{name}: {member.filename} is larger than the zip says")
        yield from (rows_from_csv(content, member.filename) if lower.endswith(".csv")
                    else rows_from_lom(content, member.filename))


def _identifier_problem(identifier: str | None) -> Problem | None:
    if identifier is not None and len(identifier) > EXTERNAL_ID_LENGTH:
        return Problem("identifier", "too-long", f"Een identifier is maximaal {EXTERNAL_ID_LENGTH} tekens.",
                       f"An identifier is at most {EXTERNAL_ID_LENGTH} characters.")
    return None


def import_rows(
    session: Session,
    actor: Actor,
    site: Site,
    rows: Sequence[ImportRow],
    *,
    organisation_id: int | None,
    dry_run: bool,
) -> ImportReport:
    """Publish (or, in a dry run, only check) every row; one row's refusal never stops another.

    Raises PublishingNotAllowed when the actor may not publish for the organisation at all.
    The caller commits (a dry run leaves nothing to commit).
    """
    service.require_publisher(session, actor, organisation_id)
    results = []
    for row in rows:
        title = row.submission.get("title") if isinstance(row.submission.get("title"), str) else None
        problem = _identifier_problem(row.identifier)
        if row.problems or problem:
            results.append(RowResult(row.where, row.identifier, title, ImportOutcome.REFUSED,
                                     (*row.problems, *([problem] if problem else []))))
            continue
        results.append(_check_row(session, actor, row, organisation_id, title) if dry_run
                       else _import_row(session, actor, site, row, organisation_id, title))
    return ImportReport(dry_run=dry_run, rows=tuple(results))


def _existing(session: Session, actor: Actor, organisation_id: int | None, identifier: str | None) -> str | None:
    if identifier is None:
        return None
    return session.scalars(select(Publication.id).where(
        Publication.owner_key == service.owner_key(organisation_id, actor.user_id),
        Publication.external_id == identifier)).first()


def _check_row(session: Session, actor: Actor, row: ImportRow, organisation_id: int | None,
               title: str | None) -> RowResult:
    checked = check_submission(row.submission)
    if not checked.ok:
        return RowResult(row.where, row.identifier, title, ImportOutcome.REFUSED, checked.problems)
    existing = _existing(session, actor, organisation_id, row.identifier)
    outcome = ImportOutcome.UPDATED if existing else ImportOutcome.CREATED
    return RowResult(row.where, row.identifier, title, outcome, resource_id=existing)


def _import_row(session: Session, actor: Actor, site: Site, row: ImportRow, organisation_id: int | None,
                title: str | None) -> RowResult:
    savepoint = session.begin_nested()
    try:
        published = service.publish_submission(session, actor, site, row.submission,
                                               organisation_id=organisation_id, external_id=row.identifier)
    except InvalidSubmission as invalid:
        savepoint.rollback()
        return RowResult(row.where, row.identifier, title, ImportOutcome.REFUSED, invalid.problems)
    except (InvalidState, PublishingNotAllowed) as refused:
        savepoint.rollback()
        return RowResult(row.where, row.identifier, title, ImportOutcome.REFUSED,
                         (Problem("identifier", "refused", str(refused), str(refused)),))
    savepoint.commit()
    if published.created:
        outcome = ImportOutcome.CREATED
    else:
        outcome = ImportOutcome.UPDATED if published.version is not None else ImportOutcome.UNCHANGED
    return RowResult(row.where, row.identifier, title, outcome, resource_id=published.id)


def report_rows(report: ImportReport, language: str = "nl") -> Iterable[dict[str, str]]:
    """The report as flat rows (for a CSV download)."""
    for row in report.rows:
        yield {
            "where": row.where, "identifier": row.identifier or "", "title": row.title or "",
            "outcome": row.outcome.value, "resource_id": row.resource_id or "",
            "problems": " | ".join(f"{p.field}: {p.message(language)}" for p in row.problems),
        }
