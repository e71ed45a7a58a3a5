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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._core import InputError
from ..changes import funnel, funnel_limits, level_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["change_chart", "funnel_plot", "save"]

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
        figure.subplots_adjust(left=0.08, right=0.97, bottom=0.09, top=0.9)
    else:
        figure = Figure(figsize=size, layout="constrained")
    return figure, figure.add_subplot()


def _column(data: pd.DataFrame, argument: str, name: str) -> pd.Series:
    if name not in data.columns:
        raise InputError(f"{argument}: column {name!r} is not in data")
    return data[name]


def funnel_plot(
    data: pd.DataFrame,
    *,
    count: str = "count",
    population: str = "population",
    label: str = "area_name",
    target: float | None = None,
    per: float = 1000,
    conf: Sequence[float] = (0.95, 0.998),
    label_areas: str = "outside",
    unit: str = "people",
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """A funnel plot: each area's rate against its population, with control limits.

    The limits are exact Poisson limits around the target rate
    (:func:`crimestats.changes.funnel_limits`), so an area outside the 95 per cent limits is
    unusual and one outside the 99.8 per cent limits very unusual for its size, whatever its
    size. Areas with no count or population (British Transport Police, a force that sent no
    data) are left out.

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
    label_areas
        ``"outside"``: name the areas outside the narrowest limits; ``"all"``; or ``"none"``.
    unit
        What the rate is per: "people" or "households".
    title
        The chart's title.
    ax
        Draw on these axes; by default on a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; :func:`save` writes it.

    Raises
    ------
    InputError
        A column that is not in ``data``, no area with a count and population, or an unknown
        ``label_areas``.
    ModuleNotFoundError
        If matplotlib is not installed.

    Examples
    --------
    The founding report's two forces against the England and Wales rate:

    >>> from crimestats.datasets import load_story_areas
    >>> areas = load_story_areas().query("area_name != 'England and Wales'")
    >>> figure = funnel_plot(areas, target=599_908 / 61_806_682 * 1000)
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
    levels = sorted(conf)
    flags = funnel(counts, populations, target=target, per=per, conf=levels)
    centre = float(flags.attrs["target"])
    grid = np.geomspace(populations.min() * 0.7, populations.max() * 1.4, 300)
    limits = funnel_limits(grid, centre, per=per, conf=levels)

    figure, axes = _new_axes(ax, (9, 6), fixed=True)
    styles = ["--", ":", "-."]
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
    axes.scatter(populations, rates, c=list(colours), s=28, zorder=3, edgecolors="white")
    for colour, text in (
        (_WITHIN, "within the limits"),
        (_OUTSIDE_95, f"outside {levels[0] * 100:g} per cent"),
        (_OUTSIDE_998, f"outside {levels[-1] * 100:g} per cent"),
    ):
        if colour in colours:
            axes.scatter([], [], c=colour, s=28, label=f"Area {text}")

    axes.set_xscale("log")
    axes.xaxis.set_major_formatter(_thousands())
    axes.xaxis.set_minor_formatter(_thousands(minor=True))
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
        if label_areas == "all" or (label_areas == "outside" and outside[i])
    ]
    _label_points(axes, populations.to_numpy(), rates, names.to_list(), chosen)
    axes.legend(fontsize=8, loc="best", framealpha=0.9)
    axes.set_title(textwrap.fill(title or "Funnel plot", 80), fontsize=11)
    return figure


def _label_points(
    axes: Axes, xs: np.ndarray, ys: np.ndarray, names: list[str], chosen: list[int]
) -> None:
    """Name the chosen points, each label placed where it overlaps no other label or point.

    A greedy placement: each label tries a few positions around its point (right, left, above,
    below, further out) and takes the first that overlaps nothing placed so far, measured in
    display units with the text's width estimated from its length (a renderer is not needed).
    """
    fontsize = 7.0
    scale = axes.get_figure().dpi / 72  # type: ignore[union-attr]
    height = fontsize * 1.25 * scale
    points = axes.transData.transform(np.column_stack([xs, ys]))
    taken: list[tuple[float, float, float, float]] = [
        (px - 3 * scale, py - 3 * scale, px + 3 * scale, py + 3 * scale) for px, py in points
    ]
    offsets = [(4, 2), (4, -9), (-4, 2), (-4, -9), (4, 9), (4, -16), (-4, 9), (-4, -16)]

    frame = axes.bbox

    def overlaps(box: tuple[float, float, float, float]) -> bool:
        if box[0] < frame.x0 or box[2] > frame.x1 or box[1] < frame.y0 or box[3] > frame.y1:
            return True
        return any(
            box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken
        )

    # place the most crowded first: those nearest the others have the fewest free positions
    for i in sorted(chosen, key=lambda k: points[k][0]):
        px, py = points[i]
        width = len(names[i]) * fontsize * 0.55 * scale
        box = (0.0, 0.0, 0.0, 0.0)
        dx, dy = offsets[0]
        for dx, dy in offsets:
            left = px + dx * scale - (width if dx < 0 else 0)
            bottom = py + dy * scale
            box = (left, bottom, left + width, bottom + height)
            if not overlaps(box):
                break
        else:
            dx, dy = offsets[0]
            left, bottom = px + dx * scale, py + dy * scale
            box = (left, bottom, left + width, bottom + height)
        taken.append(box)
        axes.annotate(
            names[i],
            (xs[i], ys[i]),
            xytext=(dx, dy),
            textcoords="offset points",
            ha="right" if dx < 0 else "left",
            va="bottom",
            fontsize=fontsize,
            color="#333333",
        )


def _thousands(*, minor: bool = False) -> Any:
    """Tick labels with thousands separators; minor ticks labelled only at 2 and 5 (x 10^k)."""
    from matplotlib.ticker import FuncFormatter

    def label(x: float, _: int) -> str:
        if minor and f"{x:.0e}"[0] not in "25":
            return ""
        return f"{x:,.0f}"

    return FuncFormatter(label)


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
