"""Import fpdf2 without the modules it imports for features this tool's PDFs never use; each is
imported, in full, the first time anything touches it.

`import fpdf` costs about 200 ms, and part of that is for features no PDF here has: variable
fonts (`fontTools.varLib` and its instancer, used only by `add_font(variations=...)`), signing
(`unittest.mock`, which pulls in asyncio, used only by `FPDF.sign`), images beyond plain ones
(Pillow's colour management, TIFF plugin and feature checks; SVG's path parser and XML reader;
ssl for remote ones), colour fonts (and with them fontTools' OpenType tables), HTML, tables and
templates, and fontTools' subsetter (the main faces are embedded by `render.fontsubset`; fpdf2
uses it, and its colour fonts, only for a fallback script's font, when the stand-ins import
them). While fpdf2 is being imported, each of those names is a stand-in module (`Deferred`) in
`sys.modules`; fpdf2 keeps a reference to it, and the stand-ins leave `sys.modules` as soon as
fpdf2 is imported, so any later `import` of those names is the real, ordinary import.

A stand-in is always safe to have been given: anything asked of it that is not already there
(an attribute, a function's result) imports the real module first and answers from it, so code
that uses one behaves as with the real module, only later. Submodules a stand-in package is
asked for while fpdf2 is imported (`fontTools.varLib.varStore`, which fpdf2's colour fonts
use) are imported for real, under it; when the stand-ins leave, those leave `sys.modules` too
until next imported (`_Kept`: the same module objects again, each under its real package, never
a second copy), so no module is left there without its package.

A name a stand-in gives (`DEFERRED`) is a function that imports the module and calls the real
one: right only where fpdf2 merely calls it, never for a class it subclasses or asks isinstance
of (a package that only re-exports one makes it a lazy attribute, `REEXPORTED`);
`tests/test_deferred.py` reads fpdf2's source for every use of each. If a new fpdf2 reads a
deferred module while being imported, that module is simply imported then (correct, only not
faster).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# Module -> names fpdf2 imports from it (`from unittest.mock import patch`): each is given as a
# function that imports the module when called.
DEFERRED: dict[str, tuple[str, ...]] = {
    "fontTools.varLib": (),
    "fontTools.varLib.instancer": (),
    "unittest.mock": ("patch",),
    # fontTools' subsetter: the fonts of most PDFs are embedded by `render.fontsubset`; fpdf2
    # reaches for it only when it embeds a font itself (the fallback scripts).
    "fontTools.subset": (),
    # Images: ICC profiles, TIFF and CCITT images, Pillow's feature checks (PIL.Image itself
    # is needed: fpdf2 reads Image.Resampling as it is imported).
    "PIL.ImageCms": (),
    "PIL.TiffImagePlugin": (),
    "PIL.features": (),
    # Colour fonts (COLR, SVG, CBDT, EBDT and sbix glyphs, and with them fontTools' OpenType
    # tables): fpdf2 calls get_color_font_object when it reads a font itself (the fallback
    # scripts' fonts) and names Type3Font only in an annotation.
    "fpdf.font_type_3": ("get_color_font_object", "Type3Font"),
    # The pen fpdf2 draws a missing `.notdef` glyph with.
    "fontTools.pens.ttGlyphPen": ("TTGlyphPen",),
    # SVG images: `fpdf.svg` itself is needed (every FPDF makes an SVGLimits, `image` asks
    # isinstance(..., SVGObject)), its path parser and XML reader are not.
    "fontTools.svgLib": (),
    "fontTools.svgLib.path": ("parse_path",),
    "defusedxml": (),
    "defusedxml.ElementTree": ("fromstring",),
    # HTTPS for remote images: fpdf2 subclasses http.client's and urllib.request's classes, so
    # those are needed; both use ssl only inside their functions.
    "ssl": (),
    # Right-to-left text (the Unicode bidirectional algorithm), encryption, and the XML
    # escaping of PDF/A metadata.
    "fpdf.bidi": ("BidiParagraph", "auto_detect_base_direction"),
    "fpdf.encryption": ("StandardSecurityHandler",),
    "html": ("escape",),
    # write_html, tables and templates (`fpdf.Template`: see REEXPORTED).
    "fpdf.html": ("HTML2FPDF", "HTMLMixin"),
    "fpdf.table": ("Table", "draw_box_borders"),
    "fpdf.template": ("FlexTemplate", "Template"),
}

# Names a package only re-exports from a deferred module (`from .template import Template` in
# fpdf/__init__.py): once the package is imported they are its lazy attributes, each the real
# object, imported on first use (`fpdf.Template` is the class, not a function that makes one).
REEXPORTED: dict[str, tuple[str, ...]] = {
    "fpdf": ("HTML2FPDF", "HTMLMixin", "FlexTemplate", "Template"),
}


class Deferred(types.ModuleType):
    """A stand-in for module `name`: the real module is imported when first needed."""

    def __init__(self, name: str, spec: importlib.machinery.ModuleSpec) -> None:
        super().__init__(name)
        self.__spec__ = spec
        self.__file__ = spec.origin
        self.__loader__ = spec.loader
        self.__package__ = name if spec.submodule_search_locations is not None else spec.parent
        if spec.submodule_search_locations is not None:
            self.__path__ = list(spec.submodule_search_locations)
        for attr in DEFERRED.get(name, ()):
            setattr(self, attr, _calling(self, attr))

    def __getattr__(self, attr: str) -> Any:
        if "_real" in self.__dict__:
            return getattr(self.__dict__["_real"], attr)
        # Module attributes the import system looks for but this stand-in lacks: not there.
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        # While fpdf2 is imported, a submodule not yet imported is not there, so that the
        # import system imports it (under this stand-in); afterwards the real package answers.
        full = f"{self.__name__}.{attr}"
        if (
            self.__dict__.get("_importing")
            and "__path__" in self.__dict__
            and full not in sys.modules
            and _spec(full) is not None
        ):
            raise AttributeError(attr)
        return getattr(real(self), attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        # Once the real module is there, writes go to it (fpdf2 sets TiffImagePlugin.STRIP_SIZE
        # for a while), as reads do.
        found = self.__dict__.get("_real")
        if found is not None:
            setattr(found, attr, value)
        else:
            super().__setattr__(attr, value)

    def __delattr__(self, attr: str) -> None:
        found = self.__dict__.get("_real")
        if found is not None:
            delattr(found, attr)
        else:
            super().__delattr__(attr)

    def __dir__(self) -> list[str]:
        return dir(real(self))


def real(module: types.ModuleType) -> types.ModuleType:
    """The real module behind a stand-in (imported now if need be), or `module` itself."""
    if not isinstance(module, Deferred):
        return module
    found: types.ModuleType | None = module.__dict__.get("_real")
    if found is None:
        if sys.modules.get(module.__name__) is module:
            del sys.modules[module.__name__]
        found = importlib.import_module(module.__name__)
        _adopt(found, _children(module))
        module.__dict__["_real"] = found
    return found


def _children(stand_in: Deferred) -> dict[str, types.ModuleType]:
    """The submodules imported for real under a stand-in package (the import system made each
    an attribute of the stand-in, its parent then)."""
    prefix = stand_in.__name__ + "."
    return {
        child: sub
        for child, sub in stand_in.__dict__.items()
        if isinstance(sub, types.ModuleType)
        and not isinstance(sub, Deferred)
        and sub.__name__ == prefix + child
    }


def _adopt(package: types.ModuleType, children: dict[str, types.ModuleType]) -> None:
    """Make each submodule still in `sys.modules` an attribute of the real package, as an
    ordinary import would have (it sets the attribute only on importing the submodule, and
    these were imported before the package: `import a.b.c` then `a.b.c.X` needs it)."""
    for child, sub in children.items():
        if child not in package.__dict__ and sys.modules.get(sub.__name__) is sub:
            setattr(package, child, sub)


class _Kept(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Submodules imported for real under a stand-in package, out of `sys.modules` once the
    stand-ins leave: a submodule there without its package would be found by `import a.b.c`
    while `a.b` is not imported (so `a.b.c.X` fails). The next import of one is an ordinary
    import (its package first, then its attribute on the package) that gives back the same
    module object, not a second copy of it (fpdf2 holds names from it)."""

    def __init__(self) -> None:
        self.kept: dict[str, types.ModuleType] = {}

    def find_spec(
        self, fullname: str, path: Any = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        module = self.kept.get(fullname)
        if module is None:
            return None
        own = module.__spec__
        return importlib.machinery.ModuleSpec(
            fullname,
            self,
            origin=None if own is None else own.origin,
            is_package=hasattr(module, "__path__"),
        )

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self.kept.pop(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        # Already run: only its own spec back (the import system gave it this finder's).
        module.__spec__ = module.__dict__.pop("_deferred_spec", module.__spec__)
        if not self.kept and self in sys.meta_path:
            sys.meta_path.remove(self)

    def keep(self, name: str) -> None:
        """Take module `name` out of `sys.modules` until it is imported again."""
        module = sys.modules.pop(name)
        module.__dict__["_deferred_spec"] = module.__spec__
        self.kept[name] = module
        if self not in sys.meta_path:
            sys.meta_path.insert(0, self)


_KEPT = _Kept()


def _calling(module: Deferred, attr: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(real(module), attr)(*args, **kwargs)

    call.__name__ = call.__qualname__ = attr
    call.__module__ = module.__name__
    return call


def _spec(name: str) -> importlib.machinery.ModuleSpec | None:
    """Where module `name` is, without importing it or its parent package."""
    parent, _, _ = name.rpartition(".")
    if not parent:
        return importlib.util.find_spec(name)
    if parent in sys.modules:
        path = getattr(sys.modules[parent], "__path__", None)
    else:
        outer = _found(parent)
        path = None if outer is None else outer.submodule_search_locations
    if path is None:
        return None
    return importlib.machinery.PathFinder.find_spec(name, list(path))


# Where each deferred module (and each package above one) is: found once a process, as every
# module that makes PDFs enters `deferring` and seven of the modules are in one package.
_SPECS: dict[str, importlib.machinery.ModuleSpec | None] = {}


def _found(name: str) -> importlib.machinery.ModuleSpec | None:
    if name not in _SPECS:
        _SPECS[name] = _spec(name)
    return _SPECS[name]


@contextmanager
def deferring() -> Iterator[dict[str, Deferred]]:
    """While inside, each module of `DEFERRED` not yet imported is a stand-in in `sys.modules`
    (and an attribute of its package, if that is imported); on leaving, the stand-ins leave
    `sys.modules` and their packages, so later imports are the ordinary ones."""
    made: dict[str, Deferred] = {}
    for name in DEFERRED:
        if name in sys.modules:
            continue
        spec = _found(name)
        if spec is None or spec.loader is None:
            continue
        made[name] = stand_in = Deferred(name, spec)
        stand_in.__dict__["_importing"] = True
        sys.modules[name] = stand_in
        parent, _, child = name.rpartition(".")
        if parent in made:
            setattr(made[parent], child, stand_in)
        elif parent in sys.modules:
            setattr(sys.modules[parent], child, stand_in)
    try:
        yield made
    finally:
        for package in REEXPORTED:
            _reexport(package, made)
        for name, stand_in in made.items():
            stand_in.__dict__["_importing"] = False
            if "__path__" in stand_in.__dict__ and "_real" not in stand_in.__dict__:
                below = stand_in.__name__ + "."
                for sub in [m for m in sys.modules if m.startswith(below)]:
                    if not isinstance(sys.modules[sub], Deferred):
                        _KEPT.keep(sub)
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
            # fpdf2 holds its stand-ins by name; a package's attribute would outlive the
            # import and be found by a later `from fontTools import varLib`.
            parent, _, child = name.rpartition(".")
            outer = sys.modules.get(parent)
            if outer is not None and outer.__dict__.get(child) is stand_in:
                delattr(outer, child)


def _reexport(name: str, made: dict[str, Deferred]) -> None:
    """Make package `name`'s re-exported names (`REEXPORTED`) that are stand-ins' functions its
    lazy attributes (PEP 562): each is the real object, from the real module, on first use."""
    package = sys.modules.get(name)
    if package is None or isinstance(package, Deferred):
        return
    lazy: dict[str, Deferred] = {}
    for attr in REEXPORTED[name]:
        given = package.__dict__.get(attr)
        for stand_in in made.values():
            if given is not None and stand_in.__dict__.get(attr) is given:
                lazy[attr] = stand_in
                del package.__dict__[attr]
    if not lazy:
        return
    own = package.__dict__.get("__getattr__")

    def __getattr__(attr: str) -> Any:
        stand_in = lazy.get(attr)
        if stand_in is None:
            if own is not None:
                return own(attr)
            raise AttributeError(f"module {name!r} has no attribute {attr!r}")
        value = getattr(real(stand_in), attr)
        package.__dict__[attr] = value  # from now on an ordinary attribute
        return value

    def __dir__() -> list[str]:
        return sorted({*package.__dict__, *lazy})

    package.__dict__["__getattr__"] = __getattr__
    package.__dict__["__dir__"] = __dir__
