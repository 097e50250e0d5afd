"""SSH signatures over an export's provenance: tamper evidence a copy carries with it.

The fingerprint alone is a checksum: whoever edits the text can recompute it. A signed
export also carries, in its custom properties, an SSH signature (``ssh-keygen -Y sign``,
namespace :data:`NAMESPACE`) over its provenance statement — agreement, revision,
fingerprint, draft flag, template hash. Editing the text changes the fingerprint, and
no one without the key can sign the new statement; so a copy can be checked anywhere,
without the workspace, against a list of trusted keys in git's allowed-signers format
(``ssh-keygen -Y verify``), the list ``gpg.ssh.allowedSignersFile`` names.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import MouError

NAMESPACE = "mou-export"
STATEMENT_KEYS = ("agreement", "revision", "fingerprint", "draft", "template")
SIGN_TIMEOUT_S = 120.0  # time to type a passphrase when ssh-keygen asks for one
_KEY_LITERAL = re.compile(r"^(?:key::)?((?:ssh|ecdsa|sk)-\S+ \S+)")
_KEY_FINGERPRINT = re.compile(r"(SHA256:[A-Za-z0-9+/=]+)")

Signer = Callable[[bytes], str]


def statement(properties: dict[str, str]) -> bytes:
    """The provenance an export's signature covers, one ``key value`` line each."""
    lines = ["mou-export-provenance 1"]
    lines += [f"{key} {properties.get(key, '')}" for key in STATEMENT_KEYS]
    return ("\n".join(lines) + "\n").encode()


def ssh_signer(key: str) -> Signer:
    """A function signing a statement with ``key`` (a key file, or git's ``key::``
    literal of a public key whose private half an ssh-agent holds)."""

    def sign(message: bytes) -> str:
        with _key_file(key) as key_path:
            done = _ssh_keygen("-Y", "sign", "-f", str(key_path), "-n", NAMESPACE, input=message)
        if done.returncode != 0 or b"BEGIN SSH SIGNATURE" not in done.stdout:
            raise MouError(f"cannot sign the export with {key}: {_reason(done)}")
        return done.stdout.decode().strip()

    return sign


@dataclass(frozen=True)
class SignatureCheck:
    """What a signature says: ``valid`` (by a trusted ``principal``), ``untrusted``
    (sound, by a key not in the list), ``unchecked`` (sound; no list to check against),
    ``invalid`` (does not match the provenance), or ``unsigned``."""

    status: str
    principal: str | None = None
    key: str | None = None

    def describe(self) -> str:
        """One line for the user."""
        return {
            "valid": f"signed by {self.principal} (key {self.key})",
            "untrusted": f"signed by key {self.key}, which the allowed signers do not list",
            "unchecked": f"signed by key {self.key}, not checked: no allowed signers file "
            "(set gpg.ssh.allowedSignersFile or pass --allowed-signers)",
            "invalid": "its signature does not match its provenance: the text or the "
            "provenance changed after signing",
            "unsigned": "unsigned",
        }[self.status]


def check_signature(message: bytes, signature: str | None, signers: Path | None) -> SignatureCheck:
    """Check ``signature`` over ``message`` against the allowed-signers file ``signers``."""
    if not signature:
        return SignatureCheck("unsigned")
    with tempfile.TemporaryDirectory(prefix="mou-verify-") as folder:
        sig = Path(folder) / "provenance.sig"
        sig.write_text(signature + "\n")
        sound = _ssh_keygen(
            "-Y", "check-novalidate", "-n", NAMESPACE, "-s", str(sig), input=message
        )
        key = _key_fingerprint(sound)
        if sound.returncode != 0:
            return SignatureCheck("invalid")
        if signers is None:
            return SignatureCheck("unchecked", key=key)
        return _trusted(message, sig, signers, key)


def _trusted(message: bytes, sig: Path, signers: Path, key: str | None) -> SignatureCheck:
    if not signers.is_file():
        raise MouError(f"{signers}: no such allowed signers file")
    found = _ssh_keygen("-Y", "find-principals", "-s", str(sig), "-f", str(signers))
    for principal in found.stdout.decode().split() if found.returncode == 0 else []:
        args = ("-Y", "verify", "-f", str(signers), "-I", principal, "-n", NAMESPACE)
        if _ssh_keygen(*args, "-s", str(sig), input=message).returncode == 0:
            return SignatureCheck("valid", principal=principal, key=key)
    return SignatureCheck("untrusted", key=key)


def _ssh_keygen(*args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    program = shutil.which("ssh-keygen")
    if program is None:
        raise MouError("ssh-keygen not found: install OpenSSH (8.2 or later) to sign or verify")
    try:
        return subprocess.run(
            [program, *args], input=input, capture_output=True, timeout=SIGN_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        raise MouError(f"ssh-keygen {args[1]} did not finish in {SIGN_TIMEOUT_S:.0f} s") from None


@contextmanager
def _key_file(key: str) -> Iterator[Path]:
    """The key as a file ssh-keygen can read: the path itself, or a temporary file
    holding a ``key::`` literal (an ssh-agent then signs)."""
    literal = _KEY_LITERAL.match(key)
    if literal is None:
        yield Path(key).expanduser()
        return
    with tempfile.TemporaryDirectory(prefix="mou-sign-") as folder:
        path = Path(folder) / "key.pub"
        path.write_text(literal.group(1) + "\n")
        yield path


def _key_fingerprint(done: subprocess.CompletedProcess[bytes]) -> str | None:
    found = _KEY_FINGERPRINT.search((done.stdout + done.stderr).decode(errors="replace"))
    return found.group(1) if found else None


def _reason(done: subprocess.CompletedProcess[bytes]) -> str:
    lines = [line for line in done.stderr.decode(errors="replace").splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("Signing data")]
    return lines[-1].strip() if lines else f"ssh-keygen exited with {done.returncode}"
