"""What a wizard step is: a page (slug, title, icon), the fields it edits, and its body."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..routing import Route
from ..state import Draft


@dataclass(frozen=True)
class Step:
    """A wizard step: slug, title, icon, the top-level fields it edits, and its body."""

    slug: str
    title: str
    icon: str
    sections: tuple[str, ...]
    """Top-level fields of the agreement this step edits; their problems are its problems."""
    body: Callable[[Draft], None]
    short: str = ""
    """A one-word name for buttons ("Fix in Parties")."""

    @property
    def route(self) -> Route:
        """The step's page address and label."""
        return Route(self.slug, self.title, self.icon)
