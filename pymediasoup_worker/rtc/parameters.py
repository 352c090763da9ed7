"""Codec and header-extension ``parameters``, as mediasoup's RTC::Parameters.

Only booleans, integers (kept as int32), floats, strings and non-empty arrays of integers
are kept; any other value (null, objects, mixed arrays) is silently dropped, as the C++
worker does, so that a dump shows exactly what the worker understood.
"""

from __future__ import annotations

from typing import Any

from .json_utils import as_int

ParameterValue = bool | int | float | str | list[int]


class Parameters:
    __slots__ = ("_values",)

    def __init__(self, data: Any = None) -> None:
        self._values: dict[str, ParameterValue] = {}
        if isinstance(data, dict):
            self.set(data)

    def set(self, data: dict[str, Any]) -> None:
        for key, value in data.items():
            kind = type(value)
            if kind is bool or kind is float or kind is str:
                self._values.setdefault(key, value)
            elif kind is int:
                self._values.setdefault(key, as_int(value, 32))
            elif kind is list:
                if value and all(type(entry) is int for entry in value):
                    self._values.setdefault(key, [as_int(entry, 32) for entry in value])

    def fill_json(self) -> dict[str, Any]:
        return {key: list(v) if isinstance(v, list) else v for key, v in self._values.items()}

    def has_integer(self, key: str) -> bool:
        return type(self._values.get(key)) is int

    def has_positive_integer(self, key: str) -> bool:
        value = self._values.get(key)
        return type(value) is int and value >= 0

    def has_string(self, key: str) -> bool:
        return type(self._values.get(key)) is str

    def get(self, key: str) -> ParameterValue | None:
        return self._values.get(key)

    def get_integer(self, key: str) -> int:
        value = self._values[key]
        assert type(value) is int
        return value
