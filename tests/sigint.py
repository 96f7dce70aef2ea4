"""For tests that send Ctrl-C: start the child with SIGINT's default disposition.

A test suite started with SIGINT ignored (`pytest &` in a script does that) would otherwise pass
"ignore" on to every child it starts, and Ctrl-C would do nothing there (issue 15, point 5).
"""

from __future__ import annotations

import signal


def default_sigint() -> None:
    """A `preexec_fn`: runs in the child between fork and exec."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
