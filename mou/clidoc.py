"""The README's CLI reference, generated from the commands' own help.

``python -m mou.clidoc`` rewrites the section between the markers in README.md;
a test regenerates it and fails when the README has drifted from the code.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from .cli import COMMANDS, SECTIONS, cli

START = "<!-- cli-reference:start -->"
END = "<!-- cli-reference:end -->"


def _help(command: click.Command, info_name: str) -> str:
    # Under `mou`'s own context, as a user runs it: its settings (-h beside --help) reach
    # every command. click remembers a command's help option once made, so a context
    # without them would make the text depend on what ran first in the process.
    root = click.Context(cli, info_name="mou", **cli.context_settings)
    with click.Context(
        command, info_name=info_name, parent=root, terminal_width=88, max_content_width=88
    ) as ctx:
        return command.get_help(ctx)


def command_help(name: str) -> str:
    """The `--help` text of one command (and of its subcommands), as seen at 88 columns."""
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    texts = [_help(command, f"mou {name}")]
    if isinstance(command, click.Group):
        for sub in command.list_commands(click.Context(command)):
            texts.append(_help(command.commands[sub], f"mou {name} {sub}"))
    return "\n\n".join(texts)


def reference() -> str:
    """Markdown for every command, grouped as in `mou --help`."""
    parts = []
    for title, names in SECTIONS.items():
        parts.append(f"### {title}\n")
        for name in names:
            if name in COMMANDS:
                parts.append(f"#### `mou {name}`\n\n```text\n{command_help(name)}\n```\n")
    return "\n".join(parts)


def updated_readme(text: str) -> str:
    """README text with the generated reference between the markers."""
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    return pattern.sub(lambda _: f"{START}\n{reference()}{END}", text)


def main() -> None:
    """Rewrite README.md in place (or, with --check, exit 1 if it is out of date)."""
    readme = Path(__file__).resolve().parent.parent / "README.md"
    current = readme.read_text(encoding="utf-8")
    fresh = updated_readme(current)
    if "--check" in sys.argv:
        sys.exit(0 if fresh == current else 1)
    readme.write_text(fresh, encoding="utf-8")


if __name__ == "__main__":
    main()
