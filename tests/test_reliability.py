"""Presentation rules: each threshold of the ONS, PHE and NCHS rules, on crimestats' own results.

The thresholds are the published ones: ONS (Crime Survey user guide: unweighted base under 50),
PHE (DSR from fewer than 10 events), NCHS Data Presentation Standards for Proportions (Parker
et al. 2017, Vital Health Stat 2(175)) and for rates (Vital Health Stat 2(200), 2023).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crimestats as cs

from conftest import REFERENCE


def test_ons_base_under_50() -> None:
    shares = cs.share_ci([0.7, 0.2, 0.5], [1200, 49, 50], deft=1.2)
    flagged = cs.flag_reliability(shares, "ons")
    assert list(flagged["reliability"]) == ["reliable", "suppressed", "reliable"]
    assert list(flagged["reliability_reason"]) == ["", "unweighted base under 50", ""]
    assert list(flagged.columns[:-2]) == list(shares.columns)
    missing = cs.flag_reliability(pd.DataFrame({"n": [np.nan, 10.0]}), "ons")
    assert missing["reliability"].isna()[0] and pd.isna(missing["reliability_reason"][0])


def test_phe_dsr_under_ten_events() -> None:
    rates = cs.rate([9, 10], [1000, 1000])
    assert list(cs.flag_reliability(rates, "phe_dsr")["reliability"]) == [
        "suppressed",
        "reliable",
    ]


def test_nchs_proportion_steps() -> None:
    frame = pd.DataFrame(
        {
            # effective n 25; width 0.32; 0.07 wide at p 0.05 (140%); df 5; p 0; fine.
            "share": [0.5, 0.5, 0.05, 0.5, 0.0, 0.3],
            "lower": [0.4, 0.3, 0.01, 0.45, 0.0, 0.28],
            "upper": [0.6, 0.62, 0.08, 0.55, 0.02, 0.32],
            "se": [0.1, 0.01, 0.005, 0.01, 0.0, 0.01],
            "df": [30, 30, 30, 5, 30, 30],
            "n": [100] * 6,
        }
    )
    flagged = cs.flag_reliability(frame, "nchs_proportion")
    assert list(flagged["reliability"]) == [
        "suppressed",
        "suppressed",
        "suppressed",
        "review",
        "review",
        "reliable",
    ]
    assert flagged["reliability_reason"][0] == "effective sample size under 30"
    assert flagged["reliability_reason"][2].startswith("confidence interval wider than 130")
    # The effective sample size never exceeds the actual one: p (1 - p) / se^2 = 2,100 here.
    capped = frame.iloc[[5]].assign(n=29)
    assert cs.flag_reliability(capped, "nchs_proportion")["reliability"].iloc[0] == "suppressed"
    # Without se or df columns the sample size stands in and review for df is skipped.
    plain = frame.drop(columns=["se", "df"])
    assert cs.flag_reliability(plain, "nchs_proportion")["reliability"].iloc[3] == "reliable"


def test_nchs_proportion_order_as_the_standard_gives_it() -> None:
    # Parker et al. (2017), Vital Health Stat 2(175), in NCHS's order (as CDC's surveytable
    # applies it): an estimate of 0 or 100 per cent is not judged by interval width (its
    # relative width is undefined) but reviewed; an interval at most 5 points wide is shown
    # whatever its relative width; in the band between 5 and 30 points, an interval wider than
    # 130 per cent of the complement 1 - p sends the estimate for review.
    frame = pd.DataFrame(
        {
            "share": [0.0, 1.0, 0.02, 0.95, 0.95, 0.5],
            "lower": [0.0, 0.88, 0.005, 0.85, 0.93, 0.2],
            "upper": [0.12, 1.0, 0.048, 0.92, 0.97, 0.49],
            "n": [100] * 6,
        }
    )
    flagged = cs.flag_reliability(frame, "nchs_proportion")
    assert list(flagged["reliability"]) == [
        "review",  # was suppressed: 12 points wide, "more than 130 per cent" of 0
        "review",
        "reliable",  # 4.3 points wide: shown, though 215 per cent of 0.02
        "review",  # 7 points wide, 140 per cent of the complement 0.05
        "reliable",  # 4 points wide
        "reliable",  # 29 points wide: under 30, and 58 per cent of 0.5 and of its complement
    ]
    assert flagged["reliability_reason"][0] == "an estimate of 0 or 100 per cent"
    assert flagged["reliability_reason"][3] == (
        "confidence interval wider than 130 per cent of the complement"
    )


def test_nchs_rate_on_rate_and_dsr_results() -> None:
    rates = cs.rate([9, 12, 400], [1000, 100_000, 100_000])
    flagged = cs.flag_reliability(rates, "nchs_rate")
    # 12 events: the exact 95% interval is (6.2, 21.0) per 100,000 around 12: 123% wide.
    width = (rates["upper"] - rates["lower"]) / rates["rate"]
    assert width[1] < 1.6
    assert list(flagged["reliability"]) == ["unreliable", "reliable", "reliable"]
    wide = cs.rate(10, 1000)
    assert ((wide["upper"] - wide["lower"]) / wide["rate"])[0] > 1.0
    esp = cs.datasets.load_esp2013()
    bands = esp.assign(count=10, people=1000)
    d = cs.dsr(bands, count="count", population="people", standard="esp2013")
    assert cs.flag_reliability(d, "nchs_rate")["reliability"].iloc[0] == "reliable"


def test_nchs_proportion_on_a_survey_share() -> None:
    path = REFERENCE / "api" / "apistrat.csv"
    if not path.exists():
        pytest.skip("../shared/reference is not beside this checkout")
    api = pd.read_csv(path)
    shares = cs.survey_share(
        api, "awards", weight="pw", strata="stype", fpc="fpc", by="stype", ci="beta"
    )
    flagged = cs.flag_reliability(shares, "nchs_proportion")
    assert flagged["reliability"].notna().all()
    assert set(flagged["reliability"]) <= {"reliable", "review", "suppressed"}


def test_bad_rules_and_columns() -> None:
    with pytest.raises(cs.InputError, match="rule: unknown value 'cdc'"):
        cs.flag_reliability(pd.DataFrame({"n": [1]}), "cdc")
    with pytest.raises(cs.InputError, match="rule 'ons' reads column 'n'"):
        cs.flag_reliability(pd.DataFrame({"base": [1]}), "ons")
    assert (
        cs.flag_reliability(pd.DataFrame({"base": [60]}), "ons", n="base")["reliability"].iloc[0]
        == "reliable"
    )
    with pytest.raises(cs.InputError, match="frame"):
        cs.flag_reliability([1, 2], "ons")  # type: ignore[arg-type]
