"""`oer sources`, `oer harvest` and `oer renormalize` through the real console-script group, and end to end."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from harvester.replay_pages import GeneratedCorpus
from oer.harvesting.models import RunStatus
from oer.harvesting.service import source_lock
from oer.harvesting.sources import get_source
from oer.settings import Settings
from oer.store.database import engine_of, store_sessions
from tests.fixtures.oai_server import edurep_pages
from tests.integration.harvesting.test_pipeline import DELETED_IN_DELTA, closed_port_url
from tests.support.cli import run_oer as oer
from tests.support.harvesting import StartServer, indexed, runs, stored

OER = Path(sys.executable).parent / "oer"




def one_line_error(result: Result) -> str:
    """The error a failed command printed: exactly one line, no traceback."""
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


# -- sources ---------------------------------------------------------------------------------------


def test_sources_add_list_and_remove(instance: Settings, oai_server: StartServer) -> None:
    server = oai_server(edurep_pages())

    added = oer(instance, "sources", "add", "edurep", server.url, "--prefix", "lom", "--set", "wikiwijsmaken",
                "--every", "60")
    assert added.exit_code == 0, added.output
    assert added.output.strip() == (
        f"Added source edurep: {server.url} (prefix lom, set wikiwijsmaken, every 60 minutes)"
    )
    listed = oer(instance, "sources", "list")
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.output.splitlines() if "edurep" in line)
    for cell in (server.url, "lom", "wikiwijsmaken", "never", "never harvested", "every 60 min"):
        assert cell in row

    assert oer(instance, "harvest", "edurep").exit_code == 0
    [source] = json.loads(oer(instance, "sources", "list", "--json").output)
    assert source["resources"] == 11 and source["health"] == "ok" and source["granularity"]
    assert source["last_run"]["status"] == "succeeded"
    assert (source["last_run"]["created"], source["last_run"]["pages"]) == (11, 2)
    row = next(line for line in oer(instance, "sources", "list").output.splitlines() if "edurep" in line)
    assert "succeeded" in row and "11/0/0/0/0/0" in row and " ok " in row

    removed = oer(instance, "sources", "remove", "edurep")
    assert removed.exit_code == 0, removed.output
    assert removed.output.strip() == (
        "Removed source edurep: 11 records withdrawn (11 resources now deleted, 0 still served by "
        "other sources); 12 archived records and 1 runs deleted"
    )
    assert not indexed(instance), "removed resources leave the search index"
    assert len(stored(instance).tombstones) == 11, "kept as deleted for the feed"
    assert "No sources yet" in oer(instance, "sources", "list").output


def test_sources_add_with_a_crontab_schedule(instance: Settings) -> None:
    added = oer(instance, "sources", "add", "nightly", "https://nightly.example.org/oai", "--cron", "0 3 * * *",
                "--no-probe")
    assert added.exit_code == 0, added.output
    assert added.output.strip().endswith("(prefix lom, set none, cron 0 3 * * * (Dutch time))")
    [source] = json.loads(oer(instance, "sources", "list", "--json").output)
    assert (source["schedule_cron"], source["schedule_minutes"]) == ("0 3 * * *", None)


@pytest.mark.parametrize(("args", "message"), [
    (["sources", "add", "x", "https://x.example.org/oai", "--cron", "daily"], "is not a five-field crontab"),
    (["sources", "add", "x", "https://x.example.org/oai", "--cron", "0 3 * * *", "--every", "5"], "not both"),
    (["sources", "add", "Bad Name", "https://x.example.org/oai"], "source name 'Bad Name'"),
    (["sources", "add", "x", "ftp://x.example.org/oai"], "is not an http(s) URL"),
    (["sources", "add", "x", "https://x.example.org/oai?verb=Identify"], "carries an OAI-PMH request"),
    (["sources", "add", "x", "https://x.example.org/oai", "--set", "a b"], "is not a valid OAI-PMH setSpec"),
    (["sources", "remove", "nope"], "no source named 'nope'"),
    (["harvest", "nope"], "no source named 'nope'"),
    (["harvest"], "name the sources to harvest, or use --all"),
    (["harvest", "x", "--all"], "name sources or use --all, not both"),
    (["renormalize", "nope"], "no source named 'nope'"),
])
def test_bad_input_gets_one_line(instance: Settings, args: list[str], message: str) -> None:
    assert message in one_line_error(oer(instance, *args))


def test_a_duplicate_source_is_refused(instance: Settings) -> None:
    assert oer(instance, "sources", "add", "x", "https://x.example.org/oai", "--no-probe").exit_code == 0
    assert "already exists" in one_line_error(oer(instance, "sources", "add", "x", "https://y.example.org/oai"))
    assert "already harvests" in one_line_error(oer(instance, "sources", "add", "y", "https://x.example.org/oai"))
    # Other spellings of the same endpoint are the same source.
    for spelling in ("HTTPS://X.example.org/oai", "https://x.example.org:443/oai/"):
        assert "already harvests" in one_line_error(oer(instance, "sources", "add", "z", spelling, "--no-probe"))


def test_sources_add_checks_the_address_and_asks_the_repository_first(
    instance: Settings, oai_server: StartServer,
) -> None:
    public_only = dataclasses.replace(instance, allow_private_sources=False)
    # Cloud metadata in every spelling, refused even where private addresses are allowed.
    for url in ("http://169.254.169.254/latest/meta-data", "http://0xa9fea9fe/oai", "http://2852039166/oai",
                "http://[::ffff:169.254.169.254]/oai", "http://169.254.169.254:80/oai/"):
        for settings in (public_only, instance):
            assert "link-local or cloud metadata" in one_line_error(oer(settings, "sources", "add", "meta", url))
    assert "OER_ALLOW_PRIVATE_SOURCES" in one_line_error(
        oer(public_only, "sources", "add", "redis", "http://localhost:6379/"))
    for url in ("http://x.example.org/o ai", "http://x.example.org/oai%0d%0aX-Injected:%20ja"):
        assert "no spaces or control characters" in one_line_error(oer(instance, "sources", "add", "x", url))

    server = oai_server(edurep_pages())
    offered = one_line_error(oer(instance, "sources", "add", "edurep", server.url, "--prefix", "oai_dc"))
    assert "does not offer metadataPrefix 'oai_dc' (it offers: lom)" in offered
    down = one_line_error(oer(instance, "sources", "add", "down", closed_port_url()))
    assert "no OAI-PMH repository answers" in down
    assert "No sources yet" in oer(instance, "sources", "list").output

    added = oer(instance, "sources", "add", "edurep", server.url.replace("http://", "HTTP://"))
    assert added.exit_code == 0, added.output
    assert [request.verb for request in server.received] == [
        "Identify", "ListMetadataFormats", "Identify", "ListMetadataFormats"]
    [source] = json.loads(oer(instance, "sources", "list", "--json").output)
    assert source["url"] == server.url


@pytest.mark.parametrize("args", [
    ["sources", "list"],
    ["sources", "add", "x", "https://x.example.org/oai"],
    ["sources", "remove", "x"],
    ["harvest", "x"],
    ["harvest", "--all"],
    ["renormalize"],
])
def test_every_command_on_an_uninitialised_instance_says_to_run_oer_init(tmp_path: Path, args: list[str]) -> None:
    settings = Settings.from_env({"OER_HOME": str(tmp_path / "home")})
    assert one_line_error(oer(settings, *args)).endswith("run `oer init`")
    assert not (tmp_path / "home" / "oer.sqlite3").exists(), "a command created an empty database"


def test_an_empty_database_is_not_initialised(empty_database_url: str, tmp_path: Path) -> None:
    if empty_database_url.startswith("sqlite"):
        # An empty file is an SQLite database without tables.
        Path(empty_database_url.split(":///", 1)[1]).touch()
    settings = Settings(home=tmp_path, database_url=empty_database_url, search_url=None, broker_url=None,
                        secret_key="test")
    assert one_line_error(oer(settings, "sources", "list")).endswith("is not initialised: run `oer init`")


# -- harvest -----------------------------------------------------------------------------------------


def test_harvest_exits_non_zero_when_a_source_could_not_be_harvested_to_the_end(
        instance: Settings, oai_server: StartServer) -> None:
    server = oai_server(GeneratedCorpus(12, page_size=5))
    assert oer(instance, "sources", "add", "down", closed_port_url(), "--no-probe").exit_code == 0
    assert oer(instance, "sources", "add", "good", server.url).exit_code == 0

    result = oer(instance, "harvest", "--all")

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("down: FAILED: source unavailable after 2 attempts")
    assert lines[1].startswith("good: harvested to the end, 3 pages, 12 records: 12 created, 0 updated, "
                               "0 unchanged, 0 deleted, 0 failed, in ")
    assert "Traceback" not in result.output
    assert [run.status for run in runs(instance, "down")] == [RunStatus.FAILED]
    health = {s["name"]: s["health"] for s in json.loads(oer(instance, "sources", "list", "--json").output)}
    assert health == {"down": "failing", "good": "ok"}


def test_records_that_fail_on_their_own_are_counted_and_do_not_fail_the_command(
        instance: Settings, oai_server: StartServer) -> None:
    corpus = GeneratedCorpus(6, page_size=10, record=lambda i: b"<nonsense/>" if i == 1 else
                             GeneratedCorpus(0).record(i))
    server = oai_server(corpus)
    assert oer(instance, "sources", "add", "odd", server.url).exit_code == 0

    result = oer(instance, "harvest", "odd", "--full")

    assert result.exit_code == 0, result.output
    assert "odd: harvested to the end (full), 1 pages, 6 records: 5 created, 0 updated, 0 unchanged, " \
           "0 deleted, 1 failed, in " in result.stdout


def test_run_errors_in_the_old_json_shape_and_per_source(instance: Settings, oai_server: StartServer) -> None:
    corpus = GeneratedCorpus(6, page_size=10, record=lambda i: b"<nonsense/>" if i == 1 else
                             GeneratedCorpus(0).record(i))
    assert oer(instance, "sources", "add", "odd", oai_server(corpus).url).exit_code == 0
    assert oer(instance, "sources", "add", "down", closed_port_url(), "--no-probe").exit_code == 0
    oer(instance, "harvest", "odd", "down")

    listed = {s["name"]: s for s in json.loads(oer(instance, "sources", "list", "--json").output)}
    [record] = listed["odd"]["last_run"]["errors"]
    # The keys and values readers of the old JSON list know, then the new ones.
    assert record["kind"] == "record" and record["message"].startswith(corpus.identifier(1) + ": ")
    assert datetime.fromisoformat(record["at"]).tzinfo is not None
    assert (record["severity"], record["stage"], record["cause"], record["oai_identifier"]) == (
        "error", "normalize", "record", corpus.identifier(1))
    assert listed["odd"]["last_run"]["error_count"] == 1
    [fatal] = listed["down"]["last_run"]["errors"]
    assert (fatal["kind"], fatal["stage"], fatal["cause"]) == ("fatal", "fetch", "network")

    shown = oer(instance, "sources", "errors", "down")
    assert shown.exit_code == 0, shown.output
    [line] = shown.output.splitlines()
    assert "fatal fetch/network: source unavailable after 2 attempts" in line
    [as_json] = json.loads(oer(instance, "sources", "errors", "odd", "--json").output)
    assert as_json["run_id"] == listed["odd"]["last_run"]["id"] and as_json["cause"] == "record"
    assert oer(instance, "sources", "add", "quiet", "https://quiet.example.org/oai", "--no-probe").exit_code == 0
    assert oer(instance, "sources", "errors", "quiet").output.strip() == "No harvest errors recorded for quiet."
    assert "no source named 'nope'" in one_line_error(oer(instance, "sources", "errors", "nope"))


def test_renormalize_works_with_the_source_gone(instance: Settings, oai_server: StartServer) -> None:
    server = oai_server(edurep_pages())
    assert oer(instance, "sources", "add", "edurep", server.url).exit_code == 0
    assert oer(instance, "harvest", "edurep").exit_code == 0
    server.stop()

    result = oer(instance, "renormalize", "edurep")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("edurep: re-normalised 12 records from the archive: 0 created, 0 updated, "
                                    "11 unchanged, 0 deleted, 0 failed, 1 skipped, in ")


# -- end to end: real processes, a fresh OER_HOME ---------------------------------------------------


def run_oer(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("OER_")}
    env["OER_HOME"] = str(home)
    # The sources are loopback servers.
    env["OER_ALLOW_PRIVATE_SOURCES"] = "1"
    done = subprocess.run([str(OER), *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"oer {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


def search(home: Path, *args: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(run_oer(home, "search", *args, "--json", "--size", "100").stdout)
    return result


def test_every_harvested_resource_is_searchable_with_oer_search(tmp_path: Path, oai_server: StartServer) -> None:
    home = tmp_path / "fresh"
    server = oai_server(edurep_pages())
    run_oer(home, "init")
    run_oer(home, "sources", "add", "edurep", server.url, "--prefix", "lom")

    run_oer(home, "harvest", "edurep")
    settings = Settings.from_env({"OER_HOME": str(home)})
    first = search(home, "")
    assert first["total"] == 11
    assert {hit["id"] for hit in first["hits"]} == set(stored(settings).live)

    run_oer(home, "harvest", "edurep")
    state = stored(settings)
    everything = search(home, "")
    assert everything["total"] == 13
    assert {hit["id"] for hit in everything["hits"]} == set(state.live)
    deleted = state.resource_of("edurep", DELETED_IN_DELTA)
    assert deleted not in {hit["id"] for hit in everything["hits"]}
    by_source = search(home, "", "--filter", "source=edurep")
    assert by_source["total"] == 13
    assert by_source["facets"]["source"] == {"edurep": 13}
    history = search(home, "history")
    assert "04. Can big history reunify all our knowledge?" in {
        hit["title"] for hit in history["hits"]}


def test_a_source_being_harvested_is_not_removed_or_renormalised(instance: Settings) -> None:
    assert oer(instance, "sources", "add", "busy", "https://busy.example.org/oai", "--no-probe").exit_code == 0
    with store_sessions(instance) as sessions:
        with sessions() as session:
            source = get_source(session, "busy")
        with source_lock(engine_of(sessions), source):
            removing = one_line_error(oer(instance, "sources", "remove", "busy"))
            renormalising = one_line_error(oer(instance, "renormalize", "busy"))
    assert "is being harvested by another process right now; it was not removed" in removing
    assert "it was not re-normalised" in renormalising
    assert oer(instance, "sources", "remove", "busy").exit_code == 0
