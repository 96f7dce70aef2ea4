"""The command line builds pydantic's validators without pydantic's plugins (issue 15.4).

When pydantic builds its first validator it imports `pydantic.plugin._loader`, whose
`get_plugins()` looks up the `pydantic` entry points of every installed distribution: importing
`importlib.metadata` (and with it `email`, `socket`, `zipfile`, `csv`, `importlib.resources`:
about 7-8 ms of a text check's start) and then loading whatever plugins it finds, each of which
would be handed every validation the command makes, that is the answers about a child. Setting
`PYDANTIC_DISABLE_PLUGINS` skips the loading but not the import.

So the command line, before anything builds a validator, registers a stand-in for that module
whose `get_plugins()` finds none: pydantic then builds its plain validators, as it does when no
plugin is installed. Only the command line does this (`cli.main`); a program that imports the
package keeps pydantic's own loader. If the real loader was already imported, it is left alone.
`tests/test_startup.py` checks that pydantic still asks that module only for `get_plugins`, and
that a check on the command line does not import `importlib.metadata`.
"""

from __future__ import annotations

import sys
import types

LOADER = "pydantic.plugin._loader"


def get_plugins() -> tuple[()]:
    """No plugins: pydantic builds plain validators."""
    return ()


def exclude() -> None:
    """Register the stand-in as pydantic's plugin loader, unless the real one is imported."""
    if LOADER in sys.modules:
        return
    stand_in = types.ModuleType(LOADER, __doc__)
    stand_in.get_plugins = get_plugins  # type: ignore[attr-defined]
    sys.modules[LOADER] = stand_in
