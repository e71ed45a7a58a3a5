"""Tests of crimestats.plot: funnel plots and change charts written as PNG files.

The charts are drawn on figures of their own, never through pyplot, so no backend is chosen;
the Agg backend is set all the same, as for any test that might draw.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

import crimestats as cs
from crimestats import InputError, ons
from crimestats.datasets import load_story_areas
from crimestats.plot import change_chart, funnel_plot, save
from crimestats.story import report

matplotlib.use("Agg")

DATA = Path(__file__).parents[1].parent / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is not present")
PNG = b"\x89PNG\r\n\x1a\n"


def test_funnel_plot_of_the_founding_report(tmp_path: Path) -> None:
    # Bedfordshire and Devon and Cornwall against 599,908 / 61,806,682 = 9.71 per 1,000: both
    # below the 99.8 per cent limits, so both labelled.
    areas = load_story_areas().query("area_name != 'England and Wales'")
    figure = funnel_plot(areas, target=599_908 / 61_806_682 * 1000, title="Stalking")
    axes = figure.axes[0]
    labels = {t.get_text() for t in axes.texts}
    assert labels == {"Bedfordshire", "Devon and Cornwall"}
    assert axes.get_xscale() == "log"
    assert axes.get_ylabel() == "Rate per 1,000 people"
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert "95 per cent limits" in legend and "99.8 per cent limits" in legend
    assert "Target 9.71 per 1,000" in legend
    path = save(figure, tmp_path / "funnel.png")
    assert path.read_bytes()[:8] == PNG and path.stat().st_size > 10_000


@needs_data
def test_funnel_plot_of_every_force(tmp_path: Path) -> None:
    r = report(ons.read_pfa_tables(DATA / "pfatablesdec19.xlsx"), offence="stalking")
    figure = funnel_plot(r.funnel, target=r.benchmark, label_areas="all")
    labels = {t.get_text() for t in figure.axes[0].texts}
    assert labels == set(
        r.funnel["area_name"]
    )  # 43 forces less Greater Manchester (no data) and the City of London (rate suppressed)
    assert len(labels) == 41
    outliers = funnel_plot(r.funnel, target=r.benchmark)
    flagged = set(r.funnel.loc[r.funnel["poisson_flag"] != "within", "area_name"])
    assert {t.get_text() for t in outliers.axes[0].texts} == flagged
    assert not funnel_plot(r.funnel, label_areas="none").axes[0].texts
    path = save(outliers, tmp_path / "funnel.png")
    assert path.read_bytes()[:8] == PNG and path.stat().st_size > 20_000


WORKBOOKS = sorted(p.name for p in DATA.glob("*.xlsx") if p.name.startswith(("pfa", "policeforce")))


def _boxes(figure: Figure, texts: list[Text]) -> list[Bbox]:
    figure.canvas.draw()  # lay the figure out as saving it would
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    return [t.get_window_extent(renderer) for t in texts if t.get_visible() and t.get_text()]


def _overlapping(boxes: list[Bbox]) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i].overlaps(boxes[j])
    ]


@needs_data
@pytest.mark.parametrize("name", WORKBOOKS)
def test_funnel_plot_labels_and_ticks_never_overlap(name: str, tmp_path: Path) -> None:
    # every force named (the hardest case), limits adjusted for overdispersion, one highlighted
    r = report(ons.read_pfa_tables(DATA / name), offence="stalking")
    figure = funnel_plot(
        r.funnel,
        target=r.benchmark,
        overdispersion="winsorised",
        label_areas="all",
        highlight="Bedfordshire",
        source=f"ONS, {name}",
    )
    axes = figure.axes[0]
    labels = [t for t in axes.texts]
    assert {t.get_text() for t in labels} == set(r.funnel["area_name"])
    assert _overlapping(_boxes(figure, labels)) == []
    for ticks in (axes.get_xticklabels(), axes.get_yticklabels()):
        assert _overlapping(_boxes(figure, list(ticks))) == []
    # labels stay inside the axes (to a pixel's rounding)
    frame = axes.get_window_extent().expanded(1.001, 1.001)
    for box in _boxes(figure, labels):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 <= frame.y1
    footer = [t.get_text() for t in figure.texts]
    assert any(
        f.startswith(f"Source: ONS, {name}. Limits adjusted for overdispersion") for f in footer
    )
    save(figure, tmp_path / "funnel.png")


@needs_data
def test_funnel_plot_draws_the_adjusted_limits() -> None:
    r = report(ons.read_pfa_tables(DATA / "pfatablesdec19.xlsx"), offence="stalking")
    adjusted = cs.funnel(
        r.funnel["count"], r.funnel["population"], target=r.benchmark, overdispersion="winsorised"
    )
    figure = funnel_plot(r.funnel, target=r.benchmark, overdispersion="winsorised")
    axes = figure.axes[0]
    # the upper 99.8 per cent curve is the second line drawn for it (lower then upper per level)
    upper_998 = axes.lines[3]
    population, limit = upper_998.get_xdata()[-1], upper_998.get_ydata()[-1]
    expected = cs.funnel_limits([population], r.benchmark, **adjusted.attrs["limits"])
    assert limit == pytest.approx(expected["upper_99_8"].iloc[0], rel=1e-12)
    poisson = cs.funnel_limits([population], r.benchmark)
    assert limit > poisson["upper_99_8"].iloc[0] + 1  # far wider than Poisson at 10 million
    # areas inside the limits are all unnamed: only those outside the 95 per cent limits are
    outside = set(r.funnel.loc[adjusted["flag"].to_numpy() != "within", "area_name"])
    assert 0 < len(outside) <= 5
    assert {t.get_text() for t in axes.texts} == outside
    # a highlighted area inside the limits is named as well, and none of the others inside
    lit = funnel_plot(
        r.funnel, target=r.benchmark, overdispersion="winsorised", highlight="Bedfordshire"
    )
    assert {t.get_text() for t in lit.axes[0].texts} == outside | {"Bedfordshire"}
    with pytest.raises(InputError, match="highlight: 'Gotham' is not among the areas plotted"):
        funnel_plot(r.funnel, highlight="Gotham")


@needs_data
def test_change_chart(tmp_path: Path) -> None:
    r = report(ons.read_pfa_tables(DATA / "pfatablesdec19.xlsx"), offence="stalking")
    forces = r.rows[r.rows["area_type"] == "force"]
    figure = change_chart(forces, benchmark=19.9)
    axes = figure.axes[0]
    ticks = [t.get_text() for t in axes.get_yticklabels()]
    assert len(ticks) == 42  # Greater Manchester has no change
    assert ticks[-1] == "Derbyshire"  # the largest rise at the top, +192.6 per cent
    assert ticks[0] == "City of London"  # the largest fall at the bottom, -25.6 per cent
    path = save(figure, tmp_path / "change.svg")
    assert path.read_text().startswith("<?xml")


def test_change_chart_without_tests(tmp_path: Path) -> None:
    data = pd.DataFrame({"area_name": ["A", "B"], "percent_change": [3.2, -5.8]})
    figure = change_chart(data, significant=None, ratio_lower=None, ratio_upper=None)
    path = save(figure, tmp_path / "change.png")
    assert path.read_bytes()[:8] == PNG


def test_bad_input() -> None:
    areas = load_story_areas()
    with pytest.raises(InputError, match="label_areas: 'some'"):
        funnel_plot(areas, label_areas="some")
    with pytest.raises(InputError, match="count: column 'offences' is not in data"):
        funnel_plot(areas, count="offences")
    with pytest.raises(InputError, match="no area has both a count and a population"):
        funnel_plot(areas.assign(population=float("nan")))
    with pytest.raises(InputError, match="no area has a percentage change"):
        change_chart(pd.DataFrame({"area_name": ["A"], "percent_change": [float("nan")]}))


def test_without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'crimestats\[plot\]'"):
        funnel_plot(load_story_areas(), target=9.71)
