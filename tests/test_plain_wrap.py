"""The plain-text printout's line wrapping: a line that fits is returned without textwrap's work
(issue 15.4), and every line is exactly what textwrap gives."""

from __future__ import annotations

import textwrap

from hypothesis import given
from hypothesis import strategies as st

from bruising_check.render.plain import WIDTH, _wrap


def _textwrap(text: str, indent: str, first: str | None, width: int) -> list[str]:
    """The wrapping as it was: textwrap on every text."""
    return textwrap.wrap(
        " ".join(str(text).split()),
        width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent if first is None else first]


WORDS = st.lists(
    st.one_of(
        st.text(min_size=0, max_size=12),
        st.sampled_from(["https://example.org/a-very/long/path?x=1", "-", "  ", "\t", "\n"]),
        st.text(alphabet="é中\u00a0\x1c\u2028ab -", max_size=30),
    ),
    max_size=30,
).map(" ".join)


@given(
    text=WORDS,
    indent=st.sampled_from(["", "  ", "    ", " " * 18]),
    first=st.one_of(st.none(), st.sampled_from(["", "  - ", "Label:           ", "x" * 90])),
    width=st.sampled_from([WIDTH, 40, 20, 10, 1]),
)
def test_wrapping_is_textwraps(text: str, indent: str, first: str | None, width: int) -> None:
    assert _wrap(text, indent, first, width) == _textwrap(text, indent, first, width)


def test_a_line_that_fits_is_one_line_and_one_that_does_not_is_wrapped() -> None:
    assert _wrap("a  b\tc", "  ") == ["  a b c"]
    assert _wrap("word " * 30, "", "- ") == _textwrap("word " * 30, "", "- ", WIDTH)
    assert len(_wrap("word " * 30, "", "- ")) == 2


def test_lines_at_the_width_and_one_past_it() -> None:
    for lead in ("", "  ", "- "):
        for extra in (-1, 0, 1, 2):
            n = WIDTH - len(lead) + extra - 4  # two words: "abc" and the rest
            text = "abc " + "x" * n
            assert _wrap(text, lead) == _textwrap(text, lead, None, WIDTH)
            assert len(_wrap(text, lead)) == (1 if extra <= 0 else 2)
