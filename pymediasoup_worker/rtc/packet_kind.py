"""What a datagram on a plain or pipe transport carries (mediasoup's IsRtcp / IsRtp / IsSctp).

RTCP is checked before RTP (RFC 5761: packet types 192-223 are RTCP); an SCTP packet
is recognized by mediasoup's hack of source and destination ports 5000.
"""

from __future__ import annotations

RTP_HEADER_SIZE = 12
RTCP_COMMON_HEADER_SIZE = 4
SCTP_PORT = 5000


def is_rtcp(data: bytes) -> bool:
    return len(data) >= RTCP_COMMON_HEADER_SIZE and 127 < data[0] < 192 and 192 <= data[1] <= 223


def is_rtp(data: bytes) -> bool:
    """Call after is_rtcp(): it does not exclude RTCP packet types."""
    return len(data) >= RTP_HEADER_SIZE and 127 < data[0] < 192


def is_sctp(data: bytes) -> bool:
    return (
        len(data) >= 12
        and int.from_bytes(data[0:2], "big") == SCTP_PORT
        and int.from_bytes(data[2:4], "big") == SCTP_PORT
    )
