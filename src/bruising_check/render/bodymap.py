"""The body map: a front and back outline of a baby whose regions are named by the option ids of
the bundled protocol's `locations` question, with the selected regions marked and labelled.

The geometry is plain data (ellipses and rectangles in one coordinate space), drawn as SVG for
HTML and by `render_pdf` for the PDF, so both show the same map. A region the map does not know
(a local protocol's own location id) is listed under the map, never silently dropped. Sides are
not recorded by the check, so a paired region (ears, cheeks, arms, legs) is marked on both sides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from bruising_check.render import safe

View = Literal["front", "back"]
Kind = Literal["ellipse", "rect"]

LABEL_W = 175.0  # room for labels beside each view
VIEW_W = 200.0
GAP = 30.0
HEIGHT = 400.0
TITLE_H = 26.0
WIDTH = 2 * LABEL_W + 2 * VIEW_W + GAP
TOTAL_H = HEIGHT + TITLE_H + 10
MARK_FILL = "#c62828"
MARK_STROKE = "#000000"
REGION_FILL = "#ffffff"
OUTLINE_FILL = "#eeeeee"
LINE = "#777777"


@dataclass(frozen=True)
class Shape:
    kind: Kind
    x: float  # centre for ellipses, top-left for rectangles, within the view
    y: float
    w: float  # radius x for ellipses, width for rectangles
    h: float

    def centre(self) -> tuple[float, float]:
        if self.kind == "ellipse":
            return self.x, self.y
        return self.x + self.w / 2, self.y + self.h / 2

    def box(self) -> tuple[float, float, float, float]:
        """Top-left x, y, width, height."""
        if self.kind == "ellipse":
            return self.x - self.w, self.y - self.h, 2 * self.w, 2 * self.h
        return self.x, self.y, self.w, self.h


# Short names, so that the tables below read like a drawing.
def E(x: float, y: float, rx: float, ry: float) -> Shape:
    return Shape("ellipse", x, y, rx, ry)


def R(x: float, y: float, w: float, h: float) -> Shape:
    return Shape("rect", x, y, w, h)


def _pair(make: Callable[..., Shape], x: float, *rest: float) -> tuple[Shape, ...]:
    """A shape and its mirror image about the view's centre line (x = 100)."""
    left = make(x, *rest)
    # An ellipse is placed by its centre, a rectangle by its left edge.
    mirror_x = VIEW_W - x if left.kind == "ellipse" else VIEW_W - x - left.w
    right = make(mirror_x, *rest)
    return left, right


# The outline of the body in each view (drawn first, in light grey).
OUTLINE: dict[View, tuple[Shape, ...]] = {
    view: (
        E(100, 55, 36, 42),  # head
        R(88, 92, 24, 18),  # neck
        R(60, 108, 80, 112),  # trunk
        *_pair(R, 36, 110, 24, 50),  # upper arms
        *_pair(R, 32, 160, 22, 48),  # forearms
        *_pair(E, 43, 218, 11, 12),  # hands
        *_pair(R, 64, 218, 34, 74),  # thighs
        *_pair(R, 68, 290, 28, 72),  # lower legs
        *_pair(E, 82, 372, 15, 10),  # feet
    )
    for view in ("front", "back")
}

# Regions by `locations` option id, in each view where they can be seen.
REGIONS: dict[str, dict[View, tuple[Shape, ...]]] = {
    "scalp": {"front": (E(100, 22, 26, 9),), "back": (E(100, 40, 30, 24),)},
    "forehead": {"front": (E(100, 40, 24, 8),)},
    "eyelid": {"front": _pair(E, 86, 54, 8, 3.5)},
    "subconjunctiva": {"front": _pair(E, 86, 61, 4, 3)},
    "ear": {"front": _pair(E, 62, 60, 6, 11), "back": _pair(E, 62, 60, 6, 11)},
    "cheek": {"front": _pair(E, 78, 75, 9, 7)},
    "frenulum": {"front": (E(100, 84, 8, 3.5),)},
    "angle_of_jaw": {"front": _pair(E, 72, 88, 6, 5)},
    "neck": {"front": (R(88, 96, 24, 12),), "back": (R(88, 96, 24, 12),)},
    "torso_chest": {"front": (R(64, 112, 72, 50),)},
    "abdomen": {"front": (R(64, 164, 72, 42),)},
    "genitals": {"front": (E(100, 212, 10, 7),)},
    "torso_back": {"back": (R(64, 112, 72, 82),)},
    "buttocks": {"back": _pair(E, 84, 206, 17, 12)},
    "upper_arm": {"front": _pair(R, 39, 116, 18, 40), "back": _pair(R, 39, 116, 18, 40)},
    "forearm": {"front": _pair(R, 34, 164, 18, 40), "back": _pair(R, 34, 164, 18, 40)},
    "hand": {"front": _pair(E, 43, 218, 9, 10), "back": _pair(E, 43, 218, 9, 10)},
    "thigh": {"front": _pair(R, 67, 224, 28, 56), "back": _pair(R, 67, 224, 28, 56)},
    "knee": {"front": _pair(E, 82, 292, 12, 9)},
    "shin": {"front": _pair(R, 72, 306, 20, 52)},
    "lower_leg": {"back": _pair(R, 70, 296, 24, 62)},
    "foot": {"front": _pair(E, 82, 372, 13, 8), "back": _pair(E, 82, 372, 13, 8)},
}

VIEWS: tuple[View, ...] = ("front", "back")


def view_origin(view: View) -> float:
    """Left edge of a view in the whole map: labels | front | gap | back | labels."""
    return LABEL_W if view == "front" else LABEL_W + VIEW_W + GAP


@dataclass(frozen=True)
class Label:
    region: str
    text: str
    view: View
    x: float  # where the text is anchored (whole-map coordinates)
    y: float
    anchor: Literal["end", "start"]
    to: tuple[float, float]  # the point on the region the leader line goes to


def labels(selected: Iterable[str], names: Mapping[str, str]) -> list[Label]:
    """Labels for the marked regions: the front view's on the left, the back view's on the
    right, spread out vertically so that none overlap."""
    chosen = [r for r in REGIONS if r in set(selected)]
    out: list[Label] = []
    for view in VIEWS:
        ox = view_origin(view)
        wanted = []
        for region in chosen:
            shapes = REGIONS[region].get(view, ())
            if not shapes:
                continue
            # Point at the shape nearest the label column.
            shape = shapes[0] if view == "front" else shapes[-1]
            cx, cy = shape.centre()
            wanted.append((cy, region, (ox + cx, TITLE_H + cy)))
        wanted.sort()
        last = -1e9
        for cy, region, to in wanted:
            y = max(TITLE_H + cy, last + 13)
            last = y
            if view == "front":
                out.append(Label(region, names.get(region, region), view, ox - 8, y, "end", to))
            else:
                x = ox + VIEW_W + 8
                out.append(Label(region, names.get(region, region), view, x, y, "start", to))
    return out


def unmapped(selected: Iterable[str]) -> list[str]:
    """Selected locations the map has no region for (shown as a list instead)."""
    return [s for s in selected if s not in REGIONS]


def shapes(view: View) -> Iterator[tuple[str | None, Shape]]:
    """Everything drawn in a view, outline first: (region id or None, shape)."""
    for s in OUTLINE[view]:
        yield None, s
    for region, by_view in REGIONS.items():
        for s in by_view.get(view, ()):
            yield region, s


def _svg_shape(s: Shape, ox: float, attrs: str) -> str:
    if s.kind == "ellipse":
        return (
            f'<ellipse cx="{ox + s.x:g}" cy="{TITLE_H + s.y:g}" rx="{s.w:g}" ry="{s.h:g}" {attrs}/>'
        )
    return (
        f'<rect x="{ox + s.x:g}" y="{TITLE_H + s.y:g}" width="{s.w:g}" height="{s.h:g}" {attrs}/>'
    )


def svg(selected: Iterable[str], names: Mapping[str, str]) -> str:
    """The body map as a self-contained SVG element. Every text is escaped."""
    marked = set(selected)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:g} {TOTAL_H:g}"'
        ' class="bodymap" role="img" aria-labelledby="bodymap-title">',
        '<title id="bodymap-title">Body map: '
        + safe.html("; ".join(names.get(r, r) for r in REGIONS if r in marked) or "no marks")
        + "</title>",
    ]
    for view in VIEWS:
        ox = view_origin(view)
        title = "Front" if view == "front" else "Back"
        sides = ("R", "L") if view == "front" else ("L", "R")
        parts.append(
            f'<text x="{ox + VIEW_W / 2:g}" y="16" text-anchor="middle" class="view">{title}</text>'
        )
        parts.append(f'<text x="{ox + 6:g}" y="{TITLE_H + 10:g}" class="side">{sides[0]}</text>')
        parts.append(
            f'<text x="{ox + VIEW_W - 6:g}" y="{TITLE_H + 10:g}" text-anchor="end"'
            f' class="side">{sides[1]}</text>'
        )
        for region, s in shapes(view):
            if region is None:
                attrs = f'fill="{OUTLINE_FILL}" stroke="{LINE}" stroke-width="1"'
            elif region in marked:
                attrs = (
                    f'class="region marked" data-region="{safe.html(region)}"'
                    f' fill="{MARK_FILL}" stroke="{MARK_STROKE}" stroke-width="2"'
                )
            else:
                attrs = (
                    f'class="region" data-region="{safe.html(region)}"'
                    f' fill="{REGION_FILL}" stroke="{LINE}" stroke-width="0.6"'
                )
            parts.append(_svg_shape(s, ox, attrs))
    for lab in labels(marked, names):
        parts.append(
            f'<line x1="{lab.x + (3 if lab.anchor == "end" else -3):g}" y1="{lab.y - 3:g}"'
            f' x2="{lab.to[0]:g}" y2="{lab.to[1]:g}" stroke="{MARK_STROKE}" stroke-width="0.8"/>'
        )
        parts.append(
            f'<text x="{lab.x:g}" y="{lab.y:g}" text-anchor="{lab.anchor}" class="label"'
            f' data-region="{safe.html(lab.region)}">{safe.html(lab.text)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
