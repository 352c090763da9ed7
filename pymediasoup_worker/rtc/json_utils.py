"""JSON value checks and conversions with the C++ worker's semantics.

mediasoup reads channel JSON with nlohmann::json: ``is_number()`` excludes booleans,
``IsPositiveInteger`` accepts any integer >= 0, and ``get<uint8_t>()`` and friends are plain
C++ casts (a 300 read as a uint8_t is 44). These helpers reproduce that, so that a value
the C++ worker would accept, clamp or wrap is accepted, clamped or wrapped here too.
"""

from __future__ import annotations

import math
from typing import Any


def is_number(value: Any) -> bool:
    """nlohmann's is_number(): int or float, never bool."""
    return type(value) is int or type(value) is float


def is_integer(value: Any) -> bool:
    """nlohmann's is_number_integer() (signed or unsigned)."""
    return type(value) is int


def is_positive_integer(value: Any) -> bool:
    """mediasoup's Utils::Json::IsPositiveInteger(): an integer >= 0."""
    return type(value) is int and value >= 0


def is_unsigned(value: Any) -> bool:
    """nlohmann's is_number_unsigned(): a non-negative integer literal."""
    return type(value) is int and value >= 0


def _as_int(value: Any) -> int:
    if type(value) is float:
        if not math.isfinite(value):
            return 0
        return int(value)  # C++ truncates toward zero
    return int(value)


def as_uint(value: Any, bits: int) -> int:
    """``get<uintN_t>()``: truncate a float, wrap modulo 2**bits."""
    return _as_int(value) & ((1 << bits) - 1)


def as_int(value: Any, bits: int) -> int:
    """``get<intN_t>()``: truncate a float, wrap into the signed range."""
    raw = _as_int(value) & ((1 << bits) - 1)
    return raw - (1 << bits) if raw >= 1 << (bits - 1) else raw


def join_trace_types(types: list[str]) -> str:
    """A trace-event types list as the worker dumps it: comma-joined."""
    return ",".join(types)
