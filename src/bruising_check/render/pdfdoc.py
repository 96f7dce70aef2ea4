"""A4 PDF documents in any script people in England write, with page numbers and the statement
that the tool supports and does not replace professional judgement.

Shared by the printable rationale, the handbook and the quiz result. fpdf2 is imported lazily by
callers' modules. `Document.normalize_text` is the PDF boundary of the text-safety policy: every
text fpdf2 prints passes through it, so

- control characters, escape sequences, direction overrides and zero-width characters print as
  visible escapes (`render.safe.visible`);
- `{nb}` in a text stays `{nb}`: the page-count alias is a string no text can hold after
  `visible` (it contains NUL);
- `[text](url)` never becomes a link, whatever a protocol says (fpdf2's markdown links are off);
- a character the main font (DejaVu Sans: Latin incl. Polish and Welsh, Greek, Cyrillic, Hebrew)
  lacks is taken from a bundled Noto subset (`fonts/`, see `coverage.json` and
  `bench/subset_fonts.py`): Arabic and Urdu, Devanagari, Bengali, Gurmukhi, Gujarati, Tamil and
  the 3,755 most used Chinese characters. Those fonts are loaded only when a text needs them, and
  text shaping (uharfbuzz: joined Arabic letters, right-to-left order, Indic conjuncts) is
  switched on only for the texts that need it, so a Latin-only PDF costs what it did. A line
  that starts in a fallback font gets the main font written before it, as fpdf2 writes it for
  any other line: fpdf2 itself lost it after such a line (issue #1772), and the rest of the
  page printed in no font or the wrong one (`tests/test_pdf_mixed_scripts.py`);
- a person's right-to-left words (a carer's account in Urdu, with numbers and brackets) inside
  an English paragraph are drawn in the order they have on their own: each free text the
  caller names (`own_words`) is a first-strong isolate of the paragraph (marks written here,
  never printed), and a line holding three embedding levels or more is ordered by the bidi
  algorithm's rule L2 (`_BidiLine`), which fpdf2 does only for two (`tests/test_pdf_bidi.py`);
- a character no bundled font has prints as a visible `[U+1F600]` code and the document warns
  (`MissingGlyphs`, shown by the CLI as one line), never silently dropped.
"""

from __future__ import annotations

import bisect
import json
import re
import warnings
import weakref
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from bruising_check import STATEMENT
from bruising_check.render import fontcache
from bruising_check.render.deferred import deferring
from bruising_check.render.safe import TextWarning, pdf_markdown, visible

with deferring():  # fpdf2 without the modules for features no PDF here uses (variable fonts...)
    import fpdf.fpdf
    from fpdf import FPDF
    from fpdf.enums import Align, CharVPos, TextDirection, WrapMode
    from fpdf.fonts import SubsetMap, TTFFont
    from fpdf.line_break import (
        BREAKING_SPACE_SYMBOLS_STR,
        NBSP,
        SOFT_HYPHEN,
        SPACE,
        Fragment,
        MultiLineBreak,
        TextLine,
    )
    from fpdf.util import FloatTolerance

FONTS = Path(__file__).resolve().parent / "fonts"
MAIN = "DejaVu"
# The total-pages alias: NUL never survives `visible`, so no printed text can contain it.
NB = "\x00nb\x00"
# Scripts that need shaping or right-to-left ordering: Hebrew, Arabic (and Urdu), Syriac,
# Thaana, NKo, the Indic scripts, Arabic presentation forms.
_COMPLEX = re.compile("[\u0590-\u08ff\u0900-\u0dff\ufb1d-\ufdff\ufe70-\ufeff]")
# Right-to-left scripts among them (Hebrew, Arabic and Urdu, Syriac, Thaana, NKo...).
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
# First-strong isolate and pop directional isolate: a person's words within an English paragraph
# are ordered as on their own. Only `Document.normalize_text` writes them (after `visible`, which
# shows any a text holds as an escape), and `_preload_bidirectional_text` takes them out again.
FSI, PDI = "\u2068", "\u2069"
_ISOLATE_MARKS = frozenset("\u2066\u2067\u2068\u2069")


class MissingGlyphs(TextWarning):
    """Some characters of a text are in no bundled font: they print as `[U+XXXX]` codes."""


@cache
def _coverage() -> tuple[list[int], list[tuple[int, int, str]]]:
    """Sorted (first, last, font file) ranges of the fallback fonts, and their starts."""
    data: dict[str, list[list[int]]] = json.loads((FONTS / "coverage.json").read_text("utf-8"))
    spans = sorted(
        (first, last, name)
        for name, ranges in data.items()
        if not name.startswith("DejaVu")
        for first, last in ranges
    )
    return [s[0] for s in spans], spans


def fallback_font(char: str) -> str | None:
    """The bundled fallback font file that has `char`, if any."""
    starts, spans = _coverage()
    code = ord(char)
    i = bisect.bisect_right(starts, code) - 1
    if i >= 0 and spans[i][0] <= code <= spans[i][1]:
        return spans[i][2]
    return None


# Widths in font units of texts measured so far, by font file: see `_Font`.
_UNITS: dict[tuple[object, str], float] = {}
_UNITS_MAX = 20_000  # a few MB at most; a line needs one entry per character


class _Font(TTFFont):
    """fpdf2's TrueType font, measuring a text in the same font units, but in linear time.

    fpdf2's line breaking measures each line again after every character it adds (the width of
    "T", "Th", "The", ...), each time summing the widths of every character so far: most of a
    PDF's layout time. Here a text one character longer than one measured before costs one more
    character, and the sums stay whole font units, so every width, line break and byte of the
    PDF is what fpdf2 computes itself (`tests/test_pdf_fonts.py`). Shaped text (harfbuzz) and
    symbol fonts keep fpdf2's own measure."""

    __slots__ = ()

    def get_text_width(
        self, text: str, font_size_pt: float, text_shaping_params: dict[str, Any] | None
    ) -> tuple[int, float]:
        if text_shaping_params or self.is_symbol:
            return super().get_text_width(text, font_size_pt, text_shaping_params)
        if font_size_pt > self.biggest_size_pt:
            self.biggest_size_pt = font_size_pt
        return len(text), _units(self, text) * font_size_pt * 0.001


def _units(font: TTFFont, text: str) -> float:
    cw = font.cw
    if len(text) < 2:
        return sum(map(cw.__getitem__, map(ord, text)))
    file: object = font.ttffile  # one object per font, its hash kept
    key = (file, text)
    units = _UNITS.get(key)
    if units is None:
        shorter = _UNITS.get((file, text[:-1]))
        if shorter is None:
            units = sum(map(cw.__getitem__, map(ord, text)))
        else:
            units = shorter + cw[ord(text[-1])]
        if len(_UNITS) >= _UNITS_MAX:
            _UNITS.clear()
        _UNITS[key] = units
    return units


class _Picks(dict[int, str | None]):
    """Code point -> the character fpdf2 writes for it in a font subset's numbering (None: it
    writes nothing), asking the subset (`SubsetMap.pick`, which numbers glyphs in the order
    they are first asked for, and notes a missing one) once per code point, in text order."""

    __slots__ = ("subset",)

    def __init__(self, subset: SubsetMap) -> None:
        super().__init__()
        self.subset = subset

    def __missing__(self, code: int) -> str | None:
        picked = self.subset.pick(code)
        found = chr(picked) if picked else None
        self[code] = found
        return found


# One `_Picks` per subset (so per document and face), gone with it.
_PICKS: weakref.WeakKeyDictionary[SubsetMap, _Picks] = weakref.WeakKeyDictionary()


class _Fragment(Fragment):
    """fpdf2's text fragment, measuring plain text (a `_Font`, no shaping, spacing, stretching or
    sub/superscript) with the same arithmetic but without its detours.

    fpdf2's line breaking asks a fragment for the width of each character and of the line so far
    after every character, each time through several properties, and compares the styles of
    two fragments field by field although they share one graphics state: about a fifth of a
    rationale's layout. The widths here are the same floats, in the same order of operations
    (font units x size x 0.001, then / k), so every line break and byte of the PDF is what fpdf2
    makes itself (`tests/test_pdf_fonts.py`); anything else is measured by fpdf2."""

    def _plain(self) -> _Font | None:
        state = self.graphics_state
        font = state.current_font
        if (
            type(font) is not _Font
            or font.is_symbol
            or state.text_shaping
            or state.char_vpos is not CharVPos.LINE
            or state.char_spacing != 0
            or state.font_stretching != 100
        ):
            return None
        size = state.font_size_pt
        if size > font.biggest_size_pt:  # as fpdf2's own measure notes it
            font.biggest_size_pt = size
        return font

    def get_width(
        self,
        start: int = 0,
        end: int | None = None,
        chars: str | None = None,
        initial_cs: bool = True,
    ) -> float:
        font = self._plain()
        if font is None:
            return super().get_width(start, end, chars, initial_cs)
        if chars is None:
            chars = "".join(self.characters[start:end])
        return _units(font, chars) * self.graphics_state.font_size_pt * 0.001 / self.k

    def get_character_width(
        self, character: str, print_sh: bool = False, initial_cs: bool = True
    ) -> float:
        font = None if character == SOFT_HYPHEN else self._plain()
        if font is None:
            return super().get_character_width(character, print_sh, initial_cs)
        return font.cw[ord(character)] * self.graphics_state.font_size_pt * 0.001 / self.k

    def render_pdf_text_ttf(self, frag_ws: float, word_spacing: float) -> str:
        """fpdf2's text operator for a plain run, `(...) Tj`: each character mapped to its
        number in the font's subset (in one `str.translate`, not a call per character),
        escaped as fpdf2 escapes it. Justified lines (word spacing) are fpdf2's own."""
        font = self.graphics_state.current_font
        if word_spacing or type(font) is not _Font:
            return super().render_pdf_text_ttf(frag_ws, word_spacing)
        subset = font.subset
        picks = _PICKS.get(subset)
        if picks is None:
            picks = _PICKS[subset] = _Picks(subset)
        return f"({font.escape_text(''.join(self.characters).translate(picks))}) Tj"

    def has_same_style(self, other: Fragment) -> bool:
        # One graphics state object is equal to itself, field by field.
        if self.graphics_state is other.graphics_state:
            return self.k == other.k and self.__class__ == other.__class__
        return super().has_same_style(other)


class _LineBreak(MultiLineBreak):
    """fpdf2's line breaking, each line of one plain `_Fragment` (every `multi_cell` of the
    rationale) found in one pass over integer widths: the same lines as fpdf2's `get_line`.

    fpdf2 adds a line's characters one at a time, each time measuring the line so far and the
    next character through several objects: most of a PDF's layout. Here the same decisions are
    taken on the same floats: a line's width is its characters' font units x size x 0.001 / k,
    as `_Fragment` measures it; the next character does not fit when `greater_than(width +
    its width, room)`; a line breaks after the last breaking space, or at that character when
    there is none (a forced break); a no-break space is kept as a space. The `TextLine`s are
    fpdf2's own, field for field (`tests/test_pdf_fonts.py` compares them on random texts).
    Anything else (several fragments, soft hyphens, indents, character wrapping, a line whose
    first character does not fit, an empty line) is fpdf2's `get_line`, from the same state.
    Like `_Fragment`, used only with the fpdf2 it was tested with (`fontcache.verified`)."""

    def get_line(self) -> TextLine | None:
        fragment = self.fragments[0] if len(self.fragments) == 1 else None
        if (
            type(fragment) is not _Fragment
            or self.fragment_index != 0
            or self.wrapmode != WrapMode.WORD
            or self.print_sh
            or self.skip_leading_spaces
            or self.first_line_indent != 0
        ):
            return super().get_line()
        font = fragment._plain()
        size = fragment.graphics_state.font_size_pt
        height = fragment.font_size
        if font is None or not FloatTolerance.greater_than(height, 0):
            return super().get_line()
        chars = fragment.characters
        start = self.character_index
        if start >= len(chars):  # as fpdf2: past the end, no line
            self.idx_last_forced_break = None
            self.character_index = 0
            self.fragment_index = 1
            return None
        k = fragment.k
        cw = font.cw
        full = self.get_width(height)
        room = full
        for margin in self.margins:
            room -= float(margin)
        # Font units of the line so far (whole numbers), a no-break space counted as a space.
        units: float = 0
        spaces = 0
        # The last breaking space: its index, and the spaces and units before it.
        hint: tuple[int, int, float] | None = None
        end_align = Align.L if self.align == Align.J else self.align
        tolerance = FloatTolerance.TOLERANCE  # greater_than(a, b) is a - b > tolerance
        for i in range(start, len(chars)):
            ch = chars[i]
            if ch == SOFT_HYPHEN or (i == start and ch in "\n\x0c"):
                return super().get_line()
            char_w = cw[ord(ch)] * size * 0.001 / k
            if ch in "\n\x0c":
                return self._line(fragment, start, i, i + 1, units, spaces, end_align, full, ch)
            width = units * size * 0.001 / k
            if (width + char_w) - room > tolerance:
                if i == start:
                    return super().get_line()
                if ch in BREAKING_SPACE_SYMBOLS_STR:
                    return self._line(fragment, start, i, i + 1, units, spaces, self.align, full)
                if hint is not None:
                    at, before, kept = hint
                    return self._line(fragment, start, at, at + 1, kept, before, self.align, full)
                line = self._line(fragment, start, i, i, units, spaces, end_align, full)
                self.idx_last_forced_break = (0, i)
                return line
            if ch in BREAKING_SPACE_SYMBOLS_STR:
                hint = (i, spaces, units)
                spaces += 1
            elif ch == NBSP:
                ch = SPACE
                spaces += 1
            units += cw[ord(ch)]
        # The end of the text: the rest is the last line, unless it has no width.
        first = self._is_first_line
        line = self._line(fragment, start, len(chars), 0, units, spaces, end_align, full)
        self.fragment_index = 1
        if not line.text_width:
            self._is_first_line = first
            return None
        return line

    @staticmethod
    def _chars(chars: list[str], start: int, end: int) -> list[str]:
        line = chars[start:end]
        return [SPACE if c == NBSP else c for c in line] if NBSP in line else line

    def _line(
        self,
        fragment: _Fragment,
        start: int,
        end: int,
        resume: int,
        units: float,
        spaces: int,
        align: Align,
        full: float,
        hard: str = "",
    ) -> TextLine:
        """The line of characters `start` to `end`, as fpdf2's `CurrentLine.manual_break` makes
        it; the next line starts at `resume`."""
        self.idx_last_forced_break = None
        self.character_index = resume
        self._is_first_line = False
        line = fragment.clone(self._chars(fragment.characters, start, end), link=fragment.link)
        size = fragment.graphics_state.font_size_pt
        return TextLine(
            fragments=[line],
            text_width=units * size * 0.001 / fragment.k,
            number_of_spaces=spaces,
            align=align,
            height=fragment.font_size * self.line_height,
            max_width=full - 0,
            trailing_nl=hard == "\n",
            trailing_form_feed=hard == "\x0c",
            indent=0,
        )


# The embedding level (Unicode bidi algorithm) of a fragment's characters, kept in its text
# shaping parameters (copied into each fragment, and into each piece line breaking cuts from it).
_LEVEL = "bruising_check_bidi_level"


def _level(fragment: Fragment) -> int | None:
    params = fragment.text_shaping_parameters
    level = params.get(_LEVEL) if params else None
    return level if isinstance(level, int) else None


class _BidiLine(TextLine):
    """A line whose fragments carry their embedding levels, drawn in the order rule L2 of the
    Unicode bidi algorithm gives: from the highest level down to the lowest odd one, each run of
    fragments at that level or higher reversed (a right-to-left fragment's own glyphs are put in
    order by the shaper). fpdf2 reverses only each right-to-left run, which is the same order
    with two levels on a line but not with three: Urdu with numbers (levels 1 and 2) within an
    English paragraph (level 0) printed "(1) ... (2)" with its numbers and brackets moved."""

    __slots__ = ()

    def get_ordered_fragments(self) -> list[Fragment]:
        fragments = list(self.fragments)
        levels = [_level(f) for f in fragments]
        known = [level for level in levels if level is not None]
        if not fragments or len(known) < len(levels):
            return super().get_ordered_fragments()
        base = 1 if fragments[0].paragraph_direction == TextDirection.RTL else 0
        # L1: white space at the end of the line takes the paragraph's level.
        end = len(fragments)
        while end and not "".join(fragments[end - 1].characters).strip():
            end -= 1
            known[end] = base
        low = min(known)
        lowest_odd = low if low % 2 else low + 1
        for level in range(max(known), lowest_odd - 1, -1):
            i = 0
            while i < len(fragments):
                if known[i] < level:
                    i += 1
                    continue
                j = i
                while j < len(fragments) and known[j] >= level:
                    j += 1
                fragments[i:j] = fragments[i:j][::-1]
                known[i:j] = known[i:j][::-1]
                i = j
        return fragments


def _code_points(run: str) -> str:
    return "[" + " ".join(f"U+{ord(c):04X}" for c in run) + "]"


class Document(FPDF):
    """An A4 page with a running footer: statement, optional watermark text, page X of Y."""

    # fpdf2's markdown mode would turn `[text](url)` into a link (any scheme): never.
    MARKDOWN_LINK_REGEX = re.compile(r"(?!)")

    def __init__(self, title: str, footer_note: str = "") -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.doc_title = title
        self.footer_note = footer_note
        self.missing: dict[str, int] = {}
        self.cached_fonts: set[str] = set()  # made from stored metrics, embedded by Producer
        self._fallbacks: list[str] = []
        self._unshaped_warned = False
        self._fallback_first = False  # the line being printed starts in a fallback font
        self._own_words: re.Pattern[str] | None = None  # see `own_words`
        self._add_font(MAIN, "", "DejaVuSans.ttf")
        self._add_font(MAIN, "B", "DejaVuSans-Bold.ttf")
        self.set_font(MAIN, size=10)
        self.set_title(visible(title))
        self.set_creator("bruising-check")
        self.set_auto_page_break(auto=True, margin=20)
        self.alias_nb_pages(NB)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(MAIN, size=7)
        note = f"{self.footer_note}  " if self.footer_note else ""
        self.cell(0, 4, f"{note}{STATEMENT}", align="L", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 4, f"{self.doc_title} - page {self.page_no()} of {NB}", align="R")

    def _preload_font_styles(
        self, text: str | None, markdown: bool, *args: Any, **kwargs: Any
    ) -> Any:
        """fpdf2's fragments of a text (every `cell`, `multi_cell` and `write` makes them here),
        each plain one measured by `_Fragment`; shaped text takes another path. Whatever else
        fpdf2 passes is passed on as given (2.8.9 added `_initial_emphasis`; 2.8.6, which the
        package allows, takes none)."""
        fragments = super()._preload_font_styles(text, markdown, *args, **kwargs)
        if not fontcache.verified():  # another fpdf2 than the one this was tested with
            return fragments
        for fragment in fragments:
            if type(fragment) is Fragment:  # not fpdf2's page-number fragment, a subclass
                fragment.__class__ = _Fragment
        return fragments

    def multi_cell(self, *args: Any, **kwargs: Any) -> Any:
        """fpdf2's `multi_cell`, its lines broken by `_LineBreak` (the same lines, faster): fpdf2
        looks `MultiLineBreak` up in its module on each call, so it is that class only while
        this document lays a text out (and it is fpdf2's own for any other fragments)."""
        if not fontcache.verified():  # another fpdf2 than the one this was tested with
            return super().multi_cell(*args, **kwargs)
        module: Any = fpdf.fpdf
        before = module.MultiLineBreak
        module.MultiLineBreak = _LineBreak
        try:
            return super().multi_cell(*args, **kwargs)
        finally:
            module.MultiLineBreak = before

    def lines_at_most(self, text: str, width: float) -> int | None:
        """At least as many lines as `multi_cell(width, ...)` breaks `text` into in the current
        font, from the text's width alone; None where that is not a sure bound (shaped or
        fallback-font text, character spacing). fpdf2 breaks a line only when the next
        character would not fit, so any two lines in a row hold more than the room less two
        characters: a paragraph of width W in lines of room R, widest character M, has fewer
        than 2W/(R - 2M) + 1 lines."""
        text = visible(text)
        font = self.current_font
        if not text.isascii() or not isinstance(font, TTFFont):
            return None
        if self.char_spacing or self.font_stretching != 100:
            return None
        cw = font.cw
        per_unit = self.font_size_pt * 0.001 / self.k  # font units to mm
        room = width - 2 * self.c_margin
        widest = max(map(cw.__getitem__, map(ord, set(text))), default=0) * per_unit
        if room - 2 * widest <= 0:
            return None
        lines = 0
        for paragraph in text.split("\n"):
            paragraph_w = sum(map(cw.__getitem__, map(ord, paragraph))) * per_unit
            lines += int(2 * paragraph_w / (room - 2 * widest)) + 2
        return lines

    # --- the PDF boundary of the text-safety policy ---------------------------------------------

    def own_words(self, texts: Iterable[str]) -> None:
        """Texts written by a person or in an answers file (a carer's account, a note) that may
        print within a paragraph of the document's own words ("Details: ...; The explanation in
        the carer's own words: ..."). Where one in a right-to-left script does, it is a
        first-strong isolate (FSI ... PDI) of that paragraph: its numbers, brackets and spaces
        take their direction from its own words, not from the English around it, so it prints
        as it does on its own (fpdf2's bidi algorithm, `fpdf/bidi.py`, follows isolates). The
        marks themselves never print (`_preload_bidirectional_text`)."""
        forms = {
            form
            for text in texts
            if _RTL.search(text)
            for form in (visible(text), pdf_markdown(text), pdf_markdown(text, last=False))
        }
        longest_first = sorted(forms, key=lambda form: (-len(form), form))
        self._own_words = re.compile("|".join(map(re.escape, longest_first))) if forms else None

    def normalize_text(self, text: str) -> str:
        printable = NB.join(self._isolated(part) for part in text.split(NB))
        # fpdf2 calls this first in every cell, multi_cell and write: shaping is on for exactly
        # the texts that need it. (Its line breaking re-shapes a paragraph per character, so a
        # document-wide switch made every Latin paragraph after the first Arabic word slow.)
        needed = _COMPLEX.search(printable) is not None
        if needed and not self.text_shaping:
            self._start_shaping()
        elif not needed and self.text_shaping:
            self.set_text_shaping(False)
        if not self.text_shaping and FSI in printable:  # no shaping, no bidi: no marks either
            printable = printable.replace(FSI, "").replace(PDI, "")
        return printable

    def _isolated(self, text: str) -> str:
        """`_printable(text)`, each of `own_words` in it (not the whole text) an isolate."""
        own = self._own_words
        if own is None or not _RTL.search(text):
            return self._printable(text)
        text = visible(text)
        out: list[str] = []
        at = 0
        for found in own.finditer(text):
            if found.start() == 0 and found.end() == len(text):
                break  # a paragraph of its own already
            out.append(self._printable(text[at : found.start()]))
            out.append(FSI + self._printable(found.group()) + PDI)
            at = found.end()
        out.append(self._printable(text[at:]))
        return "".join(out)

    def _printable(self, text: str) -> str:
        text = visible(text)
        if text.isascii():
            return super().normalize_text(text)  # the common case: DejaVu has all of it
        main = self.fonts[MAIN.lower()]
        cmap: Any = getattr(main, "cmap", {})
        out: list[str] = []
        run: list[str] = []  # consecutive characters no font has, shown as one [U+...] code
        for ch in text:
            if ch in "\n\t" or ord(ch) in cmap:
                found = True
            else:
                name = fallback_font(ch)
                found = name is not None
                if name is not None:
                    self._load(name)
            if found:
                if run:
                    out.append(_code_points("".join(run)))
                    run.clear()
                out.append(ch)
            else:
                self.missing[ch] = self.missing.get(ch, 0) + 1
                run.append(ch)
        if run:
            out.append(_code_points("".join(run)))
        return super().normalize_text("".join(out))

    def _load(self, name: str) -> None:
        family = name.split("-")[0]
        if family in self._fallbacks:
            return
        self._add_font(family, "", name)
        self._fallbacks.append(family)
        if self.page:
            self._use_fallbacks()

    def _add_font(self, family: str, style: str, file: str) -> None:
        """A bundled font: fpdf2's font object (from the stored metrics of a main face, else
        fpdf2 reads the file), `_Font` measures with it (with the fpdf2 the stored metrics are
        for; with another, fpdf2 measures)."""
        fontkey = f"{family.lower()}{style}"  # fpdf2's key: family lower-case, then style
        cached = fontcache.font(self, FONTS / file, fontkey, style)
        if cached is None:
            self.add_font(family, style, str(FONTS / file))
        else:
            self.fonts[fontkey] = cached  # as fpdf2's add_font registers it
            self.cached_fonts.add(fontkey)
        font = self.fonts[fontkey]
        # Exactly fpdf2's class, whose slots `_Font` shares, and the fpdf2 it was tested with.
        if type(font) is TTFFont and fontcache.verified():
            font.__class__ = _Font

    def _use_fallbacks(self) -> None:
        # Regular only: bold text in these scripts prints regular rather than not at all.
        self.set_fallback_fonts(self._fallbacks, exact_match=False)

    def add_page(self, *args: Any, **kwargs: Any) -> None:
        super().add_page(*args, **kwargs)
        if self._fallbacks and self.page == 1:
            self._use_fallbacks()

    # --- a line that starts in a fallback font (fpdf2 issue #1772) -------------------------------

    def _render_styled_text_line(self, text_line: TextLine, *args: Any, **kwargs: Any) -> bool:
        """fpdf2's printing of one line, the page's font made sure of first when the line starts
        (left to right, as printed) in a fallback font.

        fpdf2 writes a text's font once per page and then only where a fragment's font differs.
        A line whose first fragment is a fallback font's used to make that font the page's
        (fpdf2 2.8.6, 2.8.7: the next texts printed in it); since 2.8.8 fpdf2 writes the main
        font inside the line instead and notes it as written for the page, but a line that
        does not end in the main font is wrapped in `q ... Q`, which drops that font again. Every
        later line of the page until the next `set_font` then printed in no font (nothing, in
        a viewer that follows the standard) or in the last font of that line (the wrong
        glyphs). Writing the main font before such a line, as fpdf2 does for any other line,
        takes neither path; any other line is fpdf2's own, byte for byte."""
        if self.text_shaping and any(_level(f) is not None for f in text_line.fragments):
            text_line = _BidiLine(*text_line)
        first = bool(self._fallback_font_ids)
        if first:
            ordered = text_line.get_ordered_fragments()
            first = bool(ordered) and ordered[0].font.fontkey in self._fallback_font_ids
        outer = self._fallback_first  # a footer's cell, printed at a page break in this line
        self._fallback_first = first
        try:
            return bool(super()._render_styled_text_line(text_line, *args, **kwargs))
        finally:
            self._fallback_first = outer

    def _perform_page_break_if_need_be(self, h: float) -> bool:
        """fpdf2's page break before a line (or a cell); then, for a line starting in a fallback
        font, the page's font, on the page the line prints on (`_render_styled_text_line`)."""
        broke = bool(super()._perform_page_break_if_need_be(h))
        if self._fallback_first:
            self._fallback_first = False
            font = self.current_font
            if (
                font is not None
                and not self.current_font_is_set_on_page
                and font.fontkey not in self._fallback_font_ids
            ):
                self._out(self._set_font_for_page(font, self.font_size_pt))
        return broke

    # --- right-to-left text within other text (Unicode bidi algorithm) -------------------------

    def _preload_bidirectional_text(self, text: str, markdown: bool) -> Any:
        """fpdf2's fragments of a shaped text in its bidi runs, each fragment of one embedding
        level and noted with it where a line may hold three levels or more, or the text has an
        isolate (`own_words`), whose marks are left out here: `_BidiLine` then orders such a
        line. fpdf2 splits a text by direction only and orders two levels right, but not
        three. Any other text is fpdf2's own, byte for byte."""
        shaping = self.text_shaping
        if not shaping or not _RTL.search(text) or NB in text:
            if shaping and FSI in text:
                text = text.replace(FSI, "").replace(PDI, "")
            return super()._preload_bidirectional_text(text, markdown)
        from fpdf.bidi import BidiParagraph, auto_detect_base_direction  # once fpdf2 needs it

        direction = shaping["direction"] or auto_detect_base_direction(text)
        # fpdf2 2.8.9 keeps zero-width joiners (class BN) in the text; 2.8.6 has no such option.
        keep: dict[str, Any] = {}
        if "preserve_bn_chars" in BidiParagraph.__slots__:
            keep["preserve_bn_chars"] = True
        runs: list[tuple[list[str], int]] = []
        marks = False
        for char in BidiParagraph(text=text, base_direction=direction, **keep).get_characters():
            if char.character in _ISOLATE_MARKS:
                marks = True
            elif runs and runs[-1][1] == char.embedding_level:
                runs[-1][0].append(char.character)
            else:
                runs.append(([char.character], char.embedding_level))
        if not marks and len({level for _, level in runs}) < 3:
            return super()._preload_bidirectional_text(text, markdown)
        shaping["paragraph_direction"] = direction
        # fpdf2 2.8.9 carries markdown emphasis from one run to the next; 2.8.6 does not.
        import inspect  # only here: not loaded for every PDF

        carries = "_initial_emphasis" in inspect.signature(FPDF._preload_font_styles).parameters
        style = self.font_style
        emphasis = ("B" in style, "I" in style, bool(self.strikethrough), bool(self.underline))
        fragments: list[Fragment] = []
        try:
            for chars, level in runs:
                shaping["fragment_direction"] = (
                    TextDirection.RTL if level % 2 else TextDirection.LTR
                )
                shaping[_LEVEL] = level
                more = {"_initial_emphasis": emphasis} if carries else {}
                fragments.extend(self._preload_font_styles("".join(chars), markdown, **more))
                emphasis = getattr(self, "_markdown_emphasis", emphasis)
        finally:
            shaping.pop(_LEVEL, None)
        return tuple(fragments)

    def _start_shaping(self) -> None:
        try:
            self.set_text_shaping(True)
        except Exception:  # uharfbuzz missing on this platform: print unshaped, and say so
            if self._unshaped_warned:
                return
            self._unshaped_warned = True
            warnings.warn(
                MissingGlyphs(
                    "this PDF has Arabic, Hebrew or Indic text but the shaping library"
                    " (uharfbuzz) is not installed: letters may print unjoined or in the wrong"
                    " order. Install uharfbuzz, or use --format html."
                ),
                stacklevel=3,
            )

    def output_bytes(self) -> bytes:
        # Our writer only for faces from the stored metrics (made only with the fpdf2 they are
        # for); otherwise fpdf2's own, called as any fpdf2 takes it.
        data: Any = (
            self.output(output_producer_class=fontcache.Producer)
            if self.cached_fonts
            else self.output()
        )
        if self.missing:
            shown = ", ".join(f"U+{ord(c):04X}" for c in list(self.missing)[:8])
            more = " ..." if len(self.missing) > 8 else ""
            warnings.warn(
                MissingGlyphs(
                    f"the PDF has {len(self.missing):,} character(s) that no bundled font can"
                    f" print ({shown}{more}); they are shown as [U+XXXX] codes. The HTML and"
                    " JSON outputs keep them as written."
                ),
                stacklevel=2,
            )
        return bytes(data)
