"""Uploads: sniffed by content, refused when too large, empty, disguised or not allowed; stored once."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from oer.publishing.errors import UploadRefused
from oer.publishing.files import LocalFileStorage, clean_file_name
from oer.publishing.filetypes import sniff

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + b"0" * 2000
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(document.domain)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


@pytest.mark.parametrize(("content", "name", "media_type"), [
    (PDF, "les.pdf", "application/pdf"), (PNG, "plaatje.png", "image/png"), (HTML, "les.html", "text/html"),
    (SVG, "figuur.svg", "image/svg+xml"), (b"naam;leeftijd\nAnna;9\n", "klas.csv", "text/plain"),
    (PDF, "zonder-extensie", "application/pdf"), ("Één les".encode(), "uitleg.txt", "text/plain"),
])
def test_allowed_types_are_sniffed_from_the_content(content: bytes, name: str, media_type: str) -> None:
    sniffed = sniff(content, name)
    assert (sniffed.media_type, sniffed.allowed) == (media_type, True)


@pytest.mark.parametrize(("content", "name"), [
    (EXE, "les.pdf"), (EXE, "les.exe"), (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "script"),
    (HTML, "les.pdf"), (PDF, "foto.jpg"), (b"\x00\x01\x02garbage\x00", "data.bin"),
])
def test_programs_unknown_binaries_and_disguised_files_are_refused(content: bytes, name: str) -> None:
    sniffed = sniff(content, name)
    assert not sniffed.allowed and sniffed.refusal and sniffed.refusal_en


def test_a_file_is_stored_once_under_its_digest(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path / "files")
    first = storage.store(io.BytesIO(PDF), "Les 1.pdf", max_bytes=10_000)
    second = storage.store(io.BytesIO(PDF), "kopie.pdf", max_bytes=10_000)
    assert first.sha256 == second.sha256 and (first.name, second.name) == ("Les 1.pdf", "kopie.pdf")
    assert (first.size, first.media_type) == (len(PDF), "application/pdf")
    with storage.open(first.sha256) as stored:
        assert stored.read() == PDF
    files = [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
    assert [p.name for p in files] == [first.sha256]


@pytest.mark.parametrize(("content", "limit", "says"), [
    (PDF, 100, "larger than"), (b"", 100, "empty"), (EXE, 10_000, "cannot be published"),
])
def test_a_refused_upload_leaves_nothing_behind(tmp_path: Path, content: bytes, limit: int, says: str) -> None:
    storage = LocalFileStorage(tmp_path / "files")
    with pytest.raises(UploadRefused, match=says) as refused:
        storage.store(io.BytesIO(content), "les.pdf", max_bytes=limit)
    assert refused.value.message_nl
    assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == []


def test_names_lose_paths_and_control_characters() -> None:
    assert clean_file_name("../../etc/passwd") == "passwd"
    assert clean_file_name("C:\\Users\\x\\les\n1.pdf") == "les1.pdf"
    assert clean_file_name('"><script>.html') == "script.html"
    assert clean_file_name("") == "bestand"
    assert len(clean_file_name("a" * 300 + ".pdf")) == 200 and clean_file_name("a" * 300 + ".pdf").endswith(".pdf")


def test_an_unknown_digest_is_not_found(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    for digest in ("0" * 64, "../../secret", "A" * 64):
        assert not storage.exists(digest)
        with pytest.raises(FileNotFoundError):
            storage.open(digest)
