"""The JSON Schema of the protocol format, generated from the models (never written by hand)."""

from __future__ import annotations

from typing import Any

from bruising_check.protocol.model import Protocol

SCHEMA_ID = "https://bruising-check.invalid/schema/protocol.schema.json"


def protocol_schema() -> dict[str, Any]:
    schema = Protocol.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "bruising-check protocol",
        "description": (
            "A local safeguarding partnership's protocol for bruising and injuries in babies who"
            " are not independently mobile. See README.md, 'The protocol format'."
        ),
        **{k: v for k, v in schema.items() if k != "title"},
    }
