"""Harvest runs and checkpoints: what a resumable, reportable harvest needs kept."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from harvester.outcome import Outcome
from oer.harvesting.checkpoints import (
    clear_checkpoint,
    load_checkpoint,
    save_checkpoint,
)
from oer.harvesting.models import (
    ErrorKind,
    ErrorSeverity,
    ErrorStage,
    RunStatus,
    Source,
)
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from oer.harvesting.queries import count_run_errors, run_errors, source_errors
from oer.harvesting.runs import (
    RunErrorEntry,
    add_run_error,
    add_run_errors,
    finish_run,
    last_successful_run,
    latest_run,
    list_runs,
    record_page,
    start_run,
)
from tests.support.store import make_record

FROM = datetime(2024, 1, 1, tzinfo=UTC)
UNTIL = datetime(2024, 2, 1, 12, 30, tzinfo=UTC)


def test_checkpoint_round_trip(store_sessions: sessionmaker[Session], edurep: Source) -> None:
    with store_sessions.begin() as session:
        source = session.get(Source, edurep.id)
        assert load_checkpoint(session, source) is None
        run = start_run(session, source, window_from=FROM, window_until=UNTIL)
        save_checkpoint(
            session,
            source,
            run=run,
            resumption_token="token-1",
            cursor=200,
            complete_list_size=1000,
            window_from=FROM,
            window_until=UNTIL,
            last_datestamp=datetime(2024, 1, 15, 8, 0, 1, tzinfo=UTC),
            pages=1,
            state={"full": False, "complete": False, "records": 200, "list_from": None},
        )
        run_id = run.id
    with store_sessions.begin() as session:
        source = session.get(Source, edurep.id)
        save_checkpoint(
            session, source, run=None, resumption_token="token-2", cursor=400, pages=2,
            state={"full": False, "complete": True, "records": 400, "list_from": "2024-01-01"},
        )

    # A new process (a new session) finds exactly what was committed last.
    with store_sessions() as session:
        state = load_checkpoint(session, session.get(Source, edurep.id))
    assert state is not None
    assert (state.resumption_token, state.cursor, state.pages, state.run_id) == ("token-2", 400, 2, None)
    assert state.state == {"full": False, "complete": True, "records": 400, "list_from": "2024-01-01"}
    with store_sessions.begin() as session:
        source = session.get(Source, edurep.id)
        first = save_checkpoint(
            session, source, run=session.get(type(run), run_id), resumption_token="token-3",
            window_from=FROM, window_until=UNTIL, last_datestamp=UNTIL,
        )
    assert (first.window_from, first.window_until, first.last_datestamp) == (FROM, UNTIL, UNTIL)
    assert first.run_id == run_id and first.state is None
    with store_sessions.begin() as session:
        clear_checkpoint(session, session.get(Source, edurep.id))
    with store_sessions() as session:
        assert load_checkpoint(session, session.get(Source, edurep.id)) is None


def test_checkpoint_rolls_back_with_its_page(
    store_sessions: sessionmaker[Session], edurep: Source
) -> None:
    with store_sessions() as session:
        source = session.get(Source, edurep.id)
        apply_harvested_page(session, source, [HarvestedRecord("x:1", "2024-01-01", make_record())])
        save_checkpoint(session, source, run=None, resumption_token="t", pages=1)
        session.rollback()
    with store_sessions() as session:
        assert load_checkpoint(session, session.get(Source, edurep.id)) is None


def test_run_counts_pages_and_outcomes(store_session: Session, edurep: Source) -> None:
    run = start_run(store_session, edurep, full=True, window_until=UNTIL)
    page = apply_harvested_page(
        store_session,
        edurep,
        [
            HarvestedRecord("x:1", "2024-01-01", make_record()),
            HarvestedRecord("x:2", "2024-01-01", make_record()),
            HarvestedRecord("x:3", "2024-01-01", deleted=True),
            HarvestedRecord("x:4", "2024-01-01", failure="not LOM"),
        ],
    )
    record_page(store_session, run, page, response_date=UNTIL)
    record_page(store_session, run, page, response_date=FROM)
    add_run_error(store_session, run, "not LOM", severity=ErrorSeverity.ERROR, stage=ErrorStage.NORMALIZE,
                  kind=ErrorKind.RECORD, oai_identifier="x:4")
    finish_run(store_session, run, RunStatus.SUCCEEDED)
    store_session.commit()
    store_session.expire_all()

    [stored] = list_runs(store_session, edurep)
    assert stored.status is RunStatus.SUCCEEDED and stored.full
    assert (stored.pages, stored.created, stored.skipped, stored.failed) == (2, 4, 2, 2)
    assert (stored.updated, stored.unchanged, stored.deleted) == (0, 0, 0)
    assert stored.response_date == UNTIL, "the first page's responseDate is kept"
    [error] = run_errors(store_session, stored.id)
    assert (error.oai_identifier, error.message, error.text) == ("x:4", "not LOM", "x:4: not LOM")
    assert error.to_dict()["kind"] == "record", "the old JSON entry's kind, for existing readers"
    assert stored.duration_seconds is not None and stored.duration_seconds >= 0
    assert page.count(Outcome.CREATED) == 2


def test_interrupted_runs_and_last_successful_run(store_session: Session, edurep: Source) -> None:
    done = start_run(store_session, edurep)
    finish_run(store_session, done, RunStatus.SUCCEEDED)
    crashed = start_run(store_session, edurep)
    store_session.commit()

    current = start_run(store_session, edurep)
    store_session.commit()

    assert crashed.status is RunStatus.INTERRUPTED and crashed.finished_at is not None
    assert latest_run(store_session, edurep) is current
    assert last_successful_run(store_session, edurep) is done
    assert last_successful_run(store_session, edurep, full=True) is None
    add_run_error(store_session, current, "503 for 10 minutes", severity=ErrorSeverity.FATAL,
                  stage=ErrorStage.FETCH, kind=ErrorKind.HTTP)
    finish_run(store_session, current, RunStatus.FAILED)
    assert [e.to_dict()["kind"] for e in run_errors(store_session, current.id)] == ["fatal"]
    assert run_errors(store_session, crashed.id) == [], "an interrupted run records no error of its own"


def _record_errors(count: int, prefix: str = "x") -> list[RunErrorEntry]:
    return [RunErrorEntry(ErrorSeverity.ERROR, ErrorStage.NORMALIZE, ErrorKind.RECORD, "not LOM",
                          oai_identifier=f"{prefix}:{n}") for n in range(count)]


def test_every_run_error_is_a_row_uncapped_and_counted_exactly(store_session: Session, edurep: Source) -> None:
    run = start_run(store_session, edurep)
    # More than the 200 entries the old JSON list kept.
    assert add_run_errors(store_session, run, _record_errors(250)) == 250
    store_session.commit()

    assert count_run_errors(store_session, run.id) == 250
    listed = run_errors(store_session, run.id)
    assert [e.oai_identifier for e in listed] == [f"x:{n}" for n in range(250)], "in recorded order"
    assert [e.oai_identifier for e in run_errors(store_session, run.id, limit=3)] == ["x:0", "x:1", "x:2"]


def test_errors_are_queryable_per_run_and_per_source_latest_first(
    store_session: Session, edurep: Source, school: Source
) -> None:
    other = school
    first = start_run(store_session, edurep)
    add_run_errors(store_session, first, _record_errors(2, "first"))
    finish_run(store_session, first, RunStatus.SUCCEEDED)
    elsewhere = start_run(store_session, other)
    add_run_errors(store_session, elsewhere, _record_errors(1, "elsewhere"))
    second = start_run(store_session, edurep)
    add_run_error(store_session, second, "source unavailable after 6 attempts: connection failed",
                  severity=ErrorSeverity.FATAL, stage=ErrorStage.FETCH, kind=ErrorKind.NETWORK)
    finish_run(store_session, second, RunStatus.FAILED)
    store_session.commit()

    assert [e.oai_identifier for e in run_errors(store_session, first.id)] == ["first:0", "first:1"]
    latest = source_errors(store_session, edurep.id)
    assert [(e.run_id, e.oai_identifier) for e in latest] == [
        (second.id, None), (first.id, "first:1"), (first.id, "first:0"),
    ]
    assert all(e.source_id == edurep.id for e in latest)
    assert [e.run_id for e in source_errors(store_session, edurep.id, limit=1)] == [second.id]
    fatal_only = source_errors(store_session, edurep.id, severities=frozenset({ErrorSeverity.FATAL}))
    assert [e.kind for e in fatal_only] == [ErrorKind.NETWORK]
    assert [e.oai_identifier for e in source_errors(store_session, other.id)] == ["elsewhere:0"]


def test_a_runs_errors_go_with_the_run_and_with_the_source(store_session: Session, edurep: Source) -> None:
    run = start_run(store_session, edurep)
    add_run_errors(store_session, run, _record_errors(3))
    store_session.commit()

    store_session.delete(run)
    store_session.commit()
    assert source_errors(store_session, edurep.id) == []

    again = start_run(store_session, edurep)
    add_run_errors(store_session, again, _record_errors(1))
    store_session.commit()
    store_session.delete(store_session.get(Source, edurep.id))
    store_session.commit()
    assert source_errors(store_session, edurep.id) == []
