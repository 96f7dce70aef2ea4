"""Start-up (issue 15.4): the command line batches the cycle collector while it starts and gives it
back its usual settings once the protocol is loaded; a program (or test) that imports the package
and runs commands in-process keeps its own settings."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bruising_check.cli import _register, app, plugins
from tests.conftest import BASELINE, ROOT


def _probe(script: str, *args: str, tag: str | None = None, ok: bool = True) -> Any:
    """Run `script` in a fresh Python (`python -c script args`, from the repository) and give
    the JSON it printed: on stdout, or on the stderr line starting with `tag`. `ok`: the run
    must exit 0 (a long command may exit 1 for what it found, which is not what is probed)."""
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=ROOT,
    )
    if ok:
        assert out.returncode == 0, out.stderr
    if tag is None:
        return json.loads(out.stdout)
    line = next(x for x in out.stderr.splitlines() if x.startswith(f"{tag} "))
    return json.loads(line.removeprefix(f"{tag} "))


_register()

ANSWERS = ROOT / "examples" / "answers" / "cheek-bruise-10-weeks.yaml"
CASES = ROOT / "examples" / "cases" / "exampleshire-synthetic.csv"


def test_commands_run_in_process_leave_the_collector_alone(tmp_path: Path) -> None:
    before = (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled())
    result = CliRunner().invoke(app, ["check", "--answers", str(ANSWERS), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before


PROBE = textwrap.dedent(
    """
    import gc, json, sys
    from pathlib import Path
    import bruising_check.cli as cli
    from bruising_check.cli.common import load

    usual = gc.get_threshold()
    cli._start()
    starting = gc.get_threshold()
    loaded = load(Path(sys.argv[1]))
    print(json.dumps({"usual": usual, "starting": starting, "after": gc.get_threshold(),
                      "frozen": gc.get_freeze_count(), "ok": loaded.ok,
                      "enabled": gc.isenabled()}))
    """
)


def test_the_command_line_batches_collection_until_the_protocol_is_loaded() -> None:
    seen = _probe(PROBE, str(BASELINE))
    assert seen["ok"]
    assert seen["starting"][0] > seen["usual"][0]  # larger batches while starting
    assert seen["after"] == seen["usual"]  # the usual settings once loaded
    assert seen["frozen"] > 0  # what start-up made is set aside
    assert seen["enabled"]


def test_a_check_on_the_command_line_prints_the_same_as_in_process() -> None:
    """The collector settings change when objects are freed, never what is decided."""
    args = ["check", "--answers", str(ANSWERS), "--format", "json"]
    env_out = subprocess.run(
        [sys.executable, "-m", "bruising_check", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=ROOT,
    )
    in_process = CliRunner().invoke(app, args)
    cli_record, lib_record = json.loads(env_out.stdout), json.loads(in_process.stdout)
    for record in (cli_record, lib_record):
        del record["created_at"], record["checksum"]  # the clock, and the checksum over it
    assert cli_record["outcome"]["id"] == "refer_same_day_csc_and_paediatric"
    assert cli_record == lib_record


MODULES = textwrap.dedent(
    """
    import atexit, json, sys
    atexit.register(lambda: print("MODULES", json.dumps(sorted(sys.modules)), file=sys.stderr))
    sys.argv = ["bruising-check", *sys.argv[1:]]
    from bruising_check.cli import main
    main()
    """
)
NOT_FOR_TEXT = (
    "fpdf",
    "fontTools",
    "PIL",
    "bruising_check.analysis",
    "bruising_check.training",
    "bruising_check.versions",
    "bruising_check.render.html",
    "bruising_check.render.pdf",
    "bruising_check.render.handbook",
    "xml.sax",
    "http",
)


def _imported(*args: str) -> list[str]:
    modules: list[str] = _probe(MODULES, *args, tag="MODULES")
    return modules


def _under(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


def test_a_text_check_imports_only_what_text_output_needs(tmp_path: Path) -> None:
    text = _imported("check", "--answers", str(ANSWERS))
    assert "bruising_check.render.plain" in text
    assert _under(text, NOT_FOR_TEXT) == []
    # The probe sees what a PDF needs when one is asked for.
    pdf = _imported("check", "--answers", str(ANSWERS), "--output", str(tmp_path / "r.pdf"))
    assert _under(pdf, ("fpdf", "bruising_check.render.pdf"))


LASTING = textwrap.dedent(
    """
    import gc, json
    import bruising_check.cli as cli

    runs = []
    gc.callbacks.append(lambda phase, info: phase == "stop" and runs.append(info["generation"]))
    cli._start()
    before = gc.get_freeze_count()
    with cli.lasting():
        made = [[i] for i in range(200_000)]  # as a large import would, well past a batch
        during = list(runs)
    print(json.dumps({"during": during, "enabled": gc.isenabled(),
                      "set_aside": gc.get_freeze_count() - before}))
    """
)


def test_what_a_large_import_makes_while_starting_is_set_aside_uncollected() -> None:
    seen = _probe(LASTING)
    assert seen["during"] == []  # no collection walked the new objects
    assert seen["set_aside"] >= 200_000
    assert seen["enabled"]


def test_outside_start_up_lasting_changes_nothing() -> None:
    from bruising_check.cli import lasting

    before = (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled())
    with lasting():
        assert gc.isenabled()
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before


def test_a_pdf_check_in_process_leaves_the_collector_alone(tmp_path: Path) -> None:
    before = (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled())
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(app, ["check", "--answers", str(ANSWERS), "--output", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before


COMMANDS = textwrap.dedent(
    """
    import json
    import typer, typer.main
    import bruising_check.cli as cli
    from bruising_check.cli import (
        classroom, commands, diffing, guided, migrate, records, training, validation,
    )

    def described():
        group = typer.main.get_command(cli.app)
        out = {}
        for name, cmd in sorted(group.commands.items()):
            params = [
                [p.name, p.opts, p.secondary_opts, p.required, repr(p.default), p.nargs,
                 repr(getattr(getattr(p, "type_descriptor", None), "annotation", None)),
                 repr(getattr(getattr(p, "type_descriptor", None), "parameter_info", None)
                      and p.type_descriptor.parameter_info.parser)]
                for p in cmd.params
            ]
            out[name] = [params, cmd.get_help(typer.Context(cmd, info_name=name))]
        return out

    def texts():
        return sum(isinstance(a, str) for info in cli.app.registered_commands
                   for a in info.callback.__annotations__.values())

    before, texts_before = described(), texts()
    cli._evaluate_annotations()
    after, texts_after = described(), texts()
    print(json.dumps({"same": before == after, "commands": len(after),
                      "texts_before": texts_before, "texts_after": texts_after}))
    """
)


def test_annotations_evaluated_once_build_the_same_commands() -> None:
    """Typer would evaluate each command's annotations four times; `_register` evaluates them
    once. The commands, their parameters and every --help are the same either way."""
    seen = _probe(COMMANDS)
    assert seen["commands"] >= 10
    assert seen["texts_before"] > 0  # the modules' annotations are text...
    assert seen["texts_after"] == 0  # ...and objects once evaluated
    assert seen["same"]


FROM_THE_START = textwrap.dedent(
    """
    import atexit, gc, json, runpy, sys

    usual = gc.get_threshold()
    runs = {"starting": 0, "after": 0}

    def seen(phase, info):
        # Starting: from importing the command line (typer and the package's `cli`) until the
        # protocol is loaded (the usual settings are back).
        ours = "bruising_check.cli" in sys.modules
        starting = "bruising_check.cli.commands" not in sys.modules or gc.get_threshold() != usual
        if phase == "start" and ours:
            runs["starting" if starting else "after"] += 1

    gc.callbacks.append(seen)
    atexit.register(lambda: print("RUNS", json.dumps(
        {**runs, "usual_again": gc.get_threshold() == usual, "enabled": gc.isenabled()}),
        file=sys.stderr))
    sys.argv = ["bruising-check", *sys.argv[1:]]
    runpy.run_module("bruising_check", run_name="__main__")
    """
)


def test_a_text_check_starts_without_walking_what_start_up_made() -> None:
    """`python -m bruising_check` (and the `bruising-check` command): what importing the command
    line and a check with the baseline make before the protocol is loaded (about 54,000 objects
    after the imports, almost all kept) is never walked by the collector while starting."""
    runs = _probe(FROM_THE_START, "check", "--answers", str(ANSWERS), tag="RUNS")
    assert runs["usual_again"] and runs["enabled"]  # start-up ended when the protocol loaded...
    assert runs["starting"] == 0  # ...with no collection before it
    assert runs["after"] > 0  # and the collector ran as usual after it


def test_the_command_entry_point_is_the_one_python_m_runs() -> None:
    from bruising_check.__main__ import run

    scripts = (ROOT / "pyproject.toml").read_text().split("[project.scripts]\n", 1)[1]
    assert scripts.startswith(f'bruising-check = "{run.__module__}:{run.__name__}"\n')


AFTER = textwrap.dedent(
    """
    import atexit, gc, json, runpy, sys

    usual = gc.get_threshold()
    atexit.register(lambda: print("AFTER", json.dumps(
        {"usual": gc.get_threshold() == usual, "enabled": gc.isenabled()}), file=sys.stderr))
    sys.argv = ["bruising-check", *sys.argv[1:]]
    runpy.run_module("bruising_check", run_name="__main__")
    """
)


@pytest.mark.parametrize(
    "args",
    [
        ["diff", "exampleshire-v1", "exampleshire-v2"],
        ["diff", "exampleshire-v1", "exampleshire-v2", "--cases", str(CASES)],
        ["validate", str(BASELINE)],
    ],
    ids=["diff", "diff-cases", "validate"],
)
def test_a_long_command_runs_with_the_usual_collector_after_loading(args: list[str]) -> None:
    """A comparison, a replay or an analysis is not start-up: once the protocols are loaded the
    collector is back to its usual settings (not batches of `_STARTING_BATCH`)."""
    assert _probe(AFTER, *args, tag="AFTER", ok=False) == {"usual": True, "enabled": True}


def _loader_uses(source: str, package: str) -> set[str]:
    """What a module of `package` takes from `pydantic.plugin._loader`, from its source: the
    names it imports from it, or "*module*" if it imports the module itself (then any name)."""
    import ast

    used: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            if any(a.name == plugins.LOADER for a in node.names):
                used.add("*module*")
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = parts[: len(parts) - node.level + 1] if node.level else []
            name = ".".join([*base, *([node.module] if node.module else [])])
            if name == plugins.LOADER:
                used.update(a.name for a in node.names)
            elif any(f"{name}.{a.name}" == plugins.LOADER for a in node.names):
                used.add("*module*")
    return used


def test_the_loader_uses_are_found_however_they_are_imported() -> None:
    seen = {
        text: _loader_uses(text, "pydantic.plugin")
        for text in (
            "from ._loader import get_plugins, _plugins",
            "from pydantic.plugin._loader import get_plugins",
            "from . import _loader",
            "from ..plugin import _loader",
            "import pydantic.plugin._loader",
            "from ._schema_validator import get_plugins",
        )
    }
    assert list(seen.values()) == [
        {"get_plugins", "_plugins"},
        {"get_plugins"},
        {"*module*"},
        {"*module*"},
        {"*module*"},
        set(),
    ]


def test_pydantic_asks_its_plugin_loader_only_for_what_the_stand_in_has() -> None:
    """The command line's stand-in for `pydantic.plugin._loader` (`cli.plugins`) has only
    `get_plugins`. If a new pydantic takes anything else from that module, or calls
    `get_plugins` with arguments, this fails before the command line would."""
    import inspect

    import pydantic
    import pydantic.plugin._loader as real

    root = Path(pydantic.__file__).parent
    uses: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        module = ("pydantic", *path.relative_to(root).with_suffix("").parts)
        package = ".".join(module if path.name == "__init__.py" else module[:-1])
        found = _loader_uses(path.read_text(encoding="utf-8"), package)
        if found:
            uses[".".join(module)] = found
    assert uses == {"pydantic.plugin._schema_validator": {"get_plugins"}}
    assert list(inspect.signature(real.get_plugins).parameters) == []
    assert list(plugins.get_plugins()) == []


NO_PLUGINS = textwrap.dedent(
    """
    import json, sys
    from bruising_check.cli import plugins
    if sys.argv[1] == "real-first":
        import pydantic.plugin._loader
    before = sys.modules.get(plugins.LOADER)
    plugins.exclude()
    import pydantic
    from pydantic_core import SchemaValidator
    adapter = pydantic.TypeAdapter(int)
    print(json.dumps({
        "kept": before is not None and sys.modules[plugins.LOADER] is before,
        "file": getattr(sys.modules[plugins.LOADER], "__file__", None),
        "plain": type(adapter.validator) is SchemaValidator,
        "valid": adapter.validate_python("3") == 3,
        "metadata": "importlib.metadata" in sys.modules,
    }))
    """
)


def test_the_stand_in_gives_plain_validators_without_importing_importlib_metadata() -> None:
    seen = _probe(NO_PLUGINS, "stand-in")
    assert seen == {"kept": False, "file": None, "plain": True, "valid": True, "metadata": False}


def test_the_stand_in_leaves_a_real_plugin_loader_alone() -> None:
    seen = _probe(NO_PLUGINS, "real-first")
    assert seen["kept"] and seen["file"].endswith("_loader.py")
    assert seen["plain"] and seen["valid"] and seen["metadata"]


def test_a_check_on_the_command_line_loads_no_pydantic_plugins() -> None:
    """No pydantic plugin installed beside the tool sees the answers, and the entry-point
    lookup (`importlib.metadata`, `email`, `zipfile`...) is not imported (issue 15.4)."""
    text = _imported("check", "--answers", str(ANSWERS))
    assert "pydantic.plugin._schema_validator" in text  # validators were built...
    assert _under(text, ("importlib.metadata", "email", "zipfile")) == []  # ...without it


def test_a_library_import_keeps_pydantics_own_plugin_loader() -> None:
    script = textwrap.dedent(
        """
        import json, sys
        from pathlib import Path
        from bruising_check.cli.common import load
        assert load(Path(sys.argv[1])).ok
        print(json.dumps(getattr(sys.modules["pydantic.plugin._loader"], "__file__", None)))
        """
    )
    assert _probe(script, str(BASELINE)).endswith("_loader.py")


def test_every_command_is_found_in_the_module_the_table_names() -> None:
    """`cli._HOMES` says where each command is defined, so that running one imports only that
    module; it must name every command `_register()` registers, and only those."""
    import typer.main

    from bruising_check import cli

    where = {
        info.name or typer.main.get_command_name(info.callback.__name__): info.callback.__module__
        for info in cli.app.registered_commands
        if info.callback is not None
    }
    assert len(where) == len(cli.app.registered_commands) >= 10
    assert {k: f"bruising_check.cli.{v}" for k, v in cli._HOMES.items()} == where


ALL_REGISTERED = textwrap.dedent(
    """
    import sys
    import bruising_check.cli as cli
    sys.argv = ["bruising-check", *sys.argv[1:]]
    cli._register()  # every command, as before commands were registered by their module
    cli.main()
    """
)
ONE_MODULE = textwrap.dedent(
    """
    import sys
    import bruising_check.cli as cli
    sys.argv = ["bruising-check", *sys.argv[1:]]
    cli.main()
    """
)


def _run(script: str, *args: str) -> tuple[int, str, str]:
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "100", "TERM": "dumb"},
    )
    return out.returncode, out.stdout, out.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--help"],
        ["demo", "--help"],
        ["validate", "--help"],
        ["--help"],
        [],
        ["chek"],
        ["check", "--answers", str(ANSWERS), "--format", "md", "--no-such-option"],
        ["schema"],
    ],
    ids=["check-help", "demo-help", "validate-help", "help", "nothing", "typo", "bad", "schema"],
)
def test_a_command_run_from_its_module_alone_says_the_same(args: list[str]) -> None:
    """Help, usage errors and output are the same whether only the command's module or every
    command module was registered."""
    assert _run(ONE_MODULE, *args) == _run(ALL_REGISTERED, *args)


def test_a_check_registers_only_the_commands_defined_beside_it() -> None:
    text = _imported("check", "--answers", str(ANSWERS))
    others = ("classroom", "training", "diffing", "migrate", "records", "validation")
    assert "bruising_check.cli.commands" in text
    assert _under(text, tuple(f"bruising_check.cli.{m}" for m in others)) == []
