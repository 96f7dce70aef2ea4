"""Comparing protocol versions: structural diff, case impact and the diff report."""
