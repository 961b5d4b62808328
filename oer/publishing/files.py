"""Where uploaded files are kept: content-addressed storage behind one interface. I/O: filesystem.

`FileStorage` is the interface (so object storage can follow); `LocalFileStorage`
keeps each file once, under `OER_HOME/files/ab/cd/<sha256>`, named by the
SHA-256 of its bytes. `store` streams an upload to a temporary file while
hashing it and counting its size, refuses it past the size limit without
keeping anything, sniffs its type from the first bytes
(`oer.publishing.filetypes`) and only then moves it into place, so a refused or
interrupted upload leaves nothing behind and the same bytes uploaded twice are
stored once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, Protocol

from oer.publishing.errors import UploadRefused
from oer.publishing.filetypes import SNIFF_BYTES, sniff

CHUNK_BYTES = 1024 * 1024
NAME_LENGTH = 200


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file that belongs to a material: its digest, size, sniffed type and the name it was given."""

    sha256: str
    size: int
    media_type: str
    name: str

    def to_dict(self) -> dict[str, str | int]:
        return {"sha256": self.sha256, "size": self.size, "media_type": self.media_type, "name": self.name}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> StoredFile:
        return cls(str(data["sha256"]), int(str(data["size"])), str(data["media_type"]), str(data["name"]))


class FileStorage(Protocol):
    """Content-addressed file storage."""

    def store(self, stream: IO[bytes], name: str, *, max_bytes: int) -> StoredFile:
        """Keep the stream's bytes; raises UploadRefused (too large, empty, a type not allowed)."""

    def open(self, sha256: str) -> BinaryIO:
        """The stored bytes; raises FileNotFoundError."""

    def exists(self, sha256: str) -> bool: ...


def clean_file_name(name: str) -> str:
    """A file name fit to show and to offer as a download name: no path, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    if len(cleaned) > NAME_LENGTH:
        stem, dot, extension = cleaned.rpartition(".")
        cleaned = (stem[: NAME_LENGTH - len(extension) - 1] + dot + extension) if dot and len(extension) < 10 \
            else cleaned[:NAME_LENGTH]
    return cleaned or "bestand"


class LocalFileStorage:
    """Files under a directory, named by their SHA-256 (`ab/cd/abcd...`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(ch not in "0123456789abcdef" for ch in sha256):
            raise FileNotFoundError(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        try:
            return self._path(sha256).is_file()
        except FileNotFoundError:
            return False

    def open(self, sha256: str) -> BinaryIO:
        return self._path(sha256).open("rb")

    def store(self, stream: IO[bytes], name: str, *, max_bytes: int) -> StoredFile:
        name = clean_file_name(name)
        incoming = self.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        with _temporary(incoming) as (handle, temporary):
            digest = hashlib.sha256()
            size = 0
            head = b""
            while chunk := stream.read(CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRefused(
                        name, f"{name} is groter dan {max_bytes // (1024 * 1024)} MB.",
                        f"{name} is larger than {max_bytes // (1024 * 1024)} MB.")
                if len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                digest.update(chunk)
                handle.write(chunk)
            if size == 0:
                raise UploadRefused(name, f"{name} is leeg.", f"{name} is empty.")
            sniffed = sniff(head, name)
            if not sniffed.allowed:
                raise UploadRefused(name, f"{name}: {sniffed.refusal}", f"{name}: {sniffed.refusal_en}")
            handle.flush()
            os.fsync(handle.fileno())
            sha256 = digest.hexdigest()
            target = self._path(sha256)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(temporary, target)
        return StoredFile(sha256, size, sniffed.media_type, name)


@contextmanager
def _temporary(directory: Path) -> Iterator[tuple[BinaryIO, Path]]:
    descriptor, name = tempfile.mkstemp(dir=directory, prefix="upload-")
    path = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle, path
    finally:
        path.unlink(missing_ok=True)
