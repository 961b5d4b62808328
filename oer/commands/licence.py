"""`oer licence check`: which licences an arrangement of parts may carry. I/O: terminal.

`oer licence check cc-by-40:adapt cc-by-sa-40:include ...` takes each part as
LICENCE:USE (an NL-LOM copyright code; `include` unchanged or `adapt`) and
prints the allowed licences (most open first), the recommended one, the
problems and the notices, in Dutch unless `--lang en`; `--json` prints the
JSON the API answers (`POST /api/v1/licences/check`). Exit status 1 when
nothing is allowed, 2 with a one-line error on bad input. The rules are
`metadata.licence_rules`'; this command only parses and prints.
"""

from __future__ import annotations

import json

import click

from metadata.licence import licence_table
from metadata.licence_rules import LicenceCheck, Part, Use, check_licences

LANGUAGES = ("nl", "en")
TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "allowed": "Toegestane licenties",
        "recommended": "Aanbevolen",
        "problems": "Problemen",
        "notices": "Let op",
        "none": "geen",
        "no_parts": "geef minstens één deel als LICENTIE:GEBRUIK, bijv. cc-by-40:adapt",
        "bad_part": "{spec!r}: verwacht LICENTIE:GEBRUIK met GEBRUIK include of adapt, bijv. cc-by-40:adapt",
    },
    "en": {
        "allowed": "Allowed licences",
        "recommended": "Recommended",
        "problems": "Problems",
        "notices": "Note",
        "none": "none",
        "no_parts": "give at least one part as LICENCE:USE, e.g. cc-by-40:adapt",
        "bad_part": "{spec!r}: expected LICENCE:USE with USE include or adapt, e.g. cc-by-40:adapt",
    },
}


class BadInputError(click.ClickException):
    """Arguments that are no parts: a one-line error and exit status 2, as for other usage errors."""

    exit_code = 2


def parse_part(spec: str, language: str) -> Part:
    """`cc-by-40:adapt` to a Part; the licence is kept as given (an unknown code is a finding, not an error)."""
    licence, _, use = spec.strip().rpartition(":")
    if not licence.strip() or use.strip().lower() not in {u.value for u in Use}:
        raise BadInputError(TEXTS[language]["bad_part"].format(spec=spec))
    return Part(licence=licence.strip(), use=Use(use.strip().lower()))


@click.group("licence")
def licence_group() -> None:
    """Licences of arrangements (combinations of materials)."""


@licence_group.command("check")
@click.argument("parts", metavar="LICENCE:USE...", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@click.option("--lang", "language", type=click.Choice(LANGUAGES), default="nl", show_default=True,
              help="Language of the messages.")
def check_command(parts: tuple[str, ...], as_json: bool, language: str) -> None:
    """Which licences an arrangement of these parts may carry (USE: include or adapt)."""
    if not parts:
        raise BadInputError(TEXTS[language]["no_parts"])
    result = check_licences([parse_part(spec, language) for spec in parts])
    if as_json:
        click.echo(json.dumps(result.to_dict(language), ensure_ascii=False, indent=2))
    else:
        _print_check(result, language)
    if not result.possible:
        raise click.exceptions.Exit(1)


def _print_check(result: LicenceCheck, language: str) -> None:
    texts = TEXTS[language]
    labels = licence_table().labels
    named = [f"{code} ({labels.get(code, code)})" for code in result.allowed]
    click.echo(f"{texts['allowed']}: {', '.join(named) if named else texts['none']}")
    recommended = result.recommended
    click.echo(f"{texts['recommended']}: "
               f"{f'{recommended} ({labels.get(recommended, recommended)})' if recommended else texts['none']}")
    for heading, findings in ((texts["problems"], result.problems), (texts["notices"], result.notices)):
        if findings:
            click.echo(f"{heading}:")
            for finding in findings:
                click.echo(f"  - [{finding.code.value}] {finding.message(language)}")


commands = [licence_group]
