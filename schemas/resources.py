"""The one accessor for the files in the `schemas` data package. I/O: reads package data."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any


def path(name: str) -> Traversable:
    """The packaged file `name` (a '/'-separated path below `schemas/`)."""
    node = resources.files(__package__)
    for part in name.split("/"):
        node = node.joinpath(part)
    return node


def read_bytes(name: str) -> bytes:
    return path(name).read_bytes()


@cache
def load_json(name: str) -> Any:
    """Parse and cache a packaged JSON file; callers must not mutate the result."""
    return json.loads(read_bytes(name))
