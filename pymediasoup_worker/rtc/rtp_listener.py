"""Which Producer an incoming RTP packet belongs to, as mediasoup's RTC::RtpListener.

Three tables fed by a Producer's RtpParameters: SSRC (media and RTX), MID and RID.
A packet is matched by SSRC first, then by its MID, then by its RID; a MID or RID
match teaches the SSRC table the packet's SSRC.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..errors import MediaSoupError


class RtpPacketIds(Protocol):
    """What get_producer() reads from a packet (core.rtp.packet.RtpPacket)."""

    @property
    def ssrc(self) -> int: ...

    def read_mid(self, ext_id: int) -> str | None: ...
    def read_rid(self, ext_id: int, rrid_ext_id: int = 0) -> str | None: ...


class RtpListener:
    __slots__ = ("ssrc_table", "mid_table", "rid_table")

    def __init__(self) -> None:
        self.ssrc_table: dict[int, Any] = {}
        self.mid_table: dict[str, Any] = {}
        self.rid_table: dict[str, Any] = {}

    def dump(self) -> dict[str, Any]:
        return {
            "ssrcTable": {str(ssrc): p.id for ssrc, p in self.ssrc_table.items()},
            "midTable": {mid: p.id for mid, p in self.mid_table.items()},
            "ridTable": {rid: p.id for rid, p in self.rid_table.items()},
        }

    def add_producer(self, producer: Any) -> None:
        """Index ``producer`` (its ``rtp_parameters`` dict); on a clash, undo and raise."""
        params = producer.rtp_parameters
        encodings = params.get("encodings") or []
        for encoding in encodings:
            ssrc = encoding.get("ssrc") or 0
            if ssrc:
                if ssrc in self.ssrc_table:
                    self.remove_producer(producer)
                    raise MediaSoupError(f"ssrc already exists in RTP listener [ssrc:{ssrc}]")
                self.ssrc_table[ssrc] = producer
            rtx = encoding.get("rtx")
            rtx_ssrc = (rtx.get("ssrc") or 0) if isinstance(rtx, dict) else 0
            if rtx_ssrc:
                if rtx_ssrc in self.ssrc_table:
                    self.remove_producer(producer)
                    raise MediaSoupError(
                        f"RTX ssrc already exists in RTP listener [ssrc:{rtx_ssrc}]"
                    )
                self.ssrc_table[rtx_ssrc] = producer
        mid = params.get("mid") or ""
        if mid:
            if mid in self.mid_table:
                self.remove_producer(producer)
                raise MediaSoupError(f"MID already exists in RTP listener [mid:{mid}]")
            self.mid_table[mid] = producer
        for encoding in encodings:
            rid = encoding.get("rid") or ""
            if not rid:
                continue
            if rid not in self.rid_table:
                self.rid_table[rid] = producer
            elif not mid:
                # With a MID, the MID tells producers apart; without one, a RID must be unique.
                self.remove_producer(producer)
                raise MediaSoupError(
                    f"RID already exists in RTP listener and no MID is given [rid:{rid}]"
                )

    def remove_producer(self, producer: Any) -> None:
        tables: tuple[dict[Any, Any], ...] = (self.ssrc_table, self.mid_table, self.rid_table)
        for table in tables:
            for key in [k for k, p in table.items() if p is producer]:
                del table[key]

    def get_producer(
        self, packet: RtpPacketIds, mid_ext_id: int = 0, rid_ext_id: int = 0, rrid_ext_id: int = 0
    ) -> Any | None:
        """The packet's Producer; the extension ids are the transport's (0: not negotiated)."""
        producer = self.ssrc_table.get(packet.ssrc)
        if producer is not None:
            return producer
        mid = packet.read_mid(mid_ext_id) if mid_ext_id else None
        if mid is not None:
            producer = self.mid_table.get(mid)
            if producer is not None:
                self.ssrc_table[packet.ssrc] = producer
                return producer
        rid = packet.read_rid(rid_ext_id, rrid_ext_id) if rid_ext_id else None
        if rid is not None:
            producer = self.rid_table.get(rid)
            if producer is not None:
                self.ssrc_table[packet.ssrc] = producer
                return producer
        return None

    def get_producer_by_ssrc(self, ssrc: int) -> Any | None:
        return self.ssrc_table.get(ssrc)
