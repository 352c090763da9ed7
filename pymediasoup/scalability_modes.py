"""Parsing of WebRTC-SVC scalability mode strings ("L3T3", "S2T3", "L1T3_KEY"...).

Only the leading part of the string is looked at, as mediasoup does: spatial and
temporal layer counts of 1..99 and an optional ``_KEY`` suffix (K-SVC). Anything
else gives one spatial and one temporal layer.
"""

from __future__ import annotations

import re

from .types import ScalabilityMode

__all__ = ["parse_scalability_mode"]

_SCALABILITY_MODE = re.compile(r"[LS]([1-9][0-9]?)T([1-9][0-9]?)(_KEY)?")


def parse_scalability_mode(mode: str | None) -> ScalabilityMode:
    """Return ``{'spatialLayers', 'temporalLayers', 'ksvc'}`` for ``mode``."""
    match = _SCALABILITY_MODE.match(mode) if isinstance(mode, str) else None
    if match is None:
        return {"spatialLayers": 1, "temporalLayers": 1, "ksvc": False}
    return {
        "spatialLayers": int(match.group(1)),
        "temporalLayers": int(match.group(2)),
        "ksvc": match.group(3) is not None,
    }
