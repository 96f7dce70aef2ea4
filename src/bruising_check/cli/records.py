"""`verify-record`: re-check a saved record years later (issue 7)."""
