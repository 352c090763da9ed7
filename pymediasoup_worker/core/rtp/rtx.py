"""RTX retransmission format (RFC 4588 section 4): the original sequence number (OSN) goes in
the first two payload bytes, and the packet takes the RTX stream's payload type, SSRC and
sequence number. Both helpers work in place, as mediasoup's RtpPacket::RtxEncode/RtxDecode,
and drop any padding.
"""

from __future__ import annotations

from .packet import RtpPacket


def rtx_encode(
    packet: RtpPacket, rtx_payload_type: int, rtx_ssrc: int, rtx_sequence_number: int
) -> RtpPacket:
    """Turn ``packet`` into its RTX form in place; returns it."""
    original_sequence_number = packet.sequence_number
    packet.remove_padding()
    packet.shift_payload(0, 2, expand=True)
    buf = packet.buffer
    pos = packet.payload_offset
    buf[pos] = original_sequence_number >> 8
    buf[pos + 1] = original_sequence_number & 0xFF
    packet.rewrite(rtx_payload_type, rtx_sequence_number, packet.timestamp, rtx_ssrc)
    return packet


def rtx_decode(
    packet: RtpPacket, original_payload_type: int, original_ssrc: int
) -> RtpPacket | None:
    """Restore the original packet from its RTX form in place; returns it.

    None, and the packet untouched, when the payload is shorter than the two OSN bytes
    (browsers send such RTX packets, padding only, to probe bandwidth).
    """
    if packet.payload_length < 2:
        return None
    buf = packet.buffer
    pos = packet.payload_offset
    original_sequence_number = (buf[pos] << 8) | buf[pos + 1]
    packet.shift_payload(0, 2, expand=False)
    packet.remove_padding()
    packet.rewrite(original_payload_type, original_sequence_number, packet.timestamp, original_ssrc)
    return packet
