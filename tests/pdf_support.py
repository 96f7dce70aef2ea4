"""Which fpdf2 the tests run with: the faster PDF paths (stored metrics, `_Fragment`, `_LineBreak`,
the font cutter) are used only with the fpdf2 the stored metrics were made for
(`fontcache.verified`). With that fpdf2 the tests compare the faster paths with fpdf2's own; with
another (CI installs `fpdf2>=2.8.6` unpinned) they check that a document uses fpdf2's own classes
throughout, until `python bench/subset_fonts.py --metrics` makes metrics for it."""

from __future__ import annotations

import json
import zlib
from functools import cache
from typing import Any

from fpdf.line_break import MultiLineBreak

from bruising_check.render import fontcache
from bruising_check.render.pdfdoc import Document


def stored_for_installed_fpdf2() -> bool:
    """Whether `fonts/metrics.json.z` was made for the installed fpdf2 (read from the file, not
    through `fontcache`, so that a fault there cannot hide)."""
    data = json.loads(zlib.decompress(fontcache.METRICS.read_bytes()))
    return bool({k: data.get(k) for k in fontcache._key()} == fontcache._key())


FAST = stored_for_installed_fpdf2()


def layout_classes(text: str = "A bruise on the cheek of a baby. " * 12) -> tuple[set[type], ...]:
    """The classes of the fragments and of the line breaking a `Document`'s `multi_cell` uses,
    and of its fonts."""
    fragments: set[type] = set()
    breakers: set[type] = set()
    own = MultiLineBreak.__init__

    def init(self: MultiLineBreak, parts: Any, *args: Any, **kwargs: Any) -> None:
        breakers.add(type(self))
        fragments.update(type(f) for f in parts)
        own(self, parts, *args, **kwargs)

    MultiLineBreak.__init__ = init  # type: ignore[method-assign,assignment]
    try:
        doc = Document("t")
        doc.add_page()
        doc.multi_cell(0, 5, text)
    finally:
        MultiLineBreak.__init__ = own  # type: ignore[method-assign]
    return fragments, breakers, {type(f) for f in doc.fonts.values()}


@cache  # once a run: the hypothesis tests ask for each example
def assert_fpdf2s_own_layout() -> None:
    """With another fpdf2: no stored faces, fpdf2's own fonts, fragments and line breaking."""
    from fpdf.fonts import TTFFont
    from fpdf.line_break import Fragment

    assert not fontcache.verified()
    assert Document("t").cached_fonts == set()
    fragments, breakers, fonts = layout_classes()
    assert fragments == {Fragment}
    assert breakers == {MultiLineBreak}
    assert fonts == {TTFFont}
