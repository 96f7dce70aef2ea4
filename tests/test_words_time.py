"""The shared words for times, deadlines and facts (render/words.py)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from bruising_check.render import words

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 27, 10, 30, tzinfo=UTC)


def test_every_clock_time_carries_its_zone() -> None:
    assert words.clock_time(NOW) == "10:30 UTC"
    summer = dt.datetime(2026, 7, 1, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert words.moment_text(summer) == "09:05 UTC+01:00 on Wed 01 Jul 2026"
    named = dt.datetime(2026, 7, 1, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=1), "BST"))
    assert words.clock_time(named) == "09:05 BST"
    assert words.clock_time(dt.datetime(2026, 7, 1, 9, 5)) == "09:05 local time"


def test_deadlines_in_words() -> None:
    assert words.deadline_words(0, False, NOW) == "now"
    assert words.deadline_words(4, False, NOW) == "by 14:30 UTC on Fri 27 Nov 2026"
    same_day = words.deadline_words(None, True, NOW)
    assert same_day is not None and same_day.startswith("today, Fri 27 Nov 2026")
    assert "23:59" not in same_day  # no hint of time until midnight
    assert words.deadline_words(None, False, NOW) is None


@given(st.integers(min_value=-18, max_value=200))
def test_weeks_never_print_a_minus_sign(weeks: int) -> None:
    shown = words.weeks_text(weeks)
    assert "-" not in shown
    assert shown.endswith("before term") == (weeks < 0)
    assert shown.startswith(f"{abs(weeks)} week")


def test_only_a_negated_label_with_no_reads_as_a_double_negative() -> None:
    assert words.reads_as_double_negative("Not independently mobile and not rolling", False)
    assert not words.reads_as_double_negative("Not independently mobile and not rolling", True)
    assert not words.reads_as_double_negative("Independently mobile", False)
    assert not words.reads_as_double_negative("Not known", None)
