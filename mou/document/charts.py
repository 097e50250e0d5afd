"""Charts of a metric's measured values against its baseline and target, as PNG bytes.

Drawn with matplotlib's Agg canvas on a figure of mou's own (no pyplot state), with fixed
size, resolution, fonts and metadata, so the same values always give the same bytes: no
date or software version is written into the image.

A report draws one chart per metric, so the figure is made once and redrawn: its axes,
lines, ticks and legend are kept and only their data and texts change (making the axes
and its ticks cost more than drawing them). The axis limits, tick places and tick labels
are worked out here rather than by matplotlib's autoscaling, which both saves that work
and makes sure nothing from the previous chart carries over. A lock keeps two threads
(two wizard sessions) off the one figure.
"""

from __future__ import annotations

import functools
import io
import math
import threading
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
Y_TICKS = 5  # at most this many intervals on the value axis
ROUND_STEPS = [1, 2, 2.5, 5, 10]  # tick spacings, times a power of ten (not 1.5, 3, 4, 6, 8)
Y_MARGIN = 0.05  # of the value range, above and below, as matplotlib's own autoscale
LEGEND_PAD_PX = 2  # around the legend's box, for rounding (the title is 8 px above)
PNG_COMPRESSION = 1  # the .docx deflates the image again: more effort here buys nothing

_lock = threading.Lock()


def metric_chart(metric: Metric, points: list[tuple[Period, float]]) -> bytes:
    """A line of the measured values by period, with the baseline and target as lines."""
    with _lock:
        return _shared_canvas().render(metric, points)


@functools.cache
def _shared_canvas() -> ChartCanvas:
    """The one canvas, made on first use: importing mou does not import matplotlib."""
    return ChartCanvas()


class ChartCanvas:
    """One figure, kept and redrawn for chart after chart.

    A fresh canvas and one that has drawn other charts give the same bytes for the same
    chart (a test holds that), so reuse is only a saving, never a difference."""

    def __init__(self) -> None:
        import matplotlib

        matplotlib.use("Agg")  # once, when the first chart is drawn
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        with matplotlib.rc_context(_STYLE):  # type: ignore[arg-type]
            self.figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
            self.canvas = FigureCanvasAgg(self.figure)
            # Fixed margins, the legend outside the plot: no layout pass drawing twice.
            self.figure.subplots_adjust(left=0.11, right=0.8, top=0.88, bottom=0.14)
            self.axes = self.figure.add_subplot()
            self.axes.set_autoscale_on(False)  # the limits are set from the data below
            # The period axis has no label: a fixed place spares placing it from the
            # tick labels' boxes. (The value axis's label moves with its tick labels' width.)
            self.axes.xaxis.set_label_coords(0.5, -0.1)
            (self.values,) = self.axes.plot([], [], marker="o", color=VALUES_COLOR)
            self.baseline = self.axes.axhline(0, color=BASELINE_COLOR, linestyle="--")
            self.target = self.axes.axhline(0, color=TARGET_COLOR, linestyle=":", linewidth=1.6)
            # A figure text, not an axes title: placing a title costs a layout pass.
            self.title = self.figure.text(0.11, 0.95, "", va="top")
        self._legends: dict[bool, Any] = {}  # the legend's pixels, with and without baseline

    def render(self, metric: Metric, points: list[tuple[Period, float]]) -> bytes:
        """The chart of ``points`` for ``metric`` as PNG bytes."""
        import matplotlib
        from matplotlib.image import imsave

        with matplotlib.rc_context(_STYLE):  # type: ignore[arg-type]
            self._show(metric, points)
            self._draw_with_legend(metric.baseline is not None)
            out = io.BytesIO()
            pixels = self.canvas.buffer_rgba()
            png = {"compress_level": PNG_COMPRESSION}
            no_software: Any = {"Software": None}  # None: matplotlib leaves out its name
            imsave(out, pixels, format="png", dpi=DPI, metadata=no_software, pil_kwargs=png)
        return out.getvalue()

    def _show(self, metric: Metric, points: list[tuple[Period, float]]) -> None:
        values = [value for _, value in points]
        positions = list(range(len(points)))
        self.values.set_data(positions, values)
        self.baseline.set_visible(metric.baseline is not None)
        self.baseline.set_ydata([metric.baseline or 0.0] * 2)
        self.target.set_ydata([metric.target] * 2)
        self.axes.set_xticks(positions, [period.text for period, _ in points])
        self.axes.set_xlim(-0.5, max(len(points) - 0.5, 0.5))
        bottom, top = value_range([*values, metric.target, *_given(metric.baseline)])
        ticks = value_ticks(bottom, top)
        self.axes.set_yticks(ticks, tick_labels(ticks))
        self.axes.set_ylim(bottom, top)
        self.axes.set_ylabel(_short(metric.unit))
        self.title.set_text(_short(metric.name, 90))

    def _draw_with_legend(self, has_baseline: bool) -> None:
        """Draw the chart; the legend is drawn once per kind and pasted after that.

        Laying out a legend costs as much as the rest of the chart's text. It is the same
        picture on every chart (with or without "Baseline"), in the figure's margin where
        nothing else is drawn, so the pixels of its first drawing are kept and put back."""
        kept = self._legends.get(has_baseline)
        if kept is not None:
            self.canvas.draw()
            self.canvas.restore_region(kept)
            return
        legend = self._make_legend(has_baseline)
        self.canvas.draw()
        box = legend.get_window_extent().padded(LEGEND_PAD_PX)
        self._legends[has_baseline] = self.canvas.copy_from_bbox(box)
        legend.remove()

    def _make_legend(self, has_baseline: bool) -> Any:
        lines = [self.values, *([self.baseline] if has_baseline else []), self.target]
        labels = ["Measured", *(["Baseline"] if has_baseline else []), "Target"]
        return self.axes.legend(
            lines, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False
        )


def value_range(values: list[float]) -> tuple[float, float]:
    """The value axis's limits: every value with a margin, never an empty range."""
    low, high = min(values), max(values)
    if high == low:
        spread = abs(low) * 0.1 or 1.0
        return low - spread, high + spread
    margin = (high - low) * Y_MARGIN
    return low - margin, high + margin


def value_ticks(bottom: float, top: float) -> list[float]:
    """Round tick places within the limits (1, 2, 2.5 or 5 times a power of ten apart)."""
    from matplotlib.ticker import MaxNLocator

    places = MaxNLocator(nbins=Y_TICKS, steps=ROUND_STEPS).tick_values(bottom, top)
    return [float(place) for place in places if bottom <= place <= top]


def tick_labels(ticks: list[float]) -> list[str]:
    """The ticks written alike, with as few decimals as they need: 1,000 or 0.25."""
    decimals = next(
        (d for d in range(6) if all(math.isclose(round(t, d), t, abs_tol=1e-9) for t in ticks)),
        6,
    )
    return [f"{tick + 0.0:,.{decimals}f}" for tick in ticks]  # + 0.0: no "-0"


def _given(value: float | None) -> list[float]:
    return [] if value is None else [value]


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
