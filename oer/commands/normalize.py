"""`oer normalize FILE`: the normalised records of a metadata file as JSON. I/O: file, terminal.

stdout gets a JSON array with one object per record (the record's JSON form);
stderr gets one line per issue, prefixed with the record's id. A document
that cannot be read is a one-line error (raised as MetadataError, which the
CLI entry point turns into a message and exit status 1). Records that fail
on their own are reported on stderr and make the exit status 1 as well, but
the records that did normalise are still printed.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from metadata.normalize import RecordResult, normalize_records


@click.command("normalize")
@click.argument("file", type=click.Path(path_type=Path))
def normalize_command(file: Path) -> None:
    """Print the normalised record(s) in FILE (NL-LOM, IEEE LOM, oai_dc, an OAI-PMH page) as JSON."""
    try:
        data = file.read_bytes()
    except OSError as error:
        raise click.ClickException(f"cannot read {file}: {error.strerror or error}") from error
    results = normalize_records(data)
    records = []
    failed = 0
    for position, result in enumerate(results, start=1):
        label = _label(result, file, position)
        if result.record is None:
            failed += 1
            click.echo(f"{label}: error: {result.error}", err=True)
            continue
        records.append(result.record.to_dict())
        for issue in result.record.issues:
            where = f" {issue.path}" if issue.path else ""
            click.echo(f"{label}: {issue.code}{where}: {issue.message}", err=True)
    click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    if failed:
        raise click.exceptions.Exit(1)


def _label(result: RecordResult, file: Path, position: int) -> str:
    if result.oai_identifier:
        return result.oai_identifier
    if result.record is not None and result.record.identifiers:
        return result.record.identifiers[0].entry
    return f"{file.name}#{position}"


commands = [normalize_command]
