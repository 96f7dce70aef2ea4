"""The protocol format: bytes to located YAML to a typed, checked Protocol."""
