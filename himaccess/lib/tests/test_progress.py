"""Long jobs say how far they have got: a bar on a terminal, sparse plain lines in a log."""

from __future__ import annotations

import io

import pytest
from django.core.management.base import OutputWrapper

from himaccess.lib.progress import Progress, duration, track


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_log_gets_a_line_only_after_ten_seconds_and_a_tenth_of_the_total() -> None:
    clock, log = Clock(), io.StringIO()
    with Progress("Seeding", 1000, stream=log, unit="families", clock=clock) as progress:
        for _ in range(50):  # 50 s at one a second: time passes, but not a tenth of the work
            clock.tick(1)
            progress.advance(1)
        assert log.getvalue() == ""
        clock.tick(1)
        progress.advance(300)  # now 350 done, 51 s in: both thresholds passed
        lines = log.getvalue().splitlines()
        assert lines == ["Seeding: 350/1,000 families  35%, 6.9/s, 0:51 elapsed, 1:35 left"]
        progress.advance(200)  # a fifth more at once, but no time has passed
        assert len(log.getvalue().splitlines()) == 1
        clock.tick(10)
        progress.advance(300)
        assert log.getvalue().splitlines()[1].startswith("Seeding: 850/1,000 families  85%")
        clock.tick(10)
        progress.advance(150)  # all done: the final line will say so, not a line of its own
        assert len(log.getvalue().splitlines()) == 2
    lines = log.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[-1] == "Seeding: 1,000 families in 1:11 (14/s)"
    assert "\r" not in log.getvalue()


def test_log_of_a_short_job_has_only_the_final_line() -> None:
    clock, log = Clock(), io.StringIO()
    for _ in track(range(30), "Cards", stream=log, clock=clock):
        clock.tick(0.1)
    assert log.getvalue() == "Cards: 30 in 0:03 (10/s)\n"


def test_terminal_redraws_one_line_at_most_five_times_a_second() -> None:
    clock, screen = Clock(), Terminal()
    with Progress("Rows", 100, stream=screen, clock=clock) as progress:
        assert screen.getvalue().count("\r") == 1  # drawn at once, at 0
        for _ in range(10):
            clock.tick(0.05)
            progress.advance(2)
        # Half a second: two redraws (at 0.2 s and 0.4 s), not ten.
        assert screen.getvalue().count("\r") == 3
        assert "\n" not in screen.getvalue()
        clock.tick(0.5)
        progress.advance(30)
        last = screen.getvalue().rsplit("\r", 1)[-1]
        assert last.startswith("Rows: [############............] 50/100  50%, 50/s, 0:01 elapsed, 0:01 left")
    text = screen.getvalue()
    assert text.endswith(
        "\rRows: 50 in 0:01 (50/s)" + " " * (len(last) - len("Rows: 50 in 0:01 (50/s)")) + "\n"
    )
    assert text.count("\n") == 1


def test_unknown_total_shows_count_and_rate_only() -> None:
    clock, screen = Clock(), Terminal()
    with Progress("Villages read", stream=screen, unit="rows", clock=clock) as progress:
        clock.tick(2)
        progress.advance(4000)
        line = screen.getvalue().rsplit("\r", 1)[-1]
        assert line == "Villages read: 4,000 rows, 2,000/s, 0:02 elapsed"
    log, clock = io.StringIO(), Clock()
    with Progress("Villages read", stream=log, clock=clock) as progress:
        clock.tick(9)
        progress.advance(10)
        assert log.getvalue() == ""
        clock.tick(1)
        progress.advance(10)  # no total: every ten seconds
        assert log.getvalue() == "Villages read: 20, 2.0/s, 0:10 elapsed\n"


def test_a_command_output_wrapper_is_written_through_without_extra_newlines() -> None:
    clock, screen = Clock(), Terminal()
    wrapper = OutputWrapper(screen)
    with Progress("Steps", 4, stream=wrapper, clock=clock) as progress:
        clock.tick(1)
        progress.advance(2)
    assert screen.getvalue().count("\n") == 1
    assert screen.getvalue().count("\r") == 3  # start, redraw, final line
    log = io.StringIO()
    for _ in track([1, 2], "Steps", stream=OutputWrapper(log), clock=Clock()):
        pass
    assert log.getvalue() == "Steps: 2 in 0:00 (0.0/s)\n"


def test_a_loop_left_early_still_reports_how_far_it_got() -> None:
    clock, log = Clock(), io.StringIO()
    for number in track(range(100), "Files", stream=log, clock=clock):
        clock.tick(1)
        if number == 9:
            break
    assert log.getvalue() == "Files: 9 in 0:10 (0.9/s)\n"


def test_an_error_on_a_terminal_leaves_the_bar_and_starts_a_new_line() -> None:
    clock, screen = Clock(), Terminal()
    with pytest.raises(RuntimeError), Progress("Import", 10, stream=screen, clock=clock) as progress:
        progress.advance(3)
        raise RuntimeError("disk full")
    assert screen.getvalue().endswith("\n")
    assert " in " not in screen.getvalue()  # no summary of a job that did not finish
    log = io.StringIO()
    with pytest.raises(RuntimeError), Progress("Import", 10, stream=log, clock=clock):
        raise RuntimeError("disk full")
    assert log.getvalue() == ""


def test_durations_read_as_clock_times() -> None:
    assert duration(0) == "0:00"
    assert duration(61.4) == "1:01"
    assert duration(3725) == "1:02:05"
    assert duration(-3) == "0:00"
