"""Terminal output that never crashes on a narrow encoding (cp1252, latin-1, ascii).

A practitioner's terminal or a CI log may not be UTF-8 (`PYTHONIOENCODING=latin-1`, an old
Windows console). A child's name in Arabic or a carer's words in Chinese must not stop a check
with a `UnicodeEncodeError`: characters the stream cannot encode are written as `\\uXXXX`
escapes (the same form the text-safety policy uses, and valid inside JSON strings), and one
warning at the end says so and how to see them.
"""

from __future__ import annotations

import codecs
import sys
import warnings
from typing import TextIO

HANDLER = "bruising-check-escape"
_replaced: list[int] = []
_narrow: list[str] = []


def _escape(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for ch in error.object[error.start : error.end]:
        code = ord(ch)
        if code > 0xFFFF:  # a surrogate pair, so that JSON output stays valid JSON
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    _replaced.append(error.end - error.start)
    return "".join(out), error.end


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    from bruising_check.render.safe import TextWarning

    if issubclass(category, TextWarning):
        sys.stderr.write(f"warning: {message}\n")
    else:
        _default_show(message, category, filename, lineno, file, line)


_default_show = warnings.showwarning


def guard() -> None:
    """Make stdout and stderr escape what their encoding cannot hold instead of raising, and
    show the library's text warnings (a font lacks a character) as one plain line."""
    warnings.showwarning = _show_warning
    codecs.register_error(HANDLER, _escape)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = str(getattr(stream, "encoding", "") or "")
        if reconfigure is not None and codecs.lookup(encoding or "ascii").name != "utf-8":
            reconfigure(errors=HANDLER)
            if encoding not in _narrow:
                _narrow.append(encoding)


def warning() -> str | None:
    """The warning to print once at the end, if anything was escaped."""
    if not _replaced:
        return None
    count = sum(_replaced)
    names = ", ".join(_narrow)
    return (
        f"warning: this terminal's encoding ({names}) cannot show {count:,} character(s);"
        " they are shown as \\uXXXX codes. Set PYTHONIOENCODING=utf-8 (or use a UTF-8"
        " terminal), or save with --output, to see them as written."
    )


def report() -> None:
    message = warning()
    if message is not None:
        _replaced.clear()
        try:
            sys.stderr.write(message + "\n")
            sys.stderr.flush()
        except (OSError, ValueError):  # stderr closed: nothing more can be said
            pass
