"""`oer normalize FILE`: JSON on stdout, issues on stderr, one-line errors, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from metadata.record import Record
from tests.support.metadata_fixtures import EDGE_DIR
from tests.support.paths import FIXTURES_DIR
from web.cli import build_cli

OER = Path(sys.executable).parent / "oer"


def run(path: Path | str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_cli(), ["normalize", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_oai_page_gives_one_object_per_record() -> None:
    code, out, err = run(FIXTURES_DIR / "oai/edurep/edurep-oaipmh.initial.0.xml")
    assert code == 0
    records = json.loads(out)
    assert len(records) == 9
    assert all(list(record) == list(Record().to_dict()) for record in records)
    assert records[0]["deleted"] is True
    assert records[1]["licence"] == {"code": "cc-by-nc-40", "url": "https://creativecommons.org/licenses/by-nc/4.0/"}
    # issues on stderr, one per line, prefixed with the record id
    lines = err.splitlines()
    assert lines
    assert all(line.split(": ", 1)[0].startswith(("surfsharekit:", "wikiwijs:", "l4l:")) for line in lines)
    assert ("surfsharekit:oai:surfsharekit.nl:5af0e26f-c4d2-4ddd-94ab-7dd0bd531751: vocabulary-unknown "
            "lifecycle/contribute/role: 'hogeschool' is not in the contribute_role vocabulary; kept as given") in lines


def test_bare_lom_is_one_record_and_text_is_not_ascii_escaped() -> None:
    code, out, err = run(FIXTURES_DIR / "lom/phpnllom-full.xml")
    assert code == 0
    [record] = json.loads(out)
    assert record["description"] == "één beschrijving met speciale tekens"
    assert "één" in out  # ensure_ascii=False
    assert out.startswith("[\n  {\n")  # indented
    assert err.splitlines()[0].startswith("urn:isbn:9789034553966: relation-without-kind relation/kind:")


def test_no_records_match_is_an_empty_array() -> None:
    assert run(FIXTURES_DIR / "oai/sickle/noRecordsMatch.xml") == (0, "[]\n", "")


@pytest.mark.parametrize("path, message", [
    (EDGE_DIR / "does-not-exist.xml", "cannot read"),
    (EDGE_DIR, "cannot read"),
    (EDGE_DIR / "not-xml.txt", "not well-formed XML"),
    (EDGE_DIR / "billion-laughs.xml", "not well-formed XML"),
    (EDGE_DIR / "external-entity.xml", "unsafe XML"),
    (EDGE_DIR / "not-metadata.xml", "not a metadata document"),
    (FIXTURES_DIR / "oai/sickle/Identify.xml", "carries no metadata records"),
    (FIXTURES_DIR / "oai/sickle/badArgument.xml", "OAI-PMH error response (badArgument)"),
])
def test_bad_input_is_one_line_and_a_non_zero_exit(path: Path, message: str) -> None:
    code, out, err = run(path)
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("Error: ") and message in err
    assert "Traceback" not in err


def test_a_failing_record_is_reported_and_the_rest_printed(tmp_path: Path) -> None:
    page = tmp_path / "page.xml"
    page.write_text(
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>'
        '<record><header><identifier>oai:x:1</identifier><datestamp>2024-01-01</datestamp></header>'
        '<metadata><lom xmlns="http://www.imsglobal.org/xsd/imsmd_v1p2"/></metadata></record>'
        '<record><header><identifier>oai:x:2</identifier><datestamp>2024-01-01</datestamp></header>'
        '<metadata><mods xmlns="http://www.loc.gov/mods/v3"/></metadata></record>'
        "</ListRecords></OAI-PMH>", encoding="utf-8")
    code, out, err = run(page)
    assert code == 1
    assert [record["oai_identifier"] for record in json.loads(out)] == ["oai:x:1"]
    assert "oai:x:2: error: metadata <mods>" in err


def test_console_script() -> None:
    ok = subprocess.run([str(OER), "normalize", str(FIXTURES_DIR / "lom/qti3-ieee-lom.xml")],
                        capture_output=True, text=True, timeout=60, check=False)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)[0]["title"] == "Metadata Example Item #1"
    bad = subprocess.run([str(OER), "normalize", str(EDGE_DIR / "billion-laughs.xml")],
                         capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert bad.stderr.startswith("Error: ") and bad.stderr.count("\n") == 1
