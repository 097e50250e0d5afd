"""Charts of a metric's measured values against its baseline and target, as PNG bytes.

Drawn with matplotlib's Agg canvas on a figure of its own (no pyplot state shared
between threads), with fixed size, resolution, fonts and metadata, so the same values
always give the same bytes: no date or software version is written into the image.
"""

from __future__ import annotations

import io
from typing import Any

from ..measures import Period
from ..model import Metric

WIDTH_IN, HEIGHT_IN, DPI = 6.0, 2.6, 110
_STYLE: dict[str, Any] = {
    "svg.hashsalt": "mou",  # fixed ids, should a chart ever be written as SVG
    "font.family": "DejaVu Sans",  # shipped with matplotlib: the same glyphs on every machine
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
VALUES_COLOR, BASELINE_COLOR, TARGET_COLOR = "#1f4e79", "#7f7f7f", "#2e7d32"


def metric_chart(metric: Metric, points: list[tuple[Period, float]]) -> bytes:
    """A line of the measured values by period, with the baseline and target as lines."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_STYLE):  # type: ignore[arg-type]
        figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
        FigureCanvasAgg(figure)
        _draw(figure.add_subplot(), metric, points)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _draw(axes: Any, metric: Metric, points: list[tuple[Period, float]]) -> None:
    labels = [period.text for period, _ in points]
    values = [value for _, value in points]
    positions = list(range(len(points)))
    axes.plot(positions, values, marker="o", color=VALUES_COLOR, label="Measured")
    if metric.baseline is not None:
        axes.axhline(metric.baseline, color=BASELINE_COLOR, linestyle="--", label="Baseline")
    axes.axhline(metric.target, color=TARGET_COLOR, linestyle=":", linewidth=1.6, label="Target")
    axes.set_xticks(positions, labels)
    axes.set_xlim(-0.5, max(len(points) - 0.5, 0.5))
    axes.set_ylabel(_short(metric.unit))
    axes.set_title(_short(metric.name, 90), loc="left")
    axes.legend(loc="best", frameon=False)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
