"""Characters that hide: refused where they could deceive, shown where they are read.

Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) change the order
in which text is *displayed* without changing what it *is*: a clause, an e-mail
address or a commit message can then read differently from what it says (the
"Trojan Source" trick). They are refused, like control characters, in ids, names,
e-mail addresses, commit messages and agreement text. Right-to-left text itself —
Arabic, Hebrew — needs none of them and stays allowed, exactly as typed.

Other invisible format characters (Unicode category Cf: zero-width space, joiners,
left-to-right and right-to-left marks, soft hyphen…) have honest uses, so they are
kept; where people review text (`mou diff`, `mou log`, the wizard) :func:`visible`
shows each as ``<U+200B>``.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset(chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def name_of(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: a character named so a person can find it."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}" if name else f"U+{ord(char):04X}"


def control_char(text: str, allowed: str = "") -> str | None:
    """The first C0 control character or DEL in ``text`` not in ``allowed``, or None."""
    return next((c for c in text if (c < " " or c == "\x7f") and c not in allowed), None)


def bidi_control(text: str) -> str | None:
    """The first bidirectional override or isolate in ``text``, or None."""
    return next((c for c in text if c in BIDI_CONTROLS), None)


def hidden_char(text: str, allowed: str = "") -> str | None:
    """The first character that may not stand in a name, address or message: a control
    character (other than those ``allowed``) or a bidirectional override; else None."""
    return control_char(text, allowed) or bidi_control(text)


def bidi_problem(char: str) -> str:
    """Why a bidirectional control character is refused, for a one-line message."""
    return (
        f"contains the bidirectional control character {name_of(char)}, which makes text "
        "display in another order than it reads; delete it"
    )


def visible(text: str) -> str:
    """``text`` with every invisible format character (category Cf) shown as
    ``<U+200B>``; everything else, right-to-left letters included, unchanged."""
    if text.isascii():
        return text
    return "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) == "Cf" else c for c in text)


def invisible_chars(text: str) -> list[str]:
    """The distinct invisible format characters in ``text``, named, in order of first use."""
    if text.isascii():
        return []
    found = dict.fromkeys(c for c in text if unicodedata.category(c) == "Cf")
    return [name_of(c) for c in found]
