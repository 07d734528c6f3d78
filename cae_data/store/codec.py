"""JSON columns: Python values in and out of DuckDB's JSON type."""

from __future__ import annotations

import json


def to_json(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return json.dumps(value, ensure_ascii=False)


def from_json(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    return json.loads(value) if isinstance(value, str) else value
