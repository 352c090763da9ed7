"""A lossy UDP relay on 127.0.0.1, in the test process (asyncio DatagramProtocols).

::

    worker transport  <-->  [A] relay [B]  <-->  peer

The worker talks to socket A (a consumer transport is connected to A; a comedia producer
transport learns A as its remote); the peer talks to socket B. Everything is forwarded;
in the lossy direction (``drop_towards="peer"`` or ``"worker"``) a seeded random 5% of
the RTP packets of the chosen SSRCs are dropped. RTCP is never dropped, nor are RTX
packets (other SSRCs) or a sequence number seen before (a plain retransmission): only
first transmissions are lost, so "dropped" and "repaired" can be compared one to one.
The first ``skip_first`` packets of each SSRC pass, so that a stream's first key frame
arrives and a consumer syncs on it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .media_peers import LOCALHOST, UdpEndpoint, is_rtcp, parse_rtp


@dataclass
class RelayCounters:
    rtp_forwarded: int = 0
    rtcp_forwarded: int = 0
    other_forwarded: int = 0
    dropped: list[tuple[int, int]] = field(default_factory=list, repr=False)  # (ssrc, seq)

    def __repr__(self) -> str:
        return (
            f"RelayCounters(rtp_forwarded={self.rtp_forwarded}, rtcp_forwarded={self.rtcp_forwarded}, "
            f"other_forwarded={self.other_forwarded}, dropped={len(self.dropped)})"
        )


class LossyRelay:
    def __init__(
        self,
        *,
        drop_towards: str,
        drop_ssrcs: set[int] | None = None,
        loss: float = 0.05,
        seed: int = 4585,
        skip_first: int = 20,
    ) -> None:
        if drop_towards not in ("peer", "worker"):
            raise ValueError("drop_towards must be 'peer' or 'worker'")
        self.drop_towards = drop_towards
        self.drop_ssrcs = drop_ssrcs
        self.loss = loss
        self.rng = random.Random(seed)
        self.skip_first = skip_first
        self.worker_addr: tuple[str, int] | None = None
        self.peer_addr: tuple[str, int] | None = None
        self.a: UdpEndpoint | None = None
        self.b: UdpEndpoint | None = None
        self.to_peer = RelayCounters()
        self.to_worker = RelayCounters()
        self._seen: dict[int, set[int]] = {}
        self.enabled = True

    async def open(
        self,
        *,
        worker_addr: tuple[str, int] | None = None,
        peer_addr: tuple[str, int] | None = None,
    ) -> None:
        """``worker_addr`` may be given later (``set_worker``); ``peer_addr`` defaults to
        whoever sends to B first."""
        self.worker_addr = worker_addr
        self.peer_addr = peer_addr
        self.a = await UdpEndpoint.open(self._from_worker)
        self.b = await UdpEndpoint.open(self._from_peer)

    def set_worker(self, port: int) -> None:
        self.worker_addr = (LOCALHOST, port)

    @property
    def worker_facing_port(self) -> int:
        assert self.a is not None
        return self.a.port

    @property
    def peer_facing_port(self) -> int:
        assert self.b is not None
        return self.b.port

    def close(self) -> None:
        for endpoint in (self.a, self.b):
            if endpoint is not None:
                endpoint.close()

    def _should_drop(self, data: bytes) -> bool:
        if not self.enabled or is_rtcp(data):
            return False
        rtp = parse_rtp(data)
        if rtp is None:
            return False
        if self.drop_ssrcs is not None and rtp.ssrc not in self.drop_ssrcs:
            return False
        seen = self._seen.setdefault(rtp.ssrc, set())
        first_time = rtp.seq not in seen
        seen.add(rtp.seq)
        if not first_time or len(seen) <= self.skip_first:
            return False
        return self.rng.random() < self.loss

    def _count(self, counters: RelayCounters, data: bytes) -> None:
        if is_rtcp(data):
            counters.rtcp_forwarded += 1
        elif parse_rtp(data) is not None:
            counters.rtp_forwarded += 1
        else:
            counters.other_forwarded += 1

    def _from_worker(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.peer_addr is None or self.b is None:
            return
        if self.drop_towards == "peer" and self._should_drop(data):
            rtp = parse_rtp(data)
            assert rtp is not None
            self.to_peer.dropped.append((rtp.ssrc, rtp.seq))
            return
        self._count(self.to_peer, data)
        self.b.sendto(data, self.peer_addr)

    def _from_peer(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.peer_addr is None:
            self.peer_addr = addr
        if self.worker_addr is None or self.a is None:
            return
        if self.drop_towards == "worker" and self._should_drop(data):
            rtp = parse_rtp(data)
            assert rtp is not None
            self.to_worker.dropped.append((rtp.ssrc, rtp.seq))
            return
        self._count(self.to_worker, data)
        self.a.sendto(data, self.worker_addr)

    @property
    def dropped_seqs(self) -> set[int]:
        counters = self.to_peer if self.drop_towards == "peer" else self.to_worker
        return {seq for _ssrc, seq in counters.dropped}
