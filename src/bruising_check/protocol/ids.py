"""Identifiers used across a protocol: question, option, fact, rule, pathway, source, contact."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints
from typing_extensions import TypeAliasType

# A named alias, as `Condition` is: about 70 fields of a protocol hold an id, and pydantic builds
# the pattern's schema once instead of at each of them (issue 15.4).
Id = TypeAliasType(
    "Id", Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")]
)
"""A short, stable id: a letter, then letters, digits, `_` or `-` (64 characters at most)."""
