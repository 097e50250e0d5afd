"""The ``mou`` command: a click group whose subcommands are imported only when run.

Start-up imports click alone, so ``mou --help`` answers quickly; pydantic,
GitPython, docxtpl and Streamlit load with the command that needs them.
Every expected failure is a :class:`~mou.errors.MouError`, printed as one line.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from .errors import MouError
from .notices import collecting
from .settings import WORKSPACE


@dataclass(frozen=True)
class CommandSpec:
    """One command: its name, where it lives ("module:attribute" in mou.commands), the
    section of `mou --help` it is listed under, and its one-line summary."""

    name: str
    target: str
    section: str
    summary: str


_FILES, _WORKSPACE, _DOCUMENTS, _REVIEW = "Agreement files", "Workspace", "Documents", "Review"
_LIFE = "After the signature"
_OUTCOMES = "Outcomes and portfolio"

# Every command, one line each, in the order `mou --help` lists them: adding a command is
# a function in mou/commands/ and a line here. Summaries live here so that help imports
# no command module.
COMMAND_TABLE: tuple[CommandSpec, ...] = (
    CommandSpec("new", "files:new", _FILES, "Create a draft agreement from a type preset."),
    CommandSpec("validate", "files:validate", _FILES, "Check agreement files; list every problem."),
    CommandSpec("fmt", "files:fmt", _FILES, "Rewrite agreement files canonically (or --check)."),
    CommandSpec(
        "schema", "files:schema", _FILES, "Regenerate the JSON Schema (or --check for drift)."
    ),
    CommandSpec("migrate", "files:migrate", _FILES, "Rewrite older agreement files as version 2."),
    CommandSpec("attach", "files:attach", _FILES, "Attach a PDF or Word file as an exhibit."),
    CommandSpec("init", "workspace:init", _WORKSPACE, "Make a folder a git-versioned workspace."),
    CommandSpec(
        "save", "workspace:save", _WORKSPACE, "Commit an agreement file: one save, one commit."
    ),
    CommandSpec("show", "workspace:show", _WORKSPACE, "Print an agreement at a revision."),
    CommandSpec("log", "history:log", _WORKSPACE, "Who changed an agreement, when and why."),
    CommandSpec(
        "list",
        "history:list_",
        _WORKSPACE,
        "Every agreement with status, parties and last change.",
    ),
    CommandSpec(
        "sync", "sync:sync_command", _WORKSPACE, "Fetch, merge agreements by field, and push."
    ),
    CommandSpec(
        "clone", "sync:clone", _WORKSPACE, "Clone a workspace; agreements merge by field in git."
    ),
    CommandSpec(
        "merge-driver",
        "sync:merge_driver",
        _WORKSPACE,
        "Git's merge driver for agreements (git runs it).",
    ),
    CommandSpec("check", "documents:check", _DOCUMENTS, "Run the readiness rules on an agreement."),
    CommandSpec(
        "export", "documents:export", _DOCUMENTS, "Export Word (and PDF) for signature, or --draft."
    ),
    CommandSpec(
        "verify", "documents:verify", _DOCUMENTS, "Check an exported .docx against its provenance."
    ),
    CommandSpec(
        "templates",
        "documents:templates",
        _DOCUMENTS,
        "Check Word templates against the sandbox and the model.",
    ),
    CommandSpec(
        "diff",
        "review:diff_command",
        _REVIEW,
        "Show what changed between two revisions, field by field.",
    ),
    CommandSpec(
        "blame", "review:blame", _REVIEW, "Show who last changed each field and item, and when."
    ),
    CommandSpec(
        "redline",
        "review:redline",
        _REVIEW,
        "Write a Word redline with tracked changes between two revisions.",
    ),
    CommandSpec("intake", "intake:intake", _REVIEW, "Read a returned Word copy's edits, by field."),
    CommandSpec("sign", "lifecycle:sign_command", _LIFE, "Record a signature; the last executes."),
    CommandSpec("status", "lifecycle:status", _LIFE, "State, dates, signatures and amendments."),
    CommandSpec(
        "amend", "lifecycle:amend", _LIFE, "Open a numbered amendment of an executed text."
    ),
    CommandSpec("withdraw", "lifecycle:withdraw_command", _LIFE, "Record a party's withdrawal."),
    CommandSpec("terminate", "lifecycle:terminate_command", _LIFE, "Record the agreement's end."),
    CommandSpec(
        "measure", "outcomes:measure", _OUTCOMES, "Record a metric's measured value for a period."
    ),
    CommandSpec(
        "reviewed", "outcomes:reviewed", _OUTCOMES, "Record a periodic review held on a day."
    ),
    CommandSpec(
        "measurements",
        "outcomes:measurements",
        _OUTCOMES,
        "List an agreement's measured values and what they replaced.",
    ),
    CommandSpec(
        "report",
        "outcomes:report",
        _OUTCOMES,
        "Write the performance report (Word, charts; --public for posting).",
    ),
    CommandSpec(
        "due",
        "portfolio:due",
        _OUTCOMES,
        "What is due: expiries, notices, reviews, reports (--ics calendar).",
    ),
    CommandSpec(
        "resources",
        "portfolio:resources",
        _OUTCOMES,
        "Total the resources each agency has committed across agreements.",
    ),
)
COMMANDS: dict[str, CommandSpec] = {spec.name: spec for spec in COMMAND_TABLE}
SECTIONS: dict[str, list[str]] = {}
for _spec in COMMAND_TABLE:
    SECTIONS.setdefault(_spec.section, []).append(_spec.name)


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        module_name, attribute = spec.target.split(":")
        module = importlib.import_module(f"mou.commands.{module_name}")
        return getattr(module, attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Summaries come from the table so that help does not import the commands.
        for title, names in SECTIONS.items():
            rows = [(name, COMMANDS[name].summary) for name in names]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; its notices (e.g. an older file version read) go to stderr."""
        with collecting() as notices:
            try:
                return super().invoke(ctx)
            except MouError as err:
                _echo_notices(notices)
                click.echo(err.message, err=True)
                ctx.exit(err.exit_code)
            finally:
                _echo_notices(notices)


def _echo_notices(notices: list[str]) -> None:
    """Print each notice once, on standard error, and forget it."""
    for line in notices:
        click.echo(f"notice: {line}", err=True)
    notices.clear()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mou")
def cli() -> None:
    """Draft, version, review and export interagency memoranda of understanding."""


def workspace_option(func: Any) -> Any:
    """The --workspace option shared by every command."""
    return click.option(
        "--workspace",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=WORKSPACE.env,
        default=None,
        help=WORKSPACE.help,
    )(func)


def json_option(func: Any) -> Any:
    """The --json option shared by commands with machine-readable output."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


def main() -> None:
    """Entry point: run the CLI; every failure is one line, never a traceback."""
    try:
        code = cli.main(prog_name="mou", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as err:
        err.show()  # plain `mou` shows the help
        sys.exit(err.exit_code)
    except click.ClickException as err:
        click.echo(_one_line(err), err=True)
        sys.exit(err.exit_code)
    except (KeyboardInterrupt, click.Abort):
        click.echo("mou: interrupted", err=True)
        sys.exit(130)
    except OSError as err:  # the machine's refusal (read-only, full disk): name the place
        click.echo(f"mou: {_os_error(err)}", err=True)
        sys.exit(1)
    except Exception as err:  # a bug; the user still gets one line
        click.echo(f"mou: internal error: {type(err).__name__}: {err}", err=True)
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)


def _os_error(err: OSError) -> str:
    """``path: reason`` for an OSError no layer turned into a MouError."""
    reason = err.strerror or str(err)
    return f"{err.filename}: {reason}" if err.filename else reason


def _one_line(err: click.ClickException) -> str:
    """Click's three-line usage answer folded into one line that names the command."""
    context = getattr(err, "ctx", None)
    command = context.command_path if context is not None else "mou"
    message = " ".join(err.format_message().split())
    if isinstance(err, click.UsageError):
        return f"{command}: {message} (see '{command} --help')"
    return f"{command}: {message}"
