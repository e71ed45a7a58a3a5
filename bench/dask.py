"""Survey shares for 140 domains on 10,000,000 rows: crimestats.dask on a two-process
LocalCluster against the in-memory survey_share on the same rows.

The rows are those of `bench/survey.py` at ten times the size: shaped like the Crime Survey for
England and Wales, 100 strata (ten per region), 20 PSUs in each (2,000 in all), 5,000 respondents
per PSU, weights around 50 and a 0/1 victim flag whose rate depends on sex, age group and the PSU;
the domains are sex x age group (7) x region (10). They are made in 12 partitions of consecutive
rows (so PSUs straddle partitions and each partition holds one or two regions), each from its
own seed: the workers make their partitions where they run, and the in-memory side concatenates
the same partitions.

Printed: the time of each (the dask data already persisted on the workers, as the in-memory data
is already in memory), the peak resident memory of the process(es) holding the data and doing
the work (sampled every 5 ms: the in-memory process; the busiest of the two workers and the
client), and the largest absolute difference between the two results.
Run with `.venv/bin/python bench/dask.py` (about a minute; `--rows N` for another size).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil

import crimestats as cs

# This script's name would shadow the dask package for `import dask` (Python puts the script's
# directory first on the path), so that directory comes off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

ROWS = 10_000_000
PARTITIONS = 12
STRATA = 100
PSUS = 2_000
SEED = 2025
BY = ["sex", "age", "region"]
AGES = np.array(["16-19", "20-24", "25-34", "35-44", "45-54", "55-64", "65+"])


def rows(start: int, stop: int, total: int) -> pd.DataFrame:
    """Rows start..stop of the `total`, as bench/survey.py makes them, from a seed per start."""
    rng = np.random.default_rng([SEED, start])
    effect = np.random.default_rng(SEED).normal(0, 0.02, PSUS)
    n = stop - start
    psu = np.arange(start, stop) // (total // PSUS)
    stratum = psu // (PSUS // STRATA)
    region = stratum // (STRATA // 10)
    sex = rng.integers(0, 2, n)
    age = rng.integers(0, 7, n)
    rate = 0.04 + 0.03 * sex + 0.012 * (6 - age) + effect[psu]
    return pd.DataFrame(
        {
            "stratum": stratum,
            "psu": psu,
            "weight": rng.gamma(4.0, 12.5, n),
            "sex": np.array(["female", "male"])[sex],
            "age": AGES[age],
            "region": np.array([f"region {r:02d}" for r in range(10)])[region],
            "victim": (rng.random(n) < np.clip(rate, 0.005, 0.9)).astype(np.int64),
        },
        index=pd.RangeIndex(start, stop),
    )


def bounds(total: int) -> list[tuple[int, int, int]]:
    step = -(-total // PARTITIONS)
    return [(a, min(a + step, total), total) for a in range(0, total, step)]


def estimate(data: Any, module: Any) -> pd.DataFrame:
    return module.survey_share(
        data, "victim", weight="weight", strata="stratum", psu="psu", by=BY, deff=True
    )


class PeakRss:
    """The peak resident memory of this process while the block runs, sampled every 5 ms."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.before = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def start_watch(dask_worker: Any) -> int:
    """On a worker: start a PeakRss there; its memory now."""
    dask_worker.crimestats_peak = PeakRss().__enter__()
    return int(dask_worker.crimestats_peak.before)


def stop_watch(dask_worker: Any) -> int:
    """On a worker: the peak since start_watch."""
    dask_worker.crimestats_peak.__exit__()
    return int(dask_worker.crimestats_peak.peak)


def timed(work: Callable[[], pd.DataFrame]) -> tuple[float, pd.DataFrame]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    total = parser.parse_args().rows
    import dask.dataframe as dd
    from distributed import Client, LocalCluster, wait

    import crimestats.dask as csd

    # In memory: the same partitions, concatenated.
    data = pd.concat([rows(*b) for b in bounds(total)])
    print(
        f"{len(data):,} rows, {data['stratum'].nunique()} strata, {data['psu'].nunique():,} PSUs, "
        f"{data.groupby(BY).ngroups} domains, {PARTITIONS} partitions; "
        f"{data['victim'].mean():.1%} victims"
    )
    with PeakRss() as local:
        start = time.perf_counter()
        mine = estimate(data, cs)
        t_local = time.perf_counter() - start
    print(
        f"in memory   survey_share       {t_local:7.2f} s   peak RSS {mib(local.peak)} "
        f"(the data and the process: {mib(local.before)} before)"
    )
    del data

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        parts = dd.from_map(lambda b: rows(*b), bounds(total), meta=rows(0, 0, total))
        parts = parts.persist()
        wait(parts)
        times = {}
        for label, kwargs in [("two passes", {}), ("categories given", None)]:
            if kwargs is None:
                categories = csd.survey_categories(
                    parts, "victim", strata="stratum", psu="psu", by=BY
                )
                kwargs = {"categories": categories}
            before = client.run(start_watch)
            with PeakRss() as driver:
                t_dask, theirs = timed(
                    lambda kwargs=kwargs: csd.survey_share(
                        parts,
                        "victim",
                        weight="weight",
                        strata="stratum",
                        psu="psu",
                        by=BY,
                        **kwargs,
                    )
                )
            peaks = client.run(stop_watch)
            times[label] = t_dask
            worker = max(peaks, key=lambda k: peaks[k])
            print(
                f"dask 2 procs {label:<17} {t_dask:7.2f} s   peak RSS per worker "
                f"{mib(peaks[worker])} ({mib(before[worker])} before, the data included); "
                f"client {mib(driver.peak - driver.before)} above its start"
            )
            numbers = [c for c in mine.columns if mine[c].dtype.kind == "f"]
            same = (
                mine.drop(columns=numbers)
                .astype(str)
                .equals(theirs.drop(columns=numbers).astype(str))
            )
            diffs = ", ".join(
                f"{c} {float(np.nanmax(np.abs(mine[c] - theirs[c]))):.0e}" for c in numbers
            )
            print(f"             {'':<17} labels, n and df identical: {same}")
            print(f"             {'':<17} max abs difference: {diffs}")
        print(f"dask (two passes) / in memory: {times['two passes'] / t_local:.1f}x the time")


if __name__ == "__main__":
    main()
