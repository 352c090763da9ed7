"""A worker killed mid-call: its rooms move to a live (or restarted) worker, and their peers
are told (``roomMoved``) and reconnect."""

from __future__ import annotations

import os
import signal

import aiohttp

from .client import clients, eventually, running_demo


async def test_killed_worker_room_moves_and_peers_reconnect() -> None:
    async with (
        running_demo(num_workers=1) as (server, url),
        clients(url, "call", "Alice", "Bob") as (a, b),
    ):
        await a.join()
        await a.produce("audio")
        await a.produce("video")
        await b.join()
        await b.produce("audio")
        await b.wait_for("newConsumer", count=2)
        await a.wait_for("newConsumer", count=1)
        room = server.rooms["call"]
        old_worker, old_router = room.worker, room.router

        os.kill(old_worker.pid, signal.SIGKILL)

        moved_a = (await a.wait_for("roomMoved", timeout=20))[0]
        moved_b = (await b.wait_for("roomMoved", timeout=20))[0]
        assert old_router.closed and old_worker.died
        assert moved_a["workerPid"] == moved_b["workerPid"] == room.worker.pid != old_worker.pid
        assert str(old_worker.pid) in moved_a["reason"]
        assert moved_a["routerRtpCapabilities"] == old_router.rtp_capabilities
        assert server.pool.deaths == [old_worker.pid]
        # The pool replaced the dead worker.
        await eventually(lambda: len(server.pool.alive()) == 1)
        assert server.pool.alive()[0] is room.worker
        # The peers stay in the room; their media is gone until they reconnect.
        assert set(room.peers) == {"peer-alice", "peer-bob"}
        assert all(not p.transports and not p.producers for p in room.peers.values())
        assert not a.received("peerClosed") and not b.received("peerClosed")

        # They reconnect as app.js does: new transports, rejoin, produce again.
        await a.rebuild_after_move()
        await b.rebuild_after_move()
        await b.wait_for("newConsumer", count=4)  # 2 before, 2 after
        await a.wait_for("newConsumer", count=2)
        dump = await room.router.dump()
        assert len(dump["transportIds"]) == 4
        assert set(dump["mapProducerIdConsumerIds"]) == {
            *a.producers.values(),
            *b.producers.values(),
        }
        assert all(len(ids) == 1 for ids in dump["mapProducerIdConsumerIds"].values())

        async with aiohttp.ClientSession() as session:
            async with session.get(url + "api/rooms") as response:
                info = await response.json()
        assert info["rooms"][0]["moves"] == 1
        assert info["rooms"][0]["workerPid"] == room.worker.pid


async def test_rooms_of_a_dead_worker_move_to_a_live_one() -> None:
    async with running_demo(num_workers=2) as (server, url):
        async with clients(url, "x", "Alice") as (a,), clients(url, "y", "Bob") as (b,):
            await a.join()
            await b.join()
            x, y = server.rooms["x"], server.rooms["y"]
            assert x.worker is not y.worker
            survivor = y.worker
            os.kill(x.worker.pid, signal.SIGKILL)
            moved = (await a.wait_for("roomMoved", timeout=20))[0]
            # The live worker takes it at once (the dead one's replacement is still starting
            # or already there; either way the room runs on a live worker).
            assert moved["workerPid"] in {w.pid for w in server.pool.alive()}
            assert not b.received("roomMoved") and y.worker is survivor
            await a.rebuild_after_move()
            assert len((await x.router.dump())["transportIds"]) == 2
            await eventually(lambda: len(server.pool.alive()) == 2)


async def test_broadcasters_are_dropped_when_their_worker_dies() -> None:
    async with running_demo(num_workers=1) as (server, url), clients(url, "bw", "Viewer") as (v,):
        await v.join()
        async with aiohttp.ClientSession() as session:
            body = {"id": "ff", "displayName": "FF", "device": {"name": "FFmpeg"}}
            async with session.post(url + "rooms/bw/broadcasters", json=body) as response:
                assert response.status == 200
        await v.wait_for("newPeer")
        room = server.rooms["bw"]
        os.kill(room.worker.pid, signal.SIGKILL)
        await v.wait_for("roomMoved", timeout=20)
        assert (await v.wait_for("peerClosed"))[0]["peerId"] == "ff"
        assert not room.broadcasters
