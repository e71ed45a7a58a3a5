"""Thread safety: the core called from several Python threads at once answers as a serial run.

The inputs are large enough that the core releases the GIL and splits the work with rayon, so the
threads really do run the kernels side by side.
"""

from __future__ import annotations

import threading
import time
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


# ---------------------------------------------------------------------------------------------
# A thread writing to an argument while the core reads it (issue: the core read the caller's
# array twice with the GIL released, so a value could pass the check and another be computed on,
# or index a table it was not in: a panic, or a test run on 1e19)
# ---------------------------------------------------------------------------------------------

MUTATED_ROWS = 120_000
STEP = 4_099  # the positions the writer changes: every 4,099th
MUTATED_RNG = np.random.default_rng(20261201)
M_COUNT = MUTATED_RNG.integers(0, 3_000, MUTATED_ROWS).astype(np.float64)
M_OTHER = MUTATED_RNG.integers(0, 300, MUTATED_ROWS).astype(np.float64)
M_POPULATION = MUTATED_RNG.uniform(1e4, 1e6, MUTATED_ROWS)
M_SMALL = MUTATED_RNG.integers(0, 30, MUTATED_ROWS).astype(np.float64)  # few distinct pairs
M_SHARE = MUTATED_RNG.uniform(0, 1, MUTATED_ROWS)

# (call on the array being written, the values the writer cycles through, which of them are
# valid): a call must either refuse an invalid value with an InputError, or give, in every row,
# the answer for one value that row really held.
MUTATIONS: dict[str, tuple[Callable[[np.ndarray], pd.DataFrame], list[float]]] = {
    # 3e6 is a valid count beyond the table of distinct counts (the panic); -1 is refused
    "rate exact": (lambda c: cs.rate(c, M_POPULATION, method="exact"), [3e6, -1.0, 7.0]),
    "rate byar": (lambda c: cs.rate(c, M_POPULATION, method="byar"), [3e6, -1.0, 7.0]),
    "rate population": (lambda p: cs.rate(M_COUNT, p, method="exact"), [5e5, 0.0, 2e4]),
    "proportion exact": (
        lambda x: cs.proportion(x, M_COUNT + 1, method="exact"),
        [0.0, 1e9, 1.0],
    ),
    "proportion wilson": (lambda x: cs.proportion(x, M_COUNT + 1), [0.0, -3.0, 1.0]),
    # 1e19 is beyond the exact test's range and refused; a run on it is the bug
    "test_change exact": (lambda c: cs.test_change(c, M_SMALL), [40.0, 1e19, 3.0]),
    "test_change score": (lambda c: cs.test_change(c, M_OTHER, method="score"), [40.0, -1.0]),
    "change": (lambda c: cs.change(c, M_OTHER), [40.0, np.inf, 3.0]),
    "compare benchmark": (lambda b: cs.compare(M_COUNT, M_POPULATION, b), [5.0, -1.0, 500.0]),
    # with a target given, each row's limits and flag depend on that row alone; the exact limits
    # cost a few quantiles a row, so fewer rows
    "funnel": (lambda c: cs.funnel(c, M_POPULATION[: len(c)], target=5.0), [30.0, -1.0, 3.0]),
    # the share shown beside its interval is the one the interval was computed from (it was
    # copied from the caller's array after the call, so it could be a later value)
    "share_ci": (lambda s: cs.share_ci(s, M_POPULATION, deft=1.2), [0.9, 1.5, 0.05]),
    "share_ci n": (lambda n: cs.share_ci(M_SHARE, n, deft=1.2), [50.0, -2.0, 1e6]),
}
MUTATION_TARGET = {
    "rate population": M_POPULATION,
    "compare benchmark": np.full(MUTATED_ROWS, 1_000.0),
    "test_change exact": M_SMALL,
    "funnel": M_COUNT[:20_000],
    "share_ci": M_SHARE,
    "share_ci n": M_POPULATION,
}


def _rows_equal(got: pd.DataFrame, want: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Whether each of `rows` is the same (NaN equal to NaN) in both frames, every column."""
    same = np.ones(len(rows), dtype=bool)
    for column in want.columns:
        a = got[column].to_numpy()[rows]
        b = want[column].to_numpy()[rows]
        if a.dtype.kind == "f" or b.dtype.kind == "f":
            a, b = a.astype(float), b.astype(float)
            same &= (a == b) | (np.isnan(a) & np.isnan(b))
        else:
            same &= np.asarray(pd.array(a) == pd.array(b)).astype(bool)
    return same


def _race(
    call: Callable[[np.ndarray], pd.DataFrame],
    original: np.ndarray,
    positions: np.ndarray,
    values: list[float],
    judge: Callable[[pd.DataFrame], str | None],
    readers: int,
) -> list[str]:
    """Calls `call` from `readers` threads for 0.6 s on a copy of `original` whose `positions`
    another thread keeps setting to each of `values` and back; a refusal (InputError) is fine,
    anything else raised (a panic is a BaseException) or any result `judge` finds wrong is a
    failure, returned."""
    target = original.copy()
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            for value in values:
                target[positions] = value
            target[positions] = original[positions]

    failures: list[str] = []

    def read() -> None:
        deadline = time.monotonic() + 0.6
        while time.monotonic() < deadline:
            try:
                got = call(target)
            except cs.InputError:
                continue  # an invalid value was seen and refused
            except BaseException as error:  # a panic is a BaseException
                failures.append(repr(error)[:200])
                return
            problem = judge(got)
            if problem is not None:
                failures.append(problem)
                return

    writer = threading.Thread(target=write)
    writer.start()
    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    writer.join()
    return failures


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_a_thread_writing_the_input_gives_an_error_or_a_true_answer(name: str) -> None:
    call, values = MUTATIONS[name]
    original = MUTATION_TARGET.get(name, M_COUNT)
    rows = len(original)
    mutated = np.arange(0, rows, STEP)
    # The answer for every value a mutated row can hold, computed with no writer.
    answers = []
    for value in [None, *values]:
        array = original.copy()
        if value is not None:
            array[mutated] = value
        try:
            answers.append(call(array))
        except cs.InputError:
            continue
    untouched = answers[0]
    others = np.setdiff1d(np.arange(rows), mutated)

    def judge(got: pd.DataFrame) -> str | None:
        if not _rows_equal(got, untouched, others).all():
            return "a row nobody wrote changed"
        some = np.zeros(len(mutated), dtype=bool)
        for answer in answers:
            some |= _rows_equal(got, answer, mutated)
        if not some.all():
            return f"row {mutated[~some][0]} has an answer for no value it held"
        return None

    failures = _race(call, original, mutated, values, judge, readers=3)
    assert not failures, failures[0]


# Kernels whose every result depends on every row (means over all areas, sorted p-values, a
# pooled target): one position is written, and the whole result must be the answer for one
# value it held, or an InputError for a value that is refused.
WHOLE: dict[str, tuple[Callable[[np.ndarray], pd.DataFrame], np.ndarray, list[float]]] = {
    "smooth_rates": (lambda c: cs.smooth_rates(c, M_POPULATION), M_COUNT, [3e5, -1.0, 0.0]),
    "smooth_rates population": (
        lambda p: cs.smooth_rates(M_COUNT, p),
        M_POPULATION,
        [1.0, 0.0, 1e9],
    ),
    "adjust_p": (
        lambda p: pd.DataFrame({"p": cs.adjust_p(p, method="bh")}),
        MUTATED_RNG.uniform(0, 1, MUTATED_ROWS),
        [1e-9, 1.5, 1.0],
    ),
    "funnel pooled": (
        lambda c: cs.funnel(c, M_POPULATION[: len(c)], overdispersion="winsorised"),
        M_COUNT[:20_000],
        [3e5, -1.0, 0.0],
    ),
}


@pytest.mark.parametrize("name", list(WHOLE))
def test_a_thread_writing_one_value_gives_an_error_or_the_answer_for_a_value_it_held(
    name: str,
) -> None:
    call, original, values = WHOLE[name]
    position = len(original) // 3
    answers = []
    for value in [original[position], *values]:
        array = original.copy()
        array[position] = value
        try:
            answers.append(call(array))
        except cs.InputError:
            continue

    def judge(got: pd.DataFrame) -> str | None:
        rows = np.arange(len(got))
        if any(_rows_equal(got, answer, rows).all() for answer in answers):
            return None
        return "the result is the answer for no value the row held"

    failures = _race(call, original, np.array([position]), values, judge, readers=2)
    assert not failures, failures[0]
