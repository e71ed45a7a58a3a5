"""What every side-by-side benchmark needs: the best of several timings, and how far apart two
tools' answers are."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np


def best_of(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of `runs` timings of `work`, and its result (the last run's).

    Each run's result is dropped before the next run starts, as an analyst's loop that reassigns
    its variable drops it: the steady state of calling a function again and again. Holding the
    previous result while the next run works would instead time fresh memory for every result
    column, page faults and all (best of three `rate` calls on 1e6 rows in bench/rates.py: 26-31
    ms so, 16-18 ms with the result dropped). The same for every tool timed here, crimestats and
    its peers alike.
    """
    best, result = float("inf"), None
    for _ in range(runs):
        result = None  # drop the previous run's result before timing the next
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def rel_diff(a: Any, b: Any, *, atol: float = 0.0) -> float:
    """Largest relative difference between two answers.

    Places where both are below 1e-300 (underflow in either tool) and differences of at most
    `atol` (rounding noise where a bound is exactly 0 or 1) count as agreement.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    diff = np.abs(a - b)
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where((diff > atol) & (scale > 1e-300), diff / scale, 0.0)
    return float(np.nanmax(d))
