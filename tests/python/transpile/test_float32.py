"""The float32 boundary rewrite against numpy's own float32 rounding."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from leadscore.transpile.float32 import float32_cut

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


def _agrees(threshold: float, x: float) -> bool:
    # scikit-learn compares the float32 value, promoted to double, with the double threshold.
    # (numpy 2 would compare np.float32 with a Python float in float32: convert first.)
    with np.errstate(over="ignore"):
        truth = float(np.float32(x)) <= threshold
    return truth == float32_cut(threshold).goes_left(x)


@settings(max_examples=3000, deadline=None)
@given(threshold=finite, x=finite)
def test_random_pairs(threshold, x):
    assert _agrees(threshold, x)


@settings(max_examples=3000, deadline=None)
@given(threshold=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_values_at_and_around_the_boundary(threshold):
    cut = float32_cut(threshold)
    candidates = [
        threshold,
        cut.boundary,
        np.nextafter(cut.boundary, -np.inf),
        np.nextafter(cut.boundary, np.inf),
    ]
    for x in candidates:
        assert _agrees(threshold, float(x)), (threshold, x, cut)


def test_ties_round_to_even():
    # 1.0 and its float32 successor: the midpoint rounds to 1.0 (even mantissa), so it goes left.
    above = float(np.nextafter(np.float32(1.0), np.float32(2.0)))
    cut = float32_cut((1.0 + above) / 2)
    assert cut.boundary == (1.0 + above) / 2
    assert cut.inclusive
    # From the odd successor the midpoint rounds up to the next even float32: it goes right.
    odd = above
    next_even = float(np.nextafter(np.float32(odd), np.float32(2.0)))
    assert not float32_cut((odd + next_even) / 2).inclusive


def test_naive_comparison_is_wrong_near_thresholds():
    """Why the rewrite exists: scikit-learn's typical midpoint threshold, and a double just above it."""
    threshold = (np.float64(np.float32(0.1)) + np.float64(np.nextafter(np.float32(0.1), np.float32(1)))) / 2
    cut = float32_cut(float(threshold))
    misses = 0
    for x in np.linspace(threshold - 1e-8, threshold + 1e-8, 2001):
        naive = x <= threshold
        truth = float(np.float32(x)) <= threshold
        misses += naive != truth
        assert cut.goes_left(float(x)) == truth
    assert misses > 0
