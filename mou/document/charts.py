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
        canvas = FigureCanvasAgg(figure)
        # Fixed margins, the legend outside the plot: no layout pass drawing the figure twice.
        figure.subplots_adjust(left=0.11, right=0.8, top=0.88, bottom=0.14)
        _draw(figure.add_subplot(), metric, points)
        # A figure text, not an axes title: placing a title costs a layout pass of the axis.
        figure.text(0.11, 0.95, _short(metric.name, 90), va="top")
        out = io.BytesIO()
        # Light compression: the .docx deflates the image again.
        canvas.print_png(out, metadata={"Software": None}, pil_kwargs={"compress_level": 3})
    return out.getvalue()


def _draw(axes: Any, metric: Metric, points: list[tuple[Period, float]]) -> None:
    from matplotlib.ticker import MaxNLocator

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
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5))
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
