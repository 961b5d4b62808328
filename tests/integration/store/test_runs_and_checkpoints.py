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
from oer.harvesting.models import RunStatus, Source
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from oer.harvesting.runs import (
    MAX_RUN_ERRORS,
    add_run_error,
    finish_run,
    last_successful_run,
    latest_run,
    list_runs,
    record_page,
    start_run,
)
from tests.integration.store.conftest import make_record

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
    add_run_error(store_session, run, "x:4: not LOM", kind="record")
    finish_run(store_session, run, RunStatus.SUCCEEDED)
    store_session.commit()
    store_session.expire_all()

    [stored] = list_runs(store_session, edurep)
    assert stored.status is RunStatus.SUCCEEDED and stored.full
    assert (stored.pages, stored.created, stored.skipped, stored.failed) == (2, 4, 2, 2)
    assert (stored.updated, stored.unchanged, stored.deleted) == (0, 0, 0)
    assert stored.response_date == UNTIL, "the first page's responseDate is kept"
    assert [e["message"] for e in stored.errors] == ["x:4: not LOM"]
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
    finish_run(store_session, current, RunStatus.FAILED, error="503 for 10 minutes")
    assert current.errors[-1]["kind"] == "fatal"


def test_run_errors_are_bounded(store_session: Session, edurep: Source) -> None:
    run = start_run(store_session, edurep)
    for n in range(MAX_RUN_ERRORS + 5):
        add_run_error(store_session, run, f"error {n}")
    store_session.commit()
    assert len(run.errors) == MAX_RUN_ERRORS
