"""RTP and RTCP packet codecs (sans-IO): parse bytes once, rewrite in place, serialize.

- ``packet.RtpPacket`` and ``header_extensions``: the RTP packet and its extension values.
- ``rtx``: RFC 4588 encode/decode in place.
- ``codecs``: VP8, VP9, H264 payload descriptors (key frames, layers), Opus.
- ``rtcp``: SR, RR, SDES, BYE, feedback (NACK, PLI, FIR, REMB, transport-cc), XR, compound.
"""

from .packet import RtpPacket, is_rtp
from .rtx import rtx_decode, rtx_encode

__all__ = ["RtpPacket", "is_rtp", "rtx_decode", "rtx_encode"]
