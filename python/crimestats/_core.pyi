"""Type stubs for the Rust extension module crimestats._core."""

from typing import Any

import numpy as np

__all__ = ["InputError", "binomial_proportion", "poisson_rate"]

_F64 = np.ndarray[Any, np.dtype[np.float64]]

class InputError(ValueError): ...

def poisson_rate(
    count: _F64, population: _F64, per: float, method: str, conf: float
) -> list[_F64]: ...
def binomial_proportion(x: _F64, n: _F64, method: str, conf: float) -> list[_F64]: ...
