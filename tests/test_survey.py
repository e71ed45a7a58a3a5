"""survey_share, survey_mean, survey_total and the published-table shares: R survey agreement."""

from __future__ import annotations

import contextlib
import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats import proportion as smp

import crimestats as cs
from crimestats import ExcludedRowsWarning, InputError, _core

from conftest import REFERENCE, reference

ROOT = Path(__file__).resolve().parents[1]
R_SCRIPT = ROOT / "src/core/survey/r_reference.R"
R_OUTPUT = ROOT / "src/core/survey/r_reference.out"


def parse_r_output(text: str) -> dict[str, list[float]]:
    """`name = [v1, v2]` lines as printed by r_reference.R."""
    out = {}
    for line in text.splitlines():
        match = re.fullmatch(r"(.+) = \[(.*)\]", line)
        if match:
            out[match[1]] = [float(v) for v in match[2].split(", ")]
    return out


R = parse_r_output(R_OUTPUT.read_text())


def api(name: str) -> pd.DataFrame:
    path = REFERENCE / "api" / f"{name}.csv"
    if not path.exists():
        pytest.skip(f"{path} is not beside this checkout")
    return pd.read_csv(path)


def fpc_weights(frame: pd.DataFrame) -> pd.Series:
    """R's weights for id=~dnum+snum, fpc=~fpc1+fpc2 without weights: the product of N / n."""
    n1 = frame["dnum"].nunique()
    n2 = frame.groupby("dnum")["snum"].transform("nunique")
    prob = (1.0 / (frame["fpc1"] / n1)) * (1.0 / (frame["fpc2"] / n2))
    return 1.0 / prob


def designs() -> dict[str, tuple[pd.DataFrame, dict]]:
    strat, clus1, clus2 = api("apistrat"), api("apiclus1"), api("apiclus2")
    clus2 = clus2.assign(fpcw=fpc_weights(clus2))
    return {
        "strat_fpc": (strat, {"weight": "pw", "strata": "stype", "fpc": "fpc"}),
        "strat": (strat, {"weight": "pw", "strata": "stype"}),
        "clus1_fpc": (clus1, {"weight": "pw", "psu": "dnum", "fpc": "fpc"}),
        "clus1": (clus1, {"weight": "pw", "psu": "dnum"}),
        "clus2_fpc": (
            clus2,
            {"weight": "fpcw", "psu": ["dnum", "snum"], "fpc": ["fpc1", "fpc2"]},
        ),
        "clus2": (clus2, {"weight": "pw", "psu": ["dnum", "snum"]}),
    }


DESIGNS = ["strat_fpc", "strat", "clus1_fpc", "clus1", "clus2_fpc", "clus2"]


def close(got: object, want: list[float], rel: float = 1e-9) -> None:
    got_array = np.asarray(got, dtype=float)
    want_array = np.asarray(want, dtype=float)
    assert got_array.shape == want_array.shape
    np.testing.assert_allclose(got_array, want_array, rtol=rel, atol=0, equal_nan=True)


def significant(value: float, digits: int) -> float:
    return float(f"{value:.{digits}g}")


# --- every row of ../shared/reference/survey.csv -------------------------------------------------


def test_reference_csv_rows() -> None:
    table = reference("survey.csv")
    all_designs = designs()
    lonely = api("apiclus1")
    checked = 0
    for row in table.itertuples():
        if row.data == "apistrat" and row.estimand == "mean api00":
            data, kw = all_designs["strat_fpc"]
            got = cs.survey_mean(data, "api00", **kw)
        elif row.data == "apistrat" and row.estimand == "total enroll":
            data, kw = all_designs["strat_fpc"]
            got = cs.survey_total(data, "enroll", **kw)
        elif row.data == "apiclus1" and "lonely" not in row.design:
            data, kw = all_designs["clus1_fpc"]
            got = cs.survey_mean(data, "api00", **kw)
        elif row.data == "apiclus2":
            data, kw = all_designs["clus2_fpc"]
            got = cs.survey_mean(data, "api00", **kw)
        elif row.data == "apiclus1":
            option = row.design.split("lonely=")[1]
            got = cs.survey_mean(
                lonely, "api00", weight="pw", strata="dnum", psu="snum", lonely_psu=option
            )
        else:
            # svy's tests: an interval from p, se, rows and design df (R survey 4.4-2).
            fields = dict(part.split("=") for part in row.design.split())
            method = "beta" if "beta" in row.estimand else "logit"
            lower, upper = _core.survey_share_interval(
                np.array([float(fields["p"])]),
                np.array([float(fields["se"])]),
                np.array([float(fields["df"])]),
                np.array([float(fields["n"])]),
                method,
                0.95,
            )
            assert lower[0] == pytest.approx(row.lower, rel=1e-9)
            assert upper[0] == pytest.approx(row.upper, rel=1e-9)
            checked += 1
            continue
        statistic = got.columns[0]
        # R printed these to 5 significant digits (6-7 for totals): agree to every printed digit.
        for value, want in [(got[statistic].iloc[0], row.estimate), (got["se"].iloc[0], row.se)]:
            if not math.isnan(want):
                digits = len(repr(float(want)).replace(".", "").lstrip("0").rstrip("0"))
                assert significant(value, digits) == pytest.approx(want, rel=1e-12)
        checked += 1
    assert checked == len(table)


# --- R survey to 1e-9: src/core/survey/r_reference.out (R 4.2.2, survey 4.1.1) ------------------


@pytest.mark.parametrize("name", DESIGNS)
def test_whole_sample_matches_r(name: str) -> None:
    data, kw = designs()[name]
    m = cs.survey_mean(data, "api00", **kw)
    close(m[["mean", "se", "deff"]].iloc[0], R[f"{name} mean api00"])
    close(m["df"], R[f"{name} degf"], rel=0)
    with (
        pytest.warns(ExcludedRowsWarning)
        if data["enroll"].isna().any()
        else contextlib.nullcontext()
    ):
        t = cs.survey_total(data, "enroll", **kw)
    close(t[["total", "se", "deff"]].iloc[0], R[f"{name} total enroll"])
    assert t.attrs["excluded_rows"] == data["enroll"].isna().sum()


@pytest.mark.parametrize("name", DESIGNS)
def test_domain_estimates_match_svyby(name: str) -> None:
    data, kw = designs()[name]
    key = f"{name} by awards mean api00"
    got = cs.survey_mean(data, "api00", by="awards", **kw)
    assert list(got["awards"]) == ["No", "Yes"]
    for column, suffix in [("mean", "est"), ("se", "se"), ("deff", "deff")]:
        close(got[column], R[f"{key} {suffix}"])

    key = f"{name} by stype total enroll"
    with (
        pytest.warns(ExcludedRowsWarning)
        if data["enroll"].isna().any()
        else contextlib.nullcontext()
    ):
        got = cs.survey_total(data, "enroll", by="stype", **kw)
    for column, suffix in [("total", "est"), ("se", "se"), ("deff", "deff")]:
        close(got[column], R[f"{key} {suffix}"])

    # A categorical y: R prints level-major (every domain's "No", then every "Yes").
    for y, by, key in [
        ("sch.wide", "stype", f"{name} by stype share sch.wide"),
        ("stype", "awards", f"{name} by awards share stype"),
    ]:
        got = cs.survey_share(data, y, by=by, **kw).sort_values(["level", by], kind="stable")
        for column, suffix in [("share", "est"), ("se", "se"), ("deff", "deff")]:
            close(got[column], R[f"{key} {suffix}"])

    # Two by-columns: R's interaction order has the first varying fastest.
    key = f"{name} by awards+yr.rnd mean api00"
    got = cs.survey_mean(data, "api00", by=["awards", "yr.rnd"], **kw)
    got = got.sort_values(["yr.rnd", "awards"])
    for column, suffix in [("mean", "est"), ("se", "se"), ("deff", "deff")]:
        close(got[column], R[f"{key} {suffix}"])


@pytest.mark.parametrize("name", DESIGNS)
@pytest.mark.parametrize("ci", ["logit", "beta", "xlogit", "mean"])
@pytest.mark.parametrize("conf", [0.95, 0.9])
def test_share_intervals_match_svyciprop(name: str, ci: str, conf: float) -> None:
    data, kw = designs()[name]
    data = data.assign(yes=data["sch.wide"] == "Yes")
    got = cs.survey_share(data, "yes", by="stype", ci=ci, conf=conf, **kw)
    want = R[f"{name} ciprop {ci}"]
    close(got["share"], want[0:3])
    close(got["se"], want[3:6])
    close(got["df"], R[f"{name} domain degf"], rel=0)
    bounds = want[6:12] if conf == 0.95 else R[f"{name} ciprop90 {ci}"]
    # R's "mean" interval is not clipped to [0, 1]; ours is.
    bounds = list(np.clip(bounds, 0, 1))
    close(got["lower"], bounds[0:3])
    close(got["upper"], bounds[3:6])


SVY_DESIGNS = {
    # name: (data, crimestats design, svy.Design arguments)
    "strat_fpc": (
        "apistrat",
        {"weight": "pw", "strata": "stype", "fpc": "fpc"},
        {"stratum": "stype", "wgt": "pw", "pop_size": "fpc"},
    ),
    "clus1": ("apiclus1", {"weight": "pw", "psu": "dnum"}, {"psu": "dnum", "wgt": "pw"}),
    "clus1_fpc": (
        "apiclus1",
        {"weight": "pw", "psu": "dnum", "fpc": "fpc"},
        {"psu": "dnum", "wgt": "pw", "pop_size": "fpc"},
    ),
}


@pytest.mark.parametrize("name", list(SVY_DESIGNS))
@pytest.mark.parametrize("ci", ["logit", "beta", "wilson"])
def test_share_intervals_match_svy(name: str, ci: str) -> None:
    """svy (Python, compiled core), where installed: its prop intervals, Wilson included."""
    svy = pytest.importorskip("svy")
    pl = pytest.importorskip("polars")
    table, kw, svy_kw = SVY_DESIGNS[name]
    data = api(table)
    data = data.assign(yes=(data["sch.wide"] == "Yes").astype(int))
    got = cs.survey_share(data, "yes", by="stype", ci=ci, **kw)
    columns = ["yes", *dict.fromkeys(["stype", *svy_kw.values()])]
    sample = svy.Sample(pl.from_pandas(data[columns]), svy.Design(**svy_kw))
    theirs = sample.estimation.prop("yes", by="stype", ci_method=ci).to_polars().to_pandas()
    theirs = theirs[theirs["yes"].astype(str) == "1"].reset_index(drop=True)
    close(got["share"], theirs["est"].tolist(), rel=1e-12)
    close(got["se"], theirs["se"].tolist(), rel=1e-9)
    close(got["lower"], theirs["lci"].tolist(), rel=1e-9)
    close(got["upper"], theirs["uci"].tolist(), rel=1e-9)


@pytest.mark.parametrize("option", ["remove", "certainty", "adjust", "average"])
def test_lonely_psu_options_match_r(option: str) -> None:
    data = api("apiclus1")
    kw = {"weight": "pw", "strata": "dnum", "psu": "snum", "lonely_psu": option}
    got = cs.survey_mean(data, "api00", **kw)
    close(got[["mean", "se", "deff"]].iloc[0], R[f"lonely {option} mean api00"])
    got = cs.survey_total(data, "enroll", **kw)
    close(got[["total", "se", "deff"]].iloc[0], R[f"lonely {option} total enroll"])
    got = cs.survey_mean(data, "api00", by="stype", **kw)
    close(got["se"], R[f"lonely {option} by stype mean api00 se"])
    close(got["deff"], R[f"lonely {option} by stype mean api00 deff"])


@pytest.mark.parametrize("option", ["remove", "certainty", "adjust", "average"])
def test_stage2_lonely_units_match_r(option: str) -> None:
    # As r_reference.R: in the two districts (smallest dnum) that sampled three or more schools,
    # keep only the school with the smallest snum, so stage 2 has lonely units.
    data = api("apiclus2")
    sampled = data.groupby("dnum")["snum"].transform("size")
    chosen = sorted(data.loc[sampled >= 3, "dnum"].unique())[:2]
    assert chosen == R["stage2 lonely districts"]
    first = data.groupby("dnum")["snum"].transform("min")
    lone = data[~data["dnum"].isin(chosen) | (data["snum"] == first)]
    lone = lone.assign(fpcw=fpc_weights(lone))
    kw = {"weight": "fpcw", "psu": ["dnum", "snum"], "fpc": ["fpc1", "fpc2"]}
    with pytest.raises(InputError, match="only one sampled unit at stage 2"):
        cs.survey_mean(lone, "api00", **kw)
    got = cs.survey_mean(lone, "api00", lonely_psu=option, **kw)
    close(got[["mean", "se", "deff"]].iloc[0], R[f"stage2 lonely {option} mean api00"])
    with pytest.warns(ExcludedRowsWarning):
        got = cs.survey_total(lone, "enroll", lonely_psu=option, **kw)
    close(got[["total", "se"]].iloc[0], R[f"stage2 lonely {option} total enroll"])
    got = cs.survey_mean(lone, "api00", by="stype", lonely_psu=option, **kw)
    close(got["se"], R[f"stage2 lonely {option} by stype mean api00 se"])


def test_sampling_fractions_as_r() -> None:
    data = api("apistrat")
    data = data.assign(frac=data.groupby("stype")["pw"].transform("size") / data["fpc"])
    got = cs.survey_mean(data, "api00", weight="pw", strata="stype", fpc="frac")
    close(got[["mean", "se", "deff"]].iloc[0], R["strat_frac mean api00"])


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_r_reference_output_is_current() -> None:
    """Re-run the R script (where R and survey are installed) and compare with the saved output."""
    if not (REFERENCE / "api").exists():
        pytest.skip("the api data are not beside this checkout")
    run = subprocess.run(
        ["Rscript", str(R_SCRIPT)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if "there is no package called" in run.stderr:
        pytest.skip("R's survey package is not installed")
    assert run.returncode == 0, run.stderr
    fresh = parse_r_output(run.stdout)
    assert fresh.keys() == R.keys()
    for key, values in R.items():
        close(fresh[key], values, rel=1e-12)


# --- bad designs ---------------------------------------------------------------------------------


def test_bad_designs_raise_input_error() -> None:
    strat, clus1 = api("apistrat"), api("apiclus1")
    negative = strat.assign(pw=strat["pw"].where(strat.index != 7, -1.0))
    with pytest.raises(InputError, match=r"weight: position 7 is -1.*negative"):
        cs.survey_mean(negative, "api00", weight="pw", strata="stype")
    with pytest.raises(InputError, match=r"PSU of row .* is also in another stratum"):
        cs.survey_mean(clus1, "api00", weight="pw", strata="stype", psu="dnum")
    with pytest.raises(InputError, match=r"stratum of row .* has only one PSU"):
        cs.survey_mean(clus1, "api00", weight="pw", strata="dnum", psu="snum")
    with pytest.raises(InputError, match="by: column 'region' is not in data"):
        cs.survey_share(strat, "sch.wide", weight="pw", by=["stype", "region"])
    with pytest.raises(InputError, match=r"neither|binary"):
        cs.survey_share(strat, "api00", weight="pw", strata="stype")
    with pytest.raises(InputError, match="weight: column 'w' is not in data"):
        cs.survey_share(strat, "sch.wide", weight="w")
    with pytest.raises(InputError, match=r"fpc: .*constant within a stratum"):
        cs.survey_mean(
            strat.assign(f=np.arange(200) + 500.0), "api00", weight="pw", strata="stype", fpc="f"
        )
    with pytest.raises(InputError, match="mixes population counts"):
        cs.survey_mean(
            strat.assign(f=np.where(strat["stype"] == "E", 0.5, 900.0)),
            "api00",
            weight="pw",
            strata="stype",
            fpc="f",
        )
    with pytest.raises(InputError, match="lonely_psu"):
        cs.survey_mean(strat, "api00", weight="pw", lonely_psu="drop")
    with pytest.raises(InputError, match="ci: unknown"):
        cs.survey_share(strat, "sch.wide", weight="pw", ci="wald")
    with pytest.raises(InputError, match="strata: position 3 is missing"):
        cs.survey_mean(
            strat.assign(stype=strat["stype"].where(strat.index != 3)),
            "api00",
            weight="pw",
            strata="stype",
        )
    with pytest.raises(InputError, match="conf"):
        cs.survey_share(strat, "sch.wide", weight="pw", conf=1.5)
    with pytest.raises(InputError, match="data: has no rows"):
        cs.survey_mean(strat.iloc[:0], "api00", weight="pw")
    with pytest.raises(InputError, match=r"data: must be a DataFrame \(pandas, polars, pyarrow"):
        cs.survey_mean(strat.to_dict(), "api00", weight="pw")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="not numeric"):
        cs.survey_mean(strat, "stype", weight="pw")


# --- shapes, missing data, properties ------------------------------------------------------------


def test_columns_and_levels() -> None:
    data = api("apistrat")
    got = cs.survey_share(data, "awards", weight="pw", strata="stype", by="stype")
    assert list(got.columns) == [
        "stype",
        "level",
        "share",
        "se",
        "lower",
        "upper",
        "deff",
        "n",
        "weighted_n",
        "df",
    ]
    assert got.groupby("stype")["share"].sum().to_numpy() == pytest.approx(1.0, rel=1e-14)
    got = cs.survey_share(data.assign(yes=data["awards"] == "Yes"), "yes", weight="pw", deff=False)
    assert list(got.columns) == ["share", "se", "lower", "upper", "n", "weighted_n", "df"]
    categorical = data.assign(awards=pd.Categorical(data["awards"], ["Yes", "No", "Maybe"]))
    got = cs.survey_share(categorical, "awards", weight="pw", strata="stype")
    assert list(got["level"]) == ["Yes", "No", "Maybe"]
    assert got["share"].iloc[2] == 0.0
    for ci in ["logit", "beta", "xlogit", "wilson", "mean"]:
        got = cs.survey_share(categorical, "awards", weight="pw", strata="stype", ci=ci)
        assert got["lower"].iloc[2] == 0.0, ci
        assert 0.0 <= got["upper"].iloc[2] < 0.05, ci


def test_missing_rows_are_reported_and_kept_in_the_design() -> None:
    data = api("apiclus1")
    holes = data.assign(api00=data["api00"].where(data.index % 9 != 0))
    with pytest.warns(ExcludedRowsWarning, match="21 row"):
        got = cs.survey_mean(holes, "api00", weight="pw", psu="dnum", fpc="fpc")
    assert got.attrs["excluded_rows"] == 21
    assert got["n"].iloc[0] == len(data) - 21
    # As R na.rm = TRUE: the same as a domain of the rows with a y.
    domain = cs.survey_mean(
        data.assign(has=np.where(data.index % 9 != 0, "yes", "no")),
        "api00",
        weight="pw",
        psu="dnum",
        fpc="fpc",
        by="has",
    )
    close(got[["mean", "se"]].iloc[0], domain[["mean", "se"]].iloc[1].tolist(), rel=1e-13)
    missing_weight = data.assign(pw=data["pw"].where(data.index % 9 != 0))
    with pytest.warns(ExcludedRowsWarning):
        again = cs.survey_mean(missing_weight, "api00", weight="pw", psu="dnum", fpc="fpc")
    close(again[["mean", "se"]].iloc[0], got[["mean", "se"]].iloc[0].tolist(), rel=1e-13)


def test_missing_by_values_belong_to_no_domain() -> None:
    data = api("apistrat")
    holes = data.assign(awards=data["awards"].where(data.index % 5 != 0))
    got = cs.survey_mean(holes, "api00", weight="pw", strata="stype", by="awards")
    assert list(got["awards"]) == ["No", "Yes"]
    assert got["n"].sum() == 160


def test_results_do_not_depend_on_row_order() -> None:
    data, kw = designs()["clus2_fpc"]
    want = cs.survey_share(data, "awards", by="stype", **kw)
    shuffled = data.sample(frac=1.0, random_state=3)
    got = cs.survey_share(shuffled, "awards", by="stype", **kw)
    close(got["share"], want["share"].tolist(), rel=1e-12)
    close(got["se"], want["se"].tolist(), rel=1e-10)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    ci=st.sampled_from(["logit", "beta", "xlogit", "wilson", "mean"]),
)
def test_intervals_contain_the_share_and_nest(seed: int, ci: str) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    psu = rng.integers(0, 40, n)
    data = pd.DataFrame(
        {
            "psu": psu,
            "stratum": psu // 4,
            "w": rng.uniform(1, 50, n),
            "y": rng.random(n) < rng.uniform(0.02, 0.98),
            "d": rng.integers(0, 3, n),
        }
    )
    kw = {"weight": "w", "strata": "stratum", "psu": "psu", "by": "d", "ci": ci}
    narrow = cs.survey_share(data, "y", conf=0.8, **kw)
    wide = cs.survey_share(data, "y", conf=0.99, **kw)
    ok = narrow["se"] > 0
    assert (wide["lower"] <= narrow["lower"] + 1e-12)[ok].all()
    assert (narrow["lower"] <= narrow["share"] + 1e-12)[ok].all()
    assert (narrow["share"] <= narrow["upper"] + 1e-12)[ok].all()
    assert (narrow["upper"] <= wide["upper"] + 1e-12)[ok].all()
    assert ((wide["lower"] >= 0) & (wide["upper"] <= 1)).all()


def test_large_input_does_not_depend_on_row_order() -> None:
    # Above the parallel threshold the pass runs over row chunks whose partials are merged; a
    # different row order puts every PSU in different chunks.
    rng = np.random.default_rng(11)
    n = 450_000
    psu = rng.integers(0, 900, n)
    data = pd.DataFrame(
        {
            "psu": psu,
            "stratum": psu // 9,
            "w": rng.uniform(200, 2000, n),
            "victim": rng.random(n) < 0.08,
            "d": rng.integers(0, 20, n),
        }
    )
    kw = {"weight": "w", "strata": "stratum", "psu": "psu", "by": "d"}
    want = cs.survey_share(data, "victim", **kw)
    got = cs.survey_share(data.iloc[rng.permutation(n)], "victim", **kw)
    close(got["share"], want["share"].tolist(), rel=1e-12)
    close(got["se"], want["se"].tolist(), rel=1e-9)
    close(got["deff"], want["deff"].tolist(), rel=1e-9)


# --- published-table mode ------------------------------------------------------------------------


def test_share_ci_is_proportion_on_the_effective_base() -> None:
    share = np.array([0.126, 0.7, 0.0, 1.0])
    n = np.array([18_000.0, 1_500.0, 40.0, 40.0])
    for method in ["wilson", "jeffreys", "agresti-coull", "wald"]:
        got = cs.share_ci(share, n, deft=1.2, method=method, conf=0.9)
        effective = n / 1.44
        want = cs.proportion(share * effective, effective, method=method, conf=0.9)
        close(got["effective_n"], effective.tolist(), rel=1e-15)
        close(got["lower"], want["lower"].tolist(), rel=1e-15)
        close(got["upper"], want["upper"].tolist(), rel=1e-15)
    assert cs.share_ci(0.0, 40)["lower"].iloc[0] == 0.0
    assert cs.share_ci(1.0, 40)["upper"].iloc[0] == 1.0
    with pytest.raises(InputError, match=r"share: position 1 is 1.2"):
        cs.share_ci([0.5, 1.2], 100)
    with pytest.raises(InputError, match="deft"):
        cs.share_ci(0.5, 100, deft=0.0)


@pytest.mark.parametrize("conf", [0.9, 0.95, 0.99])
def test_share_change_agrees_with_statsmodels(conf: float) -> None:
    rng = np.random.default_rng(2)
    n1, n0 = rng.integers(50, 20_000, 30), rng.integers(50, 20_000, 30)
    x1, x0 = rng.binomial(n1, 0.3), rng.binomial(n0, 0.27)
    got = cs.test_share_change(x1 / n1, n1, x0 / n0, n0, conf=conf)
    for i in range(30):
        _, p = smp.test_proportions_2indep(
            x1[i], n1[i], x0[i], n0[i], method="wald", compare="diff"
        )
        lo, hi = smp.confint_proportions_2indep(
            x1[i], n1[i], x0[i], n0[i], method="wald", compare="diff", alpha=1 - conf
        )
        assert got["difference"].iloc[i] == pytest.approx(x1[i] / n1[i] - x0[i] / n0[i], rel=1e-13)
        assert got["p_value"].iloc[i] == pytest.approx(p, rel=1e-9)
        assert got["lower"].iloc[i] == pytest.approx(lo, rel=1e-9)
        assert got["upper"].iloc[i] == pytest.approx(hi, rel=1e-9)
        assert got["significant"].iloc[i] == (p < 1 - conf)


def test_share_change_with_a_design_factor_widens() -> None:
    plain = cs.test_share_change(0.126, 18_000, 0.118, 17_500)
    design = cs.test_share_change(0.126, 18_000, 0.118, 17_500, deft=1.2)
    assert design["p_value"].iloc[0] > plain["p_value"].iloc[0]
    width = (design["upper"] - design["lower"]).iloc[0] / (plain["upper"] - plain["lower"]).iloc[0]
    assert width == pytest.approx(1.2, rel=1e-12)


def test_gross_up() -> None:
    share = cs.share_ci(0.70, 1_500, deft=1.2)
    got = cs.gross_up(0.70, 1_400_000, n=1_500, deft=1.2)
    assert got["estimate"].iloc[0] == pytest.approx(980_000, rel=1e-15)
    assert got["lower"].iloc[0] == pytest.approx(share["lower"].iloc[0] * 1_400_000, rel=1e-12)
    assert got["upper"].iloc[0] == pytest.approx(share["upper"].iloc[0] * 1_400_000, rel=1e-12)
    # With an uncertain total the interval widens, on the log scale by the root sum of squares.
    both = cs.gross_up(
        0.70,
        1_400_000,
        share_lower=0.66,
        share_upper=0.74,
        total_lower=1_300_000,
        total_upper=1_500_000,
    )
    down = math.hypot(math.log(0.70 / 0.66), math.log(1_400_000 / 1_300_000))
    up = math.hypot(math.log(0.74 / 0.70), math.log(1_500_000 / 1_400_000))
    assert both["lower"].iloc[0] == pytest.approx(980_000 * math.exp(-down), rel=1e-12)
    assert both["upper"].iloc[0] == pytest.approx(980_000 * math.exp(up), rel=1e-12)
    assert cs.gross_up(0.0, 1e6, n=100)["lower"].iloc[0] == 0.0
    with pytest.raises(InputError, match="n: give the share's base"):
        cs.gross_up(0.7, 1e6)
    with pytest.raises(InputError, match="share_lower"):
        cs.gross_up(0.7, 1e6, share_lower=0.75, share_upper=0.8)


@pytest.mark.parametrize("many", [False, True])
def test_several_by_columns_equal_one_combined_column(many: bool) -> None:
    rng = np.random.default_rng(4)
    n = 2_000
    data = pd.DataFrame(
        {
            "psu": rng.integers(0, 100, n),
            "w": rng.uniform(1, 9, n),
            "y": rng.normal(size=n),
        }
    )
    # Seven columns of ~1,000 values each number their combinations past 2**62.
    width, levels = (7, 1_000_000) if many else (3, 3)
    by = [f"b{j}" for j in range(width)]
    for j, name in enumerate(by):
        values = rng.integers(0, levels, n) if many else rng.choice(["x", "y", "z"], n)
        data[name] = np.where(rng.random(n) < 0.02, None, values) if j == 0 else values
    if not many:
        # Some combinations never occur: b2 is "p" exactly where b1 is "x".
        data["b2"] = np.where(data["b1"] == "x", "p", rng.choice(["q", "r"], n))
    data["key"] = data[by].apply(lambda r: "|".join(map(str, r)), axis=1).where(data["b0"].notna())
    got = cs.survey_mean(data, "y", weight="w", psu="psu", by=by)
    want = cs.survey_mean(data, "y", weight="w", psu="psu", by="key")
    got["key"] = got[by].apply(lambda r: "|".join(map(str, r)), axis=1)
    merged = got.merge(want, on="key", suffixes=("", "_want"))
    assert len(merged) == len(want) == len(got)
    close(merged["mean"], merged["mean_want"].tolist(), rel=1e-13)
    close(merged["se"], merged["se_want"].tolist(), rel=1e-10)


def test_text_keys_code_alike_whatever_their_dtype() -> None:
    # Arrow-backed text (hashed by the core), Python objects and categoricals give one answer.
    rng = np.random.default_rng(8)
    n = 300_000
    labels = np.array(["Ынн", "", "region 07", "aaaaaaaaXaaaaaaaa", "aaaaaaaaYaaaaaaaa", "z"])
    text = pd.Series(labels[rng.integers(0, len(labels), n)]).where(rng.random(n) > 0.01)
    data = pd.DataFrame({"psu": rng.integers(0, 300, n), "w": rng.uniform(1, 9, n)})
    data["y"] = rng.random(n) < 0.3
    frames = {
        "str": data.assign(key=text.astype("str")),
        "object": data.assign(key=text.astype(object)),
        "category": data.assign(key=text.astype("category")),
    }
    assert frames["str"]["key"].dtype == "str"
    results = {
        name: cs.survey_share(frame, "y", weight="w", psu="psu", by="key")
        for name, frame in frames.items()
    }
    want = results["object"]
    assert list(want["key"]) == sorted(labels)
    for got in results.values():
        assert list(got["key"]) == list(want["key"])
        close(got["share"], want["share"].tolist(), rel=1e-14)
        close(got["se"], want["se"].tolist(), rel=1e-12)


# --- properties -----------------------------------------------------------------------------


def _random_survey(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, max(n // 8, 4), n)
    return pd.DataFrame(
        {
            "psu": psu,
            "stratum": psu % 3,
            "w": rng.uniform(1, 50, n),
            "victim": (rng.random(n) < rng.uniform(0.05, 0.95)).astype(int),
            "age": rng.uniform(16, 90, n),
            "region": rng.choice(["North", "Midlands", "South"], n),
        }
    )


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(40, 400),
    cut=st.floats(0.05, 0.95),
    statistic=st.sampled_from(["share", "mean", "total"]),
)
def test_a_survey_split_in_two_and_concatenated_gives_the_whole(
    seed: int, n: int, cut: float, statistic: str
) -> None:
    # The two halves keep their own index (pd.concat does not renumber), then rows are shuffled.
    data = _random_survey(seed, n)
    k = int(n * cut)
    first, second = data.iloc[:k].reset_index(drop=True), data.iloc[k:].reset_index(drop=True)
    joined = pd.concat([second, first])
    joined = joined.iloc[np.random.default_rng(seed).permutation(n)]
    function = {"share": cs.survey_share, "mean": cs.survey_mean, "total": cs.survey_total}
    y = "victim" if statistic != "mean" else "age"
    kw = {"weight": "w", "strata": "stratum", "psu": "psu", "by": "region"}
    with contextlib.suppress(InputError):  # a draw with a lonely PSU fails alike for both
        want = function[statistic](data, y, **kw)
        got = function[statistic](joined, y, **kw)
        pd.testing.assert_frame_equal(got, want, rtol=1e-10)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 300))
def test_unclustered_mean_and_total_agree_with_the_textbook_formulas(seed: int, n: int) -> None:
    # A weighted sample with no strata or clusters (each row its own PSU): the linearised variance
    # of the ratio mean is n/(n-1) * sum(w^2 (y - mean)^2) / (sum w)^2; of the total
    # n/(n-1) * sum((w y - mean(w y))^2).
    rng = np.random.default_rng(seed)
    w, y = rng.uniform(0.5, 40, n), rng.gamma(2.0, 10.0, n)
    data = pd.DataFrame({"w": w, "y": y})
    mean = (w * y).sum() / w.sum()
    se_mean = math.sqrt(n / (n - 1) * (w**2 * (y - mean) ** 2).sum()) / w.sum()
    wy = w * y
    se_total = math.sqrt(n / (n - 1) * ((wy - wy.mean()) ** 2).sum())
    got_mean = cs.survey_mean(data, "y", weight="w").iloc[0]
    got_total = cs.survey_total(data, "y", weight="w").iloc[0]
    assert got_mean["mean"] == pytest.approx(mean, rel=1e-12)
    assert got_mean["se"] == pytest.approx(se_mean, rel=1e-9)
    assert got_total["total"] == pytest.approx(wy.sum(), rel=1e-12)
    assert got_total["se"] == pytest.approx(se_total, rel=1e-9)


@settings(max_examples=100, deadline=None)
@given(
    share=st.floats(0.001, 0.999),
    total=st.floats(1e3, 1e8),
    n=st.floats(20, 1e5),
    deft=st.floats(1, 2),
)
def test_gross_up_brackets_its_estimate_and_widens(
    share: float, total: float, n: float, deft: float
) -> None:
    g = cs.gross_up(share, total, n=n, deft=deft).iloc[0]
    assert g["estimate"] == pytest.approx(share * total, rel=1e-12)
    assert g["lower"] <= g["estimate"] <= g["upper"]
    wider = cs.gross_up(share, total, n=n, deft=deft * 1.2).iloc[0]
    assert wider["lower"] <= g["lower"] * (1 + 1e-12) and g["upper"] <= wider["upper"] * (1 + 1e-12)
    uncertain = cs.gross_up(
        share, total, n=n, deft=deft, total_lower=total * 0.9, total_upper=total * 1.1
    ).iloc[0]
    assert uncertain["lower"] <= g["lower"] * (1 + 1e-12)
    assert g["upper"] <= uncertain["upper"] * (1 + 1e-12)


def test_integer_keys_in_a_misaligned_buffer_are_coded_as_pandas_codes_them() -> None:
    # Unpickled frames (dask partitions) may hold int64 columns at an odd address; the core reads
    # integer key columns in place, so such a column must reach it aligned. Expected codes:
    # pandas.factorize(sort=True).
    from crimestats.survey.coding import factorize_one

    raw = np.random.default_rng(3).integers(-5, 40, 50_000)
    buffer = np.zeros(raw.nbytes + 1, dtype=np.uint8)
    odd = np.frombuffer(buffer.data, dtype=np.int64, count=len(raw), offset=1)
    odd[:] = raw
    assert not odd.flags.aligned
    codes, labels = factorize_one(pd.Series(odd))
    expected, uniques = pd.factorize(raw, sort=True)
    assert np.array_equal(codes, expected)
    assert list(labels) == list(uniques)
