"""The environment the tests run in is the lock: every pinned version installed, nothing else in CI.

A fresh machine resolves nothing anew: `make install-test` installs
`requirements/test.txt` with `--require-hashes`, then the project itself
without dependencies. This compares what is installed with that lock, so every
CI run on a clean clone shows that it installed exactly the locked versions.
"""

from __future__ import annotations

import os
import re
import sysconfig
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
TEST_LOCK = ROOT / "requirements" / "test.txt"
# A requirement line of the lock: `name==version [; marker] \` (hash lines follow it).
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*==[^\s\\;]+(?:\s*;[^\\]+)?)")


def locked() -> dict[str, str]:
    """name -> version of every lock entry that applies to this interpreter and platform."""
    pins: dict[str, str] = {}
    for line in TEST_LOCK.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match is None:
            continue
        requirement = Requirement(match.group(1).strip())
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        [specifier] = requirement.specifier
        pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


def installed() -> dict[str, str]:
    """name -> version of what pip installed into this environment.

    Only site-packages is read: once something imports setuptools, its vendored
    copies (setuptools/_vendor, with their own packaging and wheel) are on
    sys.path too, and would be mistaken for installed packages.
    """
    site = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    return {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in metadata.distributions(path=site)
        if dist.metadata["Name"]
    }


def test_every_locked_package_is_installed_at_its_locked_version() -> None:
    pins, present = locked(), installed()
    assert len(pins) > 50, "the lock was not read"
    wrong = {
        name: (version, present.get(name)) for name, version in pins.items() if present.get(name) != version
    }
    assert wrong == {}, "name: (locked version, installed version)"


def test_nothing_outside_the_lock_is_installed_in_ci() -> None:
    # Only CI's environment is guaranteed to be made by `make install-test` alone; a
    # developer's venv may hold a tool of their own.
    if os.environ.get("CI") != "true":
        pytest.skip("outside CI the venv may hold a developer's own tools")
    extra = set(installed()) - set(locked()) - {canonicalize_name("oer-repository")}
    assert extra == set()
