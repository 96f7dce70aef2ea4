"""What a person types at a prompt, turned into an answer the engine accepts (or a plain message).

Numbers or option ids for choices; "1,3,5" or ids for several; `none` where no choice is allowed;
y/n for yes/no (also on a choice with `yes` and `no` options, such as yes / no / not sure, where
an option's own label, "not sure", is that option too); ages in weeks or with a unit ("10d",
"6w", "4m", "2y") for questions measured in weeks, and weeks+days as maternity notes write a
gestation ("32+4" = 32 completed weeks). The result is always checked again by
`answers.coerce`, the same check `--answers` uses.

Months and years become weeks with the mean Gregorian month and year: 1 month = 30.4375 days
(365.25 / 12) and 1 year = 365.25 days, the same month the protocol uses for the TEN-4-FACESp age
component (months = weeks x 7 / 30.4375; Pierce et al. 2021 via DOMAIN.md section 3). The answer is
*completed* weeks, so the result is rounded down: "4m" = 121.75 days = 17 completed weeks. Days are
divided by 7 and rounded down the same way ("10d" = 1 completed week).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from bruising_check.engine.answers import AnswerError, coerce
from bruising_check.protocol.conditions import UNKNOWN
from bruising_check.protocol.model import (
    BooleanQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Question,
    SingleChoiceQuestion,
    TextQuestion,
)

DAYS_PER_MONTH = 365.25 / 12  # 30.4375, as in the protocol's age_months fact
DAYS_PER_YEAR = 365.25
_UNIT_DAYS = {"d": 1.0, "w": 7.0, "m": DAYS_PER_MONTH, "y": DAYS_PER_YEAR}
# ASCII digits only, and few of them: `\d` would take a superscript `²` or Arabic-Indic digits,
# and 400 nines would overflow the arithmetic.
_AGE = re.compile(
    r"^(?P<n>[0-9]{1,9}(?:\.[0-9]{1,9})?)\s*(?P<u>d|days?|w|wks?|weeks?|m|mths?|months?|y|yrs?|years?)$"
)
_NUMBER = re.compile(r"[+-]?([0-9]{1,15}(\.[0-9]{0,15})?|\.[0-9]{1,15})")
_CHOICE = re.compile(r"[0-9]{1,6}")
MAX_REPLY_CHARS = 200
"""Longest reply to anything but a free-text question (those have their own `max_length`)."""
# Weeks and days as UK maternity notes write a gestation: "32+4" is 32 weeks and 4 days.
_WEEKS_DAYS = re.compile(r"^(?P<w>[0-9]{1,3})\s*\+\s*(?P<d>[0-9]{1,2})$")
YES = frozenset({"y", "yes"})
NO = frozenset({"n", "no"})
NONE_WORDS = frozenset({"none", "0", "none of these", "nothing"})


class TypedError(ValueError):
    """What the person typed cannot be an answer; the message says what would be."""


@dataclass(frozen=True)
class Parsed:
    """A typed answer, read: its value and what is shown back."""

    value: Any  # the answer in the engine's normal form; UNKNOWN for "not known"
    note: str | None = None  # shown back, e.g. "4m = 17 completed weeks"


def weeks_from(amount: float, unit: str) -> int:
    """Completed weeks in `amount` of `unit` (d, w, m or y), rounded down."""
    days = amount * _UNIT_DAYS[unit]
    # A tiny tolerance so that "6w" is 6 weeks, not 5.999... after float arithmetic.
    return math.floor(days / 7 + 1e-9)


def parse(q: Question, typed: str) -> Parsed:
    """Parse one reply to question `q`. An empty reply is "not known" where that is allowed."""
    text = " ".join(typed.strip().split())
    if not text:
        if q.required:
            raise TypedError("An answer is needed here (type ? to see why it is asked).")
        return Parsed(UNKNOWN, "left unanswered (not known)")
    if isinstance(q, TextQuestion):
        return Parsed(_checked(q, typed.strip()))
    if len(text) > MAX_REPLY_CHARS:
        raise TypedError("That is too long to be an answer here; type a shorter one.")
    low = text.lower()
    if isinstance(q, BooleanQuestion):
        if low in YES:
            return Parsed(True)
        if low in NO:
            return Parsed(False)
        raise TypedError("Type y for yes or n for no.")
    if isinstance(q, SingleChoiceQuestion):
        ids = [o.id for o in q.options]
        said = yes_no_option(q, low)
        if said is None:
            # An option's own words ("not sure", "not known") are that option.
            said = next((o.id for o in q.options if o.label.lower() == low), None)
        return Parsed(_checked(q, said or _option(ids, text, len(q.options))))
    if isinstance(q, MultipleChoiceQuestion):
        return Parsed(_checked(q, _options(q, text)))
    if isinstance(q, NumberQuestion):
        return _number(q, low)
    raise TypeError(q)  # pragma: no cover


def yes_no_option(q: SingleChoiceQuestion, low: str) -> str | None:
    """`y` / `n` on a choice whose options include `yes` and `no` (a yes / no / not sure
    question shown as numbered options): that option's id; None otherwise."""
    ids = {o.id.lower(): o.id for o in q.options}
    if "yes" not in ids or "no" not in ids:
        return None
    if low in YES:
        return ids["yes"]
    if low in NO:
        return ids["no"]
    return None


def choice_number(typed: str, count: int) -> int | None:
    """`typed` as one of the numbers 1 to `count` shown on a screen, else None (ASCII digits
    only, so `²` or a 5,000-digit number is simply not one of them)."""
    text = typed.strip()
    if not _CHOICE.fullmatch(text):
        return None
    n = int(text)
    return n if 1 <= n <= count else None


def _option(ids: list[str], item: str, count: int) -> str:
    if item.isdigit() or _CHOICE.fullmatch(item):
        n = choice_number(item, count)
        if n is not None:
            return ids[n - 1]
        shown = item if len(item) <= 12 else item[:12] + "..."
        raise TypedError(f"{shown} is not one of the numbers shown: choose 1 to {count}.")
    match = [i for i in ids if i.lower() == item.lower()]
    if match:
        return match[0]
    # Ids are accepted (above) but never shown, so the message names only what is on screen.
    raise TypedError(f"{item!r} is not an option: type its number, 1 to {count}.")


def _options(q: MultipleChoiceQuestion, text: str) -> list[str]:
    ids = [o.id for o in q.options]
    low = text.lower()
    if low in NONE_WORDS and low not in {i.lower() for i in ids}:
        if q.min_selected > 0:
            raise TypedError(
                f"Choose at least {q.min_selected}: type the numbers, for example 1,3."
            )
        return []
    items = [i for i in re.split(r"[,\s;]+", text) if i]
    chosen = [_option(ids, i, len(ids)) for i in items]
    if len(set(chosen)) < q.min_selected:
        raise TypedError(f"Choose at least {q.min_selected}.")
    return chosen


def _number(q: NumberQuestion, low: str) -> Parsed:
    note = None
    wd = _WEEKS_DAYS.match(low) if q.unit == "weeks" else None
    if wd:
        low = _weeks_and_days(int(wd.group("w")), int(wd.group("d")))
        note = f"{wd.group('w')}+{wd.group('d')} = {low} completed weeks"
    m = _AGE.match(low)
    if m and q.unit == "weeks":
        unit = m.group("u")[0]
        amount = float(m.group("n"))
        value: float = weeks_from(amount, unit)
        if unit != "w":
            approx = " (months and years are approximate: weeks are best)" if unit in "my" else ""
            weeks = "completed week" if value == 1 else "completed weeks"
            note = f"{low} = {value:g} {weeks}{approx}"
        elif amount != int(amount):
            note = f"{m.group('n')} weeks = {value:g} completed weeks"
    elif m:
        raise TypedError(f"Give the number in {q.unit} (no unit needed).")
    else:
        try:
            # Digits and one decimal point only: float() would also take "1_7" as 17.
            if not _NUMBER.fullmatch(low):
                raise ValueError(low)
            value = float(low)
        except ValueError:
            hint = ", or with a unit: 10d, 6w, 4m, 2y" if q.unit == "weeks" else ""
            raise TypedError(f"Type a number of {q.unit}{hint}.") from None
        if not math.isfinite(value):
            raise TypedError(f"Type a number of {q.unit}.")
    if not q.min <= value <= q.max:
        raise TypedError(
            f"{value:g} {q.unit} is outside the range {q.min:g} to {q.max:g} {q.unit}."
        )
    if q.integer and value != int(value):
        raise TypedError(f"Type whole {q.unit} (completed {q.unit}), for example {int(value)}.")
    return Parsed(_checked(q, int(value) if q.integer else value), note)


def _weeks_and_days(weeks: int, days: int) -> str:
    """ "32+4" (32 weeks and 4 days) is 32 completed weeks: the days only say how far into the
    next week, and the protocol counts completed weeks."""
    if days > 6:
        raise TypedError(
            f"{weeks}+{days}: the days after + are 0 to 6 (32+4 is 32 weeks and 4 days)."
        )
    return str(weeks)


def _checked(q: Question, value: Any) -> Any:
    try:
        return coerce(q, value)
    except AnswerError as exc:
        # coerce's messages start with the question id; a person needs only the rest.
        raise TypedError(str(exc).split(": ", 1)[-1]) from None


def shown(q: Question, value: Any) -> str:
    """An answer as a person reads it back: labels, yes/no, a number with its unit."""
    if value is UNKNOWN or value is None:
        # Free text left empty was not given; any other answer left empty is not known.
        return "not given" if isinstance(q, TextQuestion) else "not known"
    if isinstance(q, BooleanQuestion):
        return "Yes" if value else "No"
    if isinstance(q, SingleChoiceQuestion):
        return next((o.label for o in q.options if o.id == value), str(value))
    if isinstance(q, MultipleChoiceQuestion):
        labels = [o.label for o in q.options if o.id in set(value)]
        return "; ".join(labels) if labels else "None of these"
    if isinstance(q, NumberQuestion):
        unit = q.unit
        if value == 1:
            unit = "child" if unit == "children" else unit[:-1] if unit.endswith("s") else unit
        return f"{value:g} {unit}"  # "1 mark", "1 week"
    return str(value)
