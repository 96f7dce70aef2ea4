"""fpdf2 imported without the modules for features no PDF here uses (`render/deferred.py`): they
are not imported, the PDFs are the same bytes, and a later use of each module still works. Each
check runs in a fresh interpreter: this one has long since imported fpdf2."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from bruising_check.render.deferred import DEFERRED
from tests.conftest import ROOT
from tests.pdf_support import FAST


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_importing_the_pdf_code_leaves_the_deferred_modules_unimported() -> None:
    seen = json.loads(
        _run(
            """
            import json, sys
            import bruising_check.render.pdf
            import fpdf
            print(json.dumps(sorted(sys.modules)))
            """
        )
    )
    assert "fpdf" in seen
    assert [m for m in DEFERRED if m in seen] == []
    assert "asyncio" not in seen  # what unittest.mock would have pulled in


def test_a_later_use_of_each_module_is_the_real_one() -> None:
    out = _run(
        """
        import sys, types
        import bruising_check.render.pdfdoc
        import fpdf.fonts, fpdf.sign
        from bruising_check.render.deferred import Deferred
        assert isinstance(fpdf.fonts.instancer, Deferred)
        # An ordinary import afterwards is the real module, not the stand-in...
        from fontTools import varLib
        import fontTools.varLib.instancer as instancer
        import unittest.mock
        for m in (varLib, instancer, unittest.mock):
            assert type(m) is types.ModuleType and sys.modules[m.__name__] is m, m
        assert callable(varLib.build)
        # ...and the stand-in fpdf2 holds answers from it.
        assert fpdf.fonts.instancer.instantiateVariableFont is instancer.instantiateVariableFont
        assert "instantiateVariableFont" in dir(fpdf.fonts.instancer)
        import os
        assert fpdf.sign.patch("os.getcwd", lambda: "patched")(lambda: os.getcwd())() == "patched"
        print("ok")
        """
    )
    assert out.strip() == "ok"


def test_a_stand_in_used_first_imports_the_module_itself() -> None:
    out = _run(
        """
        import sys
        import bruising_check.render.pdfdoc
        import fpdf.fonts
        assert "fontTools.varLib.instancer" not in sys.modules
        # A submodule of the package, as the real package has it once imported.
        assert fpdf.fonts.instancer.solver is sys.modules["fontTools.varLib.instancer.solver"]
        assert callable(fpdf.fonts.instancer.instantiateVariableFont)
        assert "fontTools.varLib.instancer" in sys.modules
        assert fpdf.fonts.instancer.instantiateVariableFont is (
            sys.modules["fontTools.varLib.instancer"].instantiateVariableFont
        )
        print("ok")
        """
    )
    assert out.strip() == "ok"


MAKE = """
import datetime as dt, hashlib, sys
if sys.argv[1] == "plain":
    import fpdf  # imported in full first: nothing is deferred
from bruising_check.render.pdfdoc import Document
doc = Document("Same bytes")
doc.set_creation_date(dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc))
doc.add_page()
doc.multi_cell(0, 5, "A bruise on the cheek. Zażółć. محمد said بچے. 王小明. सीता. " * 20,
               new_x="LMARGIN", new_y="NEXT")
doc.set_font("DejaVu", "B", 12)
doc.start_section("Heading")
doc.multi_cell(0, 6, "**Bold** and more", markdown=True)
doc.ellipse(20, 100, 10, 10, style="FD")
# Before output: embedding the fallback scripts' fonts imports fontTools' subsetter, and varLib.
laid_out = "fontTools.varLib" in sys.modules
print(hashlib.sha256(doc.output_bytes()).hexdigest(), laid_out)
"""


def test_the_pdf_is_the_same_bytes_with_or_without_deferring() -> None:
    deferred = _run(MAKE.replace("sys.argv[1]", "'deferred'")).split()
    plain = _run(MAKE.replace("sys.argv[1]", "'plain'")).split()
    assert deferred[0] == plain[0]
    assert (deferred[1], plain[1]) == ("False", "True")


def test_images_still_go_into_a_pdf_and_writes_reach_the_real_module() -> None:
    out = _run(
        """
        import io, sys
        from bruising_check.render.pdfdoc import Document
        import fpdf.image_parsing as ip
        from PIL import Image
        from bruising_check.render.deferred import Deferred
        assert isinstance(ip.TiffImagePlugin, Deferred) and isinstance(ip.ImageCms, Deferred)
        png = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 40, 40)).save(png, format="PNG")
        doc = Document("image")
        doc.add_page()
        doc.image(png, x=10, y=10, w=20)
        assert doc.output_bytes().count(b"/Subtype /Image") == 1
        # fpdf2 sets TiffImagePlugin.STRIP_SIZE for a while (CCITT images): the real module's.
        size = ip.TiffImagePlugin.STRIP_SIZE
        ip.TiffImagePlugin.STRIP_SIZE = 12345
        assert sys.modules["PIL.TiffImagePlugin"].STRIP_SIZE == 12345
        ip.TiffImagePlugin.STRIP_SIZE = size
        assert ip.PIL_features.check("zlib") in (True, False)
        print("ok")
        """
    )
    assert out.strip() == "ok"


def test_submodules_imported_under_a_stand_in_are_attributes_of_the_real_package() -> None:
    # fpdf2 imports fontTools.varLib.errors and .multiVarStore (through varStore) while
    # fontTools.varLib is a stand-in; once the real package is imported, each is its attribute,
    # as in a process that never deferred anything (`import a.b.c` then `a.b.c.X`).
    out = _run(
        """
        import sys
        import bruising_check.render.pdfdoc
        import fpdf, fpdf.font_type_3
        assert "fontTools.varLib" not in sys.modules
        # No module is left in sys.modules without its package (as after ordinary imports).
        assert [m for m in sys.modules if m.rpartition(".")[0] not in ("", *sys.modules)] == []
        import fontTools.varLib.errors
        import fontTools.varLib.multiVarStore
        errors = sys.modules["fontTools.varLib.errors"]
        assert fontTools.varLib.errors.VarLibError is errors.VarLibError
        assert fontTools.varLib.multiVarStore is sys.modules["fontTools.varLib.multiVarStore"]
        assert fontTools.varLib.__loader__ is fontTools.varLib.__spec__.loader
        assert type(fontTools.varLib.__loader__).__name__ == "SourceFileLoader"
        # The very modules fpdf2 imported under the stand-in, not second copies.
        from fontTools.varLib.varStore import VarStoreInstancer
        assert fpdf.font_type_3.VarStoreInstancer is VarStoreInstancer
        spec = fontTools.varLib.varStore.__spec__
        assert spec.name == "fontTools.varLib.varStore" and spec.origin.endswith("varStore.py")
        assert type(spec.loader).__name__ == "SourceFileLoader"
        print("ok")
        """
    )
    assert out.strip() == "ok"


def test_a_stand_in_package_touched_while_fpdf2_is_imported_keeps_its_submodules() -> None:
    out = _run(
        """
        import sys
        from bruising_check.render.deferred import deferring, real
        with deferring() as made:
            import fontTools.varLib.errors  # under the stand-in
            package = real(made["fontTools.varLib"])  # the real package, imported now
            assert package.errors is sys.modules["fontTools.varLib.errors"]
        print("ok")
        """
    )
    assert out.strip() == "ok"


def test_a_latin_pdf_never_imports_the_subsetter_and_another_script_does() -> None:
    """With the fpdf2 the stored metrics are for; with another, fpdf2 embeds every font itself,
    through its subsetter."""
    out = _run(
        f"""
        import io, sys
        from pypdf import PdfReader
        from bruising_check.render.pdfdoc import Document

        def made(text):
            doc = Document("t")
            doc.add_page()
            doc.multi_cell(0, 5, text)
            data = doc.output_bytes()
            return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)

        assert "Zażółć" in made("A bruise on the cheek. Zażółć.")
        # The main faces: render.fontsubset (with another fpdf2: fpdf2's subsetter).
        assert ("fontTools.subset" in sys.modules) is {not FAST}
        assert "محمد" in made("Name: محمد")  # the Arabic face: fpdf2 embeds it itself
        assert type(sys.modules["fontTools.subset"]).__name__ == "module"
        print("ok")
        """
    )
    assert out.strip() == "ok"
