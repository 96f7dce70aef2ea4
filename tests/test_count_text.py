"""Counts people read: exact up to 15 digits, then `about m.d × 10^e` to two figures."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

from hypothesis import given
from hypothesis import strategies as st

from bruising_check.protocol.wording import EXACT_DIGITS, count_text


def test_small_counts_are_exact_and_large_ones_approximate() -> None:
    assert count_text(0) == "0"
    assert count_text(1_024) == "1,024"
    assert count_text(10**EXACT_DIGITS - 1) == "999,999,999,999,999"
    assert count_text(10**EXACT_DIGITS) == "about 1.0 × 10^15"
    assert count_text(2**477) == "about 3.9 × 10^143"
    assert count_text(99_960 * 10**20) == "about 1.0 × 10^25"  # 9.996 rounds to the next power
    # Python refuses str() of integers over 4,300 digits; the count is never turned into one.
    assert count_text(3 * 10**9000) == "about 3.0 × 10^9000"


@given(st.integers(min_value=10**EXACT_DIGITS, max_value=10**600))
def test_large_counts_agree_with_decimal_rounding(n: int) -> None:
    rounded = Context(prec=2, rounding=ROUND_HALF_UP).create_decimal(Decimal(n))
    _, digits, exponent = rounded.as_tuple()
    assert isinstance(exponent, int)
    shown = f"about {digits[0]}.{digits[1] if len(digits) > 1 else 0} × 10^"
    assert count_text(n) == f"{shown}{exponent + len(digits) - 1}"
