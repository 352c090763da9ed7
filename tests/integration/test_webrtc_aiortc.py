"""aiortc as a real WebRTC peer on both sides of the worker.

One aiortc RTCPeerConnection publishes audio (opus) and video (VP8) to a WebRtcTransport;
another one consumes both through a second WebRtcTransport and decodes them (frames are
counted through ``track.recv()``). The test does the signalling itself, as a
mediasoup-client would: a small SDP <-> mediasoup parameters translator below
(``SdpMedia``, ``producer_parameters``, ``answer_sdp``, ``consumer_offer_sdp``).

aiortc offers abs-send-time and goog-remb but not transport-cc, so the publishing transport
runs the REMB side of its congestion feedback; the REMBs reach aiortc's sender (which sets
its VP8 encoder's target bitrate from them) and show up as availableIncomingBitrate.

Only 127.0.0.1: aioice's host address list is patched to loopback, and no STUN server.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import pytest

aiortc = pytest.importorskip("aiortc")
import aioice.ice  # noqa: E402 - after the importorskip
from aiortc import (  # noqa: E402
    AudioStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)

from ._helpers import MEDIA_CODECS, worker_router  # noqa: E402

LOCALHOST = "127.0.0.1"
MEDIA_TIMEOUT = 20.0
VIDEO_FRAMES = 30  # about 1 s of aiortc's 30 fps
AUDIO_FRAMES = 50  # 1 s of 20 ms opus frames

MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid"
ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"

# What the consuming aiortc can receive (aiortc's codecs and header extensions), in
# mediasoup's RtpCapabilities shape.
AIORTC_RECV_CAPABILITIES: dict[str, Any] = {
    "codecs": [
        {
            "kind": "audio",
            "mimeType": "audio/opus",
            "preferredPayloadType": 100,
            "clockRate": 48000,
            "channels": 2,
            "rtcpFeedback": [],
        },
        {
            "kind": "video",
            "mimeType": "video/VP8",
            "preferredPayloadType": 101,
            "clockRate": 90000,
            "rtcpFeedback": [
                {"type": "nack"},
                {"type": "nack", "parameter": "pli"},
                {"type": "goog-remb"},
            ],
        },
        {
            "kind": "video",
            "mimeType": "video/rtx",
            "preferredPayloadType": 102,
            "clockRate": 90000,
            "parameters": {"apt": 101},
            "rtcpFeedback": [],
        },
    ],
    "headerExtensions": [
        {"kind": "audio", "uri": MID_URI, "preferredId": 1, "direction": "sendrecv"},
        {"kind": "video", "uri": MID_URI, "preferredId": 1, "direction": "sendrecv"},
        {"kind": "video", "uri": ABS_SEND_TIME_URI, "preferredId": 4, "direction": "sendrecv"},
    ],
}


# --- A minimal SDP reader ------------------------------------------------------------------


@dataclass
class SdpMedia:
    """One m-section: kind, payload types in order, and its a= lines (name, value)."""

    kind: str
    payload_types: list[int]
    attributes: list[tuple[str, str]] = field(default_factory=list)

    def values(self, name: str) -> list[str]:
        return [value for key, value in self.attributes if key == name]

    def value(self, name: str) -> str | None:
        values = self.values(name)
        return values[0] if values else None


def parse_sdp(sdp: str) -> tuple[list[tuple[str, str]], list[SdpMedia]]:
    """(session-level a= lines, m-sections)."""
    session: list[tuple[str, str]] = []
    media: list[SdpMedia] = []
    for line in sdp.splitlines():
        if line.startswith("m="):
            kind, _port, _proto, *fmts = line[2:].split()
            media.append(SdpMedia(kind, [int(f) for f in fmts]))
        elif line.startswith("a="):
            name, _, value = line[2:].partition(":")
            (media[-1].attributes if media else session).append((name, value))
    return session, media


def _parameter_value(value: str) -> Any:
    return int(value) if value.isdigit() else value


def codecs_of(media: SdpMedia) -> dict[int, dict[str, Any]]:
    """payload type -> mediasoup RtpCodecParameters (mimeType, clockRate, channels,
    parameters from a=fmtp, rtcpFeedback from a=rtcp-fb)."""
    codecs: dict[int, dict[str, Any]] = {}
    for value in media.values("rtpmap"):
        pt, encoding = value.split(" ", 1)
        name, clock_rate, *channels = encoding.split("/")
        codec: dict[str, Any] = {
            "mimeType": f"{media.kind}/{name}",
            "payloadType": int(pt),
            "clockRate": int(clock_rate),
            "parameters": {},
            "rtcpFeedback": [],
        }
        if channels:
            codec["channels"] = int(channels[0])
        codecs[int(pt)] = codec
    for value in media.values("fmtp"):
        pt, params = value.split(" ", 1)
        if int(pt) in codecs:
            for item in params.split(";"):
                key, _, param = item.strip().partition("=")
                codecs[int(pt)]["parameters"][key] = _parameter_value(param)
    for value in media.values("rtcp-fb"):
        pt, fb_type, *fb_param = value.split(" ")
        if pt != "*" and int(pt) in codecs:
            feedback = {"type": fb_type}
            if fb_param:
                feedback["parameter"] = fb_param[0]
            codecs[int(pt)]["rtcpFeedback"].append(feedback)
    return codecs


def fingerprint_of(session: list[tuple[str, str]], media: SdpMedia) -> dict[str, str]:
    lines = media.values("fingerprint") or [v for k, v in session if k == "fingerprint"]
    for line in lines:
        algorithm, value = line.split(" ")
        if algorithm == "sha-256":
            return {"algorithm": algorithm, "value": value}
    raise AssertionError("no sha-256 fingerprint in the SDP")


# --- Publishing: aiortc's offer -> Producer parameters, transport -> SDP answer ------------


def producer_parameters(media: SdpMedia, mime_type: str) -> dict[str, Any]:
    """The Producer's rtpParameters for one offered m-section, sending ``mime_type``."""
    codecs = codecs_of(media)
    main = next(c for c in codecs.values() if c["mimeType"].lower() == mime_type.lower())
    chosen = [main]
    rtx = next(
        (
            c
            for c in codecs.values()
            if c["mimeType"].lower().endswith("/rtx")
            and c["parameters"].get("apt") == main["payloadType"]
        ),
        None,
    )
    if rtx is not None:
        chosen.append(rtx)
    ssrcs: dict[int, str] = {}
    for value in media.values("ssrc"):
        ssrc, attribute = value.split(" ", 1)
        if attribute.startswith("cname:"):
            ssrcs[int(ssrc)] = attribute[len("cname:") :]
    encoding: dict[str, Any] = {}
    for value in media.values("ssrc-group"):
        semantics, *members = value.split(" ")
        if semantics == "FID":
            encoding = {"ssrc": int(members[0]), "rtx": {"ssrc": int(members[1])}}
    if not encoding:
        encoding = {"ssrc": next(iter(ssrcs))}
    if rtx is None:
        encoding.pop("rtx", None)
    extensions = []
    for value in media.values("extmap"):
        ext_id, uri = value.split(" ")[:2]
        extensions.append({"uri": uri, "id": int(ext_id.split("/")[0])})
    return {
        "mid": media.value("mid"),
        "codecs": chosen,
        "headerExtensions": extensions,
        "encodings": [encoding],
        "rtcp": {
            "cname": ssrcs[encoding["ssrc"]],
            "reducedSize": media.value("rtcp-rsize") is not None,
        },
    }


def _transport_lines(transport: Any, setup: str) -> list[str]:
    """ICE-lite credentials, DTLS fingerprint and role, candidates: per m-section."""
    ice = transport.ice_parameters
    fingerprint = next(
        f for f in transport.dtls_parameters["fingerprints"] if f["algorithm"] == "sha-256"
    )
    lines = [
        f"a=ice-ufrag:{ice['usernameFragment']}",
        f"a=ice-pwd:{ice['password']}",
        f"a=fingerprint:sha-256 {fingerprint['value']}",
        f"a=setup:{setup}",
    ]
    for candidate in transport.ice_candidates:
        line = (
            f"a=candidate:{candidate['foundation']} 1 {candidate['protocol']} "
            f"{candidate['priority']} {candidate['ip']} {candidate['port']} typ host"
        )
        if candidate["protocol"] == "tcp":
            line += f" tcptype {candidate['tcpType']}"
        lines.append(line)
    lines += ["a=end-of-candidates", "a=rtcp-mux", "a=rtcp-rsize"]
    return lines


def _codec_lines(codecs: list[dict[str, Any]]) -> list[str]:
    lines = []
    for codec in codecs:
        pt = codec["payloadType"]
        name = codec["mimeType"].split("/")[1]
        rtpmap = f"a=rtpmap:{pt} {name}/{codec['clockRate']}"
        if codec.get("channels", 1) > 1:
            rtpmap += f"/{codec['channels']}"
        lines.append(rtpmap)
        if codec.get("parameters"):
            params = ";".join(f"{k}={v}" for k, v in codec["parameters"].items())
            lines.append(f"a=fmtp:{pt} {params}")
        for fb in codec.get("rtcpFeedback", []):
            lines.append(f"a=rtcp-fb:{pt} {fb['type']} {fb.get('parameter', '')}".rstrip())
    return lines


def _session_head(mids: list[str]) -> list[str]:
    return [
        "v=0",
        f"o=- {int(time.time())} 1 IN IP4 {LOCALHOST}",
        "s=-",
        "t=0 0",
        "a=ice-lite",
        f"a=group:BUNDLE {' '.join(mids)}",
        "a=msid-semantic: WMS *",
    ]


def answer_sdp(transport: Any, offered: list[SdpMedia], params: list[dict[str, Any]]) -> str:
    """The worker's answer to the publisher: receive-only, our transport, the chosen codecs."""
    lines = _session_head([p["mid"] for p in params])
    for media, rtp_parameters in zip(offered, params, strict=True):
        pts = " ".join(str(c["payloadType"]) for c in rtp_parameters["codecs"])
        lines += [
            f"m={media.kind} 7 UDP/TLS/RTP/SAVPF {pts}",
            f"c=IN IP4 {LOCALHOST}",
            f"a=mid:{rtp_parameters['mid']}",
            "a=recvonly",
            *_transport_lines(transport, setup="passive"),
            *_codec_lines(rtp_parameters["codecs"]),
            *(f"a=extmap:{e['id']} {e['uri']}" for e in rtp_parameters["headerExtensions"]),
        ]
    return "\r\n".join(lines) + "\r\n"


# --- Consuming: Consumers -> SDP offer --------------------------------------------------------


def consumer_offer_sdp(transport: Any, consumers: list[Any]) -> str:
    """The worker's offer to the consumer: one send-only m-section per Consumer."""
    lines = _session_head([c.rtp_parameters["mid"] for c in consumers])
    for consumer in consumers:
        rtp = consumer.rtp_parameters
        pts = " ".join(str(c["payloadType"]) for c in rtp["codecs"])
        encoding = rtp["encodings"][0]
        cname = rtp["rtcp"]["cname"]
        lines += [
            f"m={consumer.kind} 7 UDP/TLS/RTP/SAVPF {pts}",
            f"c=IN IP4 {LOCALHOST}",
            f"a=mid:{rtp['mid']}",
            "a=sendonly",
            *_transport_lines(transport, setup="actpass"),
            *_codec_lines(rtp["codecs"]),
            *(f"a=extmap:{e['id']} {e['uri']}" for e in rtp["headerExtensions"]),
            f"a=msid:stream-{consumer.id} track-{consumer.id}",
            f"a=ssrc:{encoding['ssrc']} cname:{cname}",
        ]
        if "rtx" in encoding:
            rtx_ssrc = encoding["rtx"]["ssrc"]
            lines += [
                f"a=ssrc:{rtx_ssrc} cname:{cname}",
                f"a=ssrc-group:FID {encoding['ssrc']} {rtx_ssrc}",
            ]
    return "\r\n".join(lines) + "\r\n"


def remote_dtls_parameters(sdp: str) -> dict[str, Any]:
    """aiortc's DTLS parameters as connect() takes them: its fingerprint and role."""
    session, media = parse_sdp(sdp)
    setup = media[0].value("setup") or next(v for k, v in session if k == "setup")
    # active: aiortc is the DTLS client; passive: the server; actpass: it lets us choose.
    role = {"active": "client", "passive": "server", "actpass": "auto"}[setup]
    return {"role": role, "fingerprints": [fingerprint_of(session, media[0])]}


# --- The test ---------------------------------------------------------------------------------


async def count_frames(track: Any, wanted: int, counts: dict[str, int]) -> None:
    while counts[track.kind] < wanted:
        await track.recv()
        counts[track.kind] += 1


async def test_aiortc_publishes_and_another_aiortc_consumes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # aioice would gather the machine's interface addresses: loopback only here.
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda *_args, **_kwargs: [LOCALHOST])
    config = RTCConfiguration(iceServers=[])
    publisher = RTCPeerConnection(config)
    subscriber = RTCPeerConnection(config)
    try:
        async with worker_router() as (_worker, router):
            assert {c["mimeType"] for c in MEDIA_CODECS} >= {"audio/opus", "video/VP8"}
            send_transport = await router.create_webrtc_transport(listen_ips=[LOCALHOST])
            recv_transport = await router.create_webrtc_transport(listen_ips=[LOCALHOST])

            # Publish: aiortc offers, the worker answers.
            publisher.addTransceiver(AudioStreamTrack(), direction="sendonly")
            publisher.addTransceiver(VideoStreamTrack(), direction="sendonly")
            await publisher.setLocalDescription(await publisher.createOffer())
            session, offered = parse_sdp(publisher.localDescription.sdp)
            params = [
                producer_parameters(offered[0], "audio/opus"),
                producer_parameters(offered[1], "video/VP8"),
            ]
            await send_transport.connect(
                dtls_parameters=remote_dtls_parameters(publisher.localDescription.sdp)
                | {"role": "client"}  # we answer setup:passive, so aiortc is the client
            )
            producers = [
                await send_transport.produce(kind=media.kind, rtp_parameters=p)
                for media, p in zip(offered, params, strict=True)
            ]
            await publisher.setRemoteDescription(
                RTCSessionDescription(answer_sdp(send_transport, offered, params), "answer")
            )

            # Consume both: the worker offers, aiortc answers.
            consumers = [
                await recv_transport.consume(
                    producer_id=producer.id, rtp_capabilities=AIORTC_RECV_CAPABILITIES
                )
                for producer in producers
            ]
            counts = {"audio": 0, "video": 0}
            tasks: list[asyncio.Task[None]] = []

            @subscriber.on("track")
            def on_track(track: Any) -> None:
                wanted = AUDIO_FRAMES if track.kind == "audio" else VIDEO_FRAMES
                tasks.append(asyncio.ensure_future(count_frames(track, wanted, counts)))

            await subscriber.setRemoteDescription(
                RTCSessionDescription(consumer_offer_sdp(recv_transport, consumers), "offer")
            )
            await subscriber.setLocalDescription(await subscriber.createAnswer())
            dtls = remote_dtls_parameters(subscriber.localDescription.sdp)
            assert dtls["role"] == "client"
            await recv_transport.connect(dtls_parameters=dtls)

            try:
                deadline = time.monotonic() + MEDIA_TIMEOUT
                while len(tasks) < 2 and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                assert len(tasks) == 2, f"subscriber tracks: {len(tasks)}"
                await asyncio.wait_for(
                    asyncio.gather(*tasks), max(deadline - time.monotonic(), 0.1)
                )
            except TimeoutError:
                raise AssertionError(
                    f"decoded frames {counts}; transports: "
                    f"{[await t.dump() for t in (send_transport, recv_transport)]}"
                ) from None
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

            assert counts["audio"] >= AUDIO_FRAMES and counts["video"] >= VIDEO_FRAMES
            for transport in (send_transport, recv_transport):
                assert transport.ice_state in ("connected", "completed")
                assert transport.dtls_state == "connected"
                assert transport.ice_selected_tuple is not None
            # The REMB side of the congestion feedback ran on the publishing transport.
            deadline = time.monotonic() + 3.0
            while time.monotonic() < deadline:
                stats = (await send_transport.get_stats())[0]
                if stats.get("availableIncomingBitrate"):
                    break
                await asyncio.sleep(0.2)
            assert stats.get("availableIncomingBitrate", 0) > 0, stats
            for consumer in consumers:
                outbound = (await consumer.get_stats())[0]
                assert outbound["packetCount"] > 0
    finally:
        await publisher.close()
        await subscriber.close()
