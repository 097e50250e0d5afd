"""Errors and problems, reported to users as one line each.

``MouError`` is the root of everything the toolkit raises on purpose; the CLI
prints its message and exits with ``exit_code``. ``InvalidAgreement`` carries
the list of :class:`Problem` found in one file, all at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an agreement, located by JSON path and, when known, line."""

    path: str
    message: str
    file: str | None = None
    line: int | None = None

    def located(self, file: str | None, line: int | None) -> Problem:
        """The same problem, placed in a file at a line."""
        return replace(self, file=file, line=line)

    def __str__(self) -> str:
        place = self.file or "<input>"
        if self.line is not None:
            place = f"{place}:{self.line}"
        return f"{place}: {self.path}: {self.message}"

    def as_json(self) -> dict[str, object]:
        """The problem as a JSON-ready mapping (the `--json` shape)."""
        return {"file": self.file, "line": self.line, "path": self.path, "message": self.message}


class MouError(Exception):
    """An expected failure with a one-line message for the user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(MouError):
    """The command was called wrongly (exit 2)."""

    exit_code = 2


class ConflictError(MouError):
    """The agreement changed since the edit started (exit 3)."""

    exit_code = 3


class InvalidAgreement(MouError):
    """An agreement file or draft failed validation; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
