"""SRTP keys for PlainTransport and PipeTransport (mediasoup's SrtpSession parameters).

A local key is mediasoup's: 30 random letters and digits, sent base64-encoded (40
characters). A remote key must decode to exactly 30 bytes.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Any

from ..errors import MediaSoupTypeError

SRTP_MASTER_LENGTH = 30
CRYPTO_SUITES = ("AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32")

_KEY_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"


def random_srtp_key() -> bytes:
    return "".join(secrets.choice(_KEY_CHARS) for _ in range(SRTP_MASTER_LENGTH)).encode()


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
    if len(key) != SRTP_MASTER_LENGTH:
        raise MediaSoupTypeError("invalid decoded SRTP key length")
    return crypto_suite, key
