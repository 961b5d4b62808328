"""`oer search` and `oer reindex`: query and rebuild the search index. I/O: terminal, index.

`oer search QUERY [--filter FIELD=VALUE ...] [--json]` prints one page of
results with the facet counts of every facet field; `--json` prints
{"total", "hits", "facets"}. `oer reindex` rebuilds the whole index from the
store without interrupting searches.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from metadata.facets import FACET_FIELDS
from oer.catalogue.queries import count_resources
from oer.commands.context import command_settings
from oer.discovery.indexing import rebuild_search_index
from oer.search import (
    SearchQuery,
    SearchQueryError,
    SearchResult,
    Sort,
    open_backend,
)
from oer.search.query import MAX_PAGE_SIZE
from oer.store.database import store_sessions

PIPED_WIDTH = 160


def parse_filters(specs: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """`FIELD=VALUE` options to filters; repeating a field ORs its values."""
    filters: dict[str, list[str]] = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise SearchQueryError(
                f"--filter {spec!r}: expected FIELD=VALUE, e.g. --filter contexts=PO"
            )
        if name not in FACET_FIELDS:
            raise SearchQueryError(
                f"--filter {spec!r}: unknown field {name!r}; use one of: {', '.join(FACET_FIELDS)}"
            )
        filters.setdefault(name, []).append(value)
    return {name: tuple(values) for name, values in filters.items()}


def result_to_json(result: SearchResult) -> dict[str, Any]:
    return {
        "total": result.total,
        "hits": [
            {
                **hit.document.to_dict(),
                "score": hit.score,
                "highlights": {name: list(parts) for name, parts in hit.highlights.items()},
            }
            for hit in result.hits
        ],
        "facets": {name: dict(counts) for name, counts in result.facets.items()},
    }


@click.command("search")
@click.argument("text", metavar="QUERY", required=False, default="")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="FIELD=VALUE",
    help=f"Only results with this value; repeatable. Fields: {', '.join(FACET_FIELDS)}.",
)
@click.option("--json", "as_json", is_flag=True, help='Print {"total", "hits", "facets"} as JSON.')
@click.option(
    "--sort",
    type=click.Choice([sort.value for sort in Sort]),
    default=Sort.RELEVANCE.value,
    show_default=True,
)
@click.option("--size", type=click.IntRange(0, MAX_PAGE_SIZE), default=20, show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
def search_command(
    text: str, filters: tuple[str, ...], as_json: bool, sort: str, size: int, page: int
) -> None:
    """Search the index; an empty QUERY lists everything."""
    settings = command_settings()
    if settings.search_backend == "tantivy" and not settings.index_dir.exists():
        # Opening would create an empty index and answer "0 results": true, but misleading.
        raise click.ClickException(
            f"no search index in {settings.home}: run `oer init` and harvest a source first"
        )
    query = SearchQuery(
        text=text,
        filters=parse_filters(filters),
        facets=FACET_FIELDS,
        sort=Sort(sort),
        page=page,
        size=size,
    )
    backend = open_backend(settings)
    try:
        result = backend.search(query)
    finally:
        backend.close()
    if as_json:
        click.echo(json.dumps(result_to_json(result), ensure_ascii=False, indent=2))
    else:
        _print_result(result, query)


@click.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from the database (searches keep working meanwhile)."""
    settings = command_settings()
    # The store first: an uninitialised instance gets "run `oer init`", not an empty index.
    with store_sessions(settings) as sessions:
        with sessions() as session:
            total = count_resources(session)
        backend = open_backend(settings)
        try:
            console = Console(stderr=True)
            with Progress(
                TextColumn("Indexing"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=not console.is_terminal,
            ) as progress:
                task = progress.add_task("reindex", total=total)
                report = rebuild_search_index(
                    sessions,
                    backend,
                    on_progress=lambda count: progress.update(task, completed=count),
                )
        finally:
            backend.close()
    click.echo(
        f"Reindexed {report.documents} resources into {report.backend} "
        f"in {report.seconds:.1f} s"
    )


def _print_result(result: SearchResult, query: SearchQuery) -> None:
    # Piped output has no terminal width to fit; wide enough that titles stay on one line.
    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console.width = PIPED_WIDTH
    labels: dict[str, str] = {}
    for hit in result.hits:
        labels.update(hit.document.labels)
    first = query.offset + 1
    shown = f"{first}-{query.offset + len(result.hits)} of " if result.hits else ""
    console.print(f"{shown}{result.total} results", markup=False)
    if result.hits:
        table = Table(show_lines=False, expand=False)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("Title", overflow="fold", max_width=60)
        table.add_column("Levels", overflow="fold")
        table.add_column("Licence", no_wrap=True)
        table.add_column("Source", overflow="fold")
        table.add_column("Updated", no_wrap=True)
        table.add_column("Id", no_wrap=True)
        for number, hit in enumerate(result.hits, start=first):
            document = hit.document
            table.add_row(
                str(number),
                document.title or "(untitled)",
                ", ".join(labels.get(level, level) for level in document.educational_levels),
                ", ".join(document.licence),
                ", ".join(document.source),
                document.updated_at.date().isoformat(),
                document.id,
            )
        console.print(table)
    _print_facets(console, result.facets, labels)


def _print_facets(
    console: Console, facets: Mapping[str, Mapping[str, int]], labels: Mapping[str, str]
) -> None:
    for name, counts in facets.items():
        if not counts:
            continue
        values = ", ".join(
            f"{labels.get(value, value)} ({count})" for value, count in list(counts.items())[:12]
        )
        more = f", ... {len(counts) - 12} more" if len(counts) > 12 else ""
        console.print(f"{name}: {values}{more}", markup=False)


commands = [search_command, reindex_command]
