"""The embedded index is read without writing to it: `oer search` on a read-only OER_HOME.

tantivy takes a lock file to read an index, so a home on a read-only file system (a backup
mounted read-only, a container image, a user who may only read) used to make every search fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from oer.search import SearchQuery
from oer.search import tantivy_backend as tantivy_module
from oer.search.tantivy_backend import TantivyBackend
from oer.settings import Settings
from tests.fixtures.search import make_document


def test_a_reader_that_may_not_write_reads_through_a_mirror_and_sees_later_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    directory = tmp_path / "index"
    owner = TantivyBackend.open(directory)
    owner.index([make_document("een", "Breuken vergelijken")])

    # This process may not write where the index lies (what access() says on a read-only mount).
    monkeypatch.setattr(tantivy_module, "_writable", lambda path: False)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    reader = TantivyBackend(directory)
    try:
        assert [hit.id for hit in reader.search(SearchQuery(text="breuken")).hits] == ["een"]
        [mirror] = scratch.iterdir()
        assert all(p.is_symlink() for p in mirror.iterdir() if not p.name.startswith(".tantivy"))

        # The owner commits more: the reader's next search sees it (new segments are linked in).
        owner.index([make_document("twee", "Breuken optellen")])
        assert sorted(hit.id for hit in reader.search(SearchQuery(text="breuken")).hits) == ["een", "twee"]
    finally:
        reader.close()
        owner.close()
    assert not mirror.exists(), "closing the reader removes its mirror"


def _read_only_run(home: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run `command` with `home` mounted read-only (a private mount namespace), or unwritable."""
    env = {**os.environ, "OER_HOME": str(home)}
    if os.geteuid() != 0:
        for path in [home, *home.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    unshare = shutil.which("unshare")
    if unshare is None:
        if os.environ.get("CI"):
            pytest.fail("unshare (util-linux) is needed to mount OER_HOME read-only as root")
        pytest.skip("unshare (util-linux) is needed to mount OER_HOME read-only as root")
    script = (f'mount --bind "{home}" "{home}" && mount -o remount,bind,ro "{home}" && '
              f'touch "{home}/probe" 2>/dev/null && exit 97; exec "$@"')
    return subprocess.run([unshare, "-m", "sh", "-c", script, "sh", *command], env=env,
                          capture_output=True, text=True, timeout=120)


def test_oer_search_works_on_a_read_only_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    settings = Settings.from_env({"OER_HOME": str(home)})
    backend = TantivyBackend.open(settings.index_dir)
    backend.index([make_document("po-1", "Breuken vergelijken", contexts="PO"),
                   make_document("vo-1", "Vulkanen", contexts="VO")])
    backend.close()
    before = sorted(str(p.relative_to(home)) for p in home.rglob("*"))

    # The console script, as an operator runs it.
    oer = str(Path(sys.executable).parent / "oer")
    done = _read_only_run(home, [oer, "search", "breuken", "--json"])
    assert done.returncode != 97, "the home was writable: the test would prove nothing"
    assert done.returncode == 0, done.stderr
    assert '"po-1"' in done.stdout and '"vo-1"' not in done.stdout
    assert sorted(str(p.relative_to(home)) for p in home.rglob("*")) == before
