"""Deciding one case: answers in, a decision out (pure functions over values)."""
