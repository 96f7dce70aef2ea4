"""Identifiers used across a protocol: question, option, fact, rule, pathway, source, contact."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")]
"""A short, stable id: a letter, then letters, digits, `_` or `-` (64 characters at most)."""
