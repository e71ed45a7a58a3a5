"""Standardised and severity-weighted rates over many groups: crimestats against pandas + scipy.

The peer is what an analyst writes without crimestats: a pandas groupby for the sums, then
scipy (``stats.norm.ppf`` for Byar's z, ``stats.gamma.ppf`` for Fay-Feuer) on the group
totals. Both run in this process on the same frame; the script prints each time, the ratio and
the largest relative difference. Run with `make bench` or `.venv/bin/python bench/standardise.py`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

import crimestats as cs

from _timing import best_of, rel_diff

GROUPS = 50_000  # e.g. lower-layer areas by year
BANDS = 19


def report(name: str, ours: float, theirs: float, diff: float) -> None:
    print(
        f"{name:<48} crimestats {ours * 1e3:8.1f} ms   pandas+scipy {theirs * 1e3:9.1f} ms   "
        f"{theirs / ours:6.1f}x   max rel diff {diff:.1e}"
    )


def pandas_dsr(frame: pd.DataFrame) -> pd.DataFrame:
    """Dobson with Byar's interval, as PHEindicatormethods' dsr_inner, in pandas."""
    ratio = frame["standard"] / frame["population"]
    parts = pd.DataFrame(
        {
            "area": frame["area"],
            "count": frame["count"],
            "weighted": frame["count"] * ratio,
            "square": frame["count"] * ratio**2,
            "standard": frame["standard"],
        }
    )
    sums = parts.groupby("area").sum()
    value = sums["weighted"] / sums["standard"]
    variance = sums["square"] / sums["standard"] ** 2
    x = sums["count"]
    z = stats.norm.ppf(0.975)
    lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    scale = np.sqrt(variance / x)
    return pd.DataFrame(
        {
            "dsr": value * 1e5,
            "lower": (value + scale * (lower - x)) * 1e5,
            "upper": (value + scale * (upper - x)) * 1e5,
        }
    )


def pandas_fay_feuer(frame: pd.DataFrame) -> pd.DataFrame:
    parts = pd.DataFrame(
        {
            "area": frame["area"],
            "y": frame["count"] * frame["weight"],
            "v": frame["count"] * frame["weight"] ** 2,
            "m": frame["weight"],
            "population": frame["population"],
        }
    )
    sums = parts.groupby("area").agg(
        y=("y", "sum"), v=("v", "sum"), m=("m", "max"), population=("population", "first")
    )
    y, v, m, n = sums["y"], sums["v"], sums["m"], sums["population"]
    lower = stats.gamma.ppf(0.025, y**2 / v, scale=v / y)
    upper = stats.gamma.ppf(0.975, (y + m) ** 2 / (v + m**2), scale=(v + m**2) / (y + m))
    return pd.DataFrame({"lower": lower / n * 1000, "upper": upper / n * 1000})


def main() -> None:
    rng = np.random.default_rng(2025)
    esp = cs.datasets.load_esp2013()
    rows = GROUPS * BANDS
    people = rng.integers(200, 3_000, rows).astype(float)
    frame = pd.DataFrame(
        {
            "area": np.repeat(np.arange(GROUPS), BANDS),
            "age": np.tile(esp["age"].to_numpy(), GROUPS),
            "standard": np.tile(esp["population"].to_numpy(), GROUPS),
            "population": people,
            "count": rng.poisson(people * 0.02).astype(float),
        }
    )
    print(f"{GROUPS:,} areas x {BANDS} age bands = {rows:,} rows")
    t_ours, ours = best_of(
        3,
        lambda: cs.dsr(
            frame, count="count", population="population", standard="standard", by="area"
        ),
    )
    t_peer, peer = best_of(1, lambda: pandas_dsr(frame))
    diff = max(rel_diff(ours[c].to_numpy(), peer[c].to_numpy()) for c in ("dsr", "lower", "upper"))
    report("dsr (Dobson, Byar) vs pandas groupby + scipy", t_ours, t_peer, diff)
    t_esp, _ = best_of(
        3,
        lambda: cs.dsr(
            frame, count="count", population="population", standard="esp2013", by="area"
        ),
    )
    label = "dsr with the ESP2013 matched on age labels"
    print(f"{label:<48} crimestats {t_esp * 1e3:8.1f} ms")

    offences = 12
    rows = GROUPS * offences
    population = np.repeat(rng.integers(1_000, 50_000, GROUPS).astype(float), offences)
    weights = np.tile(np.geomspace(1, 3_000, offences), GROUPS)
    crimes = pd.DataFrame(
        {
            "area": np.repeat(np.arange(GROUPS), offences),
            "weight": weights,
            "population": population,
            "count": rng.poisson(population / 1000 * 60 / weights).astype(float),
        }
    )
    print(f"{GROUPS:,} areas x {offences} offences = {rows:,} rows")
    t_ours, ours = best_of(
        3,
        lambda: cs.weighted_rate(
            crimes, count="count", weight="weight", population="population", by="area"
        ),
    )
    t_peer, peer = best_of(1, lambda: pandas_fay_feuer(crimes))
    diff = max(rel_diff(ours[c].to_numpy(), peer[c].to_numpy()) for c in ("lower", "upper"))
    report("weighted_rate (Fay-Feuer) vs pandas + scipy gamma", t_ours, t_peer, diff)


if __name__ == "__main__":
    main()
