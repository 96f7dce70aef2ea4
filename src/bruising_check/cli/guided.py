"""The guided check for health visitors: prompts, review screen, result, saving (issue 3)."""
