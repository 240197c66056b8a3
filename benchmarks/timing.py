"""What the benchmark scripts share: timing a piece of work."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(repeat: int, work: Callable[[], object]) -> float:
    """The shortest of ``repeat`` timings of ``work()`` in seconds (the least disturbed run)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)
