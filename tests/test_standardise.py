"""Standardised, severity-weighted and smoothed rates against their reference tools.

Where each expected value comes from:

* ``../shared/reference/dsr.csv``: PHEindicatormethods' DSR test data (testdata_multiarea,
  ESP2013 weights) and the published rate and 95 and 99.8 per cent limits.
* ``tests/reference/phe_isr_*.csv`` and ``phe_dsr_nonindependent_*.csv``: PHEindicatormethods
  @093fd288, tests/testthat/testdata_DSR_ISR.xlsx (the sheets the package's own testISRatios.R,
  testISRates.R and testDSRs.R read), written out with every digit; each file names its sheet.
* ``tests/reference/spdep_eb.csv``: R spdep's EBest and EBlocal, by ``spdep_eb.R`` beside it.
* The Fay-Feuer interval and the F interval for a change: computed here independently with
  scipy.stats.gamma and scipy.stats.f from the sums.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import crimestats as cs

from conftest import SHARED

REFERENCE = Path(__file__).parent / "reference"
REL = 1e-9


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / name, comment=None).drop(columns="source")


#: The ISR arguments for PHE's test data (phe_isr_inputs.csv).
PHE_ISR = {
    "count": "count",
    "population": "pop",
    "reference_count": "refcount",
    "reference_population": "refpop",
}


def _phe_columns(value: str, prefix: str = "") -> list[tuple[str, str]]:
    """Pairs of (crimestats column, PHEindicatormethods column) for an estimate and its 95 and
    99.8 per cent bounds; `prefix` names crimestats' bound columns (``rate_lower_95``)."""
    bounds = [("lower_95", "lower95_0cl"), ("upper_95", "upper95_0cl")]
    bounds += [("lower_99_8", "lower99_8cl"), ("upper_99_8", "upper99_8cl")]
    return [(value, "value"), *((prefix + ours, theirs) for ours, theirs in bounds)]


# ---------------------------------------------------------------------------------------------
# Directly standardised rates
# ---------------------------------------------------------------------------------------------


def _dsr_reference() -> tuple[pd.DataFrame, dict[str, float]]:
    path = SHARED / "reference" / "dsr.csv"
    if not path.exists():
        pytest.skip("../shared/reference is not beside this checkout")
    lines = path.read_text(encoding="utf-8").splitlines()
    comment = next(line for line in lines if line.startswith("#"))
    # "# expected per 100000: dsr D; 95% [L, U]; 99.8% [L, U]"
    numbers = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", comment)]
    _, dsr_value, _, lower95, upper95, _, lower998, upper998 = numbers
    data = pd.read_csv(path, comment="#").drop(columns="source")
    expected = {
        "dsr": dsr_value,
        "lower_95": lower95,
        "upper_95": upper95,
        "lower_99_8": lower998,
        "upper_99_8": upper998,
    }
    return data, expected


def test_dsr_matches_phe_with_a_standard_column() -> None:
    data, expected = _dsr_reference()
    d = cs.dsr(
        data.rename(columns={"esp2013": "standard"}),
        count="count",
        population="population",
        standard="standard",
        conf=(0.95, 0.998),
    )
    assert list(d.columns) == [
        "count",
        "population",
        "dsr",
        "lower_95",
        "upper_95",
        "lower_99_8",
        "upper_99_8",
        "suppressed",
    ]
    for column, value in expected.items():
        assert d.loc[0, column] == pytest.approx(value, rel=REL), column
    assert d.loc[0, "count"] == 895 and not d.loc[0, "suppressed"]


def test_dsr_with_the_shipped_esp2013_and_by_groups() -> None:
    data, expected = _dsr_reference()
    esp = cs.datasets.load_esp2013()
    assert np.array_equal(esp["population"].to_numpy(), data["esp2013"].to_numpy())
    big = data.assign(force="Big", age=esp["age"].to_numpy())
    tiny = big.assign(force="Tiny", count=0)
    tiny.loc[tiny.index[:9], "count"] = 1  # nine events: PHE suppresses
    both = pd.concat([tiny, big], ignore_index=True)
    d = cs.dsr(both, count="count", population="population", standard="esp2013", by="force")
    assert list(d["force"]) == ["Big", "Tiny"]
    assert list(d.columns) == [
        "force",
        "count",
        "population",
        "dsr",
        "lower",
        "upper",
        "suppressed",
    ]
    assert d.loc[0, "dsr"] == pytest.approx(expected["dsr"], rel=REL)
    assert d.loc[0, "lower"] == pytest.approx(expected["lower_95"], rel=REL)
    assert d.loc[1, "suppressed"] and np.isnan(d.loc[1, "dsr"]) and d.loc[1, "count"] == 9
    # PHE's own band labels ("00-04") and lower ages (0, 5, ... 90) name the same bands.
    padded = big.assign(age=[f"{5 * i:02d}-{5 * i + 4:02d}" for i in range(18)] + ["90+"])
    lower_ages = big.assign(age=np.arange(0, 95, 5))
    for frame in (padded, lower_ages):
        again = cs.dsr(frame, count="count", population="population", standard="esp2013")
        assert again.loc[0, "dsr"] == pytest.approx(expected["dsr"], rel=1e-15)


def test_dsr_refuses_what_would_be_silently_wrong() -> None:
    data, _ = _dsr_reference()
    esp = cs.datasets.load_esp2013()
    frame = data.assign(age=esp["age"].to_numpy(), force="A")
    with pytest.raises(cs.InputError, match="'85\\+', not a band"):
        cs.dsr(
            frame.assign(age=[*esp["age"][:17], "85+", "90+"]),
            count="count",
            population="population",
            standard="esp2013",
        )
    other = frame.assign(force="B").iloc[:-1]
    with pytest.raises(cs.InputError, match="no row for band '90\\+'"):
        cs.dsr(
            pd.concat([frame, other]),
            count="count",
            population="population",
            standard="esp2013",
            by="force",
        )
    with pytest.raises(cs.InputError, match="repeats the band of position 0"):
        cs.dsr(
            pd.concat([frame, frame.iloc[:1]]),
            count="count",
            population="population",
            standard="esp2013",
        )
    with pytest.raises(cs.InputError, match="population: position 2"):
        cs.dsr(
            frame.assign(population=frame["population"].where(frame.index != 2, 0)),
            count="count",
            population="population",
            standard="esp2013",
        )
    with pytest.raises(cs.InputError, match="column 'people' is not in frame"):
        cs.dsr(frame, count="count", population="people", standard="esp2013")
    missing = frame.assign(count=frame["count"].where(frame.index != 4))
    assert np.isnan(
        cs.dsr(missing, count="count", population="population", standard="esp2013").loc[0, "dsr"]
    )


def _nonindependent() -> tuple[pd.DataFrame, pd.DataFrame]:
    wide = _read("phe_dsr_nonindependent_inputs.csv")
    long = wide.melt(
        id_vars=["area", "ageband", "count", "pop"],
        value_vars=["f1", "f2", "f3", "f4"],
        var_name="freq",
        value_name="persons",
    )
    long["freq"] = long["freq"].str[1:].astype(int)
    # As data-raw/LoadTestdata.R: no f4 rows for the dummy, small and tiny areas; a missing
    # number of people counts as none (PHE's na.zero).
    drop = long["area"].isin(
        ["testdata_nonind_dummy", "testdata_nonind_small", "testdata_nonind_tiny"]
    ) & (long["freq"] == 4)
    long = long[~drop].fillna({"persons": 0}).reset_index(drop=True)
    # The sheet labels the 55-59 band "55-69"; PHE matches bands by position, crimestats by label.
    long["ageband"] = long["ageband"].replace("55-69", "55-59")
    return long, _read("phe_dsr_nonindependent_results.csv")


def test_dsr_nonindependent_events_match_phe() -> None:
    long, expected = _nonindependent()
    d = cs.dsr(
        long,
        count="persons",
        population="pop",
        standard="esp2013",
        by="area",
        age="ageband",
        conf=(0.95, 0.998),
        eventfreq="freq",
    )
    assert list(d["area"]) == list(expected["area"])
    assert list(d["count"]) == list(expected["total_count"])
    shown = ~expected["value"].isna()
    for ours, theirs in _phe_columns("dsr"):
        # The sheet holds these to 13 significant digits.
        np.testing.assert_allclose(d.loc[shown, ours], expected.loc[shown, theirs], rtol=1e-11)
    assert list(d["suppressed"]) == list(~shown)
    # The same events counted as independent give the narrower PHE interval.
    events = (
        long.assign(events=long["persons"] * long["freq"])
        .groupby(["area", "ageband"], as_index=False)
        .agg(events=("events", "sum"), pop=("pop", "first"))
    )
    plain = cs.dsr(
        events, count="events", population="pop", standard="esp2013", by="area", age="ageband"
    )
    assert (plain["upper"] < d["upper_95"])[shown.to_numpy()].all()
    np.testing.assert_allclose(plain["dsr"], d["dsr"], rtol=1e-14)


def test_dsr_population_must_repeat_across_frequencies() -> None:
    long, _ = _nonindependent()
    long.loc[0, "pop"] = 1  # as PHE's test_DSR_nonind_err1
    with pytest.raises(cs.InputError, match=r"population: position .* same group"):
        cs.dsr(
            long,
            count="persons",
            population="pop",
            standard="esp2013",
            by="area",
            age="ageband",
            eventfreq="freq",
        )


def test_rate_and_compare_widen_for_repeat_victims() -> None:
    # One area's victims: 700 once, 200 twice, 100 three times: 1,400 offences.
    people = {1: 700, 2: 200, 3: 100}
    ratio = (700 + 4 * 200 + 9 * 100) / 1400
    plain = cs.rate(1400, 100_000)
    wide = cs.rate(1400, 100_000, eventfreq=people)
    centre = plain.loc[0, "rate"]
    for bound in ("lower", "upper"):
        assert wide.loc[0, bound] - centre == pytest.approx(
            np.sqrt(ratio) * (plain.loc[0, bound] - centre), rel=1e-13
        )
    # As a one-band DSR with PHE's non-independent variance (Dobson with Byar's interval).
    band = pd.DataFrame(
        {"persons": [700, 200, 100], "freq": [1, 2, 3], "pop": 100_000, "std": 1.0, "age": "all"}
    )
    one = cs.dsr(
        band, count="persons", population="pop", standard="std", eventfreq="freq", per=1000
    )
    assert one.loc[0, "lower"] == pytest.approx(wide.loc[0, "lower"], rel=1e-13)
    mapped = cs.dsr(
        band.iloc[:1].assign(persons=1400),
        count="persons",
        population="pop",
        standard="std",
        eventfreq=people,
        per=1000,
    )
    assert mapped.loc[0, "upper"] == pytest.approx(wide.loc[0, "upper"], rel=1e-13)
    # Compare: the benchmark inside the widened interval is "similar", outside the plain one.
    benchmark = plain.loc[0, "upper"] + 0.1 * (wide.loc[0, "upper"] - plain.loc[0, "upper"])
    assert cs.compare(1400, 100_000, benchmark).loc[0, "comparison"] == "lower"
    assert cs.compare(1400, 100_000, benchmark, eventfreq=people).loc[0, "comparison"] == "similar"
    per_row = pd.DataFrame({1: [700, 10], 2: [200, 0], 3: [100, 0]})
    two = cs.rate([1400, 10], [100_000, 1000], eventfreq=per_row)
    assert two.loc[0, "upper"] == pytest.approx(wide.loc[0, "upper"], rel=1e-15)
    assert two.loc[1, "upper"] == cs.rate(10, 1000).loc[0, "upper"]
    with pytest.raises(cs.InputError, match="eventfreq"):
        cs.rate(5, 100, eventfreq={0: 3})
    with pytest.raises(cs.InputError, match="eventfreq: has 3 rows"):
        cs.rate([1, 2], [10, 10], eventfreq=pd.DataFrame({1: [1, 2, 3]}))


# ---------------------------------------------------------------------------------------------
# Indirectly standardised ratios and rates
# ---------------------------------------------------------------------------------------------


def test_isr_matches_phe() -> None:
    # PHE reads missing counts and populations as 0 (na.zero); crimestats gives NaN for them.
    data = _read("phe_isr_inputs.csv").fillna(0)
    expected = _read("phe_isr_results.csv")
    r = cs.isr(data, **PHE_ISR, by="area", conf=(0.95, 0.998))
    ratio = expected.iloc[6:9].reset_index(drop=True)
    assert list(r["area"]) == list(ratio["area"])
    assert list(r["observed"]) == list(ratio["observed"])
    np.testing.assert_allclose(r["expected"], ratio["expected"], rtol=REL)
    for ours, theirs in _phe_columns("ratio"):
        np.testing.assert_allclose(r[ours], ratio[theirs], rtol=REL)
    rate = expected.iloc[0:3].reset_index(drop=True)
    s = cs.isr(data, **PHE_ISR, by="area", conf=(0.95, 0.998), reference_rate="crude")
    np.testing.assert_allclose(s["reference_rate"], rate["ref_rate"], rtol=REL)
    for ours, theirs in _phe_columns("rate", prefix="rate_"):
        np.testing.assert_allclose(s[ours], rate[theirs], rtol=REL)


def test_isr_with_a_zero_population_band() -> None:
    # PHE's "test n = 0" (testdata_err2, ratio x 100; results rows 15 and 16).
    data = _read("phe_isr_inputs.csv").fillna(0)
    data = data[data["area"].isin(["testdata_big", "testdata_small"])].copy()
    data.loc[data.index[1], "pop"] = 0
    expected = _read("phe_isr_results.csv").iloc[14:16].reset_index(drop=True)
    r = cs.isr(data, **PHE_ISR, by="area")
    np.testing.assert_allclose(r["expected"], expected["expected"], rtol=REL)
    np.testing.assert_allclose(100 * r["ratio"], expected["value"], rtol=REL)
    np.testing.assert_allclose(100 * r["lower"], expected["lower95_0cl"], rtol=REL)
    np.testing.assert_allclose(100 * r["upper"], expected["upper95_0cl"], rtol=REL)
    with pytest.raises(cs.InputError, match="reference_rate"):
        cs.isr(data, **PHE_ISR, reference_rate="national")


# ---------------------------------------------------------------------------------------------
# Severity-weighted rates
# ---------------------------------------------------------------------------------------------


def _offences(seed: int, areas: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    weights = np.array([0.5, 2.0, 15.0, 180.0, 1200.0])  # days of custody equivalent
    rows = []
    for a in range(areas):
        people = float(rng.integers(50_000, 2_000_000))
        for offence, w in enumerate(weights):
            rows.append(
                {
                    "area": f"A{a}",
                    "offence": offence,
                    "weight": w,
                    "count": int(rng.poisson(people / 1000 * [40, 10, 3, 0.2, 0.01][offence])),
                    "population": people,
                }
            )
    return pd.DataFrame(rows)


def _fay_feuer(group: pd.DataFrame, conf: float) -> tuple[float, float, float]:
    """Fay & Feuer (1997), independently with scipy.stats.gamma."""
    y = (group["weight"] * group["count"]).sum()
    v = (group["weight"] ** 2 * group["count"]).sum()
    m = group["weight"].max()
    people = group["population"].iloc[0]
    alpha = 1 - conf
    lower = 0.0 if y == 0 else stats.gamma.ppf(alpha / 2, y**2 / v, scale=v / y)
    upper = stats.gamma.ppf(1 - alpha / 2, (y + m) ** 2 / (v + m**2), scale=(v + m**2) / (y + m))
    return y / people * 1000, lower / people * 1000, upper / people * 1000


@pytest.mark.parametrize("conf", [0.95, 0.998])
def test_weighted_rate_is_fay_feuer(conf: float) -> None:
    data = _offences(1)
    w = cs.weighted_rate(
        data, count="count", weight="weight", population="population", by="area", conf=conf
    )
    assert list(w.columns) == ["area", "score", "rate", "lower", "upper"]
    for i, (_, group) in enumerate(data.groupby("area")):
        rate, lower, upper = _fay_feuer(group, conf)
        assert w.loc[i, "rate"] == pytest.approx(rate, rel=1e-14)
        assert w.loc[i, "lower"] == pytest.approx(lower, rel=REL)
        assert w.loc[i, "upper"] == pytest.approx(upper, rel=REL)
    normal = cs.weighted_rate(
        data,
        count="count",
        weight="weight",
        population="population",
        by="area",
        conf=conf,
        method="normal",
    )
    half = (
        stats.norm.ppf(0.5 + conf / 2)
        * np.sqrt(
            data.assign(v=data["weight"] ** 2 * data["count"]).groupby("area")["v"].sum().to_numpy()
        )
        / data.groupby("area")["population"].first().to_numpy()
        * 1000
    )
    np.testing.assert_allclose(normal["upper"] - normal["rate"], half, rtol=1e-12)


def test_weighted_rate_takes_population_once() -> None:
    data = _offences(2, areas=1)
    one = cs.weighted_rate(data, count="count", weight="weight", population="population")
    assert one.loc[0, "rate"] == pytest.approx(
        (data["weight"] * data["count"]).sum() / data["population"].iloc[0] * 1000, rel=1e-14
    )
    bad = data.copy()
    bad.loc[3, "population"] += 1
    with pytest.raises(cs.InputError, match=r"population: position 3 .* position 0 of the same"):
        cs.weighted_rate(bad, count="count", weight="weight", population="population")
    with pytest.raises(cs.InputError, match="weight: position 1"):
        cs.weighted_rate(
            data.assign(weight=[1, -1, 1, 1, 1]),
            count="count",
            weight="weight",
            population="population",
        )
    zero = cs.weighted_rate(
        data.assign(count=0), count="count", weight="weight", population="population"
    )
    # No offences: the upper bound is one offence of the largest weight's gamma(1) quantile.
    assert zero.loc[0, "lower"] == 0
    assert zero.loc[0, "upper"] == pytest.approx(
        -np.log(0.025) * 1200 / data["population"].iloc[0] * 1000, rel=1e-13
    )


def test_weighted_change_is_the_f_interval() -> None:
    now, then = _offences(3), _offences(4)
    then["population"] = then.groupby("area")["population"].transform("first")
    t = cs.test_weighted_change(
        now, then, count="count", weight="weight", population="population", by="area"
    )
    assert list(t.columns) == [
        "area",
        "rate_current",
        "rate_previous",
        "ratio",
        "lower",
        "upper",
        "p_value",
        "significant",
    ]
    for i, area in enumerate(t["area"]):
        a, b = now[now["area"] == area], then[then["area"] == area]
        sums = []
        for g in (a, b):
            y = (g["weight"] * g["count"]).sum()
            v = (g["weight"] ** 2 * g["count"]).sum()
            sums.append((y, v, g["weight"].max(), g["population"].iloc[0]))
        (y1, v1, m1, n1), (y0, v0, m0, n0) = sums
        f = stats.f
        lower = (
            y1
            / n1
            / ((y0 + m0) / n0)
            * f.ppf(0.025, 2 * y1**2 / v1, 2 * (y0 + m0) ** 2 / (v0 + m0**2))
        )
        upper = (
            (y1 + m1)
            / n1
            / (y0 / n0)
            * f.ppf(0.975, 2 * (y1 + m1) ** 2 / (v1 + m1**2), 2 * y0**2 / v0)
        )
        assert t.loc[i, "lower"] == pytest.approx(lower, rel=REL)
        assert t.loc[i, "upper"] == pytest.approx(upper, rel=REL)
        assert bool(t.loc[i, "significant"]) == (lower > 1 or upper < 1)
    # Only in one period: NaN.
    partial = cs.test_weighted_change(
        now,
        then[then["area"] != "A0"],
        count="count",
        weight="weight",
        population="population",
        by="area",
    )
    assert np.isnan(partial.loc[0, "ratio"]) and partial["significant"].isna()[0]


# ---------------------------------------------------------------------------------------------
# Empirical Bayes smoothing
# ---------------------------------------------------------------------------------------------


def _spdep() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "spdep_eb.csv", comment="#")


def _neighbours(frame: pd.DataFrame) -> list[list[int]]:
    return [[int(j) for j in str(s).split(";")] for s in frame["neighbours"]]


def test_global_and_local_empirical_bayes_match_spdep() -> None:
    ref = _spdep()
    g = cs.smooth_rates(ref["count"], ref["population"], per=1)
    np.testing.assert_allclose(g["raw"], ref["global_raw"], rtol=1e-15)
    np.testing.assert_allclose(g["smoothed"], ref["global_smoothed"], rtol=REL)
    local = cs.smooth_rates(
        ref["count"], ref["population"], method="local", neighbours=_neighbours(ref), per=1
    )
    np.testing.assert_allclose(local["smoothed"], ref["local_smoothed"], rtol=REL)
    # shrinkage is the weight on the mean: smoothed = raw - shrinkage (raw - mean).
    mean = ref["count"].sum() / ref["population"].sum()
    np.testing.assert_allclose(
        g["smoothed"], g["raw"] - g["shrinkage"] * (g["raw"] - mean), rtol=1e-12
    )
    assert ((g["shrinkage"] >= 0) & (g["shrinkage"] <= 1)).all()
    per_thousand = cs.smooth_rates(ref["count"], ref["population"])
    np.testing.assert_allclose(per_thousand["smoothed"], 1000 * g["smoothed"], rtol=1e-15)


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_committed_spdep_values_are_what_r_prints() -> None:
    try:
        fresh = subprocess.run(
            ["Rscript", "spdep_eb.R"],
            cwd=REFERENCE,
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        ).stdout
    except subprocess.CalledProcessError:
        pytest.skip("R's spdep is not installed")
    committed = (REFERENCE / "spdep_eb.csv").read_text(encoding="utf-8")
    strip = lambda text: [line for line in text.splitlines() if not line.startswith("#")]  # noqa: E731
    assert strip(fresh) == strip(committed)


def test_smoothing_with_labels_and_bad_neighbours() -> None:
    count = pd.Series([3, 0, 12], index=["Ampthill", "Biggleswade", "Luton"])
    population = pd.Series([310, 120, 2400], index=count.index)
    by_label = cs.smooth_rates(
        count,
        population,
        method="local",
        neighbours={
            "Ampthill": ["Biggleswade"],
            "Biggleswade": ["Ampthill", "Luton"],
            "Luton": ["Biggleswade"],
        },
    )
    by_position = cs.smooth_rates(count, population, method="local", neighbours=[[1], [0, 2], [1]])
    assert list(by_label.index) == list(count.index)
    pd.testing.assert_frame_equal(by_label, by_position)
    with pytest.raises(cs.InputError, match="neighbours"):
        cs.smooth_rates(count, population, method="local")
    with pytest.raises(cs.InputError, match="lists 7"):
        cs.smooth_rates(count, population, method="local", neighbours=[[7], [], []])
    with pytest.raises(cs.InputError, match="twice"):
        cs.smooth_rates(count, population, method="local", neighbours=[[1, 1], [], []])
    with pytest.raises(cs.InputError, match="method"):
        cs.smooth_rates(count, population, method="bayes")
    nan = cs.smooth_rates([3, np.nan, 12], [310, 120, 2400])
    alone = cs.smooth_rates([3, 12], [310, 2400])
    assert np.isnan(nan.loc[1, "smoothed"])
    np.testing.assert_allclose(nan["smoothed"].dropna(), alone["smoothed"], rtol=1e-15)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 500), st.integers(1, 100_000)), min_size=2, max_size=30),
    st.randoms(use_true_random=False),
)
def test_smoothing_does_not_depend_on_order(areas: list[tuple[int, int]], rnd: object) -> None:
    count = np.array([a[0] for a in areas], dtype=float)
    population = np.array([a[1] for a in areas], dtype=float)
    order = np.arange(len(areas))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    first = cs.smooth_rates(count, population)
    second = cs.smooth_rates(count[order], population[order])
    np.testing.assert_allclose(second["smoothed"], first["smoothed"].to_numpy()[order], rtol=1e-12)
    mean = count.sum() / population.sum() * 1000
    low, high = np.minimum(first["raw"], mean), np.maximum(first["raw"], mean)
    assert (first["smoothed"] >= low - 1e-9).all() and (first["smoothed"] <= high + 1e-9).all()


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), areas=st.integers(1, 8))
def test_grouped_results_do_not_depend_on_row_order(seed: int, areas: int) -> None:
    rng = np.random.default_rng(seed)
    esp = cs.datasets.load_esp2013()
    people = rng.integers(50, 5_000, areas * 19).astype(float)
    frame = pd.DataFrame(
        {
            "force": np.repeat([f"F{a}" for a in range(areas)], 19),
            "age": np.tile(esp["age"].to_numpy(), areas),
            "count": rng.poisson(people * rng.uniform(0.001, 0.05)).astype(float),
            "population": people,
            "weight": rng.uniform(0, 100, areas * 19),
            "area_population": np.repeat(rng.integers(1_000, 10_000, areas), 19).astype(float),
        }
    )
    shuffled = frame.sample(frac=1, random_state=np.random.RandomState(seed % 2**31))
    for data_frame in (frame, shuffled):
        d = cs.dsr(
            data_frame,
            count="count",
            population="population",
            standard="esp2013",
            by="force",
            conf=(0.95, 0.998),
        )
        w = cs.weighted_rate(
            data_frame, count="count", weight="weight", population="area_population", by="force"
        )
        if data_frame is frame:
            first_d, first_w = d, w
    pd.testing.assert_frame_equal(d, first_d, rtol=1e-13)
    pd.testing.assert_frame_equal(w, first_w, rtol=1e-13)
    shown = ~d["suppressed"].astype(bool)
    assert (d.loc[shown, "lower_99_8"] <= d.loc[shown, "lower_95"]).all()
    assert (d.loc[shown, "lower_95"] <= d.loc[shown, "dsr"]).all()
    assert (d.loc[shown, "dsr"] <= d.loc[shown, "upper_95"]).all()
    assert ((w["lower"] <= w["rate"]) & (w["rate"] <= w["upper"])).all()
