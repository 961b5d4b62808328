"""`oer licence check`: the engine's answer printed, the API's JSON, exit 1 when impossible, 2 on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from metadata.licence_rules import Part, Use, check_licences
from web.cli import build_cli

OER = Path(sys.executable).parent / "oer"


def run(*arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_cli(), ["licence", "check", *arguments])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_prints_allowed_recommended_and_notices_in_dutch() -> None:
    code, out, err = run("cc-by-40:adapt", "cc-by-sa-40:include", "yes:include")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Toegestane licenties: cc-by-40 (CC BY 4.0), cc-by-30 (CC BY 3.0), ")
    assert "cc0-10" not in lines[0]
    assert lines[1] == "Aanbevolen: cc-by-40 (CC BY 4.0)"
    assert lines[2:] == [
        "Let op:",
        "  - [link-only] Deel 3 (alle rechten voorbehouden) mag alleen als link opgenomen worden, "
        "niet meegeleverd of bewerkt.",
    ]


def test_an_impossible_combination_lists_its_problems_and_exits_1() -> None:
    code, out, _ = run("cc-by-sa-40:adapt", "cc-by-nc-40:adapt", "--lang", "en")
    assert code == 1
    lines = out.splitlines()
    assert lines[:3] == ["Allowed licences: none", "Recommended: none", "Problems:"]
    assert lines[3].startswith("  - [share-alike-conflict] An adaptation of part 1 (CC BY-SA 4.0)")
    assert lines[4].startswith("  - [non-commercial-conflict] An adaptation of part 2 (CC BY-NC 4.0)")


def test_json_is_the_engines_json_form() -> None:
    code, out, _ = run("--json", "cc-by-nc-sa-30:adapt", "CC-BY-ND-40:include", "eigen:include")
    assert code == 0
    expected = check_licences([
        Part("cc-by-nc-sa-30", Use.ADAPT), Part("CC-BY-ND-40", Use.INCLUDE), Part("eigen", Use.INCLUDE),
    ]).to_dict("nl")
    assert json.loads(out) == expected
    assert expected["allowed"] == ["cc-by-nc-sa-40", "cc-by-nc-sa-30"]
    assert expected["notices"][0]["message"].startswith("Deel 3 (onbekende licentie 'eigen')")


def test_json_of_an_impossible_combination_exits_1() -> None:
    code, out, _ = run("--json", "cc-by-nd-40:adapt")
    assert code == 1
    body = json.loads(out)
    assert body["allowed"] == [] and body["recommended"] is None
    assert [p["code"] for p in body["problems"]] == ["adapt-no-derivatives"]


def test_bad_input_is_a_one_line_error_with_exit_2() -> None:
    for arguments, message in [
        (("cc-by-40:bewerk",), "Error: 'cc-by-40:bewerk': verwacht LICENTIE:GEBRUIK met GEBRUIK "
                               "include of adapt, bijv. cc-by-40:adapt"),
        (("cc-by-40",), "Error: 'cc-by-40': verwacht LICENTIE:GEBRUIK met GEBRUIK include of adapt, "
                        "bijv. cc-by-40:adapt"),
        ((":adapt",), "Error: ':adapt': verwacht LICENTIE:GEBRUIK met GEBRUIK include of adapt, "
                      "bijv. cc-by-40:adapt"),
        ((), "Error: geef minstens één deel als LICENTIE:GEBRUIK, bijv. cc-by-40:adapt"),
        (("--lang", "en"), "Error: give at least one part as LICENCE:USE, e.g. cc-by-40:adapt"),
    ]:
        code, out, err = run(*arguments)
        assert (code, out, err.strip()) == (2, "", message)


def test_the_console_script_needs_no_instance(tmp_path: Path) -> None:
    home = tmp_path / "instance"
    env = {key: value for key, value in os.environ.items() if not key.startswith("OER_")}
    env["OER_HOME"] = str(home)
    done = subprocess.run([str(OER), "licence", "check", "cc0-10:adapt"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == "Aanbevolen: cc0-10 (CC0 1.0)"
    assert not home.exists()
