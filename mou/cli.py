"""The ``mou`` command: a click group whose subcommands are imported only when run.

Start-up imports click alone, so ``mou --help`` answers quickly; pydantic,
GitPython, docxtpl and Streamlit load with the command that needs them.
Every expected failure is a :class:`~mou.errors.MouError`, printed as one line.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import click

from .settings import WORKSPACE

# Command name -> "module:attribute" inside mou.commands; one line per command.
COMMANDS: dict[str, str] = {
    "validate": "files:validate",
    "fmt": "files:fmt",
    "schema": "files:schema",
    "new": "files:new",
    "init": "workspace:init",
    "save": "workspace:save",
    "show": "workspace:show",
    "log": "workspace:log",
    "list": "workspace:list_",
    "check": "documents:check",
    "export": "documents:export",
    "verify": "documents:verify",
    "templates": "documents:templates",
    "diff": "review:diff_command",
    "blame": "review:blame",
    "redline": "review:redline",
}

# Commands grouped for `mou --help`, in the order a user meets them.
SECTIONS: dict[str, list[str]] = {
    "Agreement files": ["new", "validate", "fmt", "schema"],
    "Workspace": ["init", "save", "show", "log", "list"],
    "Documents": ["check", "export", "verify", "templates"],
    "Review": ["diff", "blame", "redline"],
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        module = importlib.import_module(f"mou.commands.{module_name}")
        return getattr(module, attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Summaries come from SHORT_HELP so that help does not import the commands.
        for title, names in SECTIONS.items():
            rows = [(name, SHORT_HELP.get(name, "")) for name in names if name in COMMANDS]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        from .errors import MouError

        try:
            return super().invoke(ctx)
        except MouError as err:
            click.echo(err.message, err=True)
            ctx.exit(err.exit_code)


SHORT_HELP: dict[str, str] = {
    "new": "Create a draft agreement from a type preset.",
    "validate": "Check agreement files; list every problem.",
    "fmt": "Rewrite agreement files canonically (or --check).",
    "schema": "Regenerate the JSON Schema (or --check for drift).",
    "init": "Make a folder a git-versioned workspace.",
    "save": "Commit an agreement file: one save, one commit.",
    "show": "Print an agreement at a revision.",
    "log": "Who changed an agreement, when and why.",
    "list": "Every agreement with status, parties and last change.",
    "check": "Run the readiness rules on an agreement.",
    "export": "Export Word (and PDF) for signature, or --draft.",
    "verify": "Check an exported .docx against its provenance.",
    "templates": "Check Word templates against the model.",
    "diff": "Show what changed between two revisions, field by field.",
    "blame": "Show who last changed each field and item, and when.",
    "redline": "Write a Word redline with tracked changes between two revisions.",
}


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
    except Exception as err:  # a bug; the user still gets one line
        click.echo(f"mou: internal error: {type(err).__name__}: {err}", err=True)
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)


def _one_line(err: click.ClickException) -> str:
    """Click's three-line usage answer folded into one line that names the command."""
    context = getattr(err, "ctx", None)
    command = context.command_path if context is not None else "mou"
    message = " ".join(err.format_message().split())
    if isinstance(err, click.UsageError):
        return f"{command}: {message} (see '{command} --help')"
    return f"{command}: {message}"
