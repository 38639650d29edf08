"""JSON serialisation of cached tool results (dicts, lists, scalars, dates, decimals, pydantic models)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def _default(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"A {type(value).__name__} cannot be cached as JSON.")


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON of ``value`` (pydantic models through ``model_dump(mode='json')``)."""
    return json.dumps(value, default=_default, separators=(",", ":"), ensure_ascii=False).encode()


def loads(raw: bytes | str) -> Any:
    """The JSON value stored by :func:`dumps`."""
    return json.loads(raw)
