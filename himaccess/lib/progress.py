"""How far a long command has got: a bar redrawn in place on a terminal, sparse lines in a log.

``Progress`` is a context manager whose ``advance(n)`` counts work done;
``track(iterable, label)`` wraps a loop in one. Where the stream is a terminal
(its ``isatty()``) one line is redrawn in place at most five times a second:
a bar, done/total, percent, rate, elapsed time and the time left. Anywhere
else (a log file, a pipe, a test's buffer) carriage returns would be noise,
so a plain line is written only when both ten seconds and a tenth of the
total have passed since the last one, and a last line gives the total time
and rate. Without a known total only the count and the rate are shown.

A Django command's ``self.stdout``/``self.stderr`` can be passed as they are:
the wrapper's underlying stream is written to directly, without the
newline the wrapper would add to every write.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from types import TracebackType
from typing import Protocol, TypeVar

from django.core.management.base import OutputWrapper
from django.utils.translation import gettext as _

T = TypeVar("T")

# A terminal is redrawn at most this often (seconds).
REDRAW_EVERY = 0.2
# A log gets a line only when both this much time (seconds) and this share of the total have passed.
LOG_EVERY_SECONDS = 10.0
LOG_EVERY_SHARE = 0.1
BAR_WIDTH = 24


class Stream(Protocol):
    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...

    def isatty(self) -> bool: ...


class _Nowhere:
    """A stream that drops what it is given: for callers with no one to show progress to."""

    def write(self, text: str, /) -> int:
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


NOWHERE = _Nowhere()


def _raw(stream: object) -> Stream:
    # A command's OutputWrapper would end every write with a newline: write to what it wraps.
    while isinstance(stream, OutputWrapper):
        stream = stream._out
    return stream  # type: ignore[return-value]


def duration(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from an hour on."""
    whole = max(0, int(seconds + 0.5))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _rate(value: float) -> str:
    return f"{value:,.1f}" if value < 9.95 else f"{value:,.0f}"


class Progress:
    """Counts work done and shows it on ``stream`` (standard error by default).

    ``clock`` is injectable so that tests can run the throttling without sleeping.
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        stream: object | None = None,
        unit: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = total if total is None or total >= 0 else 0
        self.unit = unit
        self.stream = _raw(stream if stream is not None else sys.stderr)
        self.terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self.clock = clock
        self.done = 0
        self.started = clock()
        self._last_time = self.started
        self._last_done = 0
        self._width = 0  # of the line on the terminal, to blank out what a shorter one leaves
        self._finished = False
        if self.terminal:
            self._draw(self.started)

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.finish()
        elif self.terminal and not self._finished:
            # Leave the bar where it stopped and let the error start on a line of its own.
            self._finished = True
            self._emit("\n")

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self._finished:
            return
        now = self.clock()
        if self.terminal:
            if now - self._last_time >= REDRAW_EVERY:
                self._draw(now)
            return
        if now - self._last_time < LOG_EVERY_SECONDS:
            return
        if self.total and (self.done - self._last_done) < LOG_EVERY_SHARE * self.total:
            return
        if self.total and self.done >= self.total:
            return  # the final line says it
        self._last_time, self._last_done = now, self.done
        self._emit(self.status(now) + "\n")

    def finish(self) -> None:
        """Write the last line (total time and rate); later calls do nothing."""
        if self._finished:
            return
        self._finished = True
        now = self.clock()
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        things = f"{self.done:,} {self.unit}".rstrip()
        line = _("%(label)s: %(things)s in %(elapsed)s (%(rate)s/s)") % {
            "label": self.label,
            "things": things,
            "elapsed": duration(elapsed),
            "rate": _rate(rate),
        }
        self._emit(("\r" + self._padded(line) if self.terminal else line) + "\n")

    def status(self, now: float) -> str:
        """The state in one line: count, share, rate, elapsed time and the time left."""
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        unit = f" {self.unit}" if self.unit else ""
        parts = []
        if self.total:
            share = min(1.0, self.done / self.total)
            filled = int(share * BAR_WIDTH)
            bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] " if self.terminal else ""
            parts.append(f"{bar}{self.done:,}/{self.total:,}{unit} {share:4.0%}")
        else:
            parts.append(f"{self.done:,}{unit}")
        parts.append(f"{_rate(rate)}/s")
        parts.append(_("%(elapsed)s elapsed") % {"elapsed": duration(elapsed)})
        if self.total and rate > 0:
            left = max(0, self.total - self.done) / rate
            parts.append(_("%(left)s left") % {"left": duration(left)})
        return f"{self.label}: " + ", ".join(parts)

    def _draw(self, now: float) -> None:
        self._last_time = now
        self._emit("\r" + self._padded(self.status(now)))

    def _padded(self, line: str) -> str:
        width, self._width = self._width, len(line)
        return line + " " * max(0, width - len(line))

    def _emit(self, text: str) -> None:
        self.stream.write(text)
        flush = getattr(self.stream, "flush", None)
        if flush is not None:
            flush()


def track(
    items: Iterable[T],
    label: str,
    *,
    total: int | None = None,
    stream: object | None = None,
    unit: str = "",
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[T]:
    """Yield ``items``, counting each; the total defaults to ``len(items)`` when it has one."""
    if total is None and isinstance(items, Sized):
        total = len(items)
    with Progress(label, total, stream=stream, unit=unit, clock=clock) as progress:
        try:
            for item in items:
                yield item
                progress.advance()
        except GeneratorExit:
            progress.finish()  # a loop left early still says how far it got
            raise
