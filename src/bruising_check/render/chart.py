"""A drawn flowchart as plain values: boxes of wrapped text, arrows as polylines, free labels, on
a canvas in pixels. The views (`chart_views`) lay a protocol out as a `Scene`; the emitters
(`chart_draw`) write it as SVG, PNG and PDF, so the three show the same picture.

Our own simple layered layout instead of Graphviz: nothing to install, text measured with the
bundled DejaVu font, and the properties a room needs are checked on the values themselves:
the smallest text at a given screen size (`smallest_text_px`) and that no two arrows cross
(`crossings`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bruising_check.protocol.levels import LEVEL_LABELS, LEVELS
from bruising_check.protocol.model import Pathway, Protocol
from bruising_check.render.safe import visible

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

Point = tuple[float, float]
State = Literal["on", "off"] | None  # on / off one highlighted case's path; None: no case
Kind = Literal["decision", "pathway", "start", "note", "end"]

FONTS = Path(__file__).resolve().parent / "fonts"
INK = "#1a1a1a"
GREY = "#8a8a8a"
PATH_RED = "#b00000"


@dataclass(frozen=True)
class Run:
    """One line of text in a box."""

    text: str
    size: float
    bold: bool = False


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    runs: tuple[Run, ...]
    kind: Kind
    fill: str = "#ffffff"
    stroke: str = INK
    state: State = None
    dashed: bool = False
    align: Literal["center", "left"] = "center"

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def right(self) -> float:
        return self.x + self.w


@dataclass(frozen=True)
class Arrow:
    """A polyline ending in an arrowhead; `label` is drawn at `label_at` (its left end)."""

    points: tuple[Point, ...]
    label: str | None = None
    label_at: Point | None = None
    label_size: float = 18
    state: State = None
    dashed: bool = False


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline
    text: str
    size: float
    bold: bool = False
    colour: str = INK


@dataclass(frozen=True)
class Swatch:
    """A legend entry: a small filled square."""

    x: float
    y: float
    size: float
    fill: str
    stroke: str


@dataclass(frozen=True)
class Scene:
    width: float
    height: float
    title: str
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    texts: tuple[Text, ...]
    swatches: tuple[Swatch, ...] = ()

    def text_sizes(self) -> Iterator[float]:
        for b in self.boxes:
            for r in b.runs:
                yield r.size
        for a in self.arrows:
            if a.label:
                yield a.label_size
        for t in self.texts:
            yield t.size

    def scale_to(self, width: float, height: float) -> float:
        """The factor that fits the whole scene into a screen of `width` x `height`."""
        return min(width / self.width, height / self.height)


def smallest_text_px(scene: Scene, width: float = 1920, height: float = 1080) -> float:
    """The smallest text on a `width` x `height` screen showing the whole scene."""
    return min(scene.text_sizes()) * scene.scale_to(width, height)


# --- text -------------------------------------------------------------------------------------


@cache
def font(size: float, bold: bool = False) -> FreeTypeFont:
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size=max(1, round(size)))


def text_width(text: str, size: float, bold: bool = False) -> float:
    return float(font(size, bold).getlength(text))


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Words of `text` (made visible: controls shown as escapes) in lines at most `width` px
    wide; a word wider than a line is broken."""
    words = visible(" ".join(str(text).split())).split(" ")
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size, bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while text_width(word, size, bold) > width and len(word) > 1:
            cut = len(word)
            while cut > 1 and text_width(word[:cut], size, bold) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line or not lines:
        lines.append(line)
    return lines


def runs(text: str, width: float, size: float, bold: bool = False) -> tuple[Run, ...]:
    return tuple(Run(line, size, bold) for line in wrap(text, width, size, bold))


LINE = 1.25  # line height, in font sizes
PAD = 8.0


def box_height(lines: Sequence[Run]) -> float:
    return sum(r.size * LINE for r in lines) + 2 * PAD


# --- urgency colours --------------------------------------------------------------------------

# Fill and border per level, most urgent first: red, orange, amber, yellow, blue, green, grey.
# The pathway's box also says its level in words, so colour is never the only signal.
_LEVEL_COLOURS: dict[str, tuple[str, str]] = {
    "protect_now": ("#f4a6a6", "#8b0000"),
    "emergency_care": ("#f9c08f", "#a04000"),
    "social_care_immediate": ("#fbd58a", "#8a5a00"),
    "social_care_same_day": ("#fbd58a", "#8a5a00"),
    "social_care_24h": ("#fde3a7", "#8a5a00"),
    "health_opinion_same_day": ("#fff3a0", "#7a6a00"),
    "discussion": ("#cfe2f7", "#1f4e8a"),
    "record_and_advise": ("#d5ecd0", "#2e6b26"),
    "out_of_scope": ("#e3e3e3", "#555555"),
}
_BY_RANK = ("protect_now", "emergency_care", "social_care_same_day", "health_opinion_same_day")


def urgency_band(protocol: Protocol, pw: Pathway) -> str:
    """The colour band of a pathway: its `level`, else its place among the protocol's ranks
    (most urgent red, least urgent green)."""
    if pw.level is not None:
        return pw.level
    ranks = sorted({p.urgency for p in protocol.pathways})
    i = ranks.index(pw.urgency)
    if i == len(ranks) - 1 and len(ranks) > 1:
        return "record_and_advise"
    scale = (*_BY_RANK, "discussion")
    return scale[min(i, len(scale) - 1)]


def colours(band: str) -> tuple[str, str]:
    return _LEVEL_COLOURS.get(band, ("#ffffff", INK))


# A pathway box says its level in a few capital words (the legend gives the whole name).
LEVEL_TAGS: dict[str, str] = {
    "protect_now": "PROTECT NOW",
    "emergency_care": "EMERGENCY CARE",
    "social_care_immediate": "REFER NOW",
    "social_care_same_day": "REFER TODAY",
    "social_care_24h": "REFER WITHIN 24 HOURS",
    "health_opinion_same_day": "HEALTH OPINION TODAY",
    "discussion": "DISCUSS FIRST",
    "record_and_advise": "RECORD AND ADVISE",
    "out_of_scope": "PROCEDURE DOES NOT APPLY",
}


def level_tag(protocol: Protocol, pw: Pathway) -> str:
    if pw.level is not None:
        return LEVEL_TAGS[pw.level]
    n = len({p.urgency for p in protocol.pathways})
    return f"URGENCY {pw.urgency} OF {n}"


def level_words(protocol: Protocol, pw: Pathway) -> str:
    """The level said in words: the national level's name, else the protocol's own rank."""
    if pw.level is not None:
        return LEVEL_LABELS[pw.level]
    n = len({p.urgency for p in protocol.pathways})
    return f"Urgency {pw.urgency} of {n} (1 is the most urgent)"


def band_order(band: str) -> int:
    return LEVELS.index(band) if band in LEVELS else len(LEVELS)


# --- geometry checks ---------------------------------------------------------------------------


def segments(arrow: Arrow) -> Iterator[tuple[Point, Point]]:
    yield from itertools.pairwise(arrow.points)


def _cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    """True when segments ab and cd cross at a point inside both (touching ends or a T-join
    where one arrow merges into another is not a crossing)."""

    def orient(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    eps = 1e-6
    d1, d2 = orient(c, d, a), orient(c, d, b)
    d3, d4 = orient(a, b, c), orient(a, b, d)
    return ((d1 > eps and d2 < -eps) or (d1 < -eps and d2 > eps)) and (
        (d3 > eps and d4 < -eps) or (d3 < -eps and d4 > eps)
    )


def crossings(scene: Scene) -> list[tuple[int, int]]:
    """Pairs of arrows (indexes into `scene.arrows`) that cross each other."""
    found = []
    for i, a in enumerate(scene.arrows):
        for j in range(i + 1, len(scene.arrows)):
            b = scene.arrows[j]
            if any(_cross(p, q, r, s) for p, q in segments(a) for r, s in segments(b)):
                found.append((i, j))
    return found


def overlapping_boxes(scene: Scene) -> list[tuple[int, int]]:
    """Pairs of boxes that overlap (a layout bug: text drawn over text)."""
    found = []
    for i, a in enumerate(scene.boxes):
        for j in range(i + 1, len(scene.boxes)):
            b = scene.boxes[j]
            if a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom:
                found.append((i, j))
    return found


def arrows_through_boxes(scene: Scene) -> list[tuple[int, int]]:
    """(arrow, box) pairs where an arrow's segment passes through the inside of a box it does
    not start or end at."""
    found = []
    for i, a in enumerate(scene.arrows):
        for j, b in enumerate(scene.boxes):
            inner = (b.x + 1, b.y + 1, b.right - 1, b.bottom - 1)
            for p, q in segments(a):
                if _segment_in_rect(p, q, inner):
                    found.append((i, j))
                    break
    return found


def _segment_in_rect(p: Point, q: Point, r: tuple[float, float, float, float]) -> bool:
    # Arrows are horizontal or vertical segments: an overlap test of intervals is exact.
    x0, y0, x1, y1 = r
    lo_x, hi_x = sorted((p[0], q[0]))
    lo_y, hi_y = sorted((p[1], q[1]))
    return lo_x < x1 and hi_x > x0 and lo_y < y1 and hi_y > y0
