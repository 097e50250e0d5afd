"""Table columns as wide as their content needs: no word broken across lines.

A template gives each table a width and its columns fixed shares of it, but the text
in a column is known only once an agreement is rendered: a narrow "Unit" column broke
"respondents" into "responden/ts". After rendering, each of mou's data tables has its
width shared out again the way browsers lay out an automatic table: every column gets
at least its longest word (so no word is broken), and what is left goes to the columns
whose text would otherwise wrap most. Text is measured in DejaVu Serif (shipped with
matplotlib): it is what LibreOffice sets where Times New Roman, the template's font, is
not installed, and it is wider than Times, so a column that holds a word in one holds it
in the other. A template restyled in another font gets columns in proportion to its text.
"""

from __future__ import annotations

import importlib.util
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

AVERAGE_WIDTH = 600  # thousandths of an em, for every character when no font is found
CELL_PADDING_TWIPS = 2 * 108 + 30  # Word's default left and right cell margins, and a hair
SLACK = 1.03  # rounding and kerning in the program laying the page out
_SIZE = 100  # the size fonts are loaded at to measure: widths scale with size
MIN_POINTS = 7.5  # a table is never set smaller than this to fit its words
# Where a line may break: at spaces, and after a hyphen or slash ("group-/involved").
_BREAK = re.compile(r"\s+|(?<=[-/\u2010\u2013\u2014])")


@dataclass(frozen=True)
class Column:
    """What one column must hold: its longest word and its longest line, in twips."""

    word: float
    line: float


def column_widths(columns: Sequence[Column], total: int) -> list[int]:
    """Widths (twips) summing to ``total``: each column at least its longest word where
    the total allows, the rest shared by how much each column's lines would wrap."""
    least = [c.word + CELL_PADDING_TWIPS for c in columns]
    most = [max(c.line + CELL_PADDING_TWIPS, low) for c, low in zip(columns, least, strict=True)]
    if sum(most) <= total:
        return _scaled(most, total)
    if sum(least) > total:  # even single words do not fit: share in proportion to them
        return _scaled(least, total)
    room = total - sum(least)
    wants = [high - low for high, low in zip(most, least, strict=True)]
    shares = [low + room * want / sum(wants) for low, want in zip(least, wants, strict=True)]
    return _rounded(shares, total)


def fitting_size(columns: Sequence[Column], total: int, points: float) -> float:
    """The largest size, at most ``points``, in half points and at least ``MIN_POINTS``, at
    which every column of a table ``total`` twips wide holds its longest word (measured
    at ``points``): a table of many columns is set smaller rather than break words."""
    words = sum(c.word for c in columns)
    room = total - len(columns) * CELL_PADDING_TWIPS
    if words <= room:
        return points
    return max(MIN_POINTS, math.floor(points * room / words * 2) / 2)


def resized(columns: Sequence[Column], ratio: float) -> list[Column]:
    """``columns`` as measured at ``ratio`` times the size."""
    return [Column(c.word * ratio, c.line * ratio) for c in columns]


def _scaled(widths: list[float], total: int) -> list[int]:
    return _rounded([w * total / sum(widths) for w in widths], total)


def _rounded(widths: list[float], total: int) -> list[int]:
    whole = [int(w) for w in widths]
    whole[-1] += total - sum(whole)  # what rounding lost goes to the last column
    return whole


def measure(cells: Sequence[tuple[str, bool]], points: float) -> Column:
    """The longest word and the longest line of ``cells`` (text, bold) at ``points``."""
    word = line = 0.0
    for text, bold in cells:
        for each in text.splitlines() or [""]:
            line = max(line, text_twips(each.strip(), bold, points))
            for token in _BREAK.split(each):
                word = max(word, text_twips(token, bold, points))
    return Column(word * SLACK, line * SLACK)


def text_twips(text: str, bold: bool, points: float) -> float:
    """The width of ``text`` at ``points`` (bold or not), in twips, set in DejaVu Serif."""
    return _em_width(text, bold) * points * 20


@lru_cache(maxsize=4096)
def _em_width(text: str, bold: bool) -> float:
    """The width of ``text`` in ems (a table repeats its words: each is measured once)."""
    font = _font(bold)
    if font is None:
        return sum(_unlisted(ch) for ch in text) / 1000
    return float(font.getlength(text)) / _SIZE


def _unlisted(ch: str) -> int:
    return 2 * AVERAGE_WIDTH if unicodedata.east_asian_width(ch) in "WF" else AVERAGE_WIDTH


@lru_cache(maxsize=2)
def _font(bold: bool) -> Any:
    """DejaVu Serif (bold or not) as shipped with matplotlib; None where it is missing."""
    from PIL import ImageFont

    path = _font_folder() / ("DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf")
    try:
        return ImageFont.truetype(str(path), _SIZE)
    except OSError:  # matplotlib without its fonts: every character of average width
        return None


def _font_folder() -> Path:
    spec = importlib.util.find_spec("matplotlib")  # found, not imported: that is slow
    origin = Path(spec.origin) if spec and spec.origin else Path()
    return origin.parent / "mpl-data" / "fonts" / "ttf"
