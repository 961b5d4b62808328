"""`oer demo` end to end, as a user runs it: the console script, a fresh OER_HOME, loopback HTTP."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from benchmarks import sample
from oer.accounts.actor import can_publish_for
from oer.accounts.queries import get_organisation, load_actor
from oer.accounts.service import check_sign_in
from oer.demo import DEMO_ACCOUNTS_FILE, sample_replay, sample_sources
from oer.harvesting.models import Provenance
from oer.harvesting.sources import add_source
from oer.settings import Settings
from oer.store.database import create_engine_from_settings, migrate, session_factory

OER = str(Path(sys.executable).with_name("oer"))
SOURCES = ("wikiwijs-sample", "schoolrepo-sample")
# The deleted header of the real Edurep page (initial.0).
EDUREP_DELETED = "surfsharekit:oai:surfsharekit.nl:3d2940a0-9573-412e-8fa2-067c55e2a72f"


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str


def oer(home: Path, *args: str, timeout: float = 120) -> Ran:
    env = {key: value for key, value in os.environ.items() if not key.startswith("OER_")}
    env["OER_HOME"] = str(home)
    completed = subprocess.run([OER, *args], env=env, capture_output=True, text=True, timeout=timeout,
                               check=False)
    return Ran(completed.returncode, completed.stdout, completed.stderr)


def search(home: Path, *filters: str, size: int = 100) -> dict[str, Any]:
    args = ["search", "--json", "--size", str(size)]
    for spec in filters:
        args += ["--filter", spec]
    ran = oer(home, *args)
    assert ran.code == 0, ran.stderr
    return dict(json.loads(ran.stdout))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Ran]:
    home = tmp_path_factory.mktemp("demo") / "instance"
    ran = oer(home, "demo", "--no-serve")
    assert ran.code == 0, ran.stdout + ran.stderr
    assert "Traceback" not in ran.stderr
    return home, ran


@pytest.fixture(scope="module")
def demo_home(demo_run: tuple[Path, Ran]) -> Iterator[Path]:
    yield demo_run[0]


def printed_accounts(stdout: str) -> dict[str, str]:
    return dict(re.findall(r"^  (\S+@\S+)  password (\S+)  \(", stdout, flags=re.MULTILINE))


def test_the_demo_prints_a_teacher_and_an_editor_who_can_sign_in(demo_run: tuple[Path, Ran]) -> None:
    home, ran = demo_run
    accounts = printed_accounts(ran.stdout)
    assert set(accounts) == {"lotte.leraar@demoschool.example.org", "ruben.redacteur@demoschool.example.org"}
    assert (home / DEMO_ACCOUNTS_FILE).stat().st_mode & 0o077 == 0, "only its owner may read the passwords"
    settings = Settings.from_env({"OER_HOME": str(home)})
    engine = create_engine_from_settings(settings)
    try:
        with session_factory(engine).begin() as session:
            for email, password in accounts.items():
                user_id = check_sign_in(session, email, password)
                actor = load_actor(session, user_id)
                school = get_organisation(session, "demoschool-de-brug")
                may_publish = can_publish_for(actor, school.id)
                assert may_publish is email.startswith("ruben"), email
    finally:
        engine.dispose()
    again = oer(home, "demo", "--no-serve")
    assert again.code == 0, again.stderr
    assert printed_accounts(again.stdout) == accounts, "a second run prints the same, working passwords"


def test_demo_harvests_the_sample_from_both_sources(demo_home: Path) -> None:
    everything = search(demo_home)
    assert everything["total"] >= 100
    per_source = everything["facets"]["source"]
    assert set(per_source) == set(SOURCES)
    for name in SOURCES:
        assert search(demo_home, f"source={name}", size=0)["total"] == per_source[name] > 0
    # 71 + 11 Wikiwijs-sample and 37 school materials, 3 of them listed by both; and the one
    # material the demo school published itself (no harvest source).
    assert per_source == {"wikiwijs-sample": 82, "schoolrepo-sample": 37}
    assert everything["total"] == 116 + 1


def test_the_demo_school_publishes_a_material_of_its_own_once(demo_run: tuple[Path, Ran]) -> None:
    home, ran = demo_run
    [line] = [line for line in ran.stdout.splitlines() if line.startswith("Published by the demo school:")]
    resource_id = line.rsplit("/", 1)[-1]
    hits = search(home, "educational_objectives=1ed1e736-c541-4b47-9061-34117d70c859")["hits"]
    assert [hit["id"] for hit in hits] == [resource_id]
    again = oer(home, "demo", "--no-serve")
    assert again.code == 0, again.stderr
    assert line in again.stdout.splitlines(), "a second run keeps the same material (by its identifier)"


def test_generated_materials_are_labelled_in_search(demo_home: Path) -> None:
    school = search(demo_home, "source=schoolrepo-sample")["hits"]
    # The real Edurep video the school lists too shows Edurep's record: the source that brought a
    # material keeps what it shows (the school's record is its copy beside it).
    unlabelled = [hit["title"] for hit in school if sample.LABEL_KEYWORD not in hit["keywords"]]
    assert unlabelled == ["02. How big is big history?"]
    labelled = search(demo_home, "source=wikiwijs-sample")["hits"]
    generated = [hit for hit in labelled if sample.LABEL_KEYWORD in hit["keywords"]]
    real = [hit for hit in labelled if sample.LABEL_KEYWORD not in hit["keywords"]]
    assert len(generated) == len(sample.WIKIWIJS)
    assert len(real) == 11
    assert {hit["title"] for hit in real} >= {"Using a Vortex | Wageningen UR", "Exercises 5"}


def test_a_material_two_sources_list_is_one_resource_with_both(demo_home: Path) -> None:
    both = [hit for hit in search(demo_home, "source=schoolrepo-sample")["hits"]
            if set(hit["source"]) == set(SOURCES)]
    assert len(both) == 3
    titles = search(demo_home, "source=wikiwijs-sample")["hits"]
    assert {hit["id"] for hit in both} <= {hit["id"] for hit in titles}


def test_deleted_records_are_not_in_the_catalogue(demo_home: Path) -> None:
    settings = Settings.from_env({"OER_HOME": str(demo_home)})
    engine = create_engine_from_settings(settings)
    try:
        with session_factory(engine)() as session:
            deleted = [*sample.WIKIWIJS_DELETED, *sample.SCHOOL_DELETED, EDUREP_DELETED]
            live = session.scalar(select(func.count()).select_from(Provenance).where(
                Provenance.oai_identifier.in_(deleted), Provenance.deleted.is_(False)))
            assert live == 0
    finally:
        engine.dispose()
    # What is searchable is exactly the live records (119 listed, 3 of them twice) and the
    # demo school's own published material.
    assert search(demo_home, size=0)["total"] == len(sample.WIKIWIJS) + 11 + len(sample.SCHOOL) - 3 + 1


def test_running_the_demo_again_reuses_the_instance(demo_home: Path) -> None:
    before = search(demo_home, size=0)
    ran = oer(demo_home, "demo", "--no-serve")
    assert ran.code == 0, ran.stdout + ran.stderr
    for name in SOURCES:
        assert f"{name}: already registered" in ran.stdout
    assert "82 unchanged" in ran.stdout and "37 unchanged" in ran.stdout
    assert " 0 created" in ran.stdout
    after = search(demo_home, size=0)
    assert after["total"] == before["total"]
    assert after["facets"]["source"] == before["facets"]["source"]


def test_after_the_demo_its_sample_sources_are_named_as_such_and_fail_at_once(demo_home: Path) -> None:
    # The demo above ran with --no-serve: its replay, and with it the sample sources' URLs, are gone.
    everything = oer(demo_home, "harvest", "--all")
    assert everything.code == 0, everything.stderr
    assert everything.stdout.strip() == (
        f"No enabled sources to harvest; disabled: {', '.join(sorted(SOURCES))} "
        "(the demo's sample sources, harvested only while `oer demo` runs)."
    )
    started = time.monotonic()
    one = oer(demo_home, "harvest", SOURCES[0])
    assert one.code != 0 and time.monotonic() - started < 20, "no minutes of retries"
    [line] = one.stderr.strip().splitlines()
    assert "a sample source of the demo, served only while `oer demo` (make run) runs" in line
    listed = oer(demo_home, "sources", "list")
    assert listed.stdout.count("demo sample") == len(SOURCES)
    assert all(source["demo"] and not source["enabled"]
               for source in json.loads(oer(demo_home, "sources", "list", "--json").stdout))


def test_a_taken_port_is_a_one_line_error_before_any_work(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ran = oer(tmp_path / "instance", "demo", "--port", str(port))
    assert ran.code != 0
    assert f"cannot serve on 127.0.0.1:{port}" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert not (tmp_path / "instance").exists()


def test_a_users_own_source_with_a_sample_name_is_left_alone(tmp_path: Path) -> None:
    home = tmp_path / "instance"
    settings = Settings.from_env({"OER_HOME": str(home), "OER_SECRET_KEY": "test"})
    home.mkdir()
    migrate(settings)
    engine = create_engine_from_settings(settings)
    try:
        with session_factory(engine).begin() as session:
            add_source(session, "wikiwijs-sample", "https://wszoeken.edurep.kennisnet.nl/edurep/oai",
                       "lom", "wikiwijsmaken")
    finally:
        engine.dispose()
    ran = oer(home, "demo", "--no-serve")
    assert ran.code != 0
    assert "a source named 'wikiwijs-sample' already exists" in ran.stderr
    assert "Traceback" not in ran.stderr


def test_the_replay_serves_every_sample_source_under_its_own_path() -> None:
    with sample_replay() as replay:
        base_url = replay.base_url
        for source in sample_sources():
            with urllib.request.urlopen(f"{base_url}{source.path}?verb=Identify", timeout=10) as answer:
                assert b"<Identify>" in answer.read()
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{base_url}/oai?verb=Identify", timeout=10)
    # Stopped at the end of the block.
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{base_url}{source.path}?verb=Identify", timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def http_get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", errors="replace")


@pytest.mark.slow
def test_demo_serves_the_harvested_sample_until_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "demo.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith("OER_")}
    env["OER_HOME"] = str(tmp_path / "instance")
    with log.open("wb") as output:
        # Its own session, so the Ctrl-C below reaches the demo and its server's workers, as a
        # terminal's would, and nothing else.
        demo = subprocess.Popen([OER, "demo", "--port", str(port)], env=env, stdout=output,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while f"Serving on http://127.0.0.1:{port}/" not in log.read_text(errors="replace"):
            assert demo.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
        status = None
        while status != 200 and time.monotonic() < deadline:
            try:
                status, _ = http_get(port, "/healthz")
            except OSError:
                time.sleep(0.2)
        status, body = http_get(port, "/api/v1/resources?q=breuken&contexts=PO")
        assert status == 200, body
        found = json.loads(body)
        assert "Breuken vergelijken met de breukenstok" in {item["title"] for item in found["items"]}
        status, body = http_get(port, "/search?q=breuken")
        assert status == 200, body[:500]
        # Without the highlighting markup around the matched words.
        assert "Breuken vergelijken met de breukenstok" in re.sub(r"<[^>]+>", "", body)
        os.killpg(demo.pid, signal.SIGINT)
        assert demo.wait(timeout=30) == 0
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
    output_text = log.read_text(errors="replace")
    assert "Searchable: 117 materials" in output_text
    assert "3 found in more than one source, shown once; 1 published here" in output_text
    assert "Traceback" not in output_text


def test_the_demo_ships_quality_information_and_two_collections(demo_run: tuple[Path, Ran]) -> None:
    home, ran = demo_run
    [line] = [line for line in ran.stdout.splitlines() if line.startswith("Collections:")]
    assert "/collecties/rekenen-in-het-po" in line and "/collecties/keuze-van-de-brug" in line
    # The profile's filters work on a fresh clone: criteria by several roles, and a threshold.
    annotated = search(home, size=0)["facets"]["quality"]
    assert {"kerndoelen.aansluiting", "vakinhoud.juistheid", "werkbaarheid.begrijpelijk"} <= set(annotated)
    assert search(home, "quality_detail=vakinhoud.juistheid/redactie>=goed", size=0)["total"] == 1
    settings = Settings.from_env({"OER_HOME": str(home)})
    engine = create_engine_from_settings(settings)
    try:
        from oer.feed.repository import DatabaseFeedRepository
        from oer.quality.queries import pending_count

        with session_factory(engine)() as session:
            feed = DatabaseFeedRepository(session)
            specs = {s.spec for s in feed.list_sets()}
            assert {"curated", "collection:rekenen-in-het-po", "collection:keuze-van-de-brug"} <= specs
            curated = feed.list_items("curated", None, None, None, 100)
            # The redactie's collection (the published material and three harvested) and the one with a
            # redactie annotation (the first of them): four.
            assert len(curated) == 4 and not any(entry.deleted for entry in curated)
            assert any(entry.record and entry.record.annotations for entry in curated)
            assert feed.count_items("collection:keuze-van-de-brug", None, None) == 3
            assert pending_count(session) == 1, "a parent's feedback waits in the moderation queue"
    finally:
        engine.dispose()
