"""The PDF emitter's label-and-value rows: a long label never runs into its value.

Read back with pdftotext's word boxes (poppler, as the other PDF tests use): no two words on a
page overlap, and the value starts in the value column.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bruising_check.render.blocks import Document, Fields, Section
from bruising_check.render.pdf import LABEL_W, MARGIN, Printout, write

Box = tuple[float, float, float, float, str]


def words(pdf: bytes, tmp: Path) -> list[Box]:
    path = tmp / "fields.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html,
    )
    return [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in found]


def render(rows: tuple[tuple[str, str | None], ...]) -> bytes:
    d = Printout("Fields", "fields test")
    d.add_page()
    write(d, Document("Fields", "fields test", (Section("The child", (Fields(rows),)),)))
    return d.output_bytes()


def overlapping(boxes: list[Box]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5:
                out.append((a[4], b[4]))
    return out


def test_a_long_label_does_not_run_into_its_value(tmp_path: Path) -> None:
    rows = (
        ("Independently mobile", "no"),
        ("Not independently mobile and not rolling", "yes"),
        ("Corrected age", "not applicable"),
        ("A reported locomotor milestone was set aside for age", None),
    )
    boxes = words(render(rows), tmp_path)
    assert not overlapping(boxes)
    points = 72 / 25.4
    for value in ("no", "yes", "not"):
        box = next(b for b in boxes if b[4] == value)
        assert box[0] >= (MARGIN + LABEL_W) * points - 1, value  # in the value column or past it
    # A label too long for the column and a short value: the value on the label's own line,
    # after it (trial item 13: "...set aside for age:" then "no" on a line of its own).
    for last, value in (("rolling", "yes"), ("mobile", "no")):
        label = next(b for b in boxes if b[4] == last)
        box = next(b for b in boxes if b[4] == value)
        assert box[0] >= label[2] and abs(box[1] - label[1]) < 1.5, (last, value)
    # With no value (a line to fill in by hand), the label still has the whole line.
    age = [b for b in boxes if b[4] == "age"][-1]  # "...set aside for age", not "Corrected age"
    assert age[2] > (MARGIN + LABEL_W) * points


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(
                st.sampled_from(["mobile", "Independently", "a", "reported", "milestone"]),
                min_size=1,
                max_size=8,
            ).map(" ".join),
            st.sampled_from(["no", "yes", "not applicable", "2.0.0 (draft)"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_no_label_and_value_ever_overlap(rows: list[tuple[str, str]]) -> None:
    """Property: whatever the label lengths, no two words of the rows overlap on the page."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        assert not overlapping(words(render(tuple(rows)), Path(tmp)))
