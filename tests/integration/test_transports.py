"""Transports against the real worker: WebRtcTransport, PlainTransport, PipeTransport and
DirectTransport creation, dumps, stats, connect, events and close cascades."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

import pymediasoup
from pymediasoup.errors import InvalidStateError, MediasoupError, UnsupportedError

from ._helpers import (
    CONSUMER_RTP_CAPABILITIES,
    EventRecorder,
    audio_rtp_parameters,
    settle,
    worker_router,
)

REMOTE_DTLS = {
    "role": "client",
    "fingerprints": [
        {
            "algorithm": "sha-256",
            "value": "82:5A:68:3D:36:C3:0A:DE:AF:E7:32:43:D2:88:83:57:AC:2D:65:E5:"
            "80:C4:B6:FB:AF:1A:A0:21:9F:6D:0C:AD",
        }
    ],
}

COMMON_DUMP_KEYS = {
    "id",
    "direct",
    "producerIds",
    "consumerIds",
    "mapSsrcConsumerId",
    "mapRtxSsrcConsumerId",
    "dataProducerIds",
    "dataConsumerIds",
    "recvRtpHeaderExtensions",
    "rtpListener",
    "maxMessageSize",
    "traceEventTypes",
}

COMMON_STATS_KEYS = {
    "transportId",
    "timestamp",
    "bytesReceived",
    "recvBitrate",
    "bytesSent",
    "sendBitrate",
    "rtpBytesReceived",
    "rtpRecvBitrate",
    "rtpBytesSent",
    "rtpSendBitrate",
    "rtxBytesReceived",
    "rtxRecvBitrate",
    "rtxBytesSent",
    "rtxSendBitrate",
    "probationBytesSent",
    "probationSendBitrate",
}


# --- WebRtcTransport -------------------------------------------------------------


async def test_create_webrtc_transport_succeeds() -> None:
    async with worker_router() as (_worker, router):
        new_transport = EventRecorder(router.observer, "newtransport")
        transport = await router.create_webrtc_transport(
            listen_ips=[{"ip": "127.0.0.1", "announcedIp": "9.9.9.1"}, "127.0.0.1"],
            enable_tcp=True,
            prefer_udp=True,
            enable_sctp=True,
            num_sctp_streams={"OS": 2048, "MIS": 2048},
            max_sctp_message_size=1000000,
            app_data={"foo": "bar"},
        )
        assert isinstance(transport, pymediasoup.WebRtcTransport)
        assert isinstance(transport, pymediasoup.Transport)
        assert new_transport.calls == [(transport,)]
        assert transport.closed is False
        assert transport.app_data == {"foo": "bar"}
        assert transport.ice_role == "controlled"
        assert transport.ice_parameters["iceLite"] is True
        assert isinstance(transport.ice_parameters["usernameFragment"], str)
        assert isinstance(transport.ice_parameters["password"], str)
        assert transport.ice_state == "new"
        assert transport.ice_selected_tuple is None
        assert transport.dtls_state == "new"
        assert transport.dtls_remote_cert is None
        assert transport.dtls_parameters["role"] == "auto"
        assert len(transport.dtls_parameters["fingerprints"]) == 5
        assert transport.sctp_state == "new"
        assert transport.sctp_parameters is not None
        assert transport.sctp_parameters["port"] == 5000
        assert transport.sctp_parameters["OS"] == 2048
        assert transport.sctp_parameters["MIS"] == 2048
        assert transport.sctp_parameters["maxMessageSize"] == 1000000

        candidates = transport.ice_candidates
        assert len(candidates) == 4  # two IPs, UDP and TCP each
        assert {c["ip"] for c in candidates} == {"9.9.9.1", "127.0.0.1"}
        assert {c["protocol"] for c in candidates} == {"udp", "tcp"}
        for candidate in candidates:
            assert candidate["type"] == "host"
            if candidate["protocol"] == "tcp":
                assert candidate["tcpType"] == "passive"
        # The first IP's UDP candidate has the highest priority (preferUdp).
        first_udp = next(c for c in candidates if c["ip"] == "9.9.9.1" and c["protocol"] == "udp")
        assert first_udp["priority"] == max(c["priority"] for c in candidates)

        router_dump = await router.dump()
        assert router_dump["transportIds"] == [transport.id]

        dump = await transport.dump()
        assert COMMON_DUMP_KEYS <= set(dump)
        assert dump["id"] == transport.id
        assert dump["direct"] is False
        assert dump["producerIds"] == [] and dump["consumerIds"] == []
        assert dump["iceRole"] == transport.ice_role
        assert dump["iceParameters"] == transport.ice_parameters
        assert dump["iceCandidates"] == transport.ice_candidates
        assert dump["iceState"] == "new"
        assert dump["dtlsParameters"] == transport.dtls_parameters
        assert dump["dtlsState"] == "new"
        assert dump["sctpParameters"] == transport.sctp_parameters
        assert dump["sctpState"] == "new"
        assert dump["traceEventTypes"] == ""


async def test_create_webrtc_transport_defaults() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        assert transport.app_data == {}
        assert transport.sctp_parameters is None
        assert transport.sctp_state is None
        assert [c["protocol"] for c in transport.ice_candidates] == ["udp"]
        dump = await transport.dump()
        assert "sctpParameters" not in dump
        assert "sctpState" not in dump
        assert dump["maxMessageSize"] == 262144


async def test_create_webrtc_transport_wrong_arguments() -> None:
    async with worker_router() as (_worker, router):
        with pytest.raises(TypeError):
            await router.create_webrtc_transport()
        with pytest.raises(TypeError):
            await router.create_webrtc_transport(listen_ips=[])
        with pytest.raises(TypeError):
            await router.create_webrtc_transport(listen_ips=[123])
        with pytest.raises(TypeError):
            await router.create_webrtc_transport(listen_ips="127.0.0.1")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            await router.create_webrtc_transport(listen_ips=[{"announcedIp": "1.2.3.4"}])
        with pytest.raises(TypeError, match="appData"):
            await router.create_webrtc_transport(
                listen_ips=["127.0.0.1"],
                app_data="NOT-A-DICT",  # type: ignore[arg-type]
            )
        with pytest.raises(TypeError, match="numSctpStreams"):
            await router.create_webrtc_transport(
                listen_ips=["127.0.0.1"],
                enable_sctp=True,
                num_sctp_streams="foo",  # type: ignore[arg-type]
            )
        with pytest.raises(TypeError, match="enable_udp"):
            await router.create_webrtc_transport(listen_ips=["127.0.0.1"], enable_udp="yes")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            await router.create_webrtc_transport(listen_ips=["127.0.0.1"], foo=1)  # type: ignore[call-arg]
        assert (await router.dump())["transportIds"] == []


async def test_create_webrtc_transport_non_bindable_ip_fails() -> None:
    async with worker_router() as (_worker, router):
        with pytest.raises(MediasoupError):
            await router.create_webrtc_transport(listen_ips=["8.8.8.8"])


async def test_webrtc_transport_get_stats() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        stats = await transport.get_stats()
        assert isinstance(stats, list) and len(stats) == 1
        stat = stats[0]
        assert COMMON_STATS_KEYS <= set(stat)
        assert stat["type"] == "webrtc-transport"
        assert stat["transportId"] == transport.id
        assert isinstance(stat["timestamp"], (int, float))
        assert stat["iceRole"] == "controlled"
        assert stat["iceState"] == "new"
        assert stat["dtlsState"] == "new"
        assert "iceSelectedTuple" not in stat
        assert "sctpState" not in stat
        assert stat["bytesReceived"] == 0 and stat["bytesSent"] == 0


async def test_webrtc_transport_connect() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        assert await transport.connect(dtls_parameters=REMOTE_DTLS) is None
        # The remote is the DTLS client, so we are the server.
        assert transport.dtls_parameters["role"] == "server"
        with pytest.raises(MediasoupError):
            await transport.connect(dtls_parameters=REMOTE_DTLS)
        assert (await transport.dump())["dtlsParameters"]["role"] == "server"


async def test_webrtc_transport_connect_wrong_arguments() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        with pytest.raises(TypeError, match="dtlsParameters"):
            await transport.connect()
        wrong_algorithm = {
            "role": "client",
            "fingerprints": [{"algorithm": "sha-256000", "value": "82:5A"}],
        }
        with pytest.raises(TypeError):
            await transport.connect(dtls_parameters=wrong_algorithm)
        wrong_role = {**REMOTE_DTLS, "role": "chicken"}
        with pytest.raises(TypeError, match="role"):
            await transport.connect(dtls_parameters=wrong_role)
        no_fingerprints = {"role": "client", "fingerprints": []}
        with pytest.raises(TypeError, match="fingerprints"):
            await transport.connect(dtls_parameters=no_fingerprints)
        assert transport.dtls_parameters["role"] == "auto"
        # Still connectable.
        await transport.connect(dtls_parameters={**REMOTE_DTLS, "role": "server"})
        assert transport.dtls_parameters["role"] == "client"


async def test_webrtc_transport_bitrates_and_restart_ice() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        assert await transport.set_max_incoming_bitrate(100000) is None
        with pytest.raises(TypeError):
            await transport.set_max_incoming_bitrate("lot")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            await transport.set_max_outgoing_bitrate(-1)

        previous = dict(transport.ice_parameters)
        ice_parameters = await transport.restart_ice()
        assert ice_parameters is transport.ice_parameters
        assert ice_parameters["iceLite"] is True
        assert ice_parameters["usernameFragment"] != previous["usernameFragment"]
        assert ice_parameters["password"] != previous["password"]
        assert (await transport.dump())["iceParameters"] == ice_parameters


async def test_transport_enable_trace_event() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        await transport.enable_trace_event(["probation"])
        assert (await transport.dump())["traceEventTypes"] == "probation"
        # Unknown types are ignored by the worker.
        await transport.enable_trace_event(["probation", "FOO", "bwe", "BAR"])
        assert (await transport.dump())["traceEventTypes"] == "probation,bwe"
        await transport.enable_trace_event()
        assert (await transport.dump())["traceEventTypes"] == ""
        await transport.enable_trace_event(["bwe"])
        await transport.enable_trace_event([])
        assert (await transport.dump())["traceEventTypes"] == ""

        with pytest.raises(TypeError):
            await transport.enable_trace_event(123)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            await transport.enable_trace_event("probation")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            await transport.enable_trace_event(["probation", 123.123])  # type: ignore[list-item]


async def test_webrtc_transport_events() -> None:
    """Worker notifications update the state and are emitted (injected on the Channel)."""
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        channel = transport._channel  # private: inject notifications as the worker would

        ice = EventRecorder(transport, "icestatechange")
        observer_ice = EventRecorder(transport.observer, "icestatechange")
        channel.emit(transport.id, "icestatechange", {"iceState": "completed"})
        assert ice.calls == [("completed",)]
        assert observer_ice.calls == [("completed",)]
        assert transport.ice_state == "completed"

        selected_tuple = {
            "localIp": "127.0.0.1",
            "localPort": 10000,
            "remoteIp": "127.0.0.1",
            "remotePort": 20000,
            "protocol": "udp",
        }
        tuples = EventRecorder(transport, "iceselectedtuplechange")
        channel.emit(transport.id, "iceselectedtuplechange", {"iceSelectedTuple": selected_tuple})
        assert tuples.calls == [(selected_tuple,)]
        assert transport.ice_selected_tuple == selected_tuple

        dtls = EventRecorder(transport, "dtlsstatechange")
        channel.emit(transport.id, "dtlsstatechange", {"dtlsState": "connecting"})
        assert transport.dtls_state == "connecting"
        channel.emit(
            transport.id, "dtlsstatechange", {"dtlsState": "connected", "dtlsRemoteCert": "PEM"}
        )
        assert dtls.calls == [("connecting",), ("connected",)]
        assert transport.dtls_state == "connected"
        assert transport.dtls_remote_cert == "PEM"

        trace = EventRecorder(transport, "trace")
        observer_trace = EventRecorder(transport.observer, "trace")
        info = {"type": "bwe", "timestamp": 1, "direction": "out", "info": {}}
        channel.emit(transport.id, "trace", info)
        assert trace.calls == [(info,)] and observer_trace.calls == [(info,)]


async def test_webrtc_transport_close() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"], enable_sctp=True)
        observer_close = EventRecorder(transport.observer, "close")
        router_close = EventRecorder(transport, "routerclose")
        transport.close()
        assert transport.closed is True
        assert observer_close.count == 1
        assert router_close.count == 0
        assert transport.ice_state == "closed"
        assert transport.ice_selected_tuple is None
        assert transport.dtls_state == "closed"
        assert transport.sctp_state == "closed"
        transport.close()  # idempotent
        assert observer_close.count == 1
        assert (await router.dump())["transportIds"] == []

        for call in (
            transport.dump(),
            transport.get_stats(),
            transport.connect(dtls_parameters=REMOTE_DTLS),
            transport.set_max_incoming_bitrate(1000),
            transport.set_max_outgoing_bitrate(100000),
            transport.restart_ice(),
            transport.enable_trace_event(),
            transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters()),
            transport.consume(producer_id="x", rtp_capabilities=CONSUMER_RTP_CAPABILITIES),
            transport.produce_data(sctp_stream_parameters={"streamId": 1}),
            transport.consume_data(data_producer_id="x"),
        ):
            with pytest.raises(InvalidStateError):
                await call


async def test_transport_routerclose_on_router_or_worker_close() -> None:
    async with worker_router() as (worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        router_close = EventRecorder(transport, "routerclose")
        observer_close = EventRecorder(transport.observer, "close")
        router.close()
        assert transport.closed is True
        assert router_close.count == 1
        assert observer_close.count == 1
        assert transport.ice_state == "closed"

        router2 = await worker.create_router(media_codecs=[])
        transport2 = await router2.create_plain_transport(listen_ip="127.0.0.1")
        router_close2 = EventRecorder(transport2, "routerclose")
        worker.close()
        assert transport2.closed is True
        assert router_close2.count == 1
        with pytest.raises(InvalidStateError):
            await transport2.dump()


async def test_worker_death_closes_everything() -> None:
    async with worker_router() as (worker, router):
        transport = await router.create_direct_transport()
        producer = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        data_producer = await transport.produce_data()
        died = EventRecorder(worker, "died")
        router_close = EventRecorder(transport, "routerclose")
        transport_closes = [EventRecorder(o, "transportclose") for o in (producer, data_producer)]
        os.kill(worker.pid, signal.SIGKILL)
        await died.wait(1)
        assert router.closed and transport.closed and producer.closed and data_producer.closed
        assert router_close.count == 1
        assert [r.count for r in transport_closes] == [1, 1]
        for call in (transport.dump(), router.dump(), producer.get_stats()):
            with pytest.raises(InvalidStateError):
                await call
        with pytest.raises(InvalidStateError):
            data_producer.send("x")
        transport.close()  # still fine


async def test_pending_request_fails_when_the_worker_closes() -> None:
    async with worker_router() as (worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        pending = asyncio.ensure_future(transport.get_stats())
        await asyncio.sleep(0)
        worker.close()
        with pytest.raises(InvalidStateError):
            await pending


# --- PlainTransport ----------------------------------------------------------------


async def test_create_plain_transport_succeeds() -> None:
    async with worker_router() as (_worker, router):
        new_transport = EventRecorder(router.observer, "newtransport")
        transport = await router.create_plain_transport(
            listen_ip={"ip": "127.0.0.1", "announcedIp": "9.9.9.1"},
            rtcp_mux=False,
            enable_sctp=True,
            app_data={"foo": "bar"},
        )
        assert isinstance(transport, pymediasoup.PlainTransport)
        assert new_transport.calls == [(transport,)]
        assert transport.app_data == {"foo": "bar"}
        assert transport.tuple["localIp"] == "9.9.9.1"
        assert transport.tuple["protocol"] == "udp"
        assert isinstance(transport.tuple["localPort"], int)
        assert "remoteIp" not in transport.tuple
        assert transport.rtcp_tuple is not None
        assert transport.rtcp_tuple["localIp"] == "9.9.9.1"
        assert transport.rtcp_tuple["localPort"] != transport.tuple["localPort"]
        assert transport.sctp_state == "new"
        assert transport.sctp_parameters is not None
        assert transport.sctp_parameters["MIS"] == 1024
        assert transport.srtp_parameters is None

        dump = await transport.dump()
        assert COMMON_DUMP_KEYS <= set(dump)
        assert dump["id"] == transport.id
        assert dump["direct"] is False
        assert dump["rtcpMux"] is False
        assert dump["comedia"] is False
        assert dump["tuple"] == transport.tuple
        assert dump["rtcpTuple"] == transport.rtcp_tuple
        assert dump["sctpParameters"] == transport.sctp_parameters
        assert dump["sctpState"] == "new"
        assert "srtpParameters" not in dump

        transport2 = await router.create_plain_transport(listen_ip="127.0.0.1", comedia=True)
        assert transport2.rtcp_tuple is None
        assert transport2.sctp_parameters is None and transport2.sctp_state is None
        dump2 = await transport2.dump()
        assert dump2["rtcpMux"] is True and dump2["comedia"] is True
        assert "rtcpTuple" not in dump2


async def test_create_plain_transport_with_srtp() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_plain_transport(listen_ip="127.0.0.1", enable_srtp=True)
        assert transport.srtp_parameters is not None
        assert transport.srtp_parameters["cryptoSuite"] == "AES_CM_128_HMAC_SHA1_80"
        assert len(transport.srtp_parameters["keyBase64"]) == 40
        assert (await transport.dump())["srtpParameters"] == transport.srtp_parameters

        remote_srtp = {
            "cryptoSuite": "AES_CM_128_HMAC_SHA1_32",
            "keyBase64": "ZnQ3eWJraDg0d3ZoYzM5cXN1Y2pnaHU5NWxrZTVv",
        }
        with pytest.raises(TypeError):
            await transport.connect(ip="127.0.0.2", port=9999)  # SRTP enabled: key required
        with pytest.raises(TypeError):
            await transport.connect(
                ip="127.0.0.2",
                port=9999,
                srtp_parameters={
                    "cryptoSuite": "FOO",
                    "keyBase64": "ZnQ3eWJraDg0d3ZoYzM5cXN1Y2pnaHU5NWxrZTVv",
                },
            )
        await transport.connect(ip="127.0.0.2", port=9999, srtp_parameters=remote_srtp)
        # mediasoup's local parameters now use the remote's crypto suite.
        assert transport.srtp_parameters is not None
        assert transport.srtp_parameters["cryptoSuite"] == "AES_CM_128_HMAC_SHA1_32"
        assert transport.tuple["remoteIp"] == "127.0.0.2"
        assert transport.tuple["remotePort"] == 9999


async def test_create_plain_transport_wrong_arguments() -> None:
    async with worker_router() as (_worker, router):
        with pytest.raises(TypeError, match="listenIp"):
            await router.create_plain_transport()
        with pytest.raises(TypeError):
            await router.create_plain_transport(listen_ip=123)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            await router.create_plain_transport(listen_ip=["127.0.0.1"])  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="appData"):
            await router.create_plain_transport(listen_ip="127.0.0.1", app_data="NOT")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="srtp_crypto_suite"):
            await router.create_plain_transport(
                listen_ip="127.0.0.1", enable_srtp=True, srtp_crypto_suite="FOO"
            )
        with pytest.raises(TypeError, match="rtcp_mux"):
            await router.create_plain_transport(listen_ip="127.0.0.1", rtcp_mux=1)  # type: ignore[arg-type]
        with pytest.raises(MediasoupError):
            await router.create_plain_transport(listen_ip="8.8.8.8")


async def test_plain_transport_get_stats() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_plain_transport(listen_ip="127.0.0.1")
        stats = await transport.get_stats()
        assert len(stats) == 1
        stat = stats[0]
        assert COMMON_STATS_KEYS <= set(stat)
        assert stat["type"] == "plain-rtp-transport"
        assert stat["transportId"] == transport.id
        assert stat["rtcpMux"] is True
        assert stat["comedia"] is False
        assert stat["tuple"]["localIp"] == "127.0.0.1"
        assert "rtcpTuple" not in stat


async def test_plain_transport_connect() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_plain_transport(listen_ip="127.0.0.1", rtcp_mux=False)
        await transport.connect(ip="1.2.3.4", port=1234, rtcp_port=1235)
        assert transport.tuple["remoteIp"] == "1.2.3.4"
        assert transport.tuple["remotePort"] == 1234
        assert transport.tuple["protocol"] == "udp"
        assert transport.rtcp_tuple is not None
        assert transport.rtcp_tuple["remoteIp"] == "1.2.3.4"
        assert transport.rtcp_tuple["remotePort"] == 1235
        with pytest.raises(MediasoupError):
            await transport.connect(ip="1.2.3.4", port=1234, rtcp_port=1235)
        dump = await transport.dump()
        assert dump["tuple"] == transport.tuple
        assert dump["rtcpTuple"] == transport.rtcp_tuple


async def test_plain_transport_connect_wrong_arguments() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_plain_transport(listen_ip="127.0.0.1", rtcp_mux=False)
        with pytest.raises(TypeError):
            await transport.connect()  # ip and port are needed without comedia
        with pytest.raises(TypeError, match="ip"):
            await transport.connect(ip="::::1234", port=1234, rtcp_port=1235)
        with pytest.raises(TypeError):
            await transport.connect(ip="127.0.0.1", port=1234)  # rtcp_port needed
        with pytest.raises(TypeError, match="port"):
            await transport.connect(ip="127.0.0.1", port="1234", rtcp_port=1235)  # type: ignore[arg-type]

        muxed = await router.create_plain_transport(listen_ip="127.0.0.1")
        with pytest.raises(TypeError):
            await muxed.connect(ip="127.0.0.1", port=1234, rtcp_port=1235)  # rtcp_port with rtcpMux
        # A bad call does not leave the transport half connected.
        await muxed.connect(ip="127.0.0.1", port=1234)


async def test_plain_transport_events() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_plain_transport(listen_ip="127.0.0.1", comedia=True)
        channel = transport._channel
        remote = {
            "localIp": "127.0.0.1",
            "localPort": transport.tuple["localPort"],
            "remoteIp": "127.0.0.1",
            "remotePort": 5555,
            "protocol": "udp",
        }
        tuples = EventRecorder(transport, "tuple")
        observer_tuples = EventRecorder(transport.observer, "tuple")
        channel.emit(transport.id, "tuple", {"tuple": remote})
        assert tuples.calls == [(remote,)] and observer_tuples.calls == [(remote,)]
        assert transport.tuple == remote

        rtcp = EventRecorder(transport, "rtcptuple")
        channel.emit(transport.id, "rtcptuple", {"rtcpTuple": remote})
        assert rtcp.calls == [(remote,)]
        assert transport.rtcp_tuple == remote

        sctp = EventRecorder(transport, "sctpstatechange")
        channel.emit(transport.id, "sctpstatechange", {"sctpState": "connecting"})
        assert sctp.calls == [("connecting",)]
        assert transport.sctp_state == "connecting"


async def test_plain_transport_comedia_learns_tuple_from_first_packet() -> None:
    import socket

    async with worker_router() as (_worker, router):
        transport = await router.create_plain_transport(listen_ip="127.0.0.1", comedia=True)
        tuples = EventRecorder(transport, "tuple")
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind(("127.0.0.1", 0))
            local_port = sock.getsockname()[1]
            # Any RTP-looking datagram will do.
            packet = bytes([0x80, 0x6F, 0, 1]) + bytes(8) + bytes(10)
            sock.sendto(packet, ("127.0.0.1", transport.tuple["localPort"]))
            await tuples.wait(1)
        finally:
            sock.close()
        (tuple_,) = tuples.calls[0]
        assert tuple_["remoteIp"] == "127.0.0.1"
        assert tuple_["remotePort"] == local_port
        assert transport.tuple == tuple_


# --- PipeTransport ------------------------------------------------------------------


async def test_create_pipe_transport_succeeds() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_pipe_transport(
            listen_ip="127.0.0.1", enable_sctp=True, enable_rtx=True, app_data={"a": 1}
        )
        assert isinstance(transport, pymediasoup.PipeTransport)
        assert transport.app_data == {"a": 1}
        assert transport.tuple["localIp"] == "127.0.0.1"
        assert transport.sctp_state == "new"
        assert transport.sctp_parameters is not None
        assert transport.sctp_parameters["maxMessageSize"] == 268435456
        assert transport.srtp_parameters is None
        dump = await transport.dump()
        assert COMMON_DUMP_KEYS <= set(dump)
        assert dump["rtx"] is True
        assert dump["tuple"] == transport.tuple

        stats = await transport.get_stats()
        assert stats[0]["type"] == "pipe-transport"
        assert stats[0]["tuple"]["localIp"] == "127.0.0.1"

        srtp = await router.create_pipe_transport(listen_ip="127.0.0.1", enable_srtp=True)
        assert srtp.srtp_parameters is not None
        assert srtp.srtp_parameters["cryptoSuite"] == "AES_CM_128_HMAC_SHA1_80"
        assert (await srtp.dump())["rtx"] is False


async def test_pipe_transport_connect_and_wrong_arguments() -> None:
    async with worker_router() as (_worker, router):
        with pytest.raises(TypeError, match="listenIp"):
            await router.create_pipe_transport()
        with pytest.raises(TypeError):
            await router.create_pipe_transport(listen_ip="127.0.0.1", enable_rtx="yes")  # type: ignore[arg-type]

        a = await router.create_pipe_transport(listen_ip="127.0.0.1")
        b = await router.create_pipe_transport(listen_ip="127.0.0.1")
        with pytest.raises(TypeError, match="port"):
            await a.connect(ip="127.0.0.1")
        with pytest.raises(TypeError, match="ip"):
            await a.connect(port=b.tuple["localPort"])
        with pytest.raises(TypeError):
            await a.connect(
                ip="127.0.0.1",
                port=b.tuple["localPort"],
                srtp_parameters={"cryptoSuite": "AES_CM_128_HMAC_SHA1_80", "keyBase64": "x"},
            )  # SRTP not enabled
        await a.connect(ip="127.0.0.1", port=b.tuple["localPort"])
        assert a.tuple["remotePort"] == b.tuple["localPort"]
        assert a.tuple["remoteIp"] == "127.0.0.1"


async def test_pipe_transport_srtp_connect() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_pipe_transport(listen_ip="127.0.0.1", enable_srtp=True)
        assert transport.srtp_parameters is not None
        assert len(transport.srtp_parameters["keyBase64"]) == 40
        key = "ZnQ3eWJraDg0d3ZoYzM5cXN1Y2pnaHU5NWxrZTVv"
        for wrong in (
            None,  # missing, but SRTP is enabled
            1,
            {"keyBase64": key},
            {"cryptoSuite": "AES_CM_128_HMAC_SHA1_80"},
            {"cryptoSuite": "FOO", "keyBase64": key},
            {"cryptoSuite": 123, "keyBase64": key},
            {"cryptoSuite": "AES_CM_128_HMAC_SHA1_80", "keyBase64": []},
            {"cryptoSuite": "AES_CM_128_HMAC_SHA1_80", "keyBase64": "c2hvcnQ="},  # 5 bytes
        ):
            with pytest.raises(TypeError):
                await transport.connect(ip="127.0.0.2", port=9999, srtp_parameters=wrong)  # type: ignore[arg-type]
        await transport.connect(
            ip="127.0.0.2",
            port=9999,
            srtp_parameters={"cryptoSuite": "AES_CM_128_HMAC_SHA1_80", "keyBase64": key},
        )
        assert transport.tuple["remoteIp"] == "127.0.0.2"


# --- DirectTransport ----------------------------------------------------------------


async def test_create_direct_transport_succeeds() -> None:
    async with worker_router() as (_worker, router):
        new_transport = EventRecorder(router.observer, "newtransport")
        transport = await router.create_direct_transport(max_message_size=1024, app_data={"x": 1})
        assert isinstance(transport, pymediasoup.DirectTransport)
        assert new_transport.calls == [(transport,)]
        assert transport.app_data == {"x": 1}
        dump = await transport.dump()
        assert COMMON_DUMP_KEYS <= set(dump)
        assert dump["direct"] is True
        assert dump["maxMessageSize"] == 1024
        assert "sctpParameters" not in dump

        default = await router.create_direct_transport()
        assert (await default.dump())["maxMessageSize"] == 262144

        stats = await transport.get_stats()
        assert len(stats) == 1
        assert COMMON_STATS_KEYS <= set(stats[0])
        assert stats[0]["type"] == "direct-transport"
        assert stats[0]["transportId"] == transport.id

        assert await transport.connect() is None
        with pytest.raises(UnsupportedError):
            await transport.set_max_incoming_bitrate(100000)
        with pytest.raises(UnsupportedError):
            await transport.set_max_outgoing_bitrate(100000)


async def test_create_direct_transport_wrong_arguments() -> None:
    async with worker_router() as (_worker, router):
        with pytest.raises(TypeError, match="max_message_size"):
            await router.create_direct_transport(max_message_size="foo")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="max_message_size"):
            await router.create_direct_transport(max_message_size=-2000)
        with pytest.raises(TypeError, match="appData"):
            await router.create_direct_transport(app_data="NOT-A-DICT")  # type: ignore[arg-type]


async def test_direct_transport_rtcp() -> None:
    """send_rtcp() reaches the worker; counted in the transport's bytesReceived."""
    async with worker_router() as (_worker, router):
        transport = await router.create_direct_transport()
        # An empty Receiver Report (RFC 3550) from SSRC 1.
        rr = bytes([0x80, 201, 0, 1, 0, 0, 0, 1])
        transport.send_rtcp(rr)
        with pytest.raises(TypeError):
            transport.send_rtcp("not bytes")  # type: ignore[arg-type]
        await settle(0.2)
        stats = (await transport.get_stats())[0]
        assert stats["bytesReceived"] == len(rr)

        rtcp = EventRecorder(transport, "rtcp")
        transport._payload_channel.emit(transport.id, "rtcp", None, b"\x81\xc9\x00\x01")
        assert rtcp.calls == [(b"\x81\xc9\x00\x01",)]

        transport.close()
        with pytest.raises(InvalidStateError):
            transport.send_rtcp(rr)


# --- close cascades ----------------------------------------------------------------


async def test_transport_close_cascade() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"], enable_sctp=True)
        other = await router.create_webrtc_transport(listen_ips=["127.0.0.1"], enable_sctp=True)
        producer = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        consumer = await transport.consume(
            producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        remote_consumer = await other.consume(
            producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        data_producer = await transport.produce_data(sctp_stream_parameters={"streamId": 1})
        data_consumer = await transport.consume_data(data_producer_id=data_producer.id)
        remote_data_consumer = await other.consume_data(data_producer_id=data_producer.id)

        recorders = {
            obj: (EventRecorder(obj, "transportclose"), EventRecorder(obj.observer, "close"))
            for obj in (producer, consumer, data_producer, data_consumer)
        }
        producer_close = EventRecorder(remote_consumer, "producerclose")
        data_producer_close = EventRecorder(remote_data_consumer, "dataproducerclose")

        transport.close()
        for obj, (transport_close, observer_close) in recorders.items():
            assert obj.closed is True
            assert transport_close.count == 1, obj
            assert observer_close.count == 1, obj

        # The Producers' closure reaches other transports' consumers through the worker.
        await producer_close.wait(1)
        await data_producer_close.wait(1)
        assert remote_consumer.closed is True
        assert remote_data_consumer.closed is True
        assert (
            router.can_consume(producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES)
            is False
        )
        router_dump = await router.dump()
        assert router_dump["transportIds"] == [other.id]
        assert router_dump["mapProducerIdConsumerIds"] == {}
        assert router_dump["mapDataProducerIdDataConsumerIds"] == {}
        dump = await other.dump()
        assert dump["consumerIds"] == [] and dump["dataConsumerIds"] == []
