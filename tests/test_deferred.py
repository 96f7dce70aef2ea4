"""fpdf2 imported without the modules for features no PDF here uses (`render/deferred.py`): they
are not imported, the PDFs are the same bytes, and a later use of each module still works. Each
check runs in a fresh interpreter: this one has long since imported fpdf2."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from bruising_check.render.deferred import DEFERRED, REEXPORTED
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


def test_html_tables_svg_templates_https_and_pens_work_when_first_used() -> None:
    out = _run(
        """
        import io, sys, types
        from bruising_check.render.pdfdoc import Document
        import fpdf, fpdf.fonts, http.client
        from bruising_check.render.deferred import Deferred
        later = ("fpdf.html", "fpdf.table", "fpdf.template", "fontTools.svgLib.path",
                 "defusedxml.ElementTree", "ssl", "fontTools.pens.ttGlyphPen",
                 "fpdf.encryption", "html")
        assert [m for m in later if m in sys.modules] == []
        assert isinstance(http.client.ssl, Deferred)
        doc = Document("features")
        doc.add_page()
        doc.write_html("<p>Some <b>bold</b> text</p>")  # fpdf.html
        with doc.table() as table:  # fpdf.table
            row = table.row()
            row.cell("a")
            row.cell("b")
        svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" '
               b'viewBox="0 0 10 10"><path d="M0 0 L10 10 L0 10 Z" fill="red"/></svg>')
        doc.image(io.BytesIO(svg), x=10, y=100, w=20)  # the path parser, defusedxml
        from pypdf import PdfReader
        page = PdfReader(io.BytesIO(doc.output_bytes())).pages[0]
        assert b"1 0 0 rg 0 0 m 10 10 l 0 10 l h f" in page.get_contents().get_data()  # red
        assert "Some bold text" in page.extract_text() and "a b" in page.extract_text()
        # The templates are the classes themselves (PEP 562 attributes of the package).
        from fpdf import Template
        assert isinstance(Template, type) and issubclass(Template, fpdf.FlexTemplate)
        assert Template is sys.modules["fpdf.template"].Template
        assert fpdf.HTMLMixin is sys.modules["fpdf.html"].HTMLMixin
        assert {"Template", "HTMLMixin"} <= set(dir(fpdf))
        # An HTTPS connection's context, made by the real ssl (no network: nothing is sent).
        context = http.client.HTTPSConnection("localhost")._context
        assert type(context).__name__ == "SSLContext"
        assert type(sys.modules["ssl"]) is types.ModuleType
        # Encryption, and PDF/A (its metadata escaped by the html module).
        secret = fpdf.FPDF()
        secret.set_encryption(owner_password="owner")
        secret.add_page()
        assert b"/Encrypt" in secret.output()
        archive = fpdf.FPDF(enforce_compliance="PDF/A-2B")
        archive.set_title("T & <x>")
        archive.add_font("DejaVu", "", "src/bruising_check/render/fonts/DejaVuSans.ttf")
        archive.add_page()
        archive.set_font("DejaVu", size=10)
        archive.cell(text="hello")
        assert b"T &amp; &lt;x&gt;" in archive.output()
        pen = fpdf.fonts.TTGlyphPen(None)
        assert type(pen) is sys.modules["fontTools.pens.ttGlyphPen"].TTGlyphPen
        assert [m for m in later if type(sys.modules.get(m)) is not types.ModuleType] == []
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
# Before output: the fallback scripts' fonts, read by fpdf2, have imported its colour fonts
# (and with them varLib), the Arabic its bidirectional algorithm; embedding the fallback fonts
# imports fontTools' subsetter.
from bruising_check.render.deferred import DEFERRED
laid_out = ",".join(m for m in sorted(DEFERRED) if m in sys.modules)
made = hashlib.sha256(doc.output_bytes()).hexdigest()
# A rationale: the body map, tick boxes, an account in Arabic script, both faces.
from bruising_check.protocol.loader import load_protocol
from bruising_check.records.record import build_record
from bruising_check.render import pdf
from tests.conftest import BASELINE, TODAY, mark, run
import fpdf.fpdf
class Fixed(dt.datetime):  # the rationale's creation date (fpdf2's default: now)
    @classmethod
    def now(cls, tz=None):
        return dt.datetime(2026, 11, 27, tzinfo=tz)
fpdf.fpdf.datetime = Fixed
baseline = load_protocol(BASELINE.read_bytes(), str(BASELINE), today=TODAY).protocol
decision = run(baseline, age_weeks=17, marks=[mark(account="Mother said: لا أعرف"), mark(
    type="swelling", site="thigh")])
record = build_record(baseline, "0" * 64, decision,
                      created_at=dt.datetime(2026, 11, 27, 10, 30, tzinfo=dt.timezone.utc))
rationale = hashlib.sha256(pdf.pdf(record)).hexdigest()
print(made, rationale, laid_out or "-")
"""


def test_the_pdf_is_the_same_bytes_with_or_without_deferring() -> None:
    deferred = _run(MAKE.replace("sys.argv[1]", "'deferred'")).split()
    plain = _run(MAKE.replace("sys.argv[1]", "'plain'")).split()
    assert deferred[:2] == plain[:2]
    assert deferred[2] == "fontTools.varLib,fpdf.bidi,fpdf.font_type_3"
    assert plain[2] == ",".join(sorted(DEFERRED))  # imported in full: every one of them


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
    # A module imported while fontTools.varLib is a stand-in imports fontTools.varLib.varStore
    # (and through it .errors and .multiVarStore), as fpdf2's colour fonts did before they were
    # deferred too; once the real package is imported, each is its attribute, as in a process
    # that never deferred anything (`import a.b.c` then `a.b.c.X`).
    out = _run(
        """
        import sys
        import bruising_check.render.pdfdoc
        from bruising_check.render.deferred import deferring
        # No module is left in sys.modules without its package (as after ordinary imports).
        assert [m for m in sys.modules if m.rpartition(".")[0] not in ("", *sys.modules)] == []
        with deferring():
            from fontTools.varLib.varStore import VarStoreInstancer as held
        assert "fontTools.varLib" not in sys.modules
        assert [m for m in sys.modules if m.rpartition(".")[0] not in ("", *sys.modules)] == []
        import fontTools.varLib.errors
        import fontTools.varLib.multiVarStore
        errors = sys.modules["fontTools.varLib.errors"]
        assert fontTools.varLib.errors.VarLibError is errors.VarLibError
        assert fontTools.varLib.multiVarStore is sys.modules["fontTools.varLib.multiVarStore"]
        assert fontTools.varLib.__loader__ is fontTools.varLib.__spec__.loader
        assert type(fontTools.varLib.__loader__).__name__ == "SourceFileLoader"
        # The very modules imported under the stand-in, not second copies.
        from fontTools.varLib.varStore import VarStoreInstancer
        assert held is VarStoreInstancer
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


# The one use of a stand-in's function that is not a call where it is read: fpdf2 keeps
# HTML2FPDF as a class attribute, and the test checks that it only ever calls that attribute.
ALIASES = {("fpdf.fpdf", "HTML2FPDF")}


def _imported_while_deferring() -> dict[str, str]:
    """Module -> source file of every module imported with the PDF code (the stand-ins are in
    `sys.modules` while those import), in a fresh interpreter."""
    return dict(
        json.loads(
            _run(
                """
                import json, sys
                import bruising_check.render.rationale, bruising_check.records.record
                before = set(sys.modules)
                import bruising_check.render.pdf
                print(json.dumps({
                    m: f for m in sorted(set(sys.modules) - before)
                    if (f := getattr(sys.modules[m], "__file__", None) or "").endswith(".py")
                }))
                """
            )
        )
    )


class _Uses(ast.NodeVisitor):
    """How a module uses each name it binds to a stand-in (a deferred module, or one of the
    functions a stand-in gives), as problems: a stand-in's function may only be called (or
    named in an annotation, or re-exported by a package); a deferred module may be used in any
    way inside functions; neither may be read while the module is imported (it would import the
    real module then: correct, only not deferred)."""

    def __init__(self, module: str, package: bool) -> None:
        self.module, self.package = module, package
        self.given: dict[str, str] = {}  # local name -> "module" or "M.name" (a function)
        self.depth = 0  # inside a function body (not run while importing) when > 0
        self.future = False  # `from __future__ import annotations`: annotations not evaluated
        self.parents: dict[ast.AST, ast.AST] = {}
        self.annotations: set[ast.AST] = set()
        self.called_attrs: dict[str, str] = {}  # class attribute -> the function it holds
        self.problems: list[str] = []
        self.unused_reexports: dict[str, str] = {}

    def _binding(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in DEFERRED:
                    if alias.asname is None and "." in alias.name:
                        self.problems.append(f"`import {alias.name}`: reached through packages")
                    self.given[alias.asname or alias.name] = "module"
            return
        if node.module == "__future__":
            self.future = self.future or any(a.name == "annotations" for a in node.names)
            return
        base = self.module if self.package else self.module.rpartition(".")[0]
        for _ in range(max(node.level - 1, 0)):
            base = base.rpartition(".")[0]
        source = f"{base}.{node.module}" if node.level and node.module else node.module or base
        for alias in node.names:
            local = alias.asname or alias.name
            if f"{source}.{alias.name}" in DEFERRED:
                self.given[local] = "module"
            elif source in DEFERRED:
                if alias.name not in DEFERRED[source]:
                    self.problems.append(f"{alias.name} from {source}: not one of its names")
                self.given[local] = f"{source}.{alias.name}"

    # Imports inside functions run after the stand-ins have left: those are the real modules.
    def visit_Import(self, node: ast.Import) -> None:
        if self.depth == 0:
            self._binding(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if self.depth == 0:
            self._binding(node)

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            for stmt in node.orelse:  # never run
                self.visit(stmt)
            return
        self.generic_visit(node)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        # Decorators, defaults and (unless postponed) annotations run at definition time.
        if not isinstance(node, ast.Lambda):
            for d in node.decorator_list:
                self.visit(d)
            if node.returns is not None:
                self.annotations.add(node.returns)
                self.visit(node.returns)
        for default in (*node.args.defaults, *node.args.kw_defaults):
            if default is not None:
                self.visit(default)
        arguments = node.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
        for arg in every:
            if arg.annotation is not None:
                self.annotations.add(arg.annotation)
                self.visit(arg.annotation)
        self.depth += 1
        for stmt in node.body if isinstance(node.body, list) else [node.body]:
            self.visit(stmt)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.annotations.add(node.annotation)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for stmt in node.body:  # `X_CLASS = Function`: then `self.X_CLASS` must be called
            if (
                isinstance(stmt, ast.Assign)
                and isinstance(stmt.value, ast.Name)
                and stmt.value.id in self.given
                and self.given[stmt.value.id] != "module"
                and (self.module, stmt.value.id) in ALIASES
            ):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        self.called_attrs[target.id] = stmt.value.id
        self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            self.parents[child] = node
        super().generic_visit(node)

    def _in_annotation(self, node: ast.AST) -> bool:
        while node in self.parents:
            if node in self.annotations:
                return True
            node = self.parents[node]
        return node in self.annotations

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in self.called_attrs and isinstance(node.ctx, ast.Load):
            parent = self.parents.get(node)
            if not (isinstance(parent, ast.Call) and parent.func is node):
                self.problems.append(
                    f".{node.attr} (holds {self.called_attrs[node.attr]}): not called"
                )
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        what = self.given.get(node.id)
        if what is None or not isinstance(node.ctx, ast.Load):
            return
        self.unused_reexports.pop(node.id, None)
        parent = self.parents.get(node)
        annotation = self._in_annotation(node)
        if annotation and self.future:
            return
        if what == "module":
            if self.depth == 0:
                self.problems.append(f"{node.id} (a deferred module) read while importing")
            return
        called = isinstance(parent, ast.Call) and parent.func is node
        aliased = isinstance(parent, ast.Assign) and (self.module, node.id) in ALIASES
        if annotation or aliased or (called and self.depth > 0):
            return
        if called:
            self.problems.append(f"{node.id} ({what}) called while importing")
        else:
            self.problems.append(f"{node.id} ({what}) used other than by calling it")

    def check(self, tree: ast.Module) -> list[str]:
        self.visit(tree)
        if self.package:  # a package's names from a stand-in it never uses: re-exported
            listed = REEXPORTED.get(self.module, ())
            for name, what in self.given.items():
                if what == "module":
                    continue
                used = self._used(tree, name)
                if not used and name not in listed:
                    self.problems.append(f"{name} ({what}): re-exported, not in REEXPORTED")
                elif used and name in listed:  # its own code would find it gone
                    self.problems.append(f"{name} ({what}): in REEXPORTED, but used")
        return [f"{self.module}: {p}" for p in self.problems]

    @staticmethod
    def _used(tree: ast.Module, name: str) -> bool:
        return any(
            isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
            for n in ast.walk(tree)
        )


def test_every_stand_in_is_used_by_fpdf2_only_in_ways_a_stand_in_answers() -> None:
    """Read from the source of every module imported with the PDF code: each name bound to a
    stand-in's function is only called (or named in an annotation, or re-exported); each
    deferred module is used only inside functions. A new fpdf2 that subclasses one of these
    classes, asks isinstance of it or reads it while importing fails here."""
    imported = _imported_while_deferring()
    assert "fpdf.fpdf" in imported and "http.client" in imported
    problems, taken = [], set()
    for module, source in imported.items():
        uses = _Uses(module, source.endswith("__init__.py"))
        problems += uses.check(ast.parse(Path(source).read_text("utf-8")))
        taken |= set(uses.given.values())
    assert problems == []
    # Each name a stand-in gives is one that fpdf2 (or a module it imports) takes from it: with
    # the fpdf2 this was made with (a later one may stop importing a name: harmless).
    if FAST:
        assert {f"{m}.{n}" for m, names in DEFERRED.items() for n in names} <= taken


def test_the_use_check_finds_what_a_stand_in_cannot_answer() -> None:
    """The check above, on code that would break with a stand-in (so that a pass means it)."""
    bad = """
from fpdf.table import Table, draw_box_borders
from fpdf.html import HTML2FPDF
import ssl
import fontTools.svgLib.path

class Mine(Table):
    pass

CONTEXT = ssl.create_default_context()

def f(x):
    draw_box_borders(x)  # fine: a call
    ssl.CERT_NONE  # fine: inside a function
    return isinstance(x, HTML2FPDF)
"""
    found = _Uses("fpdf.bad", False).check(ast.parse(bad))
    assert found == [
        "fpdf.bad: `import fontTools.svgLib.path`: reached through packages",
        "fpdf.bad: Table (fpdf.table.Table) used other than by calling it",
        "fpdf.bad: ssl (a deferred module) read while importing",
        "fpdf.bad: HTML2FPDF (fpdf.html.HTML2FPDF) used other than by calling it",
    ]
    reexport = "from .template import Template\nfrom .table import Table\nTemplate()\n"
    assert _Uses("fpdf", True).check(ast.parse(reexport)) == [
        "fpdf: Template (fpdf.template.Template) called while importing",
        "fpdf: Template (fpdf.template.Template): in REEXPORTED, but used",
        "fpdf: Table (fpdf.table.Table): re-exported, not in REEXPORTED",
    ]
