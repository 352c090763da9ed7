"""The load generator and the sinks, in one process pinned to the load core.

    python -m benchmarks.loadgen --cpu 1        (driven by benchmarks.suite over stdin/stdout)

One JSON command per stdin line, one JSON answer per stdout line:

- ``setup``: where to send (the producer's transport), the input SSRC / payload type /
  SRTP key, and what each consumer must look like at the sink (SSRC, payload type,
  SRTP key to unprotect with, the address its RTCP goes to).
- ``webrtc``: ICE (a STUN binding request with USE-CANDIDATE) and a DTLS client handshake
  toward each WebRtcTransport, all from the sink socket; the SRTP keys come from DTLS.
- ``run``: send at ``rate`` packets/s for ``duration`` s and count what comes back.
- ``quit``.

The generator sends pre-laid-out 1200-byte VP8 packets (four per frame, a key frame
opening every group of 10 frames) from a connected socket, in batches of at most
``batch`` when it is behind its schedule; each packet carries, in its last 12 bytes, the
CLOCK_MONOTONIC time of its send (ns) and its index (the generator's own sequence number).
The sink is ONE socket (every consumer's transport sends to it) read in a tight loop
between sends; every packet is checked: known SSRC, the consumer's payload type,
sequence number exactly one more than that consumer's previous (a jump is loss, a step
back is an error); in plain RTP also (sequence number - index) constant per consumer
(the rewrite is an offset). With SRTP one packet in 64 is unprotected (all of them in
latency mode) and checked the same way. Once a second the generator sends an RTCP SR
and the sink one RR per consumer (SRTCP with SRTP); on WebRtcTransports the sink also
sends transport-cc feedback for every packet, every 50 ms, per transport.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import struct
import sys
import time
from typing import Any

from pylibsrtp import Policy, Session

from benchmarks.proc import pin

PAYLOAD = 1200
PACKET = 12 + PAYLOAD
PACKETS_PER_FRAME = 4
FRAMES_PER_GROUP = 10
SINK_SSRC = 0x51AC0001
PROBATION_SSRC = 1234  # mediasoup's RTC::RtpProbationSsrc
SUITE_PROFILES = {
    "AES_CM_128_HMAC_SHA1_80": Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
    "AEAD_AES_128_GCM": Policy.SRTP_PROFILE_AEAD_AES_128_GCM,
}

_HDR = struct.Struct("!BBHII")
_VP8 = struct.Struct("!BBHB")
_TAIL = struct.Struct("!qI")
_SEQ_SSRC = struct.Struct("!2xH4xI")
_SR = struct.Struct("!BBHIIIIII")
_RR = struct.Struct("!BBHIIIIIII")


def session(key_hex: str, outbound: bool, suite: str = "AES_CM_128_HMAC_SHA1_80") -> Session:
    policy = Policy(
        key=bytes.fromhex(key_hex),
        ssrc_type=Policy.SSRC_ANY_OUTBOUND if outbound else Policy.SSRC_ANY_INBOUND,
        srtp_profile=SUITE_PROFILES[suite],
    )
    policy.allow_repeat_tx = True
    policy.window_size = 1024
    return Session(policy)


def percentile(sorted_values: list[int], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return float(sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))])


def twcc_feedback(sender: int, media: int, base: int, count: int, fb_count: int, ref: int) -> bytes:
    """A transport-cc feedback: every packet in [base, base+count) received, small deltas."""
    chunks = b""
    left = count
    while left:
        run = min(left, 8191)
        chunks += struct.pack("!H", 0x2000 | run)  # run length chunk, status 1 (small delta)
        left -= run
    body = struct.pack("!IIHHI", sender, media, base, count, (ref << 8) | (fb_count & 0xFF))
    body += chunks + b"\x01" * count
    body += b"\x00" * (-len(body) % 4)
    return struct.pack("!BBH", 0x8F, 205, len(body) // 4) + body


class LoadGen:
    def __init__(self) -> None:
        self.rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rx.bind(("127.0.0.1", 0))
        for opt, size in ((getattr(socket, "SO_RCVBUFFORCE", 33), 32 << 20),):
            try:
                self.rx.setsockopt(socket.SOL_SOCKET, opt, size)
            except OSError:
                self.rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)
        self.rx.setblocking(False)
        self.tx: socket.socket | None = None
        self.index = 0  # packets sent so far (the generator's own sequence number)
        self.cert: Any = None
        self.webrtc: list[dict[str, Any]] = []

    def hello(self) -> dict[str, Any]:
        from pymediasoup_worker.rtc.dtls_certificate import DtlsCertificate, fingerprint

        self.cert = DtlsCertificate.generate()
        return {
            "sink_port": self.rx.getsockname()[1],
            "pid": os.getpid(),
            "fingerprint": {
                "algorithm": "sha-256",
                "value": fingerprint(self.cert.certificate, "sha-256"),
            },
        }

    # ----------------------------------------------------------------------------------
    def setup(self, cmd: dict[str, Any]) -> dict[str, Any]:
        if self.tx is not None:
            self.tx.close()
        self.tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.tx.bind(("127.0.0.1", 0))
        self.tx.connect(tuple(cmd["target"]))
        self.tx.setblocking(False)
        self.ssrc = cmd["ssrc"]
        self.pt = cmd["pt"]
        self.in_srtp = session(cmd["in_key"], True) if cmd.get("in_key") else None
        self.consumers = cmd["consumers"]
        self.index = 0
        self.seq0 = 1000
        self.ts0 = 90000
        self.srtp_out = bool(cmd.get("out_srtp"))
        # The sink's RTCP to the consumers' transports (plain/SRTP transports).
        self.rtcp_out = session(cmd["rtcp_key"], True) if cmd.get("rtcp_key") else None
        self.rx_sessions = [
            session(c["key"], False) if c.get("key") else None for c in self.consumers
        ]
        self.webrtc_mode = bool(cmd.get("webrtc"))
        self.twcc_ids = [c.get("twcc_id", 0) for c in self.consumers]
        self.reset_sink_state()
        self.drain(0.05)
        return {"ok": True}

    def reset_sink_state(self) -> None:
        n = len(self.consumers)
        self.index_of = {c["ssrc"]: i for i, c in enumerate(self.consumers)}
        self.rtx = {c["rtx_ssrc"] for c in self.consumers if c.get("rtx_ssrc")}
        self.pts = [c["pt"] for c in self.consumers]
        self.last = [-1] * n
        self.offset = [-1] * n
        self.twcc_next = [-1] * n  # first transport-wide seq not yet reported
        self.twcc_last = [-1] * n
        self.twcc_off = [0] * n  # where the twcc element's value sits in that consumer's packets
        self.fb_count = 0

    def drain(self, seconds: float) -> int:
        end = time.perf_counter() + seconds
        count = 0
        while time.perf_counter() < end:
            try:
                self.rx.recv(4096)
                count += 1
            except BlockingIOError:
                time.sleep(0.001)
        return count

    # ----------------------------------------------------------------------------------
    def webrtc_connect(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """ICE + DTLS (client) toward every WebRtcTransport, from the sink socket."""
        from pymediasoup_worker.core.dtls import DtlsStateChanged, DtlsTransport
        from pymediasoup_worker.core.srtp import SrtpSessionPair
        from pymediasoup_worker.core.stun import StunClass, StunPacket

        def now_ms() -> int:
            return time.monotonic_ns() // 1_000_000

        peers = []
        by_addr: dict[tuple[str, int], dict[str, Any]] = {}
        for t in cmd["transports"]:
            peer = {
                "addr": (t["ip"], t["port"]),
                "ufrag": t["ufrag"],
                "pwd": t["pwd"],
                "fingerprint": t["fingerprint"],
                "dtls": DtlsTransport(self.cert.certificate, self.cert.private_key),
                "ice": False,
                "srtp": None,
            }
            peers.append(peer)
            by_addr[peer["addr"]] = peer

        def binding(peer: dict[str, Any]) -> bytes:
            request = StunPacket(
                StunClass.REQUEST,
                transaction_id=os.urandom(12),
                username=f"{peer['ufrag']}:benchufrag",
                priority=1853817087,
                ice_controlling=0x1122334455667788,
                use_candidate=True,
            )
            request.authenticate(peer["pwd"])
            return bytes(request)

        rx = self.rx
        for peer in peers:
            peer["stun"] = binding(peer)
            rx.sendto(peer["stun"], peer["addr"])

        def flush(peer: dict[str, Any]) -> None:
            dtls = peer["dtls"]
            for datagram in dtls.datagrams_to_send():
                rx.sendto(datagram, peer["addr"])
            while (event := dtls.next_event()) is not None:
                if isinstance(event, DtlsStateChanged) and event.state == "connected":
                    peer["srtp"] = SrtpSessionPair(
                        event.srtp_crypto_suite, event.srtp_local_key, event.srtp_remote_key
                    )
                    peer["suite"] = event.srtp_crypto_suite
                elif isinstance(event, DtlsStateChanged) and event.state == "failed":
                    raise RuntimeError("DTLS failed")

        deadline = time.monotonic() + 20
        last_kick = time.monotonic()
        while any(p["srtp"] is None for p in peers):
            if time.monotonic() > deadline:
                done = sum(p["srtp"] is not None for p in peers)
                return {"ok": False, "reason": f"DTLS connected {done}/{len(peers)} in 20 s"}
            try:
                data, addr = rx.recvfrom(4096)
            except BlockingIOError:
                time.sleep(0.0005)
                if time.monotonic() - last_kick > 0.2:
                    last_kick = time.monotonic()
                    for peer in peers:
                        if not peer["ice"]:
                            rx.sendto(peer["stun"], peer["addr"])
                        elif peer["srtp"] is None:
                            peer["dtls"].handle_timer(now_ms())
                            flush(peer)
                continue
            peer = by_addr.get(addr[:2])
            if peer is None or not data:
                continue
            first = data[0]
            if first < 4:
                if not peer["ice"]:
                    peer["ice"] = True
                    peer["dtls"].run("client", peer["fingerprint"], now_ms())
                    flush(peer)
            elif 19 < first < 64:
                peer["dtls"].receive(data, now_ms())
                flush(peer)
        self.webrtc = peers
        return {"ok": True, "suite": peers[0]["suite"] if peers else None}

    # ----------------------------------------------------------------------------------
    def run(self, cmd: dict[str, Any]) -> dict[str, Any]:
        rate = float(cmd["rate"])
        duration = float(cmd["duration"])
        batch = int(cmd.get("batch", 32))
        latency = bool(cmd.get("latency"))
        tail_s = float(cmd.get("tail", 0.15))
        assert self.tx is not None
        tx_send = self.tx.send
        recv = self.rx.recv
        perf = time.perf_counter
        mono = time.monotonic_ns
        hdr_pack = _HDR.pack_into
        vp8_pack = _VP8.pack_into
        tail_pack = _TAIL.pack_into
        tail_unpack = _TAIL.unpack_from
        seq_ssrc = _SEQ_SSRC.unpack_from
        protect = self.in_srtp.protect if self.in_srtp is not None else None
        buf = bytearray(PACKET)
        ssrc, pt = self.ssrc, self.pt
        n_cons = len(self.consumers)
        index_of = self.index_of
        rtx = self.rtx
        pts, last, offset = self.pts, self.last, self.offset
        counts = [0] * n_cons
        srtp_out = self.srtp_out
        webrtc = self.webrtc_mode and bool(self.webrtc)
        if webrtc:
            rx_unprotect = [p["srtp"].recv.unprotect_rtp for p in self.webrtc]
        else:
            rx_unprotect = [s.unprotect if s is not None else None for s in self.rx_sessions]
        twcc_ids = self.twcc_ids
        twcc_last, twcc_off = self.twcc_last, self.twcc_off
        bad_ssrc = bad_pt = seq_errors = gaps = offset_errors = rtcp = rtx_count = other = 0
        probation = 0
        decrypted = decrypt_fail = 0
        lat: list[int] = []
        sample_mask = 0 if latency else 63
        media_seen = 0

        def check_tail(i: int, data: bytes, seq: int, arrival: int) -> None:
            nonlocal offset_errors
            sent_ns, orig = tail_unpack(data, len(data) - 12)
            off = (seq - orig) & 0xFFFF
            if offset[i] < 0:
                offset[i] = off
            elif off != offset[i]:
                offset_errors += 1
            if latency:
                lat.append(arrival - sent_ns)

        sent = 0
        slots = 0
        index = self.index
        seq0, ts0 = self.seq0, self.ts0
        t0 = perf()
        t_end = t0 + duration
        next_rtcp = t0
        next_fb = t0 + 0.05
        if webrtc:
            self.consent()
        cpu0 = os.times()
        while True:
            now = perf()
            if now >= t_end:
                break
            due = int((now - t0) * rate) + 1 - slots
            if due > 0:
                if due > batch:
                    # Behind schedule (this process was descheduled): never catch up in a
                    # burst (it would overflow the forwarder's socket buffer and count as
                    # its loss); the slots are skipped and the achieved rate shows it.
                    slots += due - batch
                    due = batch
                slots += due
                for _ in range(due):
                    frame, pos = divmod(index, PACKETS_PER_FRAME)
                    hdr_pack(
                        buf, 0, 0x80,
                        pt | 0x80 if pos == PACKETS_PER_FRAME - 1 else pt,
                        (seq0 + index) & 0xFFFF, (ts0 + frame * 3000) & 0xFFFFFFFF, ssrc,
                    )  # fmt: skip
                    vp8_pack(
                        buf, 12, 0x90 if pos == 0 else 0x80, 0x80, 0x8000 | (frame & 0x7FFF),
                        0x00 if pos == 0 and frame % FRAMES_PER_GROUP == 0 else 0x01,
                    )  # fmt: skip
                    tail_pack(buf, PACKET - 12, mono(), index & 0xFFFFFFFF)
                    try:
                        tx_send(protect(bytes(buf)) if protect is not None else buf)
                    except (BlockingIOError, ConnectionRefusedError):
                        pass
                    index += 1
                sent += due
            if now >= next_rtcp:
                next_rtcp = now + 1.0
                self.send_rtcp(index, counts)
            if webrtc and now >= next_fb:
                next_fb = now + 0.05
                self.send_twcc()
            # The sink.
            for _ in range(512):
                try:
                    data = recv(2048)
                except BlockingIOError:
                    break
                b1 = data[1]
                if data[0] < 128:
                    other += 1
                    continue
                if 191 < b1 < 224:
                    rtcp += 1
                    continue
                seq, s = seq_ssrc(data)
                i = index_of.get(s)
                if i is None:
                    if s in rtx:
                        rtx_count += 1
                    elif s == PROBATION_SSRC:
                        probation += 1  # a congestion controller's probing (mediasoup's)
                    else:
                        bad_ssrc += 1
                    continue
                if b1 & 0x7F != pts[i]:
                    bad_pt += 1
                counts[i] += 1
                prev = last[i]
                last[i] = seq
                if prev >= 0:
                    d = (seq - prev) & 0xFFFF
                    if d != 1:
                        if d == 0 or d > 0x8000:
                            seq_errors += 1
                        else:
                            gaps += d - 1
                if webrtc:
                    off = twcc_off[i]
                    if off and data[off - 1] >> 4 == twcc_ids[i]:
                        twcc_last[i] = (data[off] << 8) | data[off + 1]
                    else:
                        self.find_twcc(i, data)
                media_seen += 1
                if srtp_out:
                    if media_seen & sample_mask == 0:
                        arrival = mono()
                        try:
                            plain = rx_unprotect[i](data)  # type: ignore[misc]
                        except Exception:  # noqa: BLE001 - counted
                            decrypt_fail += 1
                            continue
                        decrypted += 1
                        check_tail(i, plain, seq, arrival)
                else:
                    check_tail(i, data, seq, mono() if latency else 0)
        # Let what is in flight arrive: until the tail has passed with nothing new.
        quiet_end = perf() + tail_s
        while perf() < quiet_end:
            got = False
            for _ in range(512):
                try:
                    data = recv(2048)
                except BlockingIOError:
                    break
                got = True
                if data[0] < 128:
                    continue
                b1 = data[1]
                if 191 < b1 < 224:
                    rtcp += 1
                    continue
                seq, s = seq_ssrc(data)
                i = index_of.get(s)
                if i is None:
                    continue
                counts[i] += 1
                prev = last[i]
                last[i] = seq
                if prev >= 0:
                    d = (seq - prev) & 0xFFFF
                    if d != 1:
                        if d == 0 or d > 0x8000:
                            seq_errors += 1
                        else:
                            gaps += d - 1
                if webrtc:
                    self.find_twcc(i, data)
                if not srtp_out:
                    check_tail(i, data, seq, mono() if latency else 0)
            if got:
                quiet_end = max(quiet_end, perf() + 0.03)
            else:
                time.sleep(0.0005)
        if webrtc:
            self.send_twcc()
        cpu1 = os.times()
        elapsed = perf() - t0
        self.index = index
        lat.sort()
        received = sum(counts)
        expected = sent * n_cons
        return {
            "sent": sent,
            "offered_rate": rate,
            "achieved_rate": sent / duration,
            "duration": duration,
            "elapsed": elapsed,
            "received": received,
            "expected": expected,
            "loss": 1 - received / expected if expected else 0.0,
            "min_per_consumer": min(counts) if counts else 0,
            "bad_ssrc": bad_ssrc,
            "bad_pt": bad_pt,
            "seq_errors": seq_errors,
            "gaps": gaps,
            "offset_errors": offset_errors,
            "decrypted": decrypted,
            "decrypt_fail": decrypt_fail,
            "rtcp": rtcp,
            "rtx": rtx_count,
            "probation": probation,
            "other": other,
            "lat_p50_us": percentile(lat, 0.5) / 1000 if lat else None,
            "lat_p99_us": percentile(lat, 0.99) / 1000 if lat else None,
            "lat_samples": len(lat),
            "loadgen_cpu_s": (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system),
        }

    def find_twcc(self, i: int, data: bytes) -> None:
        """Where the transport-cc element is in this consumer's packets (one-byte form)."""
        if not data[0] & 0x10:
            return
        pos = 12 + 4 * (data[0] & 0x0F)
        if data[pos : pos + 2] != b"\xbe\xde":
            return
        end = pos + 4 + 4 * ((data[pos + 2] << 8) | data[pos + 3])
        pos += 4
        want = self.twcc_ids[i]
        while pos < end:
            byte = data[pos]
            if byte == 0:
                pos += 1
                continue
            ext_id, length = byte >> 4, (byte & 0x0F) + 1
            if ext_id == want:
                self.twcc_off[i] = pos + 1
                self.twcc_last[i] = (data[pos + 1] << 8) | data[pos + 2]
                if self.twcc_next[i] < 0:
                    self.twcc_next[i] = self.twcc_last[i]
                return
            pos += 1 + length

    def send_twcc(self) -> None:
        ref = (time.monotonic_ns() // 64_000_000) & 0x7FFFFF
        for i, peer in enumerate(self.webrtc):
            last = self.twcc_last[i]
            first = self.twcc_next[i]
            if last < 0 or first < 0:
                continue
            count = (last - first + 1) & 0xFFFF
            if count == 0 or count > 0x8000:
                continue
            self.fb_count += 1
            packet = twcc_feedback(SINK_SSRC, self.consumers[i]["ssrc"], first, count,
                                   self.fb_count, ref)  # fmt: skip
            self.twcc_next[i] = (last + 1) & 0xFFFF
            protected = peer["srtp"].send.protect_rtcp(packet)
            if protected is not None:
                self.rx.sendto(protected, peer["addr"])

    def consent(self) -> None:
        from pymediasoup_worker.core.stun import StunClass, StunPacket

        for peer in self.webrtc:
            request = StunPacket(
                StunClass.REQUEST,
                transaction_id=os.urandom(12),
                username=f"{peer['ufrag']}:benchufrag",
                priority=1853817087,
                ice_controlling=0x1122334455667788,
                use_candidate=True,
            )
            request.authenticate(peer["pwd"])
            self.rx.sendto(bytes(request), peer["addr"])

    def send_rtcp(self, index: int, counts: list[int]) -> None:
        assert self.tx is not None
        ntp = time.time() + 2208988800
        sr = _SR.pack(0x80, 200, 6, self.ssrc, int(ntp), int((ntp % 1) * (1 << 32)),
                      (self.ts0 + index // PACKETS_PER_FRAME * 3000) & 0xFFFFFFFF,
                      index & 0xFFFFFFFF, (index * PAYLOAD) & 0xFFFFFFFF)  # fmt: skip
        if self.in_srtp is not None:
            sr = self.in_srtp.protect_rtcp(sr)
        try:
            self.tx.send(sr)
        except OSError:
            pass
        for i, c in enumerate(self.consumers):
            last = self.last[i]
            rr = _RR.pack(0x81, 201, 7, SINK_SSRC, c["ssrc"], 0, max(last, 0), 0, 0, 0)
            if self.webrtc_mode and self.webrtc:
                peer = self.webrtc[i]
                self.rx.sendto(peer["srtp"].send.protect_rtcp(rr), peer["addr"])
            elif c.get("rtcp_addr"):
                if self.rtcp_out is not None:
                    rr = self.rtcp_out.protect_rtcp(rr)
                self.rx.sendto(rr, tuple(c["rtcp_addr"]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cpu", type=int, default=1)
    parser.add_argument("--nice", type=int, default=0)
    args = parser.parse_args()
    pin(0, args.cpu)
    if args.nice:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, args.nice)
        except OSError:
            pass
    gen = LoadGen()
    out = sys.stdout

    def reply(obj: dict[str, Any]) -> None:
        out.write(json.dumps(obj) + "\n")
        out.flush()

    reply(gen.hello())
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            if cmd["cmd"] == "setup":
                reply(gen.setup(cmd))
            elif cmd["cmd"] == "webrtc":
                reply(gen.webrtc_connect(cmd))
            elif cmd["cmd"] == "run":
                reply(gen.run(cmd))
            elif cmd["cmd"] == "quit":
                reply({"ok": True})
                break
        except Exception as exc:  # noqa: BLE001 - reported to the driver
            reply({"ok": False, "error": f"{type(exc).__name__}: {exc}"})


if __name__ == "__main__":
    main()
