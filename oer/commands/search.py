"""`oer search` and `oer reindex`: query and rebuild the search index. I/O: terminal, index.

`oer search QUERY [--filter FIELD=VALUE ...] [--json]` prints one page of
results with the facet counts of every facet field; `--json` prints
{"total", "hits", "facets", "relaxed", "all_words", "corrected", "recognised"}. It answers as the site
does (`oer.discovery.search.answer`): when every word finds nothing, a
spelling correction's results or most words' results, with a note. A filter's VALUE is a value or its label, in
any case (`contexts=po`, `educational_levels="Primair onderwijs"`): the
labels of the vocabulary table (Dutch and English) and those the records
give OBK terms; a VALUE that names nothing known is an error listing the
closest names. `oer reindex` rebuilds the whole index from the
store without interrupting searches.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from metadata.facets import FACET_FIELDS, FACETS_BY_NAME, FacetValues
from metadata.text import clean_line
from metadata.vocabulary import LABEL_LANGUAGES, vocabulary_label, vocabulary_labels
from oer.catalogue.queries import count_resources
from oer.commands.context import command_settings, counting_progress
from oer.discovery.indexing import rebuild_search_index
from oer.discovery.search import Answer, SearchRequest, TermLabels, answer, understand
from oer.search import (
    SearchBackend,
    SearchQuery,
    SearchQueryError,
    SearchResult,
    Sort,
    open_backend,
)
from oer.search.query import MAX_PAGE_SIZE
from oer.store.database import store_sessions

PIPED_WIDTH = 160
# How many values of a filtered field the index is asked for, to match a typed filter against.
FILTER_VALUES_LIMIT = 1_000


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


def resolve_filters(
    backend: SearchBackend, filters: Mapping[str, Sequence[str]]
) -> dict[str, tuple[str, ...]]:
    """Filters as typed (values or labels, any case) to the values the index holds.

    A text names the values whose code or label (`names_of`) it equals, case and
    spacing aside, else the OBK terms whose records label them so (what `oer search`
    prints); one naming nothing known is a SearchQueryError with the closest names.
    """
    if not filters:
        return {}
    in_index = backend.search(
        SearchQuery(facets=tuple(filters), size=0, facet_limit=FILTER_VALUES_LIMIT)).facets
    labels = TermLabels()
    resolved: dict[str, tuple[str, ...]] = {}
    for name, texts in filters.items():
        known = _known_values(name, in_index.get(name, {}))
        names = {value: names_of(name, value, backend, labels) for value in known}
        values: list[str] = []
        for text in texts:
            key = _name_key(text)
            found = [value for value, said in names.items() if key in {_name_key(n) for n in said}]
            if not found and FACETS_BY_NAME[name].values is FacetValues.OBK:
                names = _with_record_labels(backend, name, names, in_index.get(name, {}))
                found = [value for value, said in names.items() if key in {_name_key(n) for n in said}]
            if not found:
                raise SearchQueryError(_no_match(name, text, names))
            values.extend(value for value in found if value not in values)
        resolved[name] = tuple(values)
    return resolved


def names_of(field: str, value: str, backend: SearchBackend, labels: TermLabels) -> tuple[str, ...]:
    """What `value` of `field` may be called: itself, its labels in the vocabulary table
    (every language), and for an OBK term the label its table or its records give it."""
    names = [value]
    names += [label for language in LABEL_LANGUAGES
              if (label := vocabulary_label(field, value, language)) is not None]
    if FACETS_BY_NAME[field].values is FacetValues.OBK:
        label = labels.label(value, field, backend)
        if label:
            names.append(label)
    return tuple(dict.fromkeys(names))


def _with_record_labels(
    backend: SearchBackend, field: str, names: Mapping[str, tuple[str, ...]], in_index: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """`names` with the labels records give the OBK terms in the index (one hit per term:
    records name a term alike), for a text that is none of the tables' names."""
    found = dict(names)
    for value in in_index:
        for hit in backend.search(SearchQuery(filters={field: (value,)}, size=1)).hits:
            label = hit.document.labels.get(value)
            if label and label not in found[value]:
                found[value] = (*found[value], label)
    return found


def _known_values(field: str, in_index: Mapping[str, int]) -> list[str]:
    """The values of `field` in the index, then those the tables know (which match nothing yet)."""
    values = dict.fromkeys(in_index)
    values.update(dict.fromkeys(vocabulary_labels().get(field, {})))
    return list(values)


def _name_key(text: str) -> str:
    return clean_line(text).casefold()


def _no_match(field: str, text: str, names: Mapping[str, Iterable[str]]) -> str:
    said = {_name_key(n): (value, n) for value, ns in names.items() for n in ns}
    close = difflib.get_close_matches(_name_key(text), list(said), n=5, cutoff=0.6)
    hint = "; ".join(
        f"{said[key][1]!r}" + (f" ({said[key][0]})" if said[key][0] != said[key][1] else "")
        for key in close
    )
    suggestion = f"; did you mean: {hint}" if hint else "; `oer search` lists the values it has"
    return f"--filter {field}={text!r} matches no known value or label{suggestion}"


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
@click.option("--json", "as_json", is_flag=True, help='Print {"total", "hits", "facets", "relaxed", "all_words", "corrected", "recognised"} as JSON.')
@click.option(
    "--sort",
    type=click.Choice([sort.value for sort in Sort]),
    default=Sort.RELEVANCE.value,
    show_default=True,
)
@click.option("--size", type=click.IntRange(0, MAX_PAGE_SIZE), default=20, show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--literal",
    "literal",
    multiple=True,
    metavar="KEY",
    help="Search a recognised level or subject word (by the key printed) as text, not as a "
         "filter; repeatable; `*` for every word.",
)
def search_command(
    text: str, filters: tuple[str, ...], as_json: bool, sort: str, size: int, page: int,
    literal: tuple[str, ...] = (),
) -> None:
    """Search the index; an empty QUERY lists everything.

    Sector, level, groep and subject words in QUERY ("breuken groep 7") are searched as
    filters, as on the site (`oer.discovery.search.understand`); the line "Recognised: ..."
    says which, and `--literal KEY` searches one as text."""
    settings = command_settings()
    if settings.search_backend == "tantivy" and not settings.index_dir.exists():
        # Opening would create an empty index and answer "0 results": true, but misleading.
        raise click.ClickException(
            f"no search index in {settings.home}: run `oer init` and harvest a source first"
        )
    typed = parse_filters(filters)
    backend = open_backend(settings)
    try:
        understood, recognised = understand(backend, SearchRequest(
            text=text, filters=resolve_filters(backend, typed), literal=literal), TermLabels())
        query = SearchQuery(
            text=understood.text,
            filters=understood.filters,
            facets=FACET_FIELDS,
            sort=Sort(sort),
            page=page,
            size=size,
        )
        answered = answer(backend, query)
    finally:
        backend.close()
    result = answered.result
    if as_json:
        data = result_to_json(result)
        data.update(relaxed=answered.relaxed, all_words=answered.all_words,
                    corrected=answered.corrected)
        data["recognised"] = [
            {"key": term.key, "kind": term.kind.value, "text": term.typed, "label": term.label,
             "filters": {name: list(values) for name, values in term.filters.items()}}
            for term in recognised
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        if recognised:
            click.echo("Recognised: " + "; ".join(
                f"{term.label} (--literal {term.key})" for term in recognised))
        note = answer_note(answered)
        if note:
            click.echo(note)
        _print_result(result, query)


def answer_note(answered: Answer) -> str | None:
    """The line saying the results are not for every word as typed (as the site says it)."""
    if answered.corrected is not None:
        return f"Results for {answered.corrected!r}: nothing matched the words as typed."
    if answered.relaxed and answered.all_words:
        return (f"Results for all your words first ({answered.all_words}), "
                "then for some of them.")
    if answered.relaxed:
        return "Results for some of your words: nothing matched all of them."
    if answered.did_you_mean is not None:
        return f"Did you mean {answered.did_you_mean!r}?"
    return None


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
            with counting_progress("Indexing") as progress:
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
