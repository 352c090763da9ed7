"""Join, produce, consume, pause, stats and leave over the WebSocket, against real workers."""

from __future__ import annotations

import aiohttp
import pytest

from .client import Client, SignalingError, clients, eventually, running_demo


async def _transport_ids(server, room_id: str) -> set[str]:
    dump = await server.rooms[room_id].router.dump()
    return set(dump["transportIds"])


async def test_join_produce_consume_and_router_dump() -> None:
    async with running_demo() as (server, url), clients(url, "r1", "Alice", "Bob") as (a, b):
        assert await a.join() == []
        audio_id = await a.produce("audio")
        video_id = await a.produce("video")

        peers = await b.join()
        assert peers == [
            {
                "id": "peer-alice",
                "displayName": "Alice",
                "device": {"flag": "test", "name": "python"},
            }
        ]
        new_peer = await a.wait_for("newPeer")
        assert new_peer[0]["id"] == "peer-bob" and new_peer[0]["displayName"] == "Bob"

        # Bob is asked to set up a Consumer for each of Alice's Producers.
        offers = await b.wait_for("newConsumer", count=2)
        assert {o["producerId"] for o in offers} == {audio_id, video_id}
        assert {o["kind"] for o in offers} == {"audio", "video"}
        assert all(o["peerId"] == "peer-alice" for o in offers)
        video_offer = next(o for o in offers if o["kind"] == "video")
        assert video_offer["rtpParameters"]["codecs"][0]["mimeType"] == "video/VP8"
        assert video_offer["rtpParameters"]["encodings"][0]["ssrc"]
        # Once accepted, the server resumes them and sends their scores.
        await b.wait_for("consumerScore", count=2)

        # Bob produces: Alice consumes him.
        bob_audio = await b.produce("audio")
        offers = await a.wait_for("newConsumer")
        assert offers[0]["producerId"] == bob_audio and offers[0]["peerId"] == "peer-bob"

        room = server.rooms["r1"]
        dump = await room.router.dump()
        peers_transports = {
            a.send_transport_id,
            a.recv_transport_id,
            b.send_transport_id,
            b.recv_transport_id,
        }
        assert set(dump["transportIds"]) == peers_transports
        assert set(dump["mapProducerIdConsumerIds"]) == {audio_id, video_id, bob_audio}
        assert len(dump["mapProducerIdConsumerIds"][video_id]) == 1
        consumers = room.peers["peer-bob"].consumers
        assert {c.producer_id for c in consumers.values()} == {audio_id, video_id}
        assert all(not c.paused for c in consumers.values())

        async with aiohttp.ClientSession() as session:
            async with session.get(url + "api/rooms") as response:
                info = await response.json()
        assert [r["id"] for r in info["rooms"]] == ["r1"]
        assert {p["displayName"] for p in info["rooms"][0]["peers"]} == {"Alice", "Bob"}


async def test_leaving_closes_transports_and_tells_the_others() -> None:
    async with running_demo() as (server, url), clients(url, "r2", "Alice", "Bob") as (a, b):
        await a.join()
        await b.join()
        bob_video = await b.produce("video")
        offer = (await a.wait_for("newConsumer"))[0]
        assert offer["producerId"] == bob_video
        room = server.rooms["r2"]
        assert len(await _transport_ids(server, "r2")) == 4

        await b.close()  # the tab closes: its socket goes
        closed = await a.wait_for("peerClosed")
        assert closed[0]["peerId"] == "peer-bob"
        consumer_closed = await a.wait_for("consumerClosed")
        assert consumer_closed[0]["consumerId"] == offer["id"]
        assert await _transport_ids(server, "r2") == {a.send_transport_id, a.recv_transport_id}
        assert "peer-bob" not in room.peers
        dump = await room.router.dump()
        assert dump["mapProducerIdConsumerIds"] == {}

        # The last one out closes the room (and its Router).
        router = room.router
        await a.close()
        await eventually(lambda: "r2" not in server.rooms)
        assert router.closed and room.closed


async def test_pause_resume_own_producer_reaches_consumers() -> None:
    async with running_demo() as (server, url), clients(url, "r3", "Alice", "Bob") as (a, b):
        await a.join()
        mic = await a.produce("audio")
        await b.join()
        offer = (await b.wait_for("newConsumer"))[0]

        await a.request("pauseProducer", {"producerId": mic})
        paused = await b.wait_for("consumerPaused")
        assert paused[0]["consumerId"] == offer["id"]
        assert server.rooms["r3"].peers["peer-alice"].producers[mic].paused

        await a.request("resumeProducer", {"producerId": mic})
        resumed = await b.wait_for("consumerResumed")
        assert resumed[0]["consumerId"] == offer["id"]

        # A producer created paused is consumed with producerPaused set.
        await a.request("closeProducer", {"producerId": mic})
        closed = await b.wait_for("consumerClosed")
        assert closed[0]["consumerId"] == offer["id"]


async def test_stats_panel_request() -> None:
    async with running_demo() as (server, url), clients(url, "r4", "Alice", "Bob") as (a, b):
        await a.join()
        await a.produce("audio")
        await a.produce("video")
        await b.join()
        offers = await b.wait_for("newConsumer", count=2)
        await b.wait_for("consumerScore", count=2)
        stats = await b.request("getStats")
        assert set(stats["consumers"]) == {o["id"] for o in offers}
        for summary in stats["consumers"].values():
            assert summary["peerId"] == "peer-alice"
            assert summary["kind"] in ("audio", "video")
            assert {"score", "producerScore"} <= set(summary["score"])
            for key in ("bitrate", "packetCount", "packetsLost", "byteCount"):
                assert isinstance(summary[key], int | float)
        own = await a.request("getStats")
        assert set(own["producers"]) == set(a.producers.values())
        assert own["consumers"] == {}


async def test_requests_are_checked() -> None:
    async with running_demo() as (server, url), clients(url, "r5", "Alice") as (a,):
        with pytest.raises(SignalingError, match="not joined"):
            await a.request("produce", {"transportId": "x", "kind": "audio", "rtpParameters": {}})
        with pytest.raises(SignalingError, match="unknown method"):
            await a.request("noSuchThing")
        await a.join()
        with pytest.raises(SignalingError, match="already joined"):
            await a.join()
        with pytest.raises(SignalingError, match="not found"):
            await a.request("connectWebRtcTransport", {"transportId": "nope", "dtlsParameters": {}})
        with pytest.raises(SignalingError, match="invalid kind"):
            await a.request(
                "produce", {"transportId": a.send_transport_id, "kind": "x", "rtpParameters": {}}
            )
        with pytest.raises(SignalingError):
            await a.request(
                "produce",
                {
                    "transportId": a.send_transport_id,
                    "kind": "audio",
                    "rtpParameters": {"codecs": "bad"},
                },
            )
        # Still usable after errors.
        assert await a.produce("audio")


async def test_refused_consumer_is_closed() -> None:
    async with running_demo() as (server, url), clients(url, "r6", "Alice", "Bob") as (a, b):
        b.refuse = lambda method, data: "no thanks" if method == "newConsumer" else None
        await b.join()
        await a.join()
        await a.produce("audio")
        await b.wait_for("newConsumer")
        room = server.rooms["r6"]
        await eventually(lambda: not room.peers["peer-bob"].consumers)
        dump = await room.router.dump()
        assert all(not ids for ids in dump["mapProducerIdConsumerIds"].values())


async def test_same_peer_id_reconnecting_replaces_the_old_session() -> None:
    async with running_demo() as (server, url), clients(url, "r7", "Alice", "Bob") as (a, b):
        await a.join()
        await b.join()
        await a.produce("audio")
        await b.wait_for("newConsumer")
        old_transports = {b.send_transport_id, b.recv_transport_id}
        again = Client(url, "r7", "peer-bob", "Bob again")
        try:
            await again.connect()
            await again.join()
            await eventually(lambda: b.ws is not None and b.ws.closed)
            assert (await a.wait_for("peerClosed"))[0]["peerId"] == "peer-bob"
            assert (await a.wait_for("newPeer", count=2))[-1]["displayName"] == "Bob again"
            ids = await _transport_ids(server, "r7")
            assert not (old_transports & ids)
            await again.wait_for("newConsumer")
        finally:
            await again.close()


async def test_rooms_are_spread_over_workers() -> None:
    async with running_demo(num_workers=2) as (server, url):
        async with clients(url, "one", "Alice") as (a,), clients(url, "two", "Bob") as (b,):
            await a.join()
            await b.join()
            pids = {server.rooms["one"].worker.pid, server.rooms["two"].worker.pid}
            assert len(pids) == 2
            assert pids == {w.pid for w in server.pool.alive()}


async def test_pages_are_served() -> None:
    async with running_demo() as (server, url), aiohttp.ClientSession() as session:
        async with session.get(url + "?room=abc") as response:
            assert response.status == 200
            page = await response.text()
        assert '<script src="/static/app.bundle.js">' in page
        async with session.get(url + "static/style.css") as response:
            assert response.status == 200
        async with session.get(url + "static/app.bundle.js") as response:
            # Built by `pymediasoup-demo` on first start; without it, a clear 503.
            assert response.status in (200, 503)
        async with session.get(
            url + "ws", params={"roomId": "bad room!", "peerId": "x"}
        ) as response:
            assert response.status == 400
