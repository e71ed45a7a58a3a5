"""Thread safety: the core called from several Python threads at once answers as a serial run.

The inputs are large enough that the core releases the GIL and splits the work with rayon, so the
threads really do run the kernels side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

import crimestats as cs

ROWS = 200_000
RNG = np.random.default_rng(20251128)
COUNT = RNG.integers(0, 2_000, ROWS).astype(np.float64)
PREVIOUS = RNG.integers(0, 2_000, ROWS).astype(np.float64)
POPULATION = RNG.uniform(1e4, 2e6, ROWS)
SHARE = RNG.uniform(0, 1, ROWS)
# the exact test costs most per distinct pair of counts; 90,000 pairs keep it quick
CURRENT = RNG.integers(0, 300, ROWS).astype(np.float64)
BEFORE = RNG.integers(0, 300, ROWS).astype(np.float64)
SURVEY = pd.DataFrame(
    {
        "victim": RNG.integers(0, 2, ROWS),
        "region": RNG.integers(0, 40, ROWS),
        "stratum": (stratum := RNG.integers(0, 100, ROWS)),
        "psu": stratum * 40 + RNG.integers(0, 40, ROWS),  # PSUs nested in strata
        "weight": RNG.uniform(0.5, 3.0, ROWS),
    }
)

CALLS: dict[str, Callable[[], pd.DataFrame]] = {
    "rate exact": lambda: cs.rate(COUNT, POPULATION, method="exact"),
    "rate phe": lambda: cs.rate(COUNT, POPULATION),
    "proportion exact": lambda: cs.proportion(
        np.minimum(COUNT, PREVIOUS), PREVIOUS + 1, method="exact"
    ),
    "test_change exact": lambda: cs.test_change(CURRENT, BEFORE),
    "test_change score": lambda: cs.test_change(CURRENT, BEFORE, method="score"),
    "compare": lambda: cs.compare(COUNT, POPULATION, 5.0),
    "funnel": lambda: cs.funnel(COUNT, POPULATION, overdispersion="winsorised"),
    "share_ci": lambda: cs.share_ci(SHARE, 1_000, deft=1.2),
    "survey_share": lambda: cs.survey_share(
        SURVEY, "victim", weight="weight", strata="stratum", psu="psu", by="region"
    ),
    "survey_total": lambda: cs.survey_total(
        SURVEY, "victim", weight="weight", strata="stratum", psu="psu", by="region"
    ),
    "gross_up": lambda: cs.gross_up(SHARE, 1_400_000, n=1_000, deft=1.2),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_threads_agree_with_a_serial_run(name: str) -> None:
    call = CALLS[name]
    serial = call()
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: call(), range(4)))
    for result in results:
        pd.testing.assert_frame_equal(result, serial, check_exact=True)


def test_different_functions_at_once_agree_with_serial_runs() -> None:
    serial = {name: call() for name, call in CALLS.items()}
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(call) for name, call in [*CALLS.items(), *CALLS.items()]}
        for name, future in futures.items():
            pd.testing.assert_frame_equal(future.result(), serial[name], check_exact=True)
