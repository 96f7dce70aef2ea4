"""The shared words for times, deadlines and facts (render/words.py)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from bruising_check.records.record import Deadline
from bruising_check.render import words

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 27, 10, 30, tzinfo=UTC)


def test_every_clock_time_carries_its_zone() -> None:
    assert words.moment_text(NOW) == "10:30 UTC on Fri 27 Nov 2026"
    summer = dt.datetime(2026, 7, 1, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert words.moment_text(summer) == "09:05 UTC+01:00 on Wed 01 Jul 2026"
    named = dt.datetime(2026, 7, 1, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=1), "BST"))
    assert words.moment_text(named) == "09:05 BST on Wed 01 Jul 2026"


def test_deadlines_in_words() -> None:
    today = NOW.date()
    assert words.deadline_text(Deadline(kind="now", on=today)) == "now"
    four = Deadline(kind="within_hours", hours=4, by=NOW + dt.timedelta(hours=4), on=today)
    assert words.deadline_text(four) == "by 14:30 UTC on Fri 27 Nov 2026"
    same_day = words.deadline_text(Deadline(kind="same_day", on=today))
    assert same_day is not None and same_day.startswith("today, Fri 27 Nov 2026")
    assert "23:59" not in same_day  # no hint of time until midnight
    assert words.deadline_text(Deadline(kind="none", on=today)) is None


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
