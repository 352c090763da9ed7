"""Netstring framing shared by the controller and the worker (pure: no I/O).

A netstring is ``<decimal length>:<bytes>,``. mediasoup frames every Channel and
PayloadChannel message this way, with the size limits below on both sides.
"""

from __future__ import annotations

NS_MESSAGE_MAX_LEN = 4194313
NS_PAYLOAD_MAX_LEN = 4194304

# The most digits a length within NS_PAYLOAD_MAX_LEN can have.
_MAX_LENGTH_DIGITS = len(str(NS_PAYLOAD_MAX_LEN))


class NetstringError(ValueError):
    """A malformed netstring. ``kind`` is one of the names below."""

    TOO_LONG = "TOO_LONG"
    NO_COLON = "NO_COLON"
    NO_COMMA = "NO_COMMA"
    LEADING_ZERO = "LEADING_ZERO"
    NO_LENGTH = "NO_LENGTH"

    def __init__(self, kind: str) -> None:
        super().__init__(f"NETSTRING_ERROR_{kind}")
        self.kind = kind


def encode(payload: bytes) -> bytes:
    """Frame ``payload`` as one netstring."""
    return b"%d:%b," % (len(payload), payload)


class NetstringDecoder:
    """Incremental netstring parser.

    ``feed(data)`` returns the payloads completed by ``data``, in order. A malformed
    netstring appears in that list as a :class:`NetstringError`; the decoder then drops
    everything it had buffered (as mediasoup's reader does) and goes on with later data.
    """

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = bytearray()

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def reset(self) -> None:
        self._buffer.clear()

    def feed(self, data: bytes) -> list[bytes | NetstringError]:
        buf = self._buffer
        buf += data
        out: list[bytes | NetstringError] = []
        start = 0
        end = len(buf)
        while start < end:
            colon = buf.find(b":", start, start + _MAX_LENGTH_DIGITS + 1)
            if colon < 0:
                # Not a colon yet: fine while what we have is a plausible length prefix.
                head = bytes(buf[start:end])
                if head.isdigit() and len(head) <= _MAX_LENGTH_DIGITS:
                    if len(head) > 1 and head[0:1] == b"0":
                        out.append(NetstringError(NetstringError.LEADING_ZERO))
                        start = end
                    break
                kind = NetstringError.TOO_LONG if head.isdigit() else NetstringError.NO_COLON
                out.append(NetstringError(kind))
                start = end
                break
            digits = bytes(buf[start:colon])
            if not digits:
                out.append(NetstringError(NetstringError.NO_LENGTH))
                start = end
                break
            if not digits.isdigit():
                out.append(NetstringError(NetstringError.NO_COLON))
                start = end
                break
            if len(digits) > 1 and digits[0:1] == b"0":
                out.append(NetstringError(NetstringError.LEADING_ZERO))
                start = end
                break
            length = int(digits)
            if length > NS_PAYLOAD_MAX_LEN:
                out.append(NetstringError(NetstringError.TOO_LONG))
                start = end
                break
            comma = colon + 1 + length
            if comma >= end:
                break  # incomplete: wait for more
            if buf[comma] != 0x2C:  # ','
                out.append(NetstringError(NetstringError.NO_COMMA))
                start = end
                break
            out.append(bytes(buf[colon + 1 : comma]))
            start = comma + 1
        if start:
            del buf[:start]
        return out
