"""Bulk import: a CSV sheet of 500 rows (some invalid), a zip of NL-LOM files, dry runs and re-imports."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oer.accounts.models import User
from oer.catalogue.models import Origin, Resource
from oer.publishing.errors import PublishingNotAllowed
from oer.publishing.imports import (
    CSV_COLUMNS,
    ImportFileError,
    ImportOutcome,
    csv_template,
    import_rows,
    rows_from_csv,
    rows_from_file,
)
from tests.support.accounts import People
from tests.support.paths import FIXTURES_DIR
from tests.support.publishing import SITE


@pytest.fixture
def redacteur(people: People) -> People:
    people.session.get(User, people.redacteur).email_verified = True  # type: ignore[union-attr]
    people.session.commit()
    return people


def sheet(rows: int, *, broken_every: int = 0) -> bytes:
    """A CSV sheet of `rows` materials from the template's example; every n-th one broken."""
    example = next(csv.DictReader(io.StringIO(csv_template())))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for number in range(1, rows + 1):
        row = {**example, "identifier": f"les-{number}", "title": f"Breuken {number}"}
        if broken_every and number % broken_every == 0:
            row.update(licence="alle rechten", location="ftp://x", title="")
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


def count_published(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Resource).where(Resource.origin == Origin.PUBLISHED)) or 0


def test_the_template_s_example_row_is_importable() -> None:
    [row] = rows_from_csv(csv_template().encode())
    assert row.identifier == "les-1" and not row.problems
    assert row.submission["disciplines"] == ["b48fa351-4561-44c7-a071-ebfd6103eec3"], "a label became its id"
    assert row.submission["educational_objectives"] == ["1ed1e736-c541-4b47-9061-34117d70c859"], "PO 26"


def test_a_sheet_of_500_rows_with_invalid_ones_imports_every_valid_row(redacteur: People) -> None:
    session, actor = redacteur.session, redacteur.actor(redacteur.redacteur)
    rows = rows_from_file(sheet(500, broken_every=25), "lessen.csv")
    assert len(rows) == 500

    dry = import_rows(session, actor, SITE, rows, organisation_id=redacteur.school, dry_run=True)
    session.commit()
    assert (dry.count(ImportOutcome.CREATED), dry.count(ImportOutcome.REFUSED)) == (480, 20)
    assert count_published(session) == 0, "a dry run writes nothing"

    report = import_rows(session, actor, SITE, rows, organisation_id=redacteur.school, dry_run=False)
    session.commit()
    assert (report.count(ImportOutcome.CREATED), report.count(ImportOutcome.REFUSED)) == (480, 20)
    assert count_published(session) == 480
    refused = next(r for r in report.rows if r.outcome is ImportOutcome.REFUSED)
    assert refused.where == "lessen.csv: regel 26" and refused.identifier == "les-25"
    assert {(p.field, p.code) for p in refused.problems} == {
        ("title", "required"), ("licence", "unknown-value"), ("location", "invalid-url")}

    # The same sheet again: nothing new, nothing duplicated; a changed row is a new version.
    changed = rows_from_file(sheet(500, broken_every=25).replace(b"Breuken 7,", b"Breuken zeven,"), "lessen.csv")
    again = import_rows(session, actor, SITE, changed, organisation_id=redacteur.school, dry_run=False)
    session.commit()
    assert (again.count(ImportOutcome.UNCHANGED), again.count(ImportOutcome.UPDATED),
            again.count(ImportOutcome.CREATED)) == (479, 1, 0)
    assert count_published(session) == 480


def test_a_zip_of_nl_lom_files_imports_one_material_per_record(redacteur: People, tmp_path: Path) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for name in ("phpnllom-full.xml", "pylom-ims-complete.xml", "pylom-ims-incomplete.xml"):
            zipped.write(FIXTURES_DIR / "lom" / name, f"export/{name}")
        zipped.writestr("export/leesmij.txt", "niet te importeren")
    rows = rows_from_file(archive.getvalue(), "export.zip")
    assert [r.where for r in rows] == ["export/phpnllom-full.xml", "export/pylom-ims-complete.xml",
                                       "export/pylom-ims-incomplete.xml"]
    session, actor = redacteur.session, redacteur.actor(redacteur.redacteur)
    report = import_rows(session, actor, SITE, rows, organisation_id=redacteur.school, dry_run=False)
    session.commit()
    outcomes = {r.where: r.outcome for r in report.rows}
    # What NL-LOM requires and a file lacks is reported per file; the complete ones are in.
    assert outcomes["export/pylom-ims-incomplete.xml"] is ImportOutcome.REFUSED
    assert count_published(session) == sum(1 for o in outcomes.values() if o is not ImportOutcome.REFUSED)
    assert all(r.problems for r in report.rows if r.outcome is ImportOutcome.REFUSED)


def test_a_zip_that_unpacks_beyond_its_bounds_is_refused() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("groot.csv", b"title\n" + b"a" * (210 * 1024 * 1024))
    with pytest.raises(ImportFileError, match="unpacks to more than"):
        rows_from_file(archive.getvalue(), "bom.zip")


def test_a_sheet_without_a_title_column_or_not_utf8_is_refused_as_a_whole() -> None:
    with pytest.raises(ImportFileError, match="no column 'title'"):
        rows_from_file(b"naam,taal\nx,nl\n", "blad.csv")
    with pytest.raises(ImportFileError, match="not UTF-8"):
        rows_from_file("title\nÉén".encode("latin-1"), "blad.csv")


def test_only_who_may_publish_for_the_organisation_imports_for_it(redacteur: People) -> None:
    rows = rows_from_csv(csv_template().encode())
    with pytest.raises(PublishingNotAllowed):
        import_rows(redacteur.session, redacteur.actor(redacteur.lid), SITE, rows,
                    organisation_id=redacteur.school, dry_run=True)
