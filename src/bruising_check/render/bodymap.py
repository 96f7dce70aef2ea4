"""The body map: a front and back outline of a baby whose regions are named by body-site ids,
with each mark drawn as a numbered circle at its own site and on the side given.

The geometry is plain data (ellipses and rectangles in one coordinate space), drawn as SVG for
HTML and by the PDF emitter, so both show the same map. A site the map does not know (a local
protocol's own id) is listed under the map, never silently dropped. A mark whose side was not
recorded is drawn on the centre line with a dashed ring: never on both sides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

from bruising_check.render import safe

View = Literal["front", "back"]
Kind = Literal["ellipse", "rect"]

LABEL_W = 20.0  # a margin beside each view
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
    """An ellipse or a rectangle of the body map, in its view's coordinates."""

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

# Regions by body-site id (the map's own vocabulary of sites), in each view where they can be
# seen; the first view listed is where a mark at that site is drawn. A pair is (the child's right,
# the child's left) as seen from the front: the viewer's left is the child's right.
REGIONS: dict[str, dict[View, tuple[Shape, ...]]] = {
    "scalp": {"front": (E(100, 22, 26, 9),), "back": (E(100, 40, 30, 24),)},
    "forehead": {"front": (E(100, 40, 24, 8),)},
    "eyelid": {"front": _pair(E, 86, 54, 8, 3.5)},
    "subconjunctiva": {"front": _pair(E, 86, 61, 4, 3)},
    "ear": {"front": _pair(E, 62, 60, 6, 11), "back": _pair(E, 62, 60, 6, 11)},
    "cheek": {"front": _pair(E, 78, 75, 9, 7)},
    "cheekbone": {"front": _pair(E, 76, 66, 6, 3.5)},
    "nose": {"front": (E(100, 68, 5, 7),)},
    "lips_mouth": {"front": (E(100, 82, 9, 3.5),)},
    "frenulum": {"front": (E(100, 84, 8, 3.5),)},
    "chin": {"front": (E(100, 91, 8, 4),)},
    "angle_of_jaw": {"front": _pair(E, 72, 88, 6, 5)},
    "neck": {"front": (R(88, 96, 24, 12),), "back": (R(88, 96, 24, 12),)},
    "torso_chest": {"front": (R(64, 112, 72, 50),)},
    "chest": {"front": (R(64, 112, 72, 50),)},
    "abdomen": {"front": (R(64, 164, 72, 42),)},
    "genitals": {"front": (E(100, 212, 10, 7),)},
    "torso_back": {"back": (R(64, 112, 72, 82),)},
    "back": {"back": (R(64, 112, 72, 82),)},
    "buttocks": {"back": _pair(E, 84, 206, 17, 12)},
    "anus_perianal": {"back": (E(100, 214, 5, 4),)},
    "upper_arm": {"front": _pair(R, 39, 116, 18, 40), "back": _pair(R, 39, 116, 18, 40)},
    "elbow": {"back": _pair(E, 46, 160, 8, 5), "front": _pair(E, 46, 160, 8, 5)},
    "forearm": {"front": _pair(R, 34, 164, 18, 40), "back": _pair(R, 34, 164, 18, 40)},
    "wrist": {"front": _pair(E, 43, 205, 8, 4), "back": _pair(E, 43, 205, 8, 4)},
    "hand": {"front": _pair(E, 43, 218, 9, 10), "back": _pair(E, 43, 218, 9, 10)},
    "palm": {"front": _pair(E, 43, 218, 9, 10)},
    "back_of_hand": {"back": _pair(E, 43, 218, 9, 10)},
    "thigh": {"front": _pair(R, 67, 224, 28, 56), "back": _pair(R, 67, 224, 28, 56)},
    "knee": {"front": _pair(E, 82, 292, 12, 9)},
    "shin": {"front": _pair(R, 72, 306, 20, 52)},
    "lower_leg": {"back": _pair(R, 70, 296, 24, 62)},
    "calf": {"back": _pair(R, 70, 296, 24, 62)},
    "ankle": {"front": _pair(E, 82, 360, 9, 4), "back": _pair(E, 82, 360, 9, 4)},
    "foot": {"front": _pair(E, 82, 372, 13, 8), "back": _pair(E, 82, 372, 13, 8)},
    "top_of_foot": {"front": _pair(E, 82, 372, 13, 8)},
    "sole": {"back": _pair(E, 82, 372, 13, 8)},
}
# Sites drawn with another's outline (only one of each pair is drawn as a region).
_SAME_SHAPE = {"chest": "torso_chest", "back": "torso_back", "calf": "lower_leg"}
_SAME_SHAPE.update({"palm": "hand", "back_of_hand": "hand", "top_of_foot": "foot", "sole": "foot"})

VIEWS: tuple[View, ...] = ("front", "back")


def view_origin(view: View) -> float:
    """Left edge of a view in the whole map: labels | front | gap | back | labels."""
    return LABEL_W if view == "front" else LABEL_W + VIEW_W + GAP


def side_labels(view: View) -> tuple[tuple[float, str, str], ...]:
    """The child's right and left as drawn, (x within the view, anchor, words): on the front the
    child's right is on the viewer's left; on the back, on the viewer's right."""
    right, left = "child's right", "child's left"
    first, second = (right, left) if view == "front" else (left, right)
    return ((6.0, "start", first), (VIEW_W - 6.0, "end", second))


def known(site: str) -> bool:
    return site in REGIONS


def paired(site: str) -> bool:
    """Whether the site has a left and a right (so a side matters)."""
    return any(len(shapes) == 2 for shapes in REGIONS.get(site, {}).values())


@dataclass(frozen=True)
class Placement:
    """Where one numbered mark is drawn: its view, its centre (whole-map coordinates), and
    whether the side is not recorded (drawn on the centre line, dashed: never on both sides)."""

    number: int
    site: str
    view: View
    x: float
    y: float
    unsided: bool
    region: Shape


class _Marked(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def site(self) -> str: ...
    @property
    def side(self) -> str | None: ...


def placements(marks: Iterable[_Marked]) -> list[Placement]:
    """Each mark at its own site and side; marks at one place are spread so none hide another."""
    out: list[Placement] = []
    seen: dict[tuple[str, float, float], int] = {}
    for m in marks:
        by_view = REGIONS.get(m.site)
        if not by_view:
            continue
        view: View = next(iter(by_view))
        shapes_here = by_view[view]
        unsided = False
        if len(shapes_here) == 2:
            # Front: the child's right is on the viewer's left; back: on the viewer's right.
            right, left = shapes_here if view == "front" else shapes_here[::-1]
            if m.side == "right":
                shape = right
            elif m.side == "left":
                shape = left
            else:
                shape, unsided = shapes_here[0], True
        else:
            shape = shapes_here[0]
        cx, cy = shape.centre()
        if unsided:
            cx = VIEW_W / 2
        key = (view, cx, cy)
        n = seen.get(key, 0)
        seen[key] = n + 1
        ox = view_origin(view)
        # Several marks at one place: side by side, outwards (never across the centre line);
        # on the centre line (side not recorded), one below the other.
        dx = 0.0 if unsided else 9.0 * n * (-1 if cx < VIEW_W / 2 else 1)
        dy = 9.0 * n if unsided else 0.0
        out.append(
            Placement(m.number, m.site, view, ox + cx + dx, TITLE_H + cy + dy, unsided, shape)
        )
    return out


def shapes(view: View) -> Iterator[tuple[str | None, Shape]]:
    """Everything drawn in a view, outline first: (region id or None, shape)."""
    for s in OUTLINE[view]:
        yield None, s
    for region, by_view in REGIONS.items():
        if region in _SAME_SHAPE:
            continue
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


MARKER_R = 7.0


def svg(marks: Iterable[_Marked], title: str) -> str:
    """The body map as a self-contained SVG element: front and back, each mark a numbered
    circle. `title` is its accessible name; the caller makes every text safe (`escape` here)."""
    placed = placements(marks)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:g} {TOTAL_H:g}"'
        ' class="bodymap" role="img" aria-labelledby="bodymap-title">',
        f'<title id="bodymap-title">{safe.html(title)}</title>',
    ]
    for view in VIEWS:
        ox = view_origin(view)
        heading = "Front" if view == "front" else "Back"
        parts.append(
            f'<text x="{ox + VIEW_W / 2:g}" y="16" text-anchor="middle"'
            f' class="view">{heading}</text>'
        )
        for x, anchor, words in side_labels(view):
            parts.append(
                f'<text x="{ox + x:g}" y="{TITLE_H + 10:g}" text-anchor="{anchor}"'
                f' class="side">{words}</text>'
            )
        for region, s in shapes(view):
            if region is None:
                attrs = f'fill="{OUTLINE_FILL}" stroke="{LINE}" stroke-width="1"'
            else:
                attrs = (
                    f'class="region" data-region="{safe.html(region)}"'
                    f' fill="{REGION_FILL}" stroke="{LINE}" stroke-width="0.6"'
                )
            parts.append(_svg_shape(s, ox, attrs))
    for p in placed:
        dash = ' stroke-dasharray="3 2"' if p.unsided else ""
        fill = REGION_FILL if p.unsided else MARK_FILL
        colour = "#000000" if p.unsided else "#ffffff"
        parts.append(
            f'<circle cx="{p.x:g}" cy="{p.y:g}" r="{MARKER_R:g}" fill="{fill}"'
            f' stroke="{MARK_STROKE}" stroke-width="1.5"{dash} class="mark"'
            f' data-mark="{p.number}" data-site="{safe.html(p.site)}"'
            f' data-side="{"not-recorded" if p.unsided else "given"}"/>'
        )
        parts.append(
            f'<text x="{p.x:g}" y="{p.y + 3.5:g}" text-anchor="middle" class="number"'
            f' fill="{colour}">{p.number}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
