"""Atomic writes keep the permissions people expect of their files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mou.errors import MouError
from mou.fsutil import atomic_write, write_no_follow


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_usual_permissions_not_a_private_temp_file_s(tmp_path: Path):
    previous = os.umask(0o027)
    try:
        atomic_write(tmp_path / "export.docx", b"data")
    finally:
        os.umask(previous)
    assert mode(tmp_path / "export.docx") == 0o640


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path):
    target = tmp_path / "agreement.yaml"
    target.write_bytes(b"old")
    target.chmod(0o664)
    atomic_write(target, b"new")
    assert (target.read_bytes(), mode(target)) == (b"new", 0o664)
    assert [p.name for p in tmp_path.iterdir()] == ["agreement.yaml"]  # no temp file left


def test_a_place_that_cannot_be_written_is_one_error_naming_it(tmp_path: Path):
    blocker = tmp_path / "report.txt"
    blocker.write_bytes(b"keep me")
    with pytest.raises(MouError, match=r"report\.txt/export\.docx: cannot write here"):
        atomic_write(blocker / "export.docx", b"data")
    with pytest.raises(MouError, match="cannot write here"):
        atomic_write(Path("/proc/mou-export.docx"), b"data")  # the kernel's, not a folder
    assert blocker.read_bytes() == b"keep me"


def test_writing_through_a_symbolic_link_rewrites_the_file_it_names(tmp_path: Path):
    real = tmp_path / "shared" / "agreement.yaml"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "agreement.yaml"
    link.symlink_to(real)
    atomic_write(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_writing_without_following_refuses_a_link_and_a_linked_folder(tmp_path: Path):
    # Issue 10, item 5: a save into a workspace must never land where a link points.
    real = tmp_path / "elsewhere" / "agreement.yaml"
    real.parent.mkdir()
    real.write_bytes(b"old")
    folder = tmp_path / "agreements"
    folder.mkdir()
    (folder / "agreement.yaml").symlink_to(real)
    with pytest.raises(MouError, match="symbolic link"):
        write_no_follow(folder / "agreement.yaml", b"new")
    (tmp_path / "linked").symlink_to(real.parent)
    with pytest.raises(MouError, match="cannot write here"):
        write_no_follow(tmp_path / "linked" / "other.yaml", b"new")
    assert real.read_bytes() == b"old" and sorted(real.parent.iterdir()) == [real]
    assert sorted(p.name for p in folder.iterdir()) == ["agreement.yaml"]  # no temp left


def test_writing_without_following_replaces_a_regular_file_keeping_its_mode(tmp_path: Path):
    target = tmp_path / "agreement.yaml"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_no_follow(target, b"new")
    assert target.read_bytes() == b"new" and (target.stat().st_mode & 0o777) == 0o640
