"""Timing helpers: percentiles in milliseconds and a bounded measuring loop."""

from __future__ import annotations

import time
from typing import Callable, Iterable

import numpy as np


def summary_ms(seconds: Iterable[float]) -> dict:
    """p50/p95/mean/max in milliseconds of a list of durations in seconds."""
    arr = np.asarray(list(seconds), dtype=np.float64) * 1000.0
    if arr.size == 0:
        return {"n": 0}
    return {
        "n": int(arr.size),
        "p50_ms": round(float(np.percentile(arr, 50)), 2),
        "p95_ms": round(float(np.percentile(arr, 95)), 2),
        "mean_ms": round(float(arr.mean()), 2),
        "max_ms": round(float(arr.max()), 2),
    }


def time_each(fn: Callable[[str], object], items: list[str], budget_s: float | None = None) -> list[float]:
    """Call ``fn`` on each item and return the durations; stops early once ``budget_s`` is spent
    (at least 5 calls are always made, so a percentile means something)."""
    out: list[float] = []
    start = time.perf_counter()
    for i, item in enumerate(items):
        t0 = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - t0)
        if budget_s is not None and i >= 4 and time.perf_counter() - start > budget_s:
            break
    return out


class Stopwatch:
    def __enter__(self) -> "Stopwatch":
        self.t0 = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.t0
