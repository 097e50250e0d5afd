"""Commands on documents: check readiness, export Word/PDF, verify a returned copy, templates."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click

from ..attachments import attachments_beside, sha256_of
from ..changes.amendment import amendment_document
from ..changes.conformed import conformed_source
from ..cli import json_option, workspace_option
from ..data import PACKAGED_TEMPLATE
from ..document.amendment import render_amendment
from ..document.check import template_problems
from ..document.conformed import conform
from ..document.ooxml import read_docx
from ..document.pdf import bind_attachments, soffice, to_pdf, to_pdfs
from ..document.provenance import fingerprint
from ..document.render import render_docx
from ..document.signing import ssh_signer
from ..document.template import require_template, template_for
from ..document.verify import verify_copy
from ..errors import MouError, UsageError
from ..fsutil import check_output, write_output
from ..ids import agreement_path, check_agreement_id
from ..model import Agreement
from ..rules import check as run_rules
from ..rules import errors
from ..settings import resolve_workspace
from ..store.gitconfig import signing_settings
from ..store.origin import WorkspaceOrigin
from ..store.workspace import Workspace
from ..validate import load_file


@dataclass(frozen=True)
class Source:
    """The agreement to render and the revision it is (None: uncommitted working copy)."""

    agreement: Agreement
    revision: str | None
    origin: str
    attachments: dict[str, bytes]
    """The attached files its exhibits name, by name, as stored with it (some may be missing)."""

    def stored(self) -> dict[str, str | None]:
        """Name → SHA-256 of each attached file there is, for the readiness rules."""
        return {name: sha256_of(data) for name, data in self.attachments.items()}


def _workspace(workspace: Path | None) -> Workspace:

    return Workspace(resolve_workspace(workspace))


def _load(ws: Workspace, agreement_id: str, rev: str | None, working_copy: bool) -> Source:
    """The agreement at ``rev``; without one, HEAD — or the edited working copy if allowed."""
    check_agreement_id(agreement_id)
    if rev is None and not ws.is_committed(agreement_id):
        path = ws.root / agreement_path(agreement_id)
        if not working_copy:
            raise MouError(
                f"{path}: has changes that are not committed; save them first (a "
                "signature-ready export is exactly one committed revision) or use --draft"
            )
        if path.exists():
            agreement = load_file(path, agreement_id)
            attached = _committed_attachments(ws, agreement) | attachments_beside(path, agreement)
            return Source(agreement, None, f"{path} (uncommitted)", attached)
    loaded = ws.load(agreement_id, rev or "HEAD")
    attached = ws.attachments(loaded.agreement, rev or "HEAD")
    return Source(loaded.agreement, loaded.revision, f"revision {loaded.revision[:12]}", attached)


def _committed_attachments(ws: Workspace, agreement: Agreement) -> dict[str, bytes]:
    """The attached files as the last revision stores them (none for a new agreement):
    what a save of the working copy would take for files not beside it."""
    try:
        return ws.attachments(agreement)
    except MouError:
        return {}


# --------------------------------------------------------------------------- check


@click.command()
@click.argument("agreement_id")
@click.option("--rev", default=None, help="Check this revision instead of the working copy.")
@json_option
@workspace_option
def check(agreement_id: str, rev: str | None, as_json: bool, workspace: Path | None) -> None:
    """Run the readiness rules on an agreement; exit 1 if any error remains.

    Without --rev the working copy is checked (what you are editing).
    """
    with _workspace(workspace) as ws:
        source = _load(ws, agreement_id, rev, working_copy=True)
    findings = run_rules(source.agreement, source.stored())
    blocking = errors(findings)
    if as_json:
        report = {
            "id": agreement_id,
            "revision": source.revision,
            "ready": not blocking,
            "findings": [f.as_json() for f in findings],
        }
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            click.echo(str(finding))
        warnings = len(findings) - len(blocking)
        verdict = "not ready for signature" if blocking else "ready for signature"
        click.echo(
            f"{agreement_id} ({source.origin}): {len(blocking)} error(s), {warnings} "
            f"warning(s); {verdict}",
            err=True,
        )
    if blocking:
        raise SystemExit(1)


# --------------------------------------------------------------------------- export


@click.command()
@click.argument("agreement_id", required=False)
@click.option("--rev", default=None, help="Export this revision (default: HEAD).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The .docx to write (default: ./ID.docx).",
)
@click.option("--pdf", is_flag=True, help="Also write a PDF beside it (needs LibreOffice).")
@click.option("--draft", is_flag=True, help="Export even if not ready; every page says DRAFT.")
@click.option(
    "--all",
    "all_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Export every agreement into this folder.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes for --all (default: one per core).",
)
@click.option(
    "--template",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Word template (default: the workspace's templates/mou.docx, else the built-in one).",
)
@click.option(
    "--amendment",
    type=click.IntRange(min=1),
    default=None,
    help="Write Amendment No. N instead: numbered instructions from the executed text.",
)
@click.option(
    "--conformed",
    is_flag=True,
    help="Write the conformed copy: the text in force, /s/ signatures, amendments listed.",
)
@workspace_option
def export(
    agreement_id: str | None,
    rev: str | None,
    output: Path | None,
    pdf: bool,
    draft: bool,
    all_dir: Path | None,
    jobs: int | None,
    template: Path | None,
    amendment: int | None,
    conformed: bool,
    workspace: Path | None,
) -> None:
    """Export an agreement as a Word document (and PDF) for signature.

    --amendment N writes Amendment No. N instead: recitals citing the agreement and
    earlier amendments, numbered instructions generated from the difference between the
    executed text and the amended draft (unchanged articles do not appear), joinder
    language for parties it adds, and signature blocks. --conformed writes the
    conformed copy: the executed text with every executed amendment incorporated,
    "/s/ Name" and the date in each signed block, and a table of the instruments.

    Without --draft the export is signature-ready: it is refused while any
    readiness error remains or the agreement has uncommitted changes. The
    document carries the agreement id, revision and a fingerprint of its text,
    signed with SSH when git configures a key (mou.signingKey, or user.signingKey
    with gpg.format=ssh). An output that is a symbolic link or a read-only file is
    never replaced. --all reports every agreement it could not export.
    """
    if all_dir is not None:
        if agreement_id or output or rev:
            raise UsageError("--all exports every agreement at HEAD; give no ID, -o or --rev")
        _export_all(all_dir, pdf, draft, jobs, template, workspace)
        return
    if not agreement_id:
        raise UsageError("give the ID of the agreement to export, or --all FOLDER")
    if conformed:
        target = output or Path(f"{agreement_id}-conformed.docx")
        _check_output(target)
        _export_conformed(agreement_id, target, pdf, template, workspace)
        return
    if amendment is not None:
        target = output or Path(f"{agreement_id}-amendment-{amendment}.docx")
        _check_output(target)
        _export_amendment(agreement_id, amendment, target, pdf, draft, workspace)
        return
    target = output or Path(f"{agreement_id}.docx")
    _check_output(target)
    _export_one(agreement_id, rev, target, pdf, draft, template, workspace)


def _export_amendment(
    agreement_id: str, number: int, target: Path, pdf: bool, draft: bool, workspace: Path | None
) -> None:
    """Write Amendment No. ``number``; refused while the amended text is not ready."""
    if pdf:
        soffice()
    with _workspace(workspace) as ws:
        if not draft and not ws.is_committed(check_agreement_id(agreement_id)):
            raise MouError(
                f"{agreement_path(agreement_id)}: has changes that are not committed; save "
                "them first or use --draft"
            )
        document, amended = amendment_document(ws, agreement_id, number, draft)
        attached = ws.attachments(amended, "HEAD")
    if not draft:
        _refuse_unready(agreement_id, Source(amended, None, "the amended text", attached))
    write_output(target, render_amendment(document))
    kind = "draft" if draft else "signature-ready"
    click.echo(
        f"{target}: {kind} Amendment No. {number} to {agreement_id}, "
        f"{len(document.instructions)} instruction(s)"
    )
    if pdf:
        click.echo(f"{to_pdf(target, target.parent)}: PDF written")


def _export_conformed(
    agreement_id: str, target: Path, pdf: bool, template: Path | None, workspace: Path | None
) -> None:
    """Write the conformed copy of the executed agreement."""
    if pdf:
        soffice()
    with _workspace(workspace) as ws:
        loaded, facts = conformed_source(ws, check_agreement_id(agreement_id))
        chosen = template_for(ws.root, template)
    data = render_docx(loaded.agreement, loaded.revision, False, chosen, _warn)
    write_output(target, conform(data, facts))
    click.echo(
        f"{target}: conformed copy of {agreement_id} at revision {loaded.revision[:12]}, "
        f"{len(facts.instruments)} instrument(s) incorporated"
    )
    if pdf:
        click.echo(f"{to_pdf(target, target.parent)}: PDF written")


def _check_output(target: Path) -> None:
    if target.suffix.lower() != ".docx":
        raise UsageError(f"-o {target}: the output must be a .docx file")
    if not target.parent.resolve().is_dir():
        raise UsageError(f"-o {target}: the folder {target.parent} does not exist")
    check_output(target)  # before rendering: refuse a link or a read-only file at once


def _export_one(
    agreement_id: str,
    rev: str | None,
    target: Path,
    pdf: bool,
    draft: bool,
    template: Path | None,
    workspace: Path | None,
) -> None:

    if pdf:
        soffice()  # say what to install before writing anything
    with _workspace(workspace) as ws:
        source = _load(ws, agreement_id, rev, working_copy=draft)
        chosen = template_for(ws.root, template)
        key = signing_settings(ws.root).key
    if not draft:
        _refuse_unready(agreement_id, source)
    signer = ssh_signer(key) if key else None
    data = render_docx(source.agreement, source.revision, draft, chosen, _warn, signer)
    write_output(target, data)
    kind = "draft" if draft else "signature-ready"
    signed = f"; signed with {key}" if key else ""
    click.echo(
        f"{target}: {kind} export of {agreement_id} at {source.origin}; "
        f"fingerprint {fingerprint(data)[:16]}{signed}"
    )
    if pdf:
        made = to_pdf(target, target.parent)
        bound = bind_attachments(made, source.agreement, source.attachments)
        with_files = f", with {bound} attached PDF exhibit(s) bound in" if bound else ""
        click.echo(f"{made}: PDF written{with_files}")


def _warn(message: str) -> None:
    click.echo(message, err=True)


def _refuse_unready(agreement_id: str, source: Source) -> None:

    blocking = errors(run_rules(source.agreement, source.stored()))
    if blocking:
        for finding in blocking:
            click.echo(str(finding), err=True)
        ids = ", ".join(sorted({f.rule_id for f in blocking}))
        raise MouError(
            f"{agreement_id}: not ready for signature ({len(blocking)} readiness error(s): "
            f"{ids}); fix them (see `mou check {agreement_id}`) or export with --draft"
        )


# --------------------------------------------------------------------------- export --all


def _export_all(
    folder: Path,
    pdf: bool,
    draft: bool,
    jobs: int | None,
    template: Path | None,
    workspace: Path | None,
) -> None:
    """Export every agreement; every failure is one line, then "N of M exported"."""
    if pdf:
        soffice()
    with _workspace(workspace) as ws:
        chosen = template_for(ws.root, template)
        ids, root = ws.ids(), ws.root
        key = signing_settings(ws.root).key
    if not ids:
        raise MouError(f"{root}: no agreements to export")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise MouError(f"{folder}: cannot write here: {err.strerror or err}") from None
    job = ExportJob(draft, str(chosen), str(folder), key)
    failed = _run_pool(ids, root, job, jobs or os.cpu_count() or 1)
    if pdf:
        _convert_all(folder, [i for i in ids if i not in failed], root)
    for agreement_id, problem in sorted(failed.items()):
        click.echo(f"{agreement_id}: not exported: {problem}", err=True)
    click.echo(f"{folder}: {len(ids) - len(failed)} of {len(ids)} agreement(s) exported", err=True)
    if failed:
        raise SystemExit(1)


@dataclass(frozen=True)
class ExportJob:
    """What every worker of ``export --all`` does (plain values: it crosses processes)."""

    draft: bool
    template: str
    folder: str
    key: str | None


def _run_pool(ids: list[str], root: Path, job: ExportJob, jobs: int) -> dict[str, str]:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    failed: dict[str, str] = {}
    progress = click.progressbar(length=len(ids), label="Exporting", file=sys.stderr)
    # Workers load as well as render: reading and validating YAML is half the work.
    pool = ProcessPoolExecutor(min(jobs, len(ids)), initializer=_open_worker, initargs=(root,))
    with pool, progress as bar:
        futures = [pool.submit(export_worker, i, job) for i in ids]
        for future in as_completed(futures):
            agreement_id, problem = future.result()
            if problem:
                failed[agreement_id] = problem
            bar.update(1)
    return failed


_WORKER_WORKSPACE: Workspace | None = None


def _open_worker(root: Path) -> None:
    """Open one workspace per worker process, closed when the process exits."""
    from multiprocessing.util import Finalize

    global _WORKER_WORKSPACE
    _WORKER_WORKSPACE = Workspace(root)
    Finalize(_WORKER_WORKSPACE, _WORKER_WORKSPACE.close, exitpriority=10)


def export_worker(agreement_id: str, job: ExportJob) -> tuple[str, str | None]:
    """Load and render one agreement into the job's folder (in a worker); why it was not
    exported, in one line, or None."""
    assert _WORKER_WORKSPACE is not None
    try:
        loaded = _WORKER_WORKSPACE.load(agreement_id)
        attached = _WORKER_WORKSPACE.attachments(loaded.agreement)
        stored = {name: sha256_of(data) for name, data in attached.items()}
        blocking = [] if job.draft else errors(run_rules(loaded.agreement, stored))
        if blocking:
            rules = ", ".join(sorted({f.rule_id for f in blocking}))
            return agreement_id, f"not ready for signature ({rules})"
        signer = ssh_signer(job.key) if job.key else None
        data = render_docx(
            loaded.agreement, loaded.revision, job.draft, Path(job.template), _warn, signer
        )
        write_output(Path(job.folder) / f"{agreement_id}.docx", data)
    except MouError as err:
        return agreement_id, _first_line(err)
    return agreement_id, None


def _first_line(err: MouError) -> str:
    """A failure in one line: an invalid file says its first problem and how many more."""
    lines = err.message.splitlines() or ["failed"]
    more = f" (and {len(lines) - 1} more problem(s))" if len(lines) > 1 else ""
    return lines[0] + more


def _convert_all(folder: Path, ids: list[str], root: Path) -> None:
    """Convert the exported documents in one LibreOffice run, then bind attached PDFs."""
    if not ids:
        return
    pdfs = to_pdfs([folder / f"{i}.docx" for i in ids], folder)
    with Workspace(root) as ws:
        for agreement_id, pdf in zip(ids, pdfs, strict=True):
            loaded = ws.load(agreement_id)
            bind_attachments(pdf, loaded.agreement, ws.attachments(loaded.agreement))


# --------------------------------------------------------------------------- verify


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--allowed-signers",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Trusted keys (git's allowed-signers format); the copy must carry a signature "
    "by one of them. Default: git's gpg.ssh.allowedSignersFile, if set.",
)
@json_option
@workspace_option
def verify(file: Path, allowed_signers: Path | None, as_json: bool, workspace: Path | None) -> None:
    """Check an exported .docx: which agreement and revision, and whether its text changed.

    Inside the workspace the revision is rendered again, with the template the copy was
    made with (found in git history if it changed since), and the texts compared. A
    signed copy is checked against the allowed signers, with or without a workspace.
    Outside a workspace an unsigned copy's fingerprint is only a checksum.

    Exit 0 when unaltered; 1 when altered, unverified (the text cannot be compared, or
    the signature is not by a trusted key) or of unknown origin.
    """
    data = read_docx(file)
    with _origin(file, workspace) as origin:
        settings = signing_settings(origin.root if origin else None)
        signers = allowed_signers or settings.allowed_signers
        try:
            verdict = verify_copy(data, origin, signers, require_signature=bool(allowed_signers))
        except MouError as err:
            raise MouError(f"{file}: {err.message}") from None
    if as_json:
        copy = verdict.copy
        report = {
            "file": str(file),
            "agreement": copy.agreement_id,
            "revision": copy.revision,
            "draft": copy.draft,
            "fingerprint": copy.actual,
            "recorded_fingerprint": copy.recorded,
            **verdict.as_json(),
        }
        click.echo(json.dumps(report, indent=2))
    else:
        for line in verdict.lines():
            click.echo(f"{file}: {line}")
    if not verdict.ok:
        raise SystemExit(1)


@contextmanager
def _origin(file: Path, workspace: Path | None) -> Iterator[WorkspaceOrigin | None]:
    """The workspace to compare with, or None outside one. A workspace named explicitly
    (--workspace, MOU_WORKSPACE) that cannot be opened is an error, not a silent skip."""
    try:
        ws = Workspace(resolve_workspace(workspace))
    except MouError as err:
        if workspace is not None:
            raise MouError(f"{file}: cannot compare with the workspace: {err.message}") from None
        yield None
        return
    with ws:
        yield WorkspaceOrigin(ws)


# --------------------------------------------------------------------------- templates


@click.group()
def templates() -> None:
    """Word templates: check them against the sandbox and the model."""


@templates.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@workspace_option
def templates_check(files: tuple[Path, ...], workspace: Path | None) -> None:
    """List every tag a template may not hold and every name the model does not provide.

    A template may only read the context: a tag with an attribute, call or filter
    outside the allow-list is reported (and never rendered). Exit 1 if any problem.
    Default: the workspace's templates/*.docx, or the built-in template.
    """
    chosen = list(files) or sorted((resolve_workspace(workspace) / "templates").glob("*.docx"))
    chosen = chosen or [PACKAGED_TEMPLATE]
    problems = [line for path in chosen for line in template_problems(require_template(path))]
    for line in problems:
        click.echo(line)
    click.echo(f"{len(chosen)} template(s) checked, {len(problems)} problem(s)", err=True)
    if problems:
        raise SystemExit(1)
