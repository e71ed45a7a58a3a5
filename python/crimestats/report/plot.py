"""Funnel plots and change charts of police force areas (matplotlib, the ``plot`` extra).

matplotlib is imported only when a chart is drawn, so the rest of crimestats works without it;
``pip install 'crimestats[plot]'`` installs it. Charts are drawn on a
:class:`matplotlib.figure.Figure` of their own (or on the axes passed), never through pyplot's
global state, so they are safe in scripts, servers and tests whatever the backend; a notebook
shows the returned figure, and :func:`save` writes it to a file.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from .._core import InputError
from ..changes import funnel, funnel_limits, level_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["LabelAreas", "Overdispersion", "change_chart", "funnel_plot", "save"]

_MISSING = (
    "crimestats.plot needs matplotlib, which is not installed: "
    "pip install 'crimestats[plot]' (or pip install matplotlib)"
)

# Colours that stay apart for the common forms of colour blindness (Okabe and Ito, 2008).
_WITHIN = "#7f7f7f"
_OUTSIDE_95 = "#E69F00"
_OUTSIDE_998 = "#D55E00"
_TARGET = "#0072B2"
_SIGNIFICANT = "#0072B2"
_HIGHLIGHT = "#CC79A7"


def _new_axes(
    ax: Axes | None, size: tuple[float, float], *, fixed: bool = False
) -> tuple[Figure, Axes]:
    """The axes to draw on: those given, or a new figure's.

    ``fixed`` keeps the axes where they are put (no constrained layout), so positions measured
    in display units while drawing stay true when the figure is saved.
    """
    if ax is not None:
        figure = ax.get_figure()
        if figure is None:
            raise InputError("ax: the axes belong to no figure")
        return figure, ax  # type: ignore[return-value]
    try:
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ModuleNotFoundError(_MISSING, name="matplotlib") from error
    if fixed:
        figure = Figure(figsize=size)
        figure.subplots_adjust(left=0.08, right=0.97, bottom=0.12, top=0.9)
    else:
        figure = Figure(figsize=size, layout="constrained")
    return figure, figure.add_subplot()


def _column(data: pd.DataFrame, argument: str, name: str) -> pd.Series:
    if name not in data.columns:
        raise InputError(f"{argument}: column {name!r} is not in data")
    return data[name]


#: The overdispersion methods of :func:`crimestats.funnel` a funnel plot can draw.
Overdispersion = Literal["additive", "multiplicative", "winsorised"]
#: Which areas a funnel plot names.
LabelAreas = Literal["outside", "all", "none"]


def funnel_plot(
    data: pd.DataFrame,
    *,
    count: str = "count",
    population: str = "population",
    label: str = "area_name",
    target: float | None = None,
    per: float = 1000,
    conf: Sequence[float] = (0.95, 0.998),
    overdispersion: Overdispersion | None = None,
    label_areas: LabelAreas = "outside",
    highlight: str | None = None,
    unit: str = "people",
    title: str | None = None,
    source: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """A funnel plot: each area's rate against its population, with control limits.

    The limits are exact Poisson limits around the target rate, or, with ``overdispersion``,
    limits widened for the usual variation between areas where the areas are overdispersed
    (:func:`crimestats.funnel`, as FunnelPlotR draws them). An area outside the 95 per cent
    limits is unusual and one outside the 99.8 per cent limits very unusual for its size. Areas
    with no count or population (British Transport Police, a force that sent no data) are left
    out. Labels are placed by adjustText so that none overlaps another; either every area inside
    the limits is named or none is.

    Parameters
    ----------
    data
        One row per area.
    count, population, label
        The columns holding each area's count, population and name.
    target
        The rate per ``per`` people the funnel is centred on, the national rate; by default
        the pooled rate of the areas plotted.
    per
        The rates' base.
    conf
        The limits' confidence levels, narrowest first.
    overdispersion
        ``None`` for exact Poisson limits; ``"additive"`` (``"winsorised"`` is its earlier name)
        or ``"multiplicative"`` for limits adjusted for overdispersion, as
        :func:`crimestats.funnel` takes them; they are widened only where the areas are
        overdispersed. Whole police forces are nearly always overdispersed: with Poisson limits most
        of them lie outside the 99.8 per cent funnel.
    label_areas
        ``"outside"``: name the areas outside the narrowest limits (none inside); ``"all"``;
        or ``"none"``.
    highlight
        One area's name (as in ``label``) to draw and name in a colour of its own.
    unit
        What the rate is per: "people" or "households".
    title
        The chart's title.
    source
        Where the figures come from, printed in a line under the chart with how the limits were
        drawn ("ONS, Police force area data tables, year ending December 2019").
    ax
        Draw on these axes; by default on a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; :func:`save` writes it.

    Raises
    ------
    InputError
        A column that is not in ``data``, no area with a count and population, an unknown
        ``label_areas`` or ``overdispersion``, or a ``highlight`` that names no area plotted.
    ModuleNotFoundError
        If matplotlib (or adjustText) is not installed.

    Examples
    --------
    The founding report's two forces against the England and Wales rate:

    >>> from crimestats.datasets import load_story_areas
    >>> areas = load_story_areas().query("area_name != 'England and Wales'")
    >>> figure = funnel_plot(areas, target=599_908 / 61_806_682 * 1000, highlight="Bedfordshire")
    >>> save(figure, "funnel.png")  # doctest: +SKIP
    """
    if label_areas not in ("outside", "all", "none"):
        raise InputError(f"label_areas: {label_areas!r} is not 'outside', 'all' or 'none'")
    counts = _column(data, "count", count).astype(float)
    populations = _column(data, "population", population).astype(float)
    names = _column(data, "label", label).astype(str)
    keep = counts.notna() & populations.notna() & (populations > 0)
    if not keep.any():
        raise InputError("data: no area has both a count and a population to plot")
    counts, populations, names = counts[keep], populations[keep], names[keep]
    if highlight is not None and highlight not in set(names):
        raise InputError(f"highlight: {highlight!r} is not among the areas plotted")
    levels = sorted(conf)
    flags = funnel(
        counts, populations, target=target, per=per, conf=levels, overdispersion=overdispersion
    )
    centre = float(flags.attrs["target"])
    adjusted = bool(flags.attrs["adjusted"])
    limit_options = flags.attrs["limits"]
    grid = np.geomspace(populations.min() * 0.7, populations.max() * 1.4, 300)
    limits = funnel_limits(grid, centre, **limit_options)

    figure, axes = _new_axes(ax, (10.5, 6.4), fixed=True)
    if ax is None:
        figure.subplots_adjust(right=0.8)
    styles = ["--", ":", "-."]
    kind = "adjusted for overdispersion" if adjusted else "exact Poisson"
    for k, level in enumerate(levels):
        suffix = level_name(level)
        shown = f"{level * 100:g} per cent limits"
        for side in ("lower", "upper"):
            axes.plot(
                limits["population"],
                limits[f"{side}_{suffix}"],
                color="black",
                linestyle=styles[k % len(styles)],
                linewidth=1,
                label=shown if side == "lower" else None,
            )
    axes.axhline(centre, color=_TARGET, linewidth=1.2, label=f"Target {centre:.2f} per {per:,g}")

    widest = level_name(levels[-1])
    narrowest = level_name(levels[0])
    flag = flags["flag"].astype(str).to_numpy()
    colours = np.where(
        np.char.endswith(flag.astype(str), widest),
        _OUTSIDE_998,
        np.where(flag == "within", _WITHIN, _OUTSIDE_95),
    )
    rates = flags["rate"].to_numpy()
    xs = populations.to_numpy()
    axes.scatter(xs, rates, c=list(colours), s=28, zorder=3, edgecolors="white")
    for colour, text in (
        (_WITHIN, "within the limits"),
        (_OUTSIDE_95, f"outside {levels[0] * 100:g} per cent"),
        (_OUTSIDE_998, f"outside {levels[-1] * 100:g} per cent"),
    ):
        if colour in colours:
            axes.scatter([], [], c=colour, s=28, label=f"Area {text}")
    name_list = names.to_list()
    if highlight is not None:
        at = name_list.index(highlight)
        axes.scatter(
            [xs[at]], [rates[at]], s=90, facecolors="none", edgecolors=_HIGHLIGHT,
            linewidths=2, zorder=4, label=highlight,
        )  # fmt: skip

    axes.set_xscale("log")
    _population_ticks(axes, grid[0], grid[-1])
    axes.set_xlabel("Population (log scale)")
    axes.set_ylabel(f"Rate per {per:,g} {unit}")
    upper = limits[f"upper_{narrowest}"].to_numpy()
    low = np.nanmin(np.concatenate([rates, limits[f"lower_{widest}"].to_numpy()]))
    high = np.nanmax(np.concatenate([rates, upper]))
    margin = (high - low) * 0.05
    axes.set_ylim(max(0.0, low - margin), high + margin)
    axes.set_xlim(grid[0], grid[-1])
    outside = flag != "within"
    chosen = [
        i
        for i in range(len(names))
        if label_areas == "all"
        or (label_areas == "outside" and outside[i])
        or name_list[i] == highlight
    ]
    if ax is None:  # beside the axes, where it hides no area
        axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    else:
        axes.legend(fontsize=8, loc="best", framealpha=0.9)
    axes.set_title(textwrap.fill(title or "Funnel plot", 80), fontsize=11)
    footer = f"Limits: {kind}, around the target rate."
    if adjusted:
        footer = (
            f"Limits adjusted for overdispersion (phi = {float(flags.attrs['phi']):,.0f}; "
            "Spiegelhalter 2005), around the target rate."
        )
    if source:
        footer = f"Source: {source}. {footer}"
    if ax is None:
        figure.text(0.01, 0.012, textwrap.fill(footer, 190), fontsize=7, color="#555555")
    else:  # under the axis label of the axes given
        axes.text(
            0.0, -0.13, textwrap.fill(footer, 150), transform=axes.transAxes, fontsize=7,
            color="#555555", va="top",
        )  # fmt: skip
    _label_points(axes, xs, rates, name_list, chosen, highlight=highlight)
    return figure


def _label_points(
    axes: Axes,
    xs: np.ndarray,
    ys: np.ndarray,
    names: list[str],
    chosen: list[int],
    *,
    highlight: str | None = None,
) -> None:
    """Name the chosen points; adjustText moves the labels apart and off the points.

    adjustText (a well-kept library made for this) repels labels from each other and from the
    points; a label it cannot free is nudged upwards until it overlaps no other label, so no two
    labels ever overlap.
    """
    if not chosen:
        return
    try:
        from adjustText import adjust_text
    except ImportError as error:
        raise ModuleNotFoundError(_MISSING, name="adjustText") from error
    texts = [
        axes.text(
            xs[i],
            ys[i],
            names[i],
            fontsize=7.0,
            color=_HIGHLIGHT if names[i] == highlight else "#333333",
            fontweight="bold" if names[i] == highlight else "normal",
            zorder=5,
        )
        for i in chosen
    ]
    figure = axes.get_figure()
    assert figure is not None
    if not hasattr(figure.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(figure)  # type: ignore[arg-type]
    adjust_text(
        texts, x=xs, y=ys, ax=axes, expand=(1.1, 1.3), ensure_inside_axes=True, iter_lim=500
    )
    _separate(axes, texts)
    for text, i in zip(texts, chosen, strict=True):
        _leader(axes, text, xs[i], ys[i])


def _separate(axes: Axes, texts: list[Any]) -> None:
    """Move any label still overlapping an earlier one to the nearest height where it is free.

    adjustText stops after a set number of steps; this makes "no two labels overlap" a
    guarantee rather than a likelihood, trying heights alternately above and below.
    """
    figure = axes.get_figure()
    assert figure is not None
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    placed: list[Any] = []
    for text in texts:
        start = text.get_position()
        x, y = axes.transData.transform(start)
        box = text.get_window_extent(renderer).expanded(1.02, 1.1)
        step = box.height * 0.5
        for k in range(1, 400):
            if not any(box.overlaps(other) for other in placed):
                break
            shift = step * ((k + 1) // 2) * (1 if k % 2 else -1)
            text.set_position(axes.transData.inverted().transform((x, y + shift)))
            box = text.get_window_extent(renderer).expanded(1.02, 1.1)
        placed.append(box)


def _leader(axes: Axes, text: Any, x: float, y: float) -> None:
    """A thin line from a point to its label where the label sits away from the point."""
    figure = axes.get_figure()
    assert figure is not None
    box = text.get_window_extent(figure.canvas.get_renderer())  # type: ignore[attr-defined]
    px, py = axes.transData.transform((x, y))
    # the nearest point of the label's box to the area's point
    nx, ny = min(max(px, box.x0), box.x1), min(max(py, box.y0), box.y1)
    if np.hypot(nx - px, ny - py) < 6:
        return
    end = axes.transData.inverted().transform((nx, ny))
    axes.plot([x, end[0]], [y, end[1]], color="#999999", linewidth=0.5, zorder=2)


def _population_ticks(axes: Axes, low: float, high: float) -> None:
    """Major ticks at 1, 2 and 5 times powers of ten, or at 1 and 3, or at powers of ten alone:
    the finest of these that puts at most seven labels on the axis, so that no two meet."""
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    powers = range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
    ticks: list[float] = []
    for multipliers in ((1, 2, 5), (1, 3), (1,)):
        ticks = [m * 10.0**e for e in powers for m in multipliers if low <= m * 10.0**e <= high]
        if len(ticks) <= 7:
            break
    axes.xaxis.set_major_locator(FixedLocator(ticks))
    axes.xaxis.set_major_formatter(_thousands())
    axes.xaxis.set_minor_locator(NullLocator())
    axes.xaxis.set_minor_formatter(NullFormatter())


def _thousands() -> Any:
    """Tick labels with thousands separators: 1,000,000."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _: f"{x:,.0f}")


def change_chart(
    data: pd.DataFrame,
    *,
    label: str = "area_name",
    percent_change: str = "percent_change",
    significant: str | None = "change_significant",
    ratio_lower: str | None = "change_lower",
    ratio_upper: str | None = "change_upper",
    benchmark: float | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """A chart of each area's percentage change on the year, sorted, with its interval.

    Each area is a dot at its percentage change with a line for the 95 per cent confidence
    interval of the change (from the ratio interval of
    :func:`crimestats.changes.test_change`: ``(ratio - 1) * 100``); a filled dot is a
    statistically significant change, a hollow one is not.

    Parameters
    ----------
    data
        One row per area, such as :attr:`crimestats.story.Report.rows` for the forces.
    label, percent_change
        The columns of the area names and percentage changes.
    significant
        The column saying whether each change is statistically significant, or None.
    ratio_lower, ratio_upper
        The columns of the rate ratio's interval, or None for no interval lines.
    benchmark
        A percentage change to mark with a line (the national change), or None.
    title
        The chart's title.
    ax
        Draw on these axes; by default on a new figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> from crimestats.changes import test_change
    >>> t = test_change([5108, 14530], [4949, 12853])
    >>> areas = pd.DataFrame({"area_name": ["Bedfordshire", "Devon and Cornwall"],
    ...                       "percent_change": [3.2, 13.0],
    ...                       "change_significant": t["significant"],
    ...                       "change_lower": t["lower"], "change_upper": t["upper"]})
    >>> figure = change_chart(areas, benchmark=-5.8)
    """
    changes = _column(data, "percent_change", percent_change).astype(float)
    names = _column(data, "label", label).astype(str)
    keep = changes.notna()
    if not keep.any():
        raise InputError("data: no area has a percentage change to chart")
    order = changes[keep].sort_values().index
    values = changes[order].to_numpy()
    shown = names[order].to_list()
    if significant is not None:
        flags = _column(data, "significant", significant)[order]
        filled = flags.fillna(False).astype(bool).to_numpy()
    else:
        filled = np.ones(len(order), dtype=bool)

    figure, axes = _new_axes(ax, (8, max(3.0, 0.22 * len(order) + 1.2)))
    y = np.arange(len(order))
    if ratio_lower is not None and ratio_upper is not None:
        lower = (_column(data, "ratio_lower", ratio_lower)[order].astype(float) - 1) * 100
        upper = (_column(data, "ratio_upper", ratio_upper)[order].astype(float) - 1) * 100
        axes.hlines(y, lower, upper, color="#999999", linewidth=1.2, zorder=1)
    axes.scatter(
        values[filled], y[filled], color=_SIGNIFICANT, s=30, zorder=3,
        label="statistically significant",
    )  # fmt: skip
    axes.scatter(
        values[~filled], y[~filled], facecolors="white", edgecolors=_SIGNIFICANT, s=30,
        zorder=3, label="not statistically significant",
    )  # fmt: skip
    axes.axvline(0, color="black", linewidth=0.8)
    if benchmark is not None:
        axes.axvline(
            benchmark, color=_OUTSIDE_998, linestyle="--", linewidth=1,
            label=f"England and Wales {benchmark:+.1f} per cent",
        )  # fmt: skip
    axes.set_yticks(y, shown, fontsize=7)
    axes.set_ylim(-0.8, len(order) - 0.2)
    axes.set_xlabel("Percentage change on the year before (95 per cent interval)")
    axes.legend(fontsize=8, loc="lower right", frameon=False)
    axes.set_title(textwrap.fill(title or "Change on the year before", 70), fontsize=11)
    return figure


def save(figure: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Write a chart to a file; the suffix picks the format (``.png``, ``.svg``, ``.pdf``).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    target = Path(path)
    figure.savefig(target, dpi=dpi)
    return target
