"""`mou verify` cannot be fooled by a careful forgery, and signed exports verify anywhere.

Regression (issue 10, item 4): inside the workspace, a copy whose text was edited, whose
fingerprint was recomputed in footer and properties, and whose ``mou.template-sha256``
was set to any other value passed as "unaltered … the template changed since, so the
text was not compared", exit 0. Outside a workspace the fingerprint was presented as
if it proved something; there was no way to verify a copy without the workspace.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document

from mou.document.provenance import PROPERTY_NAMES, custom_properties, fingerprint
from mou.store.git import Repository
from mou.store.origin import find_template_blob
from tests.support.runner import run_mou, snapshot
from tests.support.workspaces import git, workspace_with_sample

READY = "sample-every-section"
SIGNER = "jane.roe@agency.gov"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return workspace_with_sample(tmp_path)


def export(root: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    result = run_mou("export", READY, "-o", str(out), *extra, cwd=root)
    assert result.returncode == 0, result.stderr
    return result


def verify(file: Path, cwd: Path, *extra: str, env: dict[str, str] | None = None):
    result = run_mou("verify", str(file), *extra, cwd=cwd, env=env)
    return result, result.stdout.decode().splitlines()


def rewritten(docx: bytes, edits: dict[bytes, bytes]) -> bytes:
    """``docx`` with each old byte string replaced by the new one, in every part."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            for old, new in edits.items():
                data = data.replace(old, new)
            target.writestr(name, data)
    return out.getvalue()


def forged(docx: bytes, template_sha: str | None = None) -> bytes:
    """The issue's forgery: a sentence slipped in, the fingerprint recomputed in footer and
    properties, and (when given) the recorded template hash set to another value."""
    old = fingerprint(docx)
    document = Document(io.BytesIO(docx))
    document.paragraphs[-1].add_run(" Each party also owes the others a pony.")
    edited = io.BytesIO()
    document.save(edited)
    new = fingerprint(edited.getvalue())
    edits = {old.encode(): new.encode()}
    if template_sha is not None:
        recorded = custom_properties(docx)[PROPERTY_NAMES["template"]]
        edits[recorded.encode()] = template_sha.encode()
    return rewritten(edited.getvalue(), edits)


def with_changed_template(root: Path) -> None:
    """Restyle the workspace's template (a heading reworded) and commit it with plain git."""
    template = root / "templates" / "mou.docx"
    template.write_bytes(
        rewritten(template.read_bytes(), {b"IN WITNESS WHEREOF": b"IN WITNESS THEREOF"})
    )
    git(root, "commit", "-q", "-am", "Reword the witness clause")


# --------------------------------------------------------------------------- inside the workspace


def test_a_forgery_naming_an_unknown_template_is_unverified_not_passed(workspace: Path) -> None:
    out = workspace.parent / "signed.docx"
    export(workspace, out)
    out.write_bytes(forged(out.read_bytes(), template_sha="ab" * 32))
    result, lines = verify(out, workspace)
    assert result.returncode == 1
    assert lines[0].startswith(f"{out}: unaltered: agreement {READY}")  # the file alone is fooled
    assert lines[-1].startswith(f"{out}: unverified: revision ")
    assert "no template with the copy's SHA-256 abababababababab" in lines[-1]
    assert "cannot be compared" in lines[-1]
    as_json = run_mou("verify", str(out), "--json", cwd=workspace)
    assert as_json.returncode == 1 and b'"status": "unverified"' in as_json.stdout


def test_a_template_changed_since_is_found_in_history_and_the_text_compared(
    workspace: Path,
) -> None:
    out = workspace.parent / "signed.docx"
    export(workspace, out)
    genuine = out.read_bytes()
    with_changed_template(workspace)
    result, lines = verify(out, workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines[-1].endswith("and a fresh export of it has the same text")
    out.write_bytes(forged(genuine))  # the old template's hash kept: compared, and caught
    result, lines = verify(out, workspace)
    assert result.returncode == 1
    assert lines[-1].startswith(f"{out}: altered: the text differs from a fresh export")


def test_the_store_finds_a_committed_template_by_its_sha256(workspace: Path) -> None:
    import hashlib

    original = (workspace / "templates" / "mou.docx").read_bytes()
    with_changed_template(workspace)
    repository = Repository(workspace)
    try:
        found = find_template_blob(repository, hashlib.sha256(original).hexdigest())
        assert found == original
        assert find_template_blob(repository, "0" * 64) is None
    finally:
        repository.close()


# --------------------------------------------------------------------------- outside


def test_outside_a_workspace_the_fingerprint_is_called_a_checksum(workspace: Path) -> None:
    out = workspace.parent / "signed.docx"
    export(workspace, out)
    away = workspace.parent / "elsewhere"
    away.mkdir()
    copy = away / "copy.docx"
    shutil.copyfile(out, copy)
    result, lines = verify(copy, away)
    assert result.returncode == 0
    assert lines[0].startswith(f"{copy}: unaltered: agreement {READY}")
    assert f"{copy}: signature: unsigned" in lines
    assert lines[-1].startswith(f"{copy}: note: the fingerprint is a checksum, not a signature")


# --------------------------------------------------------------------------- signatures


def keypair(folder: Path, name: str, comment: str = SIGNER) -> Path:
    """A throwaway ed25519 key without passphrase."""
    folder.mkdir(parents=True, exist_ok=True)
    key = folder / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(key)], check=True
    )
    return key


def allowed_signers(folder: Path, key: Path, principal: str = SIGNER) -> Path:
    signers = folder / "allowed_signers"
    public = key.with_suffix(".pub").read_text().strip()
    signers.write_text(f'{principal} namespaces="mou-export" {public}\n')
    return signers


@pytest.fixture
def signed(workspace: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A signed export copied out of the workspace, the allowed-signers file, the key."""
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen (OpenSSH) is not installed")
    key = keypair(tmp_path / "keys", "jane")
    git(workspace, "config", "mou.signingKey", str(key))
    out = workspace.parent / "signed.docx"
    result = export(workspace, out)
    assert f"signed with {key}" in result.stdout.decode()
    away = tmp_path / "elsewhere"
    away.mkdir()
    copy = away / "copy.docx"
    shutil.copyfile(out, copy)
    return copy, allowed_signers(tmp_path / "keys", key), key


def test_a_signed_copy_verifies_without_the_workspace(signed) -> None:
    copy, signers, _ = signed
    result, lines = verify(copy, copy.parent, "--allowed-signers", str(signers))
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines[1].startswith(f"{copy}: signature: signed by {SIGNER} (key SHA256:")
    assert not any("checksum" in line for line in lines)


def test_git_config_names_the_allowed_signers(signed, tmp_path: Path) -> None:
    copy, signers, _ = signed
    config = tmp_path / "gitconfig"
    config.write_text(f'[gpg "ssh"]\n\tallowedSignersFile = {signers}\n')
    result, lines = verify(copy, copy.parent, env={"GIT_CONFIG_GLOBAL": str(config)})
    assert result.returncode == 0
    assert f"signature: signed by {SIGNER}" in lines[1]


def test_a_forged_signed_copy_is_altered_anywhere(signed) -> None:
    copy, signers, _ = signed
    copy.write_bytes(forged(copy.read_bytes()))
    result, lines = verify(copy, copy.parent, "--allowed-signers", str(signers))
    assert result.returncode == 1
    assert lines[1] == (
        f"{copy}: signature: its signature does not match its provenance: the text or the "
        "provenance changed after signing"
    )
    assert (
        b'"status": "altered"'
        in run_mou(
            "verify", str(copy), "--json", "--allowed-signers", str(signers), cwd=copy.parent
        ).stdout
    )


def test_a_copy_re_signed_by_an_untrusted_key_is_unverified(
    signed, workspace: Path, tmp_path: Path
) -> None:
    copy, signers, _ = signed
    mallory = keypair(tmp_path / "mallory", "mallory", "mallory@example.org")
    git(workspace, "config", "mou.signingKey", str(mallory))
    export(workspace, copy)
    result, lines = verify(copy, copy.parent, "--allowed-signers", str(signers))
    assert result.returncode == 1
    assert "which the allowed signers do not list" in lines[1]


def test_naming_allowed_signers_demands_a_signature(signed, workspace: Path) -> None:
    copy, signers, _ = signed
    git(workspace, "config", "--unset", "mou.signingKey")
    unsigned = copy.parent / "unsigned.docx"
    result = export(workspace, unsigned)
    assert "signed with" not in result.stdout.decode()
    result, lines = verify(unsigned, copy.parent, "--allowed-signers", str(signers))
    assert result.returncode == 1 and f"{unsigned}: signature: unsigned" in lines
    assert (
        b'"status": "unverified"'
        in run_mou(
            "verify", str(unsigned), "--json", "--allowed-signers", str(signers), cwd=copy.parent
        ).stdout
    )


def test_gits_own_ssh_signing_key_is_used(workspace: Path, tmp_path: Path) -> None:
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen (OpenSSH) is not installed")
    key = keypair(tmp_path / "keys", "jane")
    git(workspace, "config", "gpg.format", "ssh")
    git(workspace, "config", "user.signingKey", str(key))
    out = tmp_path / "signed.docx"
    assert f"signed with {key}" in export(workspace, out).stdout.decode()
    signers = allowed_signers(tmp_path / "keys", key)
    result, lines = verify(out, tmp_path, "--allowed-signers", str(signers))
    assert result.returncode == 0 and f"signed by {SIGNER}" in lines[1]


def test_a_key_that_cannot_sign_refuses_the_export_in_one_line(
    workspace: Path, tmp_path: Path
) -> None:
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen (OpenSSH) is not installed")
    git(workspace, "config", "mou.signingKey", str(tmp_path / "no-such-key"))
    out = tmp_path / "signed.docx"
    before = snapshot(tmp_path)
    result = run_mou("export", READY, "-o", str(out), cwd=workspace)
    assert result.returncode == 1
    (line,) = result.stderr.decode().splitlines()
    assert line.startswith(f"cannot sign the export with {tmp_path / 'no-such-key'}: ")
    assert snapshot(tmp_path) == before
