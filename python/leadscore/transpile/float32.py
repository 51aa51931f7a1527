"""scikit-learn's trees cast inputs to float32 before comparing them with (float64) thresholds.
Comparing the raw double in SQL takes the wrong branch for values near a threshold. Instead of
casting in SQL (slow, and FLOAT means 64 bits in some warehouses), each threshold t is replaced by
the exact double m at which float32 rounding changes side:

    float32(x) <= t   <=>   x <= m   (or x < m, when the tie at m rounds up)

float32 rounding is monotonic, so this holds for every double x.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_FLOAT32_OVERFLOW = 2.0**128  # the "next" float32 after the largest finite one


@dataclass(frozen=True)
class Float32Cut:
    boundary: float
    inclusive: bool  # True: go left when x <= boundary; False: when x < boundary

    def goes_left(self, x: float) -> bool:
        return x <= self.boundary if self.inclusive else x < self.boundary


def float32_cut(threshold: float) -> Float32Cut:
    t = float(threshold)
    if np.isnan(t):
        raise ValueError("a tree threshold cannot be NaN")
    with np.errstate(over="ignore"):
        below = np.float32(t)  # nearest float32; step down if it rounded above t
        if np.isinf(below) or float(below) > t:
            below = np.nextafter(below, np.float32(-np.inf), dtype=np.float32)
        above = np.nextafter(below, np.float32(np.inf), dtype=np.float32)
    low = float(below) if np.isfinite(below) else -_FLOAT32_OVERFLOW
    high = float(above) if np.isfinite(above) else _FLOAT32_OVERFLOW
    boundary = (low + high) / 2.0  # exact: adjacent float32 values differ in one bit a double can hold
    # A double exactly at the midpoint rounds to the float32 with an even last mantissa bit;
    # the virtual infinities count as even.
    below_is_even = (not np.isfinite(below)) or (
        int(np.asarray(below, dtype=np.float32).view(np.uint32)) & 1
    ) == 0
    return Float32Cut(boundary=boundary, inclusive=bool(below_is_even))


@dataclass(frozen=True)
class Float32Interval:
    """The doubles whose float32 rounding is one given float32 value."""

    low: float
    low_inclusive: bool
    high: float
    high_inclusive: bool


def float32_interval(value: float) -> Float32Interval:
    """float32(x) == value  <=>  x in this interval (value must be a finite float32)."""
    target = np.float32(value)
    if float(target) != float(value) or not np.isfinite(target):
        raise ValueError(f"{value!r} is not a finite float32")
    below = np.nextafter(target, np.float32(-np.inf), dtype=np.float32)
    upper = float32_cut(float(target))  # float32(x) <= target
    lower = float32_cut(float(below))  # float32(x) <= below: excluded
    return Float32Interval(
        low=lower.boundary,
        low_inclusive=not lower.inclusive,
        high=upper.boundary,
        high_inclusive=upper.inclusive,
    )
