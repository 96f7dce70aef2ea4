"""Text from a protocol or a user, made safe to print: control characters shown, not obeyed.

A protocol travels by e-mail and answers are typed by people, so either may carry terminal escape
sequences (ESC, CSI), backspaces or carriage returns that rewrite what is on screen, or Unicode
direction overrides that make text read differently from what it is. Outputs show each such
character as a visible escape (`\\x1b`, `\\u202e`) so what is printed is what the file says.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, line/paragraph separators, and the
# bidirectional embedding, override and isolate characters.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every unsafe character replaced by a visible escape; newlines and tabs kept."""
    return _UNSAFE.sub(_escape, text)


def json_safe(text: str) -> str:
    """For JSON written with `ensure_ascii=False`: the same characters as `\\uXXXX` escapes, so
    the JSON still parses to exactly the original text but a terminal never obeys them.
    (json.dumps already escapes C0 controls; C1 and the rest pass through raw.)"""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
