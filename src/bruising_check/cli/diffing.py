"""`diff OLD NEW`: what changed between two protocol versions (issue 5)."""
