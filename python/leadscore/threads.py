"""How many threads a fit or a prediction may use, set explicitly.

On a 2-core machine, letting OpenMP (LightGBM, HistGradientBoosting) or BLAS pick its own count
while another process keeps a core busy made a LightGBM fit 40 times slower (oversubscription). So
every multi-threaded library call runs with an explicit count: LEADSCORE_THREADS, or the cores this
process may use. Fits are never run side by side. Linear models fit on one BLAS thread, which also
makes their coefficients identical from run to run (multi-threaded BLAS sums in varying order).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits


def thread_count() -> int:
    configured = os.environ.get("LEADSCORE_THREADS", "").strip()
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ValueError(f"LEADSCORE_THREADS must be a whole number >= 1, got {configured!r}")
        return int(configured)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def limited_threads(count: int | None = None) -> Iterator[int]:
    """OpenMP and BLAS pools capped at `count` (default: thread_count()) inside the block."""
    count = count or thread_count()
    with threadpool_limits(limits=count):
        yield count
