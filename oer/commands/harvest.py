"""`oer harvest` and `oer renormalize`: harvest sources, or rebuild them from the raw archive. I/O: terminal.

`oer harvest [NAME...|--all] [--full] [--from DATE]` shows a progress bar per
source on a terminal (pages, records, rate, the list size when the source
gives it) and prints one summary line per source; it exits non-zero when a
source could not be harvested to the end. Records that failed on their own
are counted in the summary and do not fail the command.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from harvester.backoff import RetryNotice
from harvester.outcome import Outcome
from harvester.progress import PageProgress
from oer.commands.context import command_settings
from oer.demo import demo_replay_is_up, is_demo_source
from oer.harvesting.renormalize import RenormalizeReport, renormalize
from oer.harvesting.service import HarvestReport, HarvestStatus, harvest
from oer.harvesting.sources import find_source, list_sources
from oer.settings import Settings
from oer.store.database import store_sessions

SUMMARY_OUTCOMES = (Outcome.CREATED, Outcome.UPDATED, Outcome.UNCHANGED, Outcome.DELETED, Outcome.FAILED)



class ProgressBars:
    """A rich progress bar per source, fed by the harvest loop (`HarvestProgress`)."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}
        self._current: str | None = None

    def start(self, source: str) -> None:
        self._current = source
        self._task(source)

    def page_committed(self, page: PageProgress) -> None:
        size = page.complete_list_size
        self._progress.update(
            self._task(page.source),
            completed=page.run_records,
            total=size,
            pages=page.pages,
            of=f"of {size:,}" if size is not None else "",
            rate=page.records_per_second,
        )

    def retrying(self, notice: RetryNotice) -> None:
        self._progress.console.print(
            f"{self._current or 'source'}: {notice.reason}; retrying in {notice.delay:.0f} s "
            f"(attempt {notice.attempt + 1})",
            # One line per retry, however narrow the terminal: rich would wrap it otherwise.
            markup=False, highlight=False, soft_wrap=True,
        )

    def records(self, source: str, done: int, total: int) -> None:
        self._progress.update(self._task(source), completed=done, total=total or None,
                              of=f"of {total:,}")

    def echo(self, line: str, *, err: bool = False) -> None:
        """Print a line above the bars when they share the terminal with stdout, else plainly."""
        if self._progress.live.is_started and sys.stdout.isatty():
            self._progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            click.echo(line, err=err)

    def stop(self, source: str) -> None:
        task = self._tasks.get(source)
        if task is not None:
            self._progress.stop_task(task)

    def _task(self, source: str) -> TaskID:
        task = self._tasks.get(source)
        if task is None:
            task = self._progress.add_task(source, total=None, pages=0, of="", rate=0.0)
            self._tasks[source] = task
        return task


@contextmanager
def progress_bars(pages: bool = True) -> Iterator[ProgressBars]:
    """Bars on stderr when it is a terminal; summary lines keep going to stdout."""
    console = Console(stderr=True)
    columns = [TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,.0f} {task.fields[of]}")]
    if pages:
        columns += [TextColumn("{task.fields[pages]} pages"), TextColumn("{task.fields[rate]:,.0f} rec/s")]
    columns.append(TimeElapsedColumn())
    progress = Progress(
        *columns,
        console=console,
        redirect_stdout=False,
        redirect_stderr=False,
        transient=not console.is_terminal,
        disable=not console.is_terminal,
    )
    with progress:
        yield ProgressBars(progress)


def outcome_counts(count: Callable[[Outcome], int]) -> str:
    """`3 created, 1 updated, ...`; merged records and skipped deletions (of records never stored)
    only when there are any. Together they add up to the records received."""
    counts = ", ".join(f"{count(outcome)} {outcome.value}" for outcome in SUMMARY_OUTCOMES)
    if count(Outcome.MERGED):
        counts += f", {count(Outcome.MERGED)} merged into materials of other sources"
    if count(Outcome.SKIPPED):
        counts += f", {count(Outcome.SKIPPED)} skipped"
    return counts


def summary_line(report: HarvestReport) -> str:
    """One line per source: how it ended, what it counted, how long it took."""
    counts = outcome_counts(report.count)
    if report.removed:
        counts += f" (of which {report.removed} no longer at the source)"
    took = f"{report.duration_seconds:.1f} s"
    if report.status is HarvestStatus.REFUSED:
        return f"{report.source}: not harvested: {report.errors[0] if report.errors else 'refused'}"
    work = f"{report.pages} pages, {report.records} records: {counts}"
    if report.status is HarvestStatus.SUCCEEDED:
        mode = " (full)" if report.full else (" (resumed)" if report.resumed else "")
        return f"{report.source}: harvested to the end{mode}, {work}, in {took}"
    reason = report.errors[-1] if report.errors else "stopped early"
    if not report.pages:
        return f"{report.source}: FAILED: {reason}; nothing stored, in {took}"
    return (f"{report.source}: FAILED: {reason}; so far {work}, in {took}; "
            "the next harvest continues from the last stored page")


@click.command("harvest")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--all", "all_sources", is_flag=True, help="Harvest every enabled source.")
@click.option("--full", is_flag=True,
              help="Re-harvest everything, and withdraw the records the source no longer has.")
@click.option("--from", "from_date", metavar="DATE",
              help="Ask for records changed since DATE (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ).")
def harvest_command(names: Sequence[str], all_sources: bool, full: bool, from_date: str | None) -> None:
    """Harvest the named sources (or --all); incremental unless --full or --from."""
    settings = command_settings()
    if names and all_sources:
        raise click.ClickException("name sources or use --all, not both")
    if not names and not all_sources:
        with store_sessions(settings) as sessions, sessions() as session:
            known = ", ".join(source.name for source in list_sources(session)) or "none yet"
        raise click.ClickException(f"name the sources to harvest, or use --all (sources: {known})")
    if names:
        _refuse_stopped_demo_sources(settings, names)
    reports: list[HarvestReport] = []
    with progress_bars() as bars:

        def finished(report: HarvestReport) -> None:
            bars.stop(report.source)
            reports.append(report)
            bars.echo(summary_line(report))
            for warning in report.warnings:
                bars.echo(f"{report.source}: warning: {warning}", err=True)

        harvest(settings, list(names) if names else None, full=full, from_date=from_date,
                progress=bars, on_start=bars.start, on_report=finished)
    if not reports:
        click.echo(_nothing_enabled(settings))
    if any(not report.ok for report in reports):
        raise click.exceptions.Exit(1)


def _refuse_stopped_demo_sources(settings: Settings, names: Sequence[str]) -> None:
    """A demo sample source whose replay is gone fails at once, saying why, not after minutes of retries."""
    with store_sessions(settings) as sessions, sessions() as session:
        stopped = [name for name in names
                   if (source := find_source(session, name)) is not None
                   and is_demo_source(source) and not demo_replay_is_up(source)]
    if stopped:
        raise click.ClickException(
            f"{', '.join(stopped)}: a sample source of the demo, served only while `oer demo` (make run) "
            "runs; start the demo to harvest it"
        )


def _nothing_enabled(settings: Settings) -> str:
    with store_sessions(settings) as sessions, sessions() as session:
        disabled = [source for source in list_sources(session) if not source.enabled]
    if not disabled:
        return "No enabled sources to harvest; add one with `oer sources add`."
    demo = sum(1 for source in disabled if is_demo_source(source))
    why = (" (the demo's sample sources, harvested only while `oer demo` runs)" if demo == len(disabled)
           else "")
    listed = ", ".join(source.name for source in disabled)
    return f"No enabled sources to harvest; disabled: {listed}{why}."


def renormalize_line(report: RenormalizeReport) -> str:
    counts = outcome_counts(report.count)
    kept = f"; {report.withdrawn} withdrawn records left alone" if report.withdrawn else ""
    return (f"{report.source}: re-normalised {report.records} records from the archive: {counts}{kept}, "
            f"in {report.duration_seconds:.1f} s")


@click.command("renormalize")
@click.argument("names", nargs=-1, metavar="[NAME]...")
def renormalize_command(names: Sequence[str]) -> None:
    """Rebuild the records of the named sources (default: all) from the raw archive, offline."""
    with progress_bars(pages=False) as bars:

        def finished(report: RenormalizeReport) -> None:
            bars.stop(report.source)
            bars.echo(renormalize_line(report))
            if report.index.error is not None:
                bars.echo(
                    f"{report.source}: warning: search index unavailable ({report.index.error}); "
                    f"{report.index.pending} resources wait for indexing: the next harvest or "
                    "`oer reindex` sends them",
                    err=True,
                )

        reports = renormalize(command_settings(), list(names) or None, progress=bars.records, on_report=finished)
    if not reports:
        click.echo("No sources; add one with `oer sources add`.")


commands = [harvest_command, renormalize_command]
