"""H264 ``profile-level-id`` handling (RFC 6184 section 8.1), as ortc needs it.

Behaves as the npm package ``h264-profile-level-id`` 1.x that mediasoup uses:

* :func:`parse_profile_level_id` turns the 3-byte hex string into a
  :class:`ProfileLevelId` (or ``None`` when it is not a known profile and level);
* :func:`profile_level_id_to_string` is its inverse, in canonical lower-case form;
* :func:`parse_sdp_profile_level_id` reads it from codec parameters, defaulting to
  Constrained Baseline level 3.1 when the key is missing (what WebRTC does, rather
  than the spec's Baseline level 1);
* :func:`is_same_profile` compares profiles, ignoring levels;
* :func:`generate_profile_level_id_for_answer` picks the level for an answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

__all__ = [
    "LEVEL_1",
    "LEVEL_1B",
    "LEVEL_1_1",
    "LEVEL_1_2",
    "LEVEL_1_3",
    "LEVEL_2",
    "LEVEL_2_1",
    "LEVEL_2_2",
    "LEVEL_3",
    "LEVEL_3_1",
    "LEVEL_3_2",
    "LEVEL_4",
    "LEVEL_4_1",
    "LEVEL_4_2",
    "LEVEL_5",
    "LEVEL_5_1",
    "LEVEL_5_2",
    "PROFILE_BASELINE",
    "PROFILE_CONSTRAINED_BASELINE",
    "PROFILE_CONSTRAINED_HIGH",
    "PROFILE_HIGH",
    "PROFILE_MAIN",
    "PROFILE_PREDICTIVE_HIGH_444",
    "ProfileLevelId",
    "generate_profile_level_id_for_answer",
    "is_same_profile",
    "parse_profile_level_id",
    "parse_sdp_profile_level_id",
    "profile_level_id_to_string",
]

# Profiles (the numbering of the npm package).
PROFILE_CONSTRAINED_BASELINE = 1
PROFILE_BASELINE = 2
PROFILE_MAIN = 3
PROFILE_CONSTRAINED_HIGH = 4
PROFILE_HIGH = 5
PROFILE_PREDICTIVE_HIGH_444 = 6

# Levels: level_idc, i.e. ten times the level number; level 1b is special (0).
LEVEL_1B = 0
LEVEL_1 = 10
LEVEL_1_1 = 11
LEVEL_1_2 = 12
LEVEL_1_3 = 13
LEVEL_2 = 20
LEVEL_2_1 = 21
LEVEL_2_2 = 22
LEVEL_3 = 30
LEVEL_3_1 = 31
LEVEL_3_2 = 32
LEVEL_4 = 40
LEVEL_4_1 = 41
LEVEL_4_2 = 42
LEVEL_5 = 50
LEVEL_5_1 = 51
LEVEL_5_2 = 52

_LEVELS = frozenset(
    (
        LEVEL_1, LEVEL_1_1, LEVEL_1_2, LEVEL_1_3, LEVEL_2, LEVEL_2_1, LEVEL_2_2,
        LEVEL_3, LEVEL_3_1, LEVEL_3_2, LEVEL_4, LEVEL_4_1, LEVEL_4_2,
        LEVEL_5, LEVEL_5_1, LEVEL_5_2,
    )
)  # fmt: skip

# With level_idc 11 in the Baseline family, constraint_set3_flag means level 1b.
_CONSTRAINT_SET3_FLAG = 0x10

_HEX6 = re.compile(r"[0-9a-fA-F]{6}")


class ProfileLevelId(NamedTuple):
    profile: int
    level: int


def _iop_pattern(bits: str) -> tuple[int, int]:
    """``'x1xx0000'`` -> (mask of the fixed bits, their required values)."""
    mask = int("".join("0" if b == "x" else "1" for b in bits), 2)
    value = int(bits.replace("x", "0"), 2)
    return mask, value


# RFC 6184 Table 5 (profile_idc, profile-iop bits, profile); the first match wins.
# profile-iop bits are constraint_set0..5 flags then two reserved zero bits.
_PROFILE_PATTERNS = [
    (0x42, _iop_pattern("x1xx0000"), PROFILE_CONSTRAINED_BASELINE),
    (0x4D, _iop_pattern("1xxx0000"), PROFILE_CONSTRAINED_BASELINE),
    (0x58, _iop_pattern("11xx0000"), PROFILE_CONSTRAINED_BASELINE),
    (0x42, _iop_pattern("x0xx0000"), PROFILE_BASELINE),
    (0x58, _iop_pattern("10xx0000"), PROFILE_BASELINE),
    (0x4D, _iop_pattern("0x0x0000"), PROFILE_MAIN),
    (0x64, _iop_pattern("00000000"), PROFILE_HIGH),
    (0x64, _iop_pattern("00001100"), PROFILE_CONSTRAINED_HIGH),
    (0xF4, _iop_pattern("00000000"), PROFILE_PREDICTIVE_HIGH_444),
]

# Canonical profile_idc + profile-iop hex per profile, and the level-1b forms.
_PROFILE_PREFIX = {
    PROFILE_CONSTRAINED_BASELINE: "42e0",
    PROFILE_BASELINE: "4200",
    PROFILE_MAIN: "4d00",
    PROFILE_CONSTRAINED_HIGH: "640c",
    PROFILE_HIGH: "6400",
    PROFILE_PREDICTIVE_HIGH_444: "f400",
}
_LEVEL_1B_STRINGS = {
    PROFILE_CONSTRAINED_BASELINE: "42f00b",
    PROFILE_BASELINE: "42100b",
    PROFILE_MAIN: "4d100b",
}

_DEFAULT_PROFILE_LEVEL_ID = ProfileLevelId(PROFILE_CONSTRAINED_BASELINE, LEVEL_3_1)


def parse_profile_level_id(value: Any) -> ProfileLevelId | None:
    """Parse a ``profile-level-id`` string of 3 hex bytes; ``None`` if not recognised."""
    if not isinstance(value, str) or not _HEX6.fullmatch(value):
        return None
    number = int(value, 16)
    profile_idc, profile_iop, level_idc = number >> 16, (number >> 8) & 0xFF, number & 0xFF

    if level_idc == LEVEL_1_1 and profile_iop & _CONSTRAINT_SET3_FLAG:
        level = LEVEL_1B
    elif level_idc in _LEVELS:
        level = level_idc
    else:
        return None

    for idc, (mask, required), profile in _PROFILE_PATTERNS:
        if profile_idc == idc and profile_iop & mask == required:
            return ProfileLevelId(profile, level)
    return None


def profile_level_id_to_string(profile_level_id: ProfileLevelId) -> str | None:
    """Canonical 6-character form, or ``None`` for a combination that has none."""
    profile, level = profile_level_id
    if level == LEVEL_1B:
        return _LEVEL_1B_STRINGS.get(profile)
    prefix = _PROFILE_PREFIX.get(profile)
    if prefix is None:
        return None
    return f"{prefix}{level:02x}"


def parse_sdp_profile_level_id(params: Mapping[str, Any] | None = None) -> ProfileLevelId | None:
    """The profile and level in codec parameters (default when the key is unset)."""
    value = (params or {}).get("profile-level-id")
    if not value:
        return _DEFAULT_PROFILE_LEVEL_ID
    return parse_profile_level_id(value)


def is_same_profile(
    params1: Mapping[str, Any] | None = None, params2: Mapping[str, Any] | None = None
) -> bool:
    """Whether both parameter sets name the same H264 profile (levels are ignored)."""
    first = parse_sdp_profile_level_id(params1)
    second = parse_sdp_profile_level_id(params2)
    return first is not None and second is not None and first.profile == second.profile


def _is_level_asymmetry_allowed(params: Mapping[str, Any]) -> bool:
    value = params.get("level-asymmetry-allowed")
    return not isinstance(value, bool) and value in (1, "1")


def _is_less_level(a: int, b: int) -> bool:
    # Level 1b (0) sits between level 1 and level 1.1. (The npm package says
    # "a != LEVEL_1" in the second test, which ranks 1.1 below 1b and answers a 1b
    # offer with 1.1; this is WebRTC's ordering, which the RFC's rule needs.)
    if a == LEVEL_1B:
        return b not in (LEVEL_1, LEVEL_1B)
    if b == LEVEL_1B:
        return a == LEVEL_1
    return a < b


def generate_profile_level_id_for_answer(
    local_supported_params: Mapping[str, Any] | None = None,
    remote_offered_params: Mapping[str, Any] | None = None,
) -> str | None:
    """The ``profile-level-id`` to answer with, given our parameters and the offer's.

    Returns ``None`` when neither side has a ``profile-level-id`` (both use the
    default). Both sides must have the same, valid profile, else ``TypeError``.
    Without level asymmetry on both sides the answer's level is the lower of the two;
    with it, our own level is kept.
    """
    local_params = local_supported_params or {}
    remote_params = remote_offered_params or {}

    if not local_params.get("profile-level-id") and not remote_params.get("profile-level-id"):
        return None

    local = parse_sdp_profile_level_id(local_params)
    remote = parse_sdp_profile_level_id(remote_params)
    if local is None:
        raise TypeError("invalid local profile-level-id")
    if remote is None:
        raise TypeError("invalid remote profile-level-id")
    if local.profile != remote.profile:
        raise TypeError("H264 profile mismatch in profile-level-id")

    if _is_level_asymmetry_allowed(local_params) and _is_level_asymmetry_allowed(remote_params):
        level = local.level
    else:
        level = local.level if _is_less_level(local.level, remote.level) else remote.level

    return profile_level_id_to_string(ProfileLevelId(local.profile, level))
