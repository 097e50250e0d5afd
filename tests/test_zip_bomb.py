"""A .docx that inflates to gigabytes is refused in one line, before any part is read.

Regression (issue 10, item 7): `mou verify` on a 1 MB docx whose document.xml inflated
to gigabytes used 3.1 GB before libxml2 gave up. Every reader of a returned copy or a
template now checks the zip's directory against limits first.
"""

from __future__ import annotations

import os
import resource
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from mou.document import ooxml
from mou.store.workspace import Workspace
from tests.support.runner import ROOT, snapshot
from tests.support.workspaces import AUTHOR, draft, make_workspace

MB = 2**20
# A safety net for the machine, not the measure: on a build without the limits the
# child stops at this much address space instead of eating the machine's memory.
ADDRESS_SPACE = 3 * 1024 * MB
MODEST_KB = 400 * 1024  # peak resident memory of a refusal, with Python and lxml loaded

PREFIX = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>"
)
SUFFIX = b"</w:t></w:r></w:p></w:body></w:document>"
SMALL_PARTS = {  # enough of a Word package that python-docx goes on to read the body
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
    b'.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.'
    b'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="word/document.xml"/></Relationships>',
    "docProps/custom.xml": b'<?xml version="1.0"?><Properties xmlns="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/custom-properties"><property name="mou.agreement">'
    b"<lpwstr>x</lpwstr></property></Properties>",
}


def deflated_bomb(megabytes: int) -> tuple[bytes, int, int]:
    """A raw deflate stream of ``PREFIX``, ``megabytes`` MiB of spaces and ``SUFFIX``,
    with its CRC-32 and inflated size, built without compressing gigabytes: after a full
    flush the compressor starts afresh, so one compressed MiB can be repeated."""
    spaces = b" " * MB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(PREFIX) + compressor.flush(zlib.Z_FULL_FLUSH)
    chunk = compressor.compress(spaces) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(SUFFIX) + compressor.flush(zlib.Z_FINISH)
    crc = zlib.crc32(PREFIX)
    for _ in range(megabytes):
        crc = zlib.crc32(spaces, crc)
    crc = zlib.crc32(SUFFIX, crc)
    size = len(PREFIX) + megabytes * MB + len(SUFFIX)
    return head + chunk * megabytes + tail, crc, size


def zip_of(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of (name, raw deflate data, crc, inflated size), written by hand: zipfile
    cannot store data it did not compress itself."""
    body, directory = b"", b""
    for name, data, crc, size in entries:
        fields = (20, 0, 8, 0, 0, crc, len(data), size, len(name.encode()), 0)
        directory += struct.pack("<4s2H4H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, len(body))
        directory += name.encode()
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields) + name.encode() + data
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), len(body), 0
    )
    return body + directory + end


def small(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def bomb(path: Path, megabytes: int, declared: int | None = None) -> Path:
    """A docx whose document.xml inflates to ``megabytes`` MiB. When ``declared`` is
    given its directory lies: it says that many bytes, with the CRC of just those."""
    data, crc, size = deflated_bomb(megabytes)
    if declared is not None:
        size, crc = declared, zlib.crc32(PREFIX + b" " * (declared - len(PREFIX)))
    entries = [small(name, part) for name, part in SMALL_PARTS.items()]
    entries.append(("word/document.xml", data, crc, size))
    path.write_bytes(zip_of(entries))
    return path


def run_limited(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, int]:
    """Run mou with its address space capped; its output and its peak resident KB."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MOU_WORKSPACE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "mou", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=cap,
    )
    with process.stdout, process.stderr:  # type: ignore[union-attr]
        out, err = process.stdout.read(), process.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(process.pid, 0)  # the child's own peak, not the suite's
    process.returncode = os.waitstatus_to_exitcode(status)
    return subprocess.CompletedProcess(args, process.returncode, out, err), usage.ru_maxrss


@pytest.fixture(scope="module")
def honest_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 1 MB on disk; its document.xml inflates to 1 GiB, as its directory says."""
    path = bomb(tmp_path_factory.mktemp("bomb") / "bomb.docx", 1024)
    assert path.stat().st_size < 2 * MB
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["verify"],
        ["templates", "check"],
        ["export", "metro-tf", "--draft", "--template"],
        ["intake"],
    ],
)
def test_a_zip_bomb_is_refused_in_one_line_with_modest_memory(
    honest_bomb: Path, tmp_path: Path, command: list[str]
) -> None:
    root = make_workspace(tmp_path)
    with Workspace(root) as ws:
        ws.save(draft("metro-tf"), "First draft", AUTHOR)
    before = snapshot(tmp_path)
    result, peak_kb = run_limited(*command, str(honest_bomb), cwd=root)
    assert result.returncode == 1, result.stderr
    lines = (result.stdout + result.stderr).decode().strip().splitlines()
    refusal = [line for line in lines if "word/document.xml inflates to 1,024 MB" in line]
    assert refusal and refusal[0].startswith(f"{honest_bomb}: refused: part word/document.xml")
    assert b"Traceback" not in result.stderr and b"internal error" not in result.stderr
    assert peak_kb < MODEST_KB, f"peak {peak_kb // 1024} MB"
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", [["verify"], ["templates", "check"], ["intake"]])
def test_a_bomb_that_lies_about_its_size_is_read_only_as_far_as_it_says(
    tmp_path: Path, command: list[str]
) -> None:
    """The directory says 10 kB (with the CRC of those 10 kB) over data that inflates to
    1 GB: read no further than 10 kB, it is a damaged document, not a memory blow-up.
    (python-docx alone would inflate all of it: it is given a repacked copy.)"""
    liar = bomb(tmp_path / "liar.docx", 1024, declared=10_000)
    result, peak_kb = run_limited(*command, str(liar), cwd=tmp_path)
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr and b"internal error" not in result.stderr
    assert peak_kb < MODEST_KB, f"peak {peak_kb // 1024} MB"


def test_too_many_parts_and_foreign_compression_are_refused() -> None:
    many = zip_of([small(f"p{i}.xml", b"<a/>") for i in range(ooxml.MAX_PARTS + 1)])
    with pytest.raises(ooxml.MouError, match=r"holds 2001 parts, more than 2000"):
        ooxml.parts(many)
    name, data, crc, size = small("word/document.xml", b"<a/>")
    bzip = bytearray(zip_of([(name, data, crc, size)]))
    for signature in (b"PK\x03\x04", b"PK\x01\x02"):  # compression method 8 -> 12 (bzip2)
        at = bzip.index(signature) + (8 if signature == b"PK\x03\x04" else 10)
        bzip[at : at + 2] = (12).to_bytes(2, "little")
    with pytest.raises(ooxml.MouError, match="uses a compression Word does not"):
        ooxml.parts(bytes(bzip))


def test_a_real_export_is_well_within_the_limits() -> None:
    from mou.document.render import render_docx
    from mou.validate import load_file

    docx = render_docx(load_file(ROOT / "mou/data/sample.yaml", "sample-every-section"), None, True)
    assert ooxml.parts(docx)["word/document.xml"]  # no refusal
    assert ooxml.parts(ooxml.repacked(docx)) == ooxml.parts(docx)
