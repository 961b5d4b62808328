"""`oer demo`: the product on its embedded defaults, filled from the bundled sample sources. I/O: terminal, network, files.

`oer demo [--host H] [--port P] [--no-serve]` prepares OER_HOME (as `oer
init`), starts an OAI-PMH replay of the bundled sample sources on 127.0.0.1,
registers them as sources, harvests them with the real harvester over HTTP
(progress bars and one summary line per source, as `oer harvest`), prints what
is now searchable, and serves the site with `oer serve`'s own code until Ctrl-C.
`--no-serve` stops after the harvest. Running it again reuses the instance.
"""

from __future__ import annotations

import dataclasses
import socket

import click

from oer.catalogue.site import Site
from oer.commands.context import command_settings
from oer.commands.harvest import progress_bars, summary_line
from oer.commands.serve import DEFAULT_HOST, DEFAULT_PORT, serve
from oer.demo import (
    DEMO_ACCOUNTS_FILE,
    DemoCuration,
    DemoError,
    Registration,
    SampleSource,
    SourceRegistration,
    ensure_demo_accounts,
    ensure_demo_curation,
    ensure_demo_publication,
    register_sample_sources,
    sample_replay,
    sample_sources,
)
from oer.harvesting.service import HarvestReport, harvest
from oer.runtime import build_runtime
from oer.search import SearchQuery, open_backend
from oer.settings import Settings, ensure_home
from oer.store.database import migrate, store_sessions


@click.command("demo")
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Serve the site on this address.")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True,
              help="Serve the site on this port.")
@click.option("--no-serve", is_flag=True, help="Harvest the sample sources and exit without serving.")
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """Initialise OER_HOME, harvest the bundled sample sources over loopback, serve the site."""
    if not no_serve:
        # Fail before any work, not after the harvest, when the site's port is taken.
        require_free_port(host, port)
    # OER_HOME is prepared before the app is built (only to serve, below), and the app is
    # built on these settings, so it starts with the secret key generated here: the OAI-PMH
    # feed and the site's forms need it.
    settings = prepare_home(command_settings())
    sources = sample_sources()
    # The replay lives only as long as the harvest needs it: gunicorn forks its workers from
    # this process, and they must not inherit its socket and thread.
    with sample_replay(sources) as replay:
        click.echo(f"Sample OAI-PMH server: {replay.base_url} ({len(sources)} sources)")
        with store_sessions(settings) as sessions, sessions.begin() as session:
            registrations = register_sample_sources(session, replay.base_url, sources)
            accounts = ensure_demo_accounts(session, settings.home)
            published = ensure_demo_publication(session, Site(
                settings.oai_repository_id, lambda resource_id: f"{site_url(host, port)}/resources/{resource_id}"))
        for registration in registrations:
            click.echo(registration_line(registration))
        reports = harvest_samples(settings, sources)
    curation = curate(settings, published)
    click.echo(catalogue_line(settings, sources))
    click.echo(f"Published by the demo school: {site_url(host, port)}/resources/{published}")
    click.echo(f"Collections: {', '.join(f'{site_url(host, port)}/collecties/{slug}' for slug in curation.collections)}"
               f" (feed sets curated and collection:SLUG); {curation.waiting} feedback waiting at /redactie/moderatie")
    click.echo(f"Demo accounts (sign in at /account/inloggen; passwords kept in {settings.home / DEMO_ACCOUNTS_FILE}):")
    for account in accounts:
        click.echo(f"  {account.email}  password {account.password}  ({account.name}: {account.what})")
    if any(not report.ok for report in reports):
        raise click.ClickException(
            "a sample source was not harvested to the end (see above); run `oer demo` again to continue"
        )
    if no_serve:
        click.echo("Harvested. Serve the site with `oer serve` (or run `oer demo` without --no-serve).")
        return
    # `oer serve` itself, on the prepared settings.
    serve(settings, host=host, port=port)


def curate(settings: Settings, published: str) -> DemoCuration:
    """Quality information and collections on the harvested catalogue, then indexed at once."""
    with store_sessions(settings) as sessions:
        with sessions.begin() as session:
            curation = ensure_demo_curation(session, published)
        runtime = build_runtime(settings)
        try:
            runtime.index_now(curation.annotated)
        finally:
            runtime.close()
    return curation


def site_url(host: str, port: int) -> str:
    """Where the demo's site is reached (an IPv6 host in brackets)."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def prepare_home(settings: Settings) -> Settings:
    """What `oer init` does, in one line of output: OER_HOME, secret key, newest schema."""
    settings = ensure_home(settings)
    migration = migrate(settings)
    state = (f"migrated to revision {migration.after}" if migration.changed
             else f"at revision {migration.after}")
    click.echo(f"Instance: {settings.home} (database {state})")
    return settings


def harvest_samples(settings: Settings, sources: tuple[SampleSource, ...]) -> list[HarvestReport]:
    reports: list[HarvestReport] = []
    with progress_bars() as bars:

        def finished(report: HarvestReport) -> None:
            bars.stop(report.source)
            reports.append(report)
            click.echo(summary_line(report))
            for warning in report.warnings:
                click.echo(f"{report.source}: warning: {warning}", err=True)

        # Full: the replayed pages cannot honour `from`, and a full run also withdraws what a
        # newer version of the bundled sample no longer has. The sample server is on loopback,
        # which the harvester refuses unless private sources are allowed: for it, they are.
        harvest(dataclasses.replace(settings, allow_private_sources=True), [source.name for source in sources],
                full=True, progress=bars, on_start=bars.start, on_report=finished)
    return reports


def registration_line(registration: SourceRegistration) -> str:
    what = {
        Registration.ADDED: "registered",
        Registration.MOVED: "already registered; URL moved to",
        Registration.KEPT: "already registered at",
    }[registration.registration]
    return f"{registration.name}: {what} {registration.base_url}"


def catalogue_line(settings: Settings, sources: tuple[SampleSource, ...]) -> str:
    """How many materials are searchable now, per sample source and in all."""
    backend = open_backend(settings)
    try:
        result = backend.search(SearchQuery(facets=("source",), size=0))
        per_source = result.facets.get("source", {})
        harvested = backend.search(SearchQuery(filters={"source": tuple(per_source)}, size=0)).total \
            if per_source else 0
    finally:
        backend.close()
    counts = ", ".join(f"{source.name} {per_source.get(source.name, 0)}" for source in sources)
    shared = sum(per_source.values()) - harvested
    both = f"; {shared} found in more than one source, shown once" if shared > 0 else ""
    own = result.total - harvested
    published = f"; {own} published here" if own > 0 else ""
    return f"Searchable: {result.total} materials ({counts}{both}{published})"


def require_free_port(host: str, port: int) -> None:
    """Raise DemoError, with what to do, when nothing can listen on host:port."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise DemoError(f"cannot serve on {host}:{port}: {error.strerror or error}") from error
    family, kind, protocol, _, address = infos[0]
    with socket.socket(family, kind, protocol) as probe:
        # As the server will: a port left in TIME_WAIT by a previous run is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise DemoError(
                f"cannot serve on {host}:{port}: {error.strerror or error}; "
                "is the demo already running? Use --port to pick another port"
            ) from error


commands = [demo_command]
