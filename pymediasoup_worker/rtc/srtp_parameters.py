"""SRTP keys for PlainTransport and PipeTransport (mediasoup's SrtpSession parameters).

A local key is mediasoup's: random letters and digits, as many as the crypto suite's
master key + salt (30 for AES_CM, 28 / 44 for AEAD_AES_128_GCM / AEAD_AES_256_GCM, which
PlainTransport accepts as mediasoup >= 3.9 does), sent base64-encoded (40 characters
for 30 bytes). A remote key must decode to exactly the suite's length.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Any

from ..errors import MediaSoupTypeError

SRTP_MASTER_LENGTH = 30
CRYPTO_SUITES = (
    "AES_CM_128_HMAC_SHA1_80",
    "AES_CM_128_HMAC_SHA1_32",
    "AEAD_AES_128_GCM",
    "AEAD_AES_256_GCM",
)
# Master key + salt per suite (the same numbers as core.srtp.MASTER_LENGTHS, kept here so
# that creating a transport does not load pylibsrtp).
MASTER_LENGTHS = {
    "AES_CM_128_HMAC_SHA1_80": 30,
    "AES_CM_128_HMAC_SHA1_32": 30,
    "AEAD_AES_128_GCM": 28,
    "AEAD_AES_256_GCM": 44,
}

_KEY_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"


def random_srtp_key(length: int = SRTP_MASTER_LENGTH) -> bytes:
    return "".join(secrets.choice(_KEY_CHARS) for _ in range(length)).encode()


def key_base64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def parse_remote_srtp_parameters(value: Any, allowed_suites: tuple[str, ...]) -> tuple[str, bytes]:
    """(cryptoSuite, remote key) from a connect request's srtpParameters (raises TypeError)."""
    if not isinstance(value, dict):
        raise MediaSoupTypeError("missing srtpParameters (SRTP enabled)")
    crypto_suite = value.get("cryptoSuite")
    if not isinstance(crypto_suite, str):
        raise MediaSoupTypeError("missing srtpParameters.cryptoSuite)")
    if crypto_suite not in allowed_suites:
        raise MediaSoupTypeError("invalid/unsupported srtpParameters.cryptoSuite")
    key_b64 = value.get("keyBase64")
    if not isinstance(key_b64, str):
        raise MediaSoupTypeError("missing srtpParameters.keyBase64)")
    try:
        key = base64.b64decode(key_b64, validate=False)
    except (binascii.Error, ValueError):
        raise MediaSoupTypeError("invalid data") from None
    if len(key) != MASTER_LENGTHS.get(crypto_suite, SRTP_MASTER_LENGTH):
        raise MediaSoupTypeError("invalid decoded SRTP key length")
    return crypto_suite, key
