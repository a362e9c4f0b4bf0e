"""What every benchmark prints beside its figures: the machine's load and cores, and percentiles."""

from __future__ import annotations

import os
import statistics


def machine() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def percentiles(samples: list[float], digits: int = 1) -> str:
    """p50, p95 and p99 of millisecond samples."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    p50, p95, p99 = cuts[49], cuts[94], cuts[98]
    return f"p50 {p50:.{digits}f} ms  p95 {p95:.{digits}f} ms  p99 {p99:.{digits}f} ms  (n={len(samples)})"
