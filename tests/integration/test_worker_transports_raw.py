"""The worker's transports over the raw Channel and PayloadChannel, as mediasoup 3.7.11 answers."""

from __future__ import annotations

import base64
import itertools
import re
import socket
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from pymediasoup.channel.codec import encode
from tests.raw_worker import RawWorker

ROUTER = "r1"
FINGERPRINT = {"algorithm": "sha-256", "value": "82:5A:68:3D:36:C3:0A:DE:AF:E7:32:43:D2:88:83:57"}
SRTP_KEY = "ZnQ3eWJraDg0d3ZoYzM5cXN1Y2pnaHU5NWxrZTVv"  # 30 bytes once decoded


class Session:
    """One worker with one router; ``call`` sends a request and returns its reply."""

    def __init__(self, raw: RawWorker) -> None:
        self.raw = raw
        self._ids = itertools.count(1)
        assert self.call("worker.createRouter", {"routerId": ROUTER}) == {"accepted": True}

    def call(self, method: str, internal: dict[str, Any], data: Any = None) -> dict[str, Any]:
        request_id = next(self._ids)
        message: dict[str, Any] = {"id": request_id, "method": method, "internal": internal}
        if data is not None:
            message["data"] = data
        self.raw.request(**message)
        reply = self.raw.reply(request_id)
        reply.pop("id")
        return reply

    def create(self, kind: str, transport_id: str, data: dict[str, Any]) -> dict[str, Any]:
        return self.call(f"router.create{kind}Transport", self.internal(transport_id), data)

    def on(self, transport_id: str, method: str, data: Any = None, **extra: str) -> dict[str, Any]:
        return self.call(method, self.internal(transport_id, **extra), data)

    @staticmethod
    def internal(transport_id: str, **extra: str) -> dict[str, str]:
        return {"routerId": ROUTER, "transportId": transport_id, **extra}

    def payload_notify(
        self, event: str, internal: dict[str, Any], data: Any, payload: bytes
    ) -> None:
        message: dict[str, Any] = {"event": event, "internal": internal}
        if data is not None:
            message["data"] = data
        self.raw.write_payload(encode(orjson.dumps(message)) + encode(payload))


@pytest.fixture
def session() -> Iterator[Session]:
    with RawWorker() as raw:
        raw.wait_running()
        yield Session(raw)


def webrtc_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "listenIps": [{"ip": "127.0.0.1"}], "enableUdp": True, "enableTcp": False,
        "preferUdp": False, "preferTcp": False, "initialAvailableOutgoingBitrate": 600000,
        "enableSctp": False, "numSctpStreams": {"OS": 1024, "MIS": 1024},
        "maxSctpMessageSize": 262144, "sctpSendBufferSize": 262144, "isDataChannel": True,
    }  # fmt: skip
    data.update(overrides)
    return data


def plain_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "listenIp": {"ip": "127.0.0.1"}, "rtcpMux": True, "comedia": False, "enableSctp": False,
        "numSctpStreams": {"OS": 1024, "MIS": 1024}, "maxSctpMessageSize": 262144,
        "sctpSendBufferSize": 262144, "isDataChannel": False, "enableSrtp": False,
        "srtpCryptoSuite": "AES_CM_128_HMAC_SHA1_80",
    }  # fmt: skip
    data.update(overrides)
    return data


COMMON_DUMP_KEYS = {
    "id", "direct", "producerIds", "consumerIds", "mapSsrcConsumerId", "mapRtxSsrcConsumerId",
    "dataProducerIds", "dataConsumerIds", "recvRtpHeaderExtensions", "rtpListener",
    "maxMessageSize", "traceEventTypes",
}  # fmt: skip
SCTP_KEYS = {"sctpParameters", "sctpState", "sctpListener"}


def test_webrtc_transport_dump(session: Session) -> None:
    reply = session.create(
        "WebRtc",
        "t1",
        webrtc_data(
            listenIps=[{"ip": "127.0.0.1", "announcedIp": "9.9.9.1"}, {"ip": "127.0.0.1"}],
            enableTcp=True,
            preferUdp=True,
            enableSctp=True,
            numSctpStreams={"OS": 2048, "MIS": 1024},
        ),
    )
    dump = reply["data"]
    assert set(dump) == COMMON_DUMP_KEYS | SCTP_KEYS | {
        "iceRole", "iceParameters", "iceCandidates", "iceState", "dtlsParameters", "dtlsState",
    }  # fmt: skip
    assert dump["iceRole"] == "controlled" and dump["iceState"] == "new"
    ice = dump["iceParameters"]
    assert ice["iceLite"] is True
    assert re.fullmatch(r"[0-9a-z]{16}", ice["usernameFragment"])
    assert re.fullmatch(r"[0-9a-z]{32}", ice["password"])
    candidates = dump["iceCandidates"]
    assert [(c["ip"], c["protocol"], c["priority"]) for c in candidates] == [
        ("9.9.9.1", "udp", 1076558079),
        ("9.9.9.1", "tcp", 1076302079),
        ("127.0.0.1", "udp", 1076532479),
        ("127.0.0.1", "tcp", 1076276479),
    ]
    assert {c["foundation"] for c in candidates} == {"udpcandidate", "tcpcandidate"}
    assert [c.get("tcpType") for c in candidates] == [None, "passive", None, "passive"]
    assert len({(c["protocol"], c["port"]) for c in candidates}) == 4
    fingerprints = dump["dtlsParameters"]["fingerprints"]
    assert [f["algorithm"] for f in fingerprints] == [
        "sha-1",
        "sha-224",
        "sha-256",
        "sha-384",
        "sha-512",
    ]
    assert dump["dtlsParameters"]["role"] == "auto" and dump["dtlsState"] == "new"
    assert dump["sctpParameters"] == {
        "port": 5000, "OS": 2048, "MIS": 1024, "maxMessageSize": 262144,
        "sendBufferSize": 262144, "sctpBufferedAmount": 0, "isDataChannel": True,
    }  # fmt: skip
    assert dump["sctpState"] == "new" and dump["sctpListener"] == {"streamIdTable": {}}
    assert dump["maxMessageSize"] == 262144 and dump["traceEventTypes"] == ""
    # The same certificate for every transport of the worker.
    other = session.create("WebRtc", "t2", webrtc_data())["data"]
    assert other["dtlsParameters"]["fingerprints"] == fingerprints
    assert other["iceParameters"] != ice
    assert "sctpParameters" not in other


def test_received_datagrams_are_counted(session: Session) -> None:
    dump = session.create("WebRtc", "t1", webrtc_data())["data"]
    port = dump["iceCandidates"][0]["port"]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.sendto(b"x" * 100, ("127.0.0.1", port))
        peer.sendto(b"y" * 50, ("127.0.0.1", port))
    for _ in range(100):
        stats = session.on("t1", "transport.getStats")["data"][0]
        if stats["bytesReceived"] == 150:
            break
    assert stats["bytesReceived"] == 150
    assert stats["recvBitrate"] > 0
    assert stats["type"] == "webrtc-transport" and stats["dtlsState"] == "new"


@pytest.mark.parametrize(
    ("data", "error", "reason"),
    [
        ({}, "TypeError", "missing listenIps"),
        ({"listenIps": "127.0.0.1"}, "TypeError", "wrong listenIps (not an array)"),
        ({"listenIps": []}, "TypeError", "wrong listenIps (empty array)"),
        ({"listenIps": [{"ip": "127.0.0.1"}] * 9}, "TypeError", "wrong listenIps (too many IPs)"),
        ({"listenIps": [123]}, "TypeError", "wrong listenIp (not an object)"),
        ({"listenIps": [{}]}, "TypeError", "missing listenIp.ip"),
        ({"listenIps": [{"ip": "1.2.3"}]}, "TypeError", "invalid IP '1.2.3'"),
        (
            {"listenIps": [{"ip": "127.0.0.1", "announcedIp": 5}]},
            "TypeError",
            "wrong listenIp.announcedIp (not an string)",
        ),
        (
            {"listenIps": [{"ip": "127.0.0.1"}], "enableTcp": "yes"},
            "TypeError",
            "wrong enableTcp (not a boolean)",
        ),
        (
            {"listenIps": [{"ip": "127.0.0.1"}], "enableSctp": True, "numSctpStreams": "foo"},
            "TypeError",
            "wrong numSctpStreams (not an object)",
        ),
        (
            {"listenIps": [{"ip": "127.0.0.1"}], "initialAvailableOutgoingBitrate": -1},
            "TypeError",
            "wrong initialAvailableOutgoingBitrate (not a number)",
        ),
        (
            {"listenIps": [{"ip": "8.8.8.8"}]},
            "Error",
            "port bind failed due to address not available",
        ),
    ],
)
def test_webrtc_transport_creation_errors(
    session: Session, data: dict[str, Any], error: str, reason: str
) -> None:
    reply = session.create("WebRtc", "t1", data)
    assert reply["error"] == error
    assert reply["reason"].startswith(reason)
    assert session.call("router.dump", {"routerId": ROUTER})["data"]["transportIds"] == []


@pytest.mark.parametrize(
    ("role", "local_role"),
    [("client", "server"), ("server", "client"), ("auto", "client"), (None, "client")],
)
def test_webrtc_connect_roles(session: Session, role: str | None, local_role: str) -> None:
    session.create("WebRtc", "t1", webrtc_data())
    dtls: dict[str, Any] = {"fingerprints": [FINGERPRINT]}
    if role is not None:
        dtls["role"] = role
    reply = session.on("t1", "transport.connect", {"dtlsParameters": dtls})
    assert reply == {"accepted": True, "data": {"dtlsLocalRole": local_role}}
    assert session.on("t1", "transport.dump")["data"]["dtlsParameters"]["role"] == local_role
    again = session.on("t1", "transport.connect", {"dtlsParameters": dtls})
    assert again == {"error": "Error", "reason": "connect() already called"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({}, "missing dtlsParameters"),
        ({"dtlsParameters": {}}, "missing dtlsParameters.fingerprints"),
        ({"dtlsParameters": {"fingerprints": []}}, "empty dtlsParameters.fingerprints array"),
        (
            {"dtlsParameters": {"fingerprints": [1]}},
            "wrong entry in dtlsParameters.fingerprints (not an object)",
        ),
        ({"dtlsParameters": {"fingerprints": [{"value": "AB"}]}}, "missing fingerprint.algorithm"),
        (
            {"dtlsParameters": {"fingerprints": [{"algorithm": "sha-256000", "value": "AB"}]}},
            "invalid fingerprint.algorithm value",
        ),
        (
            {"dtlsParameters": {"fingerprints": [{"algorithm": "sha-1"}]}},
            "missing fingerprint.value",
        ),
        (
            {"dtlsParameters": {"fingerprints": [FINGERPRINT], "role": "chicken"}},
            "invalid dtlsParameters.role value",
        ),
    ],
)
def test_webrtc_connect_errors(session: Session, data: dict[str, Any], reason: str) -> None:
    session.create("WebRtc", "t1", webrtc_data())
    assert session.on("t1", "transport.connect", data) == {"error": "TypeError", "reason": reason}
    assert session.on("t1", "transport.dump")["data"]["dtlsParameters"]["role"] == "auto"


def test_restart_ice(session: Session) -> None:
    before = session.create("WebRtc", "t1", webrtc_data())["data"]["iceParameters"]
    reply = session.on("t1", "transport.restartIce")
    after = reply["data"]["iceParameters"]
    assert after["iceLite"] is True and after != before
    assert session.on("t1", "transport.dump")["data"]["iceParameters"] == after


def test_plain_transport(session: Session) -> None:
    dump = session.create(
        "Plain",
        "p1",
        plain_data(listenIp={"ip": "127.0.0.1", "announcedIp": "4.4.4.4"}, rtcpMux=False),
    )["data"]
    assert set(dump) == COMMON_DUMP_KEYS | {"rtcpMux", "comedia", "tuple", "rtcpTuple"}
    assert dump["tuple"]["localIp"] == dump["rtcpTuple"]["localIp"] == "4.4.4.4"
    assert dump["tuple"]["localPort"] != dump["rtcpTuple"]["localPort"]
    reply = session.on("p1", "transport.connect", {"ip": "1.2.3.4", "port": 1234, "rtcpPort": 1235})
    assert reply["data"] == {
        "tuple": {"localIp": "4.4.4.4", "localPort": dump["tuple"]["localPort"],
                  "remoteIp": "1.2.3.4", "remotePort": 1234, "protocol": "udp"},
        "rtcpTuple": {"localIp": "4.4.4.4", "localPort": dump["rtcpTuple"]["localPort"],
                      "remoteIp": "1.2.3.4", "remotePort": 1235, "protocol": "udp"},
    }  # fmt: skip
    stats = session.on("p1", "transport.getStats")["data"][0]
    assert stats["type"] == "plain-rtp-transport"
    assert stats["rtcpTuple"]["remotePort"] == 1235
    assert session.on("p1", "transport.restartIce") == {
        "error": "Error",
        "reason": "unknown method 'transport.restartIce'",
    }


@pytest.mark.parametrize(
    ("create", "connect", "reason"),
    [
        ({}, {"ip": "1.2.3.4", "port": 1, "srtpParameters": {}}, "invalid srtpParameters (SRTP not enabled)"),
        ({}, {}, "missing ip"),
        ({}, {"ip": "::::1234"}, "invalid IP '::::1234'"),
        ({}, {"ip": "1.2.3.4", "port": "x"}, "missing port"),
        ({}, {"ip": "1.2.3.4", "port": 1, "rtcpPort": 2}, "cannot set rtcpPort with rtcpMux enabled"),
        ({"rtcpMux": False}, {"ip": "1.2.3.4", "port": 1}, "missing rtcpPort (required with rtcpMux disabled)"),
        ({"enableSrtp": True}, {"ip": "1.2.3.4", "port": 1}, "missing srtpParameters (SRTP enabled)"),
        (
            {"enableSrtp": True},
            {"ip": "1.2.3.4", "port": 1, "srtpParameters": {"cryptoSuite": "FOO", "keyBase64": SRTP_KEY}},
            "invalid/unsupported srtpParameters.cryptoSuite",
        ),
        (
            {"enableSrtp": True},
            {"ip": "1.2.3.4", "port": 1, "srtpParameters": {"cryptoSuite": "AES_CM_128_HMAC_SHA1_80"}},
            "missing srtpParameters.keyBase64)",
        ),
        (
            {"enableSrtp": True},
            {"ip": "1.2.3.4", "port": 1,
             "srtpParameters": {"cryptoSuite": "AES_CM_128_HMAC_SHA1_80", "keyBase64": "YWJj"}},
            "invalid decoded SRTP key length",
        ),
    ],
)  # fmt: skip
def test_plain_connect_errors(
    session: Session, create: dict[str, Any], connect: dict[str, Any], reason: str
) -> None:
    session.create("Plain", "p1", plain_data(**create))
    assert session.on("p1", "transport.connect", connect) == {
        "error": "TypeError",
        "reason": reason,
    }
    assert "remoteIp" not in session.on("p1", "transport.dump")["data"]["tuple"]


def test_plain_srtp_and_comedia(session: Session) -> None:
    dump = session.create(
        "Plain",
        "p1",
        plain_data(comedia=True, enableSrtp=True, srtpCryptoSuite="AES_CM_128_HMAC_SHA1_32"),
    )["data"]
    local = dump["srtpParameters"]
    assert local["cryptoSuite"] == "AES_CM_128_HMAC_SHA1_32"
    assert len(local["keyBase64"]) == 40 and len(base64.b64decode(local["keyBase64"])) == 30
    reply = session.on(
        "p1",
        "transport.connect",
        {"srtpParameters": {"cryptoSuite": "AES_CM_128_HMAC_SHA1_80", "keyBase64": SRTP_KEY}},
    )
    # comedia: no tuple yet; the suite is now the remote's, the key stays ours.
    assert reply["data"] == {
        "srtpParameters": {
            "cryptoSuite": "AES_CM_128_HMAC_SHA1_80",
            "keyBase64": local["keyBase64"],
        }
    }


def test_pipe_transport(session: Session) -> None:
    dump = session.create(
        "Pipe", "x1", plain_data(enableRtx=True, enableSrtp=True, maxSctpMessageSize=268435456)
    )["data"]
    assert dump["rtx"] is True
    assert dump["srtpParameters"]["cryptoSuite"] == "AES_CM_128_HMAC_SHA1_80"
    bad = {
        "ip": "1.2.3.4",
        "port": 9,
        "srtpParameters": {"cryptoSuite": "AES_CM_128_HMAC_SHA1_32", "keyBase64": SRTP_KEY},
    }
    assert (
        session.on("x1", "transport.connect", bad)["reason"]
        == "invalid/unsupported srtpParameters.cryptoSuite"
    )
    good = dict(
        bad, srtpParameters={"cryptoSuite": "AES_CM_128_HMAC_SHA1_80", "keyBase64": SRTP_KEY}
    )
    reply = session.on("x1", "transport.connect", good)
    assert reply["data"]["tuple"]["remoteIp"] == "1.2.3.4"
    assert session.on("x1", "transport.getStats")["data"][0]["tuple"]["remotePort"] == 9
    assert session.on("x1", "transport.connect", good)["reason"] == "connect() already called"


def test_direct_transport(session: Session) -> None:
    dump = session.create("Direct", "d1", {"direct": True, "maxMessageSize": 1024})["data"]
    assert (
        set(dump) == COMMON_DUMP_KEYS and dump["direct"] is True and dump["maxMessageSize"] == 1024
    )
    assert session.on("d1", "transport.connect") == {
        "error": "Error",
        "reason": "unknown method 'transport.connect'",
    }
    bad = session.create("Direct", "d2", {"direct": True, "maxMessageSize": -2000})
    assert bad == {"error": "TypeError", "reason": "wrong maxMessageSize (not a number)"}
    bad = session.create("Direct", "d2", {"direct": True, "maxMessageSize": 10, "enableSctp": True})
    assert bad == {"error": "TypeError", "reason": "cannot enable SCTP in a direct Transport"}


def test_direct_payload_channel_counters(session: Session) -> None:
    session.create("Direct", "d1", {"direct": True, "maxMessageSize": 8})
    dp = session.on("d1", "transport.produceData", {"type": "direct", "label": "l", "protocol": "p"},
                    dataProducerId="dp1")  # fmt: skip
    assert dp["data"]["id"] == "dp1"
    dc = session.on("d1", "transport.consumeData", {"type": "direct", "label": "l", "protocol": "p"},
                    dataProducerId="dp1", dataConsumerId="dc1")  # fmt: skip
    assert dc["data"]["dataProducerId"] == "dp1"
    internal = Session.internal("d1", dataProducerId="dp1")
    session.payload_notify("dataProducer.send", internal, {"ppid": 51}, b"hello")
    session.payload_notify(
        "dataProducer.send", internal, {"ppid": 51}, b"too long message"
    )  # > 8: dropped
    session.payload_notify("producer.send", Session.internal("d1"), None, b"\x80" * 12)
    for _ in range(100):
        stats = session.on("d1", "transport.getStats")["data"][0]
        if stats["bytesSent"] == 5:
            break
    assert stats["bytesReceived"] == 5 + 12
    assert stats["bytesSent"] == 5
    assert orjson.loads(session.raw.payload_items[0]) == {
        "data": {"ppid": 51},
        "event": "message",
        "targetId": "dc1",
    }
    assert session.raw.payload_items[1] == b"hello"


def test_payload_channel_rules_on_other_transports(session: Session) -> None:
    session.create("Plain", "p1", plain_data(enableSctp=True))
    session.create("Direct", "d1", {"direct": True, "maxMessageSize": 262144})
    session.on("d1", "transport.produceData", {"type": "direct"}, dataProducerId="dp1")
    session.on(
        "d1",
        "transport.consumeData",
        {"type": "direct"},
        dataProducerId="dp1",
        dataConsumerId="dc1",
    )
    # dataConsumer.send needs an SCTP DataConsumer.
    request = {"id": 77, "method": "dataConsumer.send", "data": {"ppid": 51},
               "internal": Session.internal("d1", dataProducerId="dp1", dataConsumerId="dc1")}  # fmt: skip
    session.raw.write_payload(encode(orjson.dumps(request)) + encode(b"x"))
    for _ in range(100):
        replies = [orjson.loads(i) for i in session.raw.payload_items if i.startswith(b'{"error"')]
        if replies:
            break
        session.raw.pump(0.05)
    assert replies == [{"error": "Error", "id": 77, "reason": "invalid DataConsumer type"}]
    # A notification for a non-direct transport is logged, not answered.
    session.payload_notify("producer.send", Session.internal("p1"), None, b"\x80" * 12)
    line = session.raw.wait_for(lambda m: isinstance(m, str) and "unknown event" in m)
    assert line.startswith("E") and "'producer.send'" in line


@pytest.mark.parametrize(
    ("method", "internal", "reason"),
    [
        ("producer.dump", {}, "missing internal.producerId"),
        ("producer.dump", {"producerId": "nope"}, "Producer not found"),
        ("consumer.getStats", {"consumerId": "nope"}, "Consumer not found"),
        ("dataProducer.close", {}, "missing internal.dataProducerId"),
        ("dataConsumer.getBufferedAmount", {"dataConsumerId": "nope"}, "DataConsumer not found"),
        (
            "transport.produceData",
            {"dataProducerId": "x"},
            "SCTP not enabled and not a direct Transport",
        ),
        ("transport.consume", {}, "missing internal.producerId"),
        ("transport.consume", {"producerId": "p"}, "missing internal.consumerId"),
    ],
)
def test_children_routing_errors(
    session: Session, method: str, internal: dict[str, str], reason: str
) -> None:
    session.create("WebRtc", "t1", webrtc_data())
    assert session.on("t1", method, {}, **internal) == {"error": "Error", "reason": reason}


@pytest.mark.parametrize(
    ("types", "expected"),
    [(["foo", "probation"], "probation"), ([], ""), (["bwe", "FOO", "probation"], "probation,bwe")],
)
def test_enable_trace_event(session: Session, types: list[str], expected: str) -> None:
    session.create("WebRtc", "t1", webrtc_data())
    assert session.on("t1", "transport.enableTraceEvent", {"types": types}) == {"accepted": True}
    assert session.on("t1", "transport.dump")["data"]["traceEventTypes"] == expected


def test_bitrate_requests(session: Session) -> None:
    session.create("WebRtc", "t1", webrtc_data())
    assert session.on("t1", "transport.setMaxIncomingBitrate", {}) == {
        "error": "TypeError",
        "reason": "missing bitrate",
    }
    assert session.on("t1", "transport.setMaxIncomingBitrate", {"bitrate": 100000}) == {
        "accepted": True
    }
    assert session.on("t1", "transport.setMaxOutgoingBitrate", {"bitrate": 100000}) == {
        "accepted": True
    }
    assert session.on("t1", "transport.getStats")["data"][0]["maxIncomingBitrate"] == 100000


def test_port_range_exhaustion_and_release() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with RawWorker([f"--rtcMinPort={port}", f"--rtcMaxPort={port}"]) as raw:
        raw.wait_running()
        session = Session(raw)
        first = session.create("Plain", "p1", plain_data())
        assert first["data"]["tuple"]["localPort"] == port
        second = session.create("Plain", "p2", plain_data())
        assert second["error"] == "Error"
        assert second["reason"].startswith("no more available ports [transport:udp, ip:'127.0.0.1'")
        assert session.call("transport.close", Session.internal("p1")) == {"accepted": True}
        # The port is free again.
        assert session.create("Plain", "p3", plain_data())["data"]["tuple"]["localPort"] == port


RTP = bytes([0x80, 0x6F, 0, 1]) + bytes(8) + b"payload"
RTCP_RR = bytes([0x80, 201, 0, 1]) + (1234).to_bytes(4, "big")


def test_plain_comedia_learns_tuple_and_rtcp_tuple(session: Session) -> None:
    dump = session.create("Plain", "p1", plain_data(comedia=True, rtcpMux=False))["data"]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        source = peer.getsockname()
        peer.sendto(b"\x00garbage", ("127.0.0.1", dump["tuple"]["localPort"]))  # neither: ignored
        peer.sendto(RTP, ("127.0.0.1", dump["tuple"]["localPort"]))
        peer.sendto(RTCP_RR, ("127.0.0.1", dump["rtcpTuple"]["localPort"]))
        tuple_event = session.raw.wait_for(
            lambda m: isinstance(m, dict) and m.get("event") == "tuple"
        )
        rtcp_event = session.raw.wait_for(
            lambda m: isinstance(m, dict) and m.get("event") == "rtcptuple"
        )
    expected = {
        "localIp": "127.0.0.1",
        "remoteIp": source[0],
        "remotePort": source[1],
        "protocol": "udp",
    }
    assert tuple_event == {
        "event": "tuple",
        "targetId": "p1",
        "data": {"tuple": dict(expected, localPort=dump["tuple"]["localPort"])},
    }
    assert rtcp_event["data"] == {
        "rtcpTuple": dict(expected, localPort=dump["rtcpTuple"]["localPort"])
    }
    stats = session.on("p1", "transport.getStats")["data"][0]
    assert stats["tuple"]["remotePort"] == source[1]
    assert stats["bytesReceived"] == len(b"\x00garbage") + len(RTP) + len(RTCP_RR)
    # Learnt once: only one tuple event however many packets come.
    assert [m for m in session.raw.items if isinstance(m, dict) and m.get("event") == "tuple"] == [
        tuple_event
    ]


def test_plain_without_comedia_ignores_packets_before_connect(session: Session) -> None:
    dump = session.create("Plain", "p1", plain_data())["data"]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.sendto(RTP, ("127.0.0.1", dump["tuple"]["localPort"]))
    for _ in range(100):
        stats = session.on("p1", "transport.getStats")["data"][0]
        if stats["bytesReceived"]:
            break
    assert stats["bytesReceived"] == len(RTP)
    assert "remoteIp" not in stats["tuple"]
