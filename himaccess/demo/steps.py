"""The demo's numbered steps: each announced as it starts ("[3/8] Synthetic families …") and timed when done.

The first run takes a minute or more; a line per step, and the bars of the
long ones in between, keep it from looking stuck.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from himaccess.lib.progress import duration


class Steps:
    def __init__(self, write: Callable[[str], object], total: int) -> None:
        self.write = write
        self.total = total
        self.number = 0
        self.timings: list[tuple[str, float]] = []

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        self.number += 1
        self.write(f"[{self.number}/{self.total}] {title} …")
        started = time.perf_counter()
        yield
        seconds = time.perf_counter() - started
        self.timings.append((title, seconds))
        self.write(f"      done in {seconds:.1f} s")

    def summary(self) -> str:
        return f"Ready in {duration(sum(seconds for _title, seconds in self.timings))}"
