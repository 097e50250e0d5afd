"""A shared remote and its clones: a bare repository, each clone with its own identity."""

from __future__ import annotations

import copy
import http.server
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mou.changes.merge import sync_merger
from mou.model import Agreement, to_data
from mou.presets import preset
from mou.store.sync import SyncResult, sync
from mou.store.workspace import Author, Workspace
from mou.validate import validate_data
from tests.support.browser import free_port
from tests.support.workspaces import git, make_workspace

AGREEMENT = "metro-tf"
PURPOSE = "The parties join forces to reduce violent crime in the metro region by sharing data."


def agreement_data(agreement_id: str = AGREEMENT) -> dict[str, Any]:
    """A valid task-force agreement with three parties and a responsibility for each."""
    data = preset("task_force", agreement_id, "Metro Task Force")
    third = copy.deepcopy(data["parties"][1])
    third.update(id="party-c", acronym="PC", legal_name="Party C")
    data["parties"].append(third)
    data["purpose"] = PURPOSE
    data["responsibilities"] = [
        {"id": f"duty-{p}", "parties": [f"party-{p}"], "text": f"Party {p.upper()} takes part."}
        for p in "abc"
    ]
    return data


def person(name: str) -> Author:
    return Author(name.title(), f"{name}@agency.gov")


def make_remote(tmp_path: Path, agreements: list[dict[str, Any]] | None = None) -> Path:
    """A bare repository holding a workspace with ``agreements`` (default: one)."""
    seed = make_workspace(tmp_path, "seed")
    git(seed, "branch", "-M", "main")
    with Workspace(seed) as ws:
        for data in agreements or [agreement_data()]:
            ws.save(validate_data(data), f"Draft {data['id']}", person("seed"))
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "--bare", "--quiet", str(seed), str(bare))
    return bare


def clone(tmp_path: Path, url: str, name: str) -> Path:
    """A clone of ``url`` in ``tmp_path/name`` with ``name``'s identity."""
    root = tmp_path / name
    git(tmp_path, "clone", "--quiet", url, str(root))
    git(root, "config", "user.name", name.title())
    git(root, "config", "user.email", f"{name}@agency.gov")
    return root


def load(root: Path, agreement_id: str = AGREEMENT) -> Agreement:
    with Workspace(root) as ws:
        return ws.load(agreement_id).agreement


def save_edit(root: Path, change, agreement_id: str = AGREEMENT, message: str = "Edit") -> str:
    """Load the agreement at HEAD, apply ``change`` to its data, save as the clone's person."""
    with Workspace(root) as ws:
        data = to_data(ws.load(agreement_id).agreement)
        change(data)
        saved = ws.save(validate_data(data), message, person(root.name))
    return saved.revision


def do_sync(root: Path, **options: Any) -> SyncResult:
    """`mou sync` in process, through the store and the field merge."""
    return sync(root, sync_merger(options.pop("prefer", None)), **options)


@contextmanager
def git_daemon(base: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """`git daemon` serving ``base`` on 127.0.0.1 (pushes allowed); yields its URL base."""
    port = free_port()
    process = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
         f"--base-path={base}", "--listen=127.0.0.1", f"--port={port}", str(base)],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_listening(port)
        yield f"git://127.0.0.1:{port}", process
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """Kill a daemon started in a session of its own, with whatever it spawned."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_listening(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"git daemon did not listen on {port}")


class _GitHttp(http.server.BaseHTTPRequestHandler):
    """git's smart HTTP: each request handed to `git http-backend` as CGI."""

    root: Path

    def do_GET(self) -> None:
        self._backend()

    def do_POST(self) -> None:
        self._backend()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet tests

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))
        chunks = []
        while size := int(self.rfile.readline().split(b";")[0], 16):
            chunks.append(self.rfile.read(size))
            self.rfile.readline()
        self.rfile.readline()
        return b"".join(chunks)

    def _backend(self) -> None:
        path, _, query = self.path.partition("?")
        body = self._body()
        env = {
            **os.environ, "GIT_PROJECT_ROOT": str(self.root), "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)), "REMOTE_USER": "tester",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
        }  # fmt: skip
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True)
        head, payload = _cgi_parts(out.stdout)
        status, headers = 200, []
        for line in head.decode().splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            else:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _cgi_parts(output: bytes) -> tuple[bytes, bytes]:
    """A CGI reply split into its header block and its body. Only the header block's line
    ends are CR LF: the body is a pack, whose bytes must pass untouched."""
    ends = [(output.find(mark), mark) for mark in (b"\r\n\r\n", b"\n\n") if mark in output]
    if not ends:
        return output, b""
    at, mark = min(ends)
    return output[:at], output[at + len(mark) :]


@contextmanager
def git_http(base: Path) -> Iterator[str]:
    """git's smart HTTP serving ``base`` on 127.0.0.1 (pushes allowed); yields its URL base."""
    handler = type("Handler", (_GitHttp,), {"root": base})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
