"""survey_design against R survey 4.1 (R 4.2): ratios, contrasts, quantiles, Rao-Scott tests,
post-stratified, raked and calibrated designs, replicate weights (src/core/survey/r_reference.R,
its output committed as r_reference.out; R's replicate weights in tests/data/)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_survey import R, api, designs

import crimestats as cs
from crimestats import InputError

DATA = Path(__file__).resolve().parent / "data"
REL = 1e-9


def close(got: list[float] | np.ndarray, name: str, rel: float = REL) -> None:
    np.testing.assert_allclose(np.asarray(got, dtype=float), R[name], rtol=rel, atol=0)


def design(name: str) -> cs.SurveyDesign:
    data, spec = designs()[name]
    return cs.survey_design(data, **spec)


@pytest.mark.parametrize("name", ["strat_fpc", "clus1_fpc", "clus2_fpc"])
def test_ratio_contrast_quantile_chisq_match_r(name: str) -> None:
    d = design(name)
    r = d.ratio("api00", "api99")
    close([r["ratio"][0], r["se"][0]], f"{name} ratio api00 api99")
    r = d.ratio("api00", "api99", by="awards")
    close([*r["ratio"], *r["se"]], f"{name} by awards ratio api00 api99")
    c = d.contrast("api00", by="awards", weights={"Yes": 1, "No": -1})
    close([c["contrast"][0], c["se"][0]], f"{name} contrast awards mean api00")
    c = d.contrast("api00", by="stype", weights={"E": 1, "M": -1}, statistic="total")
    close([c["contrast"][0], c["se"][0]], f"{name} contrast stype total api00")
    q = d.quantile("api00", [0.25, 0.5, 0.9])
    close([*q["quantile"], *q["lower"], *q["upper"], *q["se"]], f"{name} quantile api00")
    q = d.quantile("api00", 0.5, by="stype")
    got = q[["quantile", "lower", "upper", "se"]].to_numpy().ravel()
    close(got, f"{name} by stype median api00")
    for statistic, label in [("F", "F"), ("chisq", "Chisq")]:
        t = d.chisq("sch.wide", "stype", statistic=statistic)
        close(t.iloc[0].to_numpy(), f"{name} chisq {label} sch.wide stype")


POP_TYPES = {"E": 4421, "H": 755, "M": 1018}
POP_SCHWIDE = {"No": 1184, "Yes": 5010}


def calibrated(kind: str) -> cs.SurveyDesign:
    d = design("clus1_fpc")
    if kind == "post":
        return d.poststratify("stype", POP_TYPES)
    if kind == "rake":
        return d.rake({"stype": POP_TYPES, "sch.wide": POP_SCHWIDE})
    return d.calibrate({"stype": POP_TYPES, "api99": 3914069})


def check_calibrated_estimates(d: cs.SurveyDesign, kind: str, label: str) -> None:
    """The total, share, domain mean and ratio of a calibrated design against R's values under
    `label` (R's own names in the reference output)."""
    t = d.total("enroll")
    close([t["total"][0], t["se"][0]], f"{label} total enroll")
    s = d.share("sch.wide")
    want = R[f"{label} share sch.wide"]
    if kind == "rake":
        # Raked on sch.wide itself: its share is known, and R's se is rounding noise (1e-15 to
        # 2e-13).
        np.testing.assert_allclose(s["share"], want[:2], rtol=REL)
        assert (s["se"] < 1e-12).all()
    else:
        close([*s["share"], *s["se"]], f"{label} share sch.wide")
    b = d.mean("api00", by="awards")
    close([*b["mean"], *b["se"]], f"{label} by awards mean api00")
    r = d.ratio("api00", "api99")
    close([r["ratio"][0], r["se"][0]], f"{label} ratio api00 api99")


@pytest.mark.parametrize("kind", ["post", "rake", "greg"])
def test_calibrated_designs_match_r(kind: str) -> None:
    # Raking follows R's own stopping rule (epsilon 1 on the joint table, at most 10 passes).
    d = calibrated(kind)
    close(d.weights[:5], f"clus1 {kind} weights")
    m = d.mean("api00")
    close([m["mean"][0], m["se"][0], m["deff"][0]], f"clus1 {kind} mean api00")
    check_calibrated_estimates(d, kind, f"clus1 {kind}")


SCALES = {"JK1": "jk1", "JKn": "jkn", "bootstrap": "bootstrap", "Fay": "fay", "BRR": "brr"}


def replicate_design(name: str) -> cs.SurveyDesign:
    path = DATA / f"api_repweights_{name}.csv"
    base = "apiclus1" if name in ("JK1", "bootstrap") else "apistrat"
    data = api(base)
    reps = pd.read_csv(path)
    reps.columns = [f"rw{k + 1}" for k in range(reps.shape[1])]
    data = pd.concat([data, reps], axis=1)
    scale, _df, *rscales = R[f"rep {name} scale df rscales"]
    return cs.survey_design(
        data,
        weight="pw",
        replicate_weights="rw",
        replicate_method=SCALES[name],
        scale=None if name == "BRR" else scale,
        rscales=rscales if name == "JKn" else None,
    )


@pytest.mark.parametrize("name", ["JK1", "JKn", "bootstrap", "Fay", "BRR"])
def test_given_replicate_weights_match_r(name: str) -> None:
    d = replicate_design(name)
    assert d.df == R[f"rep {name} scale df rscales"][1]
    m = d.mean("api00")
    close([m["mean"][0], m["se"][0]], f"rep {name} mean api00")
    t = d.total("enroll")
    close([t["total"][0], t["se"][0]], f"rep {name} total enroll")
    s = d.share("sch.wide")
    close([*s["share"], *s["se"]], f"rep {name} share sch.wide")
    b = d.mean("api00", by="stype")
    close([*b["mean"], *b["se"]], f"rep {name} by stype mean api00")
    r = d.ratio("api00", "api99")
    close([r["ratio"][0], r["se"][0]], f"rep {name} ratio api00 api99")
    c = d.contrast("api00", by="awards", weights={"Yes": 1, "No": -1})
    close([c["contrast"][0], c["se"][0]], f"rep {name} contrast awards mean api00")
    q = d.quantile("api00", [0.25, 0.5])
    close([*q["quantile"], *q["lower"], *q["upper"], *q["se"]], f"rep {name} quantile api00")


@pytest.mark.parametrize(
    ("name", "base", "method"), [("JK1", "clus1_fpc", "jk1"), ("JKn", "strat_fpc", "jkn")]
)
def test_as_replicate_matches_r(name: str, base: str, method: str) -> None:
    d = design(base).as_replicate(method)
    m = d.mean("api00")
    close([m["mean"][0], m["se"][0]], f"rep {name} mean api00")
    r = d.ratio("api00", "api99")
    close([r["ratio"][0], r["se"][0]], f"rep {name} ratio api00 api99")


def test_shorthands_are_the_design_and_bootstrap_is_seeded() -> None:
    data, spec = designs()["clus1_fpc"]
    a = cs.survey_share(data, "sch.wide", by="stype", **spec)
    b = cs.survey_design(data, **spec).share("sch.wide", by="stype")
    pd.testing.assert_frame_equal(a, b)
    d = cs.survey_design(data, **spec)
    one = d.as_replicate("bootstrap", replicates=20, seed=7).mean("api00")
    two = d.as_replicate("bootstrap", replicates=20, seed=7).mean("api00")
    pd.testing.assert_frame_equal(one, two)


def test_bad_design_arguments_are_input_errors() -> None:
    data, spec = designs()["strat_fpc"]
    with pytest.raises(InputError, match="replicate_method"):
        cs.survey_design(data, weight="pw", replicate_weights=["pw"], replicate_method="jack")
    with pytest.raises(InputError, match="weights"):
        cs.survey_design(data, **spec).contrast("api00", by="awards", weights={"Maybe": 1})
    with pytest.raises(InputError, match="no population total"):
        cs.survey_design(data, **spec).poststratify("stype", {"E": 1, "H": 2})


@pytest.mark.parametrize("name", ["strat_fpc", "clus1_fpc", "clus2_fpc"])
def test_ratio_design_effects_match_r(name: str) -> None:
    # R: deff(svyratio(~api00, ~api99, des, deff = TRUE)) and the same through svyby.
    d = design(name)
    close(d.ratio("api00", "api99")["deff"], f"{name} ratio api00 api99 deff")
    by = d.ratio("api00", "api99", by="awards")
    close(by["deff"], f"{name} by awards ratio api00 api99 deff")
    assert "deff" not in d.ratio("api00", "api99", deff=False)


@pytest.mark.parametrize("kind", ["post", "rake", "greg"])
def test_calibrated_ratio_design_effects_match_r(kind: str) -> None:
    close(calibrated(kind).ratio("api00", "api99")["deff"], f"clus1 {kind} ratio api00 api99 deff")


def calibrated_replicates(kind: str) -> cs.SurveyDesign:
    d = design("clus1_fpc").as_replicate("jk1")
    if kind == "post":
        return d.poststratify("stype", POP_TYPES)
    if kind == "rake":
        return d.rake({"stype": POP_TYPES, "sch.wide": POP_SCHWIDE})
    return d.calibrate({"stype": POP_TYPES, "api99": 3914069})


@pytest.mark.parametrize("kind", ["post", "rake", "greg"])
def test_calibrated_replicate_designs_match_r(kind: str) -> None:
    # R calibrates every replicate's weights (postStratify.svyrep.design, rake on a replicate
    # design, calibrate.svyrep.design) and takes the variance from the calibrated replicates.
    d = calibrated_replicates(kind)
    want = R[f"repcal {kind} weights"]
    np.testing.assert_allclose(d.weights[:5], want[:5], rtol=REL)
    assert d._replicates is not None
    # R's first two replicates (rows 1-3); R numbers the JK1 replicates in the PSUs' order of
    # appearance, this in sorted order, so each is found among ours.
    ours = np.array([w[:3] for w in d._replicates.weights])
    for column in (want[5:8], want[8:11]):
        assert np.any(np.all(np.abs(ours - column) <= REL * np.abs(column), axis=1)), column
    assert d.df == R[f"repcal {kind} df"][0]
    m = d.mean("api00")
    close([m["mean"][0], m["se"][0]], f"repcal {kind} mean api00")
    check_calibrated_estimates(d, kind, f"repcal {kind}")


def paired() -> cs.SurveyDesign:
    # R: svydesign(id=~pair, strata=~stype, weights=~pw, data=transform(apistrat,
    # pair=paste(stype, snum %% 2))): two PSUs in each of three strata.
    data = api("apistrat")
    data["pair"] = data["stype"] + " " + (data["snum"] % 2).astype(str)
    return cs.survey_design(data, weight="pw", strata="stype", psu="pair")


@pytest.mark.parametrize(("name", "rho"), [("BRR", 0.0), ("Fay", 0.3)])
def test_brr_and_fay_from_a_taylor_design_match_r(name: str, rho: float) -> None:
    # R: as.svrepdesign(paired, type = "BRR") and type = "Fay", fay.rho = 0.3 (R's 4 x 4
    # Hadamard matrix for three strata).
    d = paired().as_replicate(name.lower(), fay_rho=rho)
    scale, df, replicates = R[f"taylor {name} scale df"]
    assert d._replicates is not None
    assert len(d._replicates.weights) == replicates
    np.testing.assert_allclose(d._replicates.scale, scale, rtol=1e-15)
    assert d.df == df
    if name == "BRR":
        # The replicate weights themselves, as R wrote them.
        given = pd.read_csv(DATA / "api_repweights_BRR.csv").to_numpy()
        np.testing.assert_allclose(np.column_stack(d._replicates.weights), given, rtol=1e-15)
    m = d.mean("api00")
    close([m["mean"][0], m["se"][0]], f"taylor {name} mean api00")
    r = d.ratio("api00", "api99")
    close([r["ratio"][0], r["se"][0]], f"taylor {name} ratio api00 api99")
    b = d.mean("api00", by="stype")
    close([*b["mean"], *b["se"]], f"taylor {name} by stype mean api00")


def test_brr_on_thirteen_strata_takes_r_sixteen_replicates() -> None:
    # R: 13 strata of two PSUs; hadamard(13) is Sylvester's 16 x 16 matrix.
    data = api("apistrat")
    order = data["snum"].rank(method="first").astype(int) - 1
    data["g13"] = order % 13
    data["pair13"] = data["g13"].astype(str) + " " + (order // 13 % 2).astype(str)
    d = cs.survey_design(data, weight="pw", strata="g13", psu="pair13").as_replicate("brr")
    scale, df, replicates = R["taylor BRR13 scale df"]
    assert d._replicates is not None
    assert len(d._replicates.weights) == replicates
    np.testing.assert_allclose(d._replicates.scale, scale, rtol=1e-15)
    assert d.df == df
    m = d.mean("api00")
    close([m["mean"][0], m["se"][0]], "taylor BRR13 mean api00")


def test_brr_refuses_what_it_cannot_reproduce() -> None:
    data = api("apistrat")
    with pytest.raises(InputError, match="exactly two PSUs"):
        cs.survey_design(data, weight="pw", strata="stype").as_replicate("brr")
    with pytest.raises(InputError, match="fay_rho"):
        paired().as_replicate("fay")
    g = np.arange(len(data)) % 9
    nine = data.assign(g=g, p=g * 2 + np.arange(len(data)) // 9 % 2)
    with pytest.raises(InputError, match="not Sylvester"):
        cs.survey_design(nine, weight="pw", strata="g", psu="p").as_replicate("brr")
