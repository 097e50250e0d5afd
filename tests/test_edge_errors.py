"""Errors at the edges are one line naming the place, and exports never overwrite what
they must not.

Regression (issue 10, item 10): a read-only ``.git`` or a full disk made `mou save` say
"internal error … exit 70"; `export -o` replaced a read-only file and wrote through a
symbolic link; `export --all` stopped at, and named only, the first invalid agreement.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mou.store.workspace import Workspace
from mou.validate import load_file
from tests.support.runner import ROOT, run_mou
from tests.support.workspaces import AUTHOR, draft, git, head, make_workspace, workspace_with_sample

AGREEMENT = "metro-tf"
READY = "sample-every-section"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace with one saved agreement and an edit of it waiting to be saved."""
    root = make_workspace(tmp_path)
    with Workspace(root) as ws:
        ws.save(draft(AGREEMENT), "First draft", AUTHOR)
    path = root / "agreements" / f"{AGREEMENT}.yaml"
    path.write_text(path.read_text().replace("title: Metro Task Force", "title: Metro TF II"))
    assert load_file(path).title == "Metro TF II"  # a valid edit: only the disk can refuse it
    return root


def save_args(root: Path) -> list[str]:
    path = root / "agreements" / f"{AGREEMENT}.yaml"
    return ["save", str(path), "-m", "Retitle", "--author", "Jane Roe <jane@agency.gov>"]


def mou_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mou", *args]


def run(command: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MOU_WORKSPACE", None)
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, timeout=120, **kwargs)


def with_read_only(folder: Path, command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run ``command`` while ``folder`` is read-only. Root ignores permission bits, so as
    root the folder is bind-mounted read-only in a private mount namespace (gone when
    the command ends); otherwise its permission bits are taken away and given back."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")] if p.is_dir()}
        for path in modes:
            path.chmod(modes[path] & ~0o222)
        try:
            return run(command, cwd)
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
    if shutil.which("unshare") is None:
        pytest.skip("running as root without unshare: cannot make a folder read-only")
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 97; shift; exec "$@"'
    done = run(["unshare", "--mount", "sh", "-c", script, "sh", str(folder), *command], cwd)
    if done.returncode == 97:
        pytest.skip(f"cannot mount read-only here: {done.stderr.decode().strip()}")
    return done


def one_line(result: subprocess.CompletedProcess) -> str:
    assert b"internal error" not in result.stderr and b"Traceback" not in result.stderr
    (line,) = result.stderr.decode().splitlines()
    return line


def test_a_save_into_a_read_only_git_folder_is_one_line_naming_it(workspace: Path) -> None:
    before = head(workspace)
    result = with_read_only(workspace / ".git", mou_command(*save_args(workspace)), workspace)
    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith(f"agreements/{AGREEMENT}.yaml: not saved: {workspace / '.git'}")
    assert line.endswith(("Read-only file system", "Permission denied"))
    assert head(workspace) == before


def test_a_save_onto_a_full_disk_is_one_line_naming_the_place(workspace: Path) -> None:
    """A full disk, as RLIMIT_FSIZE makes one: every write past 0 bytes fails (EFBIG)."""
    before = head(workspace)

    def full_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    result = run(mou_command(*save_args(workspace)), workspace, preexec_fn=full_disk)
    assert result.returncode == 1
    assert one_line(result) == (
        f"agreements/{AGREEMENT}.yaml: not saved: {workspace / '.git'}: File too large"
    )
    assert head(workspace) == before


def test_a_save_onto_a_truly_full_file_system(workspace: Path, tmp_path: Path) -> None:
    """The same with ENOSPC from a tiny tmpfs, where this machine allows mounting one."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to mount a private tmpfs")
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (
        'mount -t tmpfs -o size=1m tmpfs "$1" || exit 97; cp -a "$2" "$1/ws"; '
        'dd if=/dev/zero of="$1/filler" bs=4k count=1000 2>/dev/null; cd "$1/ws"; shift 2; '
        'exec "$@"'
    )
    args = [*save_args(Path(".")), "--workspace", "."]
    command = ["unshare", "--mount", "sh", "-c", script, "sh", str(disk), str(workspace)]
    result = run(command + mou_command(*args), tmp_path)
    if result.returncode == 97:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith(f"agreements/{AGREEMENT}.yaml: not saved: ")
    assert line.endswith("No space left on device")


# --------------------------------------------------------------------------- export -o


@pytest.fixture
def ready(tmp_path: Path) -> Path:
    return workspace_with_sample(tmp_path)


def test_export_refuses_to_replace_a_read_only_file(ready: Path, tmp_path: Path) -> None:
    out = tmp_path / "signed.docx"
    out.write_bytes(b"the copy the parties signed")
    out.chmod(0o444)
    result = run_mou("export", READY, "-o", str(out), "--draft", cwd=ready)
    assert result.returncode == 1
    assert one_line(result) == f"{out}: is read-only; not replaced"
    assert out.read_bytes() == b"the copy the parties signed"


def test_export_refuses_to_write_through_a_symbolic_link(ready: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_bytes(b"someone else's file")
    link = tmp_path / "out.docx"
    link.symlink_to(elsewhere)
    for command in (["export", READY, "-o", str(link)], ["redline", READY, "HEAD", "HEAD"]):
        extra = ["-o", str(link)] if command[0] == "redline" else []
        result = run_mou(*command, *extra, cwd=ready)
        assert result.returncode == 1
        assert one_line(result) == (
            f"{link}: is a symbolic link; not written through it (name the file itself)"
        )
    assert elsewhere.read_bytes() == b"someone else's file" and link.is_symlink()


def test_export_all_reports_every_failure_and_how_many_were_exported(
    ready: Path, tmp_path: Path
) -> None:
    """Two agreements committed invalid with plain git, one ready and one not ready."""
    with Workspace(ready) as ws:
        ws.save(draft(AGREEMENT), "A fresh draft", AUTHOR)
    for name, mistake in (("broken-one", "not: [valid"), ("broken-two", "title: 5\n")):
        (ready / "agreements" / f"{name}.yaml").write_text(mistake)
    git(ready, "add", "agreements")
    git(ready, "commit", "-q", "-m", "Two broken files, by hand")
    folder = tmp_path / "all"
    result = run_mou("export", "--all", str(folder), "--jobs", "2", cwd=ready)
    assert result.returncode == 1
    assert b"internal error" not in result.stderr and b"Traceback" not in result.stderr
    lines = [line for line in result.stderr.decode().splitlines() if "Exporting" not in line]
    assert [line.split(":")[0] for line in lines[:-1]] == ["broken-one", "broken-two", AGREEMENT]
    assert lines[0].startswith("broken-one: not exported: agreements/broken-one.yaml@")
    assert lines[2].startswith(f"{AGREEMENT}: not exported: not ready for signature (")
    assert lines[-1] == f"{folder}: 1 of 4 agreement(s) exported"
    assert sorted(p.name for p in folder.iterdir()) == [f"{READY}.docx"]


def test_export_all_does_not_replace_a_read_only_copy(ready: Path, tmp_path: Path) -> None:
    folder = tmp_path / "all"
    folder.mkdir()
    kept = folder / f"{READY}.docx"
    kept.write_bytes(b"signed original")
    kept.chmod(0o444)
    result = run_mou("export", "--all", str(folder), cwd=ready)
    assert result.returncode == 1
    assert f"{READY}: not exported: {kept}: is read-only; not replaced" in result.stderr.decode()
    assert kept.read_bytes() == b"signed original"


def test_an_error_nobody_turned_into_one_line_still_names_its_path(monkeypatch, capsys) -> None:
    """The CLI's last resort for the machine's refusals: ``path: reason``, exit 1, not 70."""
    from mou import cli

    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", "/srv/ws/.git/index")

    monkeypatch.setattr(cli.cli, "main", refused)
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 1
    assert capsys.readouterr().err == "mou: /srv/ws/.git/index: Permission denied\n"
