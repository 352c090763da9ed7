"""A Room: one Router on one Worker, its Peers and Broadcasters (mediasoup-demo's Room.js).

Every member's Producers are consumed by every other ready Peer. When the Room's worker
dies, the Room takes a Router on another worker and asks its Peers to reconnect
(``roomMoved``); Broadcasters are dropped (their RTP senders must start again).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..errors import MediasoupError
from .broadcaster import Broadcaster
from .peer import Member, Peer, SignalingError, background

if TYPE_CHECKING:
    from ..audio_level_observer import AudioLevelObserver
    from ..consumer import Consumer
    from ..producer import Producer
    from ..router import Router
    from ..transport import Transport
    from ..worker import Worker
    from .config import DemoConfig

logger = logging.getLogger("pymediasoup.demo")


def _summarize_stats(stats: list[dict[str, Any]], rtp_type: str) -> dict[str, Any]:
    """Sum the worker's RTP stream stats of one type ('outbound-rtp' or 'inbound-rtp')."""
    entries = [entry for entry in stats if entry.get("type") == rtp_type]
    summary: dict[str, Any] = {"bitrate": 0, "packetCount": 0, "byteCount": 0, "packetsLost": 0}
    for entry in entries:
        for key in summary:
            value = entry.get(key)
            if isinstance(value, (int, float)):
                summary[key] += value
    if entries:
        summary["fractionLost"] = max(entry.get("fractionLost", 0) or 0 for entry in entries)
        rtts = [entry["roundTripTime"] for entry in entries if entry.get("roundTripTime")]
        if rtts:
            summary["roundTripTime"] = max(rtts)
        summary["mimeType"] = entries[0].get("mimeType")
    return summary


class Room:
    """``Room(...)`` then ``await room.open()``; the server keeps one per room id."""

    def __init__(
        self,
        room_id: str,
        config: DemoConfig,
        get_worker: Callable[[], Awaitable[Worker]],
        on_close: Callable[[Room], None],
    ) -> None:
        self.id = room_id
        self.config = config
        self._get_worker = get_worker
        self._on_close = on_close
        self.worker: Worker | None = None
        self.router: Router | None = None
        self.audio_level_observer: AudioLevelObserver | None = None
        self.peers: dict[str, Peer] = {}
        self.broadcasters: dict[str, Broadcaster] = {}
        self.closed = False
        self.created_at = time.time()
        #: How many times the Room moved to another worker.
        self.moves = 0
        self._move_task: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Take a worker and create the Router (call once, after the constructor)."""
        await self._setup_router()
        logger.info("room %r created on worker pid %s", self.id, self.worker.pid)  # type: ignore[union-attr]

    async def _setup_router(self) -> None:
        worker = await self._get_worker()
        # Counted as this room's worker from now on (the pool spreads rooms by this).
        self.worker = worker
        router = await worker.create_router(
            media_codecs=[dict(codec) for codec in self.config.media_codecs],  # type: ignore[misc]
            app_data={"roomId": self.id},
        )
        observer = await router.create_audio_level_observer(
            max_entries=1, threshold=-70, interval=800
        )
        self.router, self.audio_level_observer = router, observer
        router.on("workerclose", lambda: self._on_worker_closed(router))
        observer.on("volumes", self._on_volumes)
        observer.on("silence", self._on_silence)

    # --- members -------------------------------------------------------------------

    def members(self) -> list[Member]:
        return [*self.peers.values(), *self.broadcasters.values()]

    def joined_members(self) -> list[Member]:
        return [m for m in self.members() if not isinstance(m, Peer) or m.joined]

    def member(self, member_id: str) -> Member | None:
        return self.peers.get(member_id) or self.broadcasters.get(member_id)

    @property
    def is_empty(self) -> bool:
        return not self.peers and not self.broadcasters

    def add_peer(self, peer: Peer) -> None:
        old = self.peers.get(peer.id)
        if old is not None:
            # The same tab reconnected (or a duplicate id): the old socket loses.
            logger.info("room %r: peer %s reconnected, closing its old session", self.id, peer.id)
            self.remove_peer(old, close_room_if_empty=False)
            background(old.ws.close())
        self.peers[peer.id] = peer

    def remove_peer(self, peer: Peer, *, close_room_if_empty: bool = True) -> None:
        """The peer left (socket closed or dropped): close its media, tell the others."""
        if self.peers.get(peer.id) is not peer:
            peer.close()
            return
        del self.peers[peer.id]
        was_joined = peer.joined
        num_transports = len(peer.transports)
        peer.close()
        if was_joined:
            logger.info(
                "room %r: peer %s left (%d transports closed, %d members remain)",
                self.id, peer.label(), num_transports, len(self.members()),
            )  # fmt: skip
            self._notify_all("peerClosed", {"peerId": peer.id}, exclude=peer)
        if close_room_if_empty and self.is_empty:
            self.close()

    # --- signaling -----------------------------------------------------------------

    async def handle_request(self, peer: Peer, method: str, data: dict[str, Any]) -> Any:
        """One request from a browser; the return value is the response's data."""
        if self.closed:
            raise SignalingError("room closed")
        handler = getattr(self, f"_on_{method}", None)
        if handler is None or method.startswith("_"):
            raise SignalingError(f"unknown method {method!r}")
        if method not in ("getRouterRtpCapabilities", "join", "createWebRtcTransport",
                          "connectWebRtcTransport") and not peer.joined:  # fmt: skip
            raise SignalingError("peer not joined yet")
        return await handler(peer, data)

    async def _on_getRouterRtpCapabilities(self, peer: Peer, data: dict[str, Any]) -> Any:
        return self._router().rtp_capabilities

    async def _on_join(self, peer: Peer, data: dict[str, Any]) -> Any:
        if peer.joined:
            raise SignalingError("peer already joined")
        display_name = data.get("displayName")
        if isinstance(display_name, str) and display_name.strip():
            peer.display_name = display_name.strip()[:64]
        device = data.get("device")
        if isinstance(device, dict):
            peer.device = {str(k): v for k, v in device.items() if isinstance(v, (str, int))}
        rtp_capabilities = data.get("rtpCapabilities")
        if not isinstance(rtp_capabilities, dict):
            raise SignalingError("missing rtpCapabilities")
        peer.rtp_capabilities = rtp_capabilities
        others = [m.info() for m in self.joined_members() if m is not peer]
        peer.joined = True
        peer.ready = True
        logger.info(
            "room %r: peer %s joined (%s, %d members, worker pid %s)",
            self.id, peer.label(), peer.device.get("name", "?"), len(self.joined_members()),
            self.worker.pid if self.worker else None,
        )  # fmt: skip
        self._notify_all("newPeer", peer.info(), exclude=peer)
        # After the response: the tab is told of the peers first, then gets their media.
        peer.spawn(self._consume_all_for(peer))
        return {"peers": others}

    async def _on_rejoin(self, peer: Peer, data: dict[str, Any]) -> Any:
        """After ``roomMoved``: the tab has new transports; send it everyone's media again."""
        peer.ready = True
        peer.spawn(self._consume_all_for(peer))
        return {"peers": [m.info() for m in self.joined_members() if m is not peer]}

    async def _on_changeDisplayName(self, peer: Peer, data: dict[str, Any]) -> Any:
        display_name = data.get("displayName")
        if not isinstance(display_name, str) or not display_name.strip():
            raise SignalingError("missing displayName")
        old, peer.display_name = peer.display_name, display_name.strip()[:64]
        logger.info("room %r: peer %s renamed from %r", self.id, peer.label(), old)
        self._notify_all(
            "peerDisplayNameChanged",
            {"peerId": peer.id, "displayName": peer.display_name, "oldDisplayName": old},
            exclude=peer,
        )
        return None

    async def _on_createWebRtcTransport(self, peer: Peer, data: dict[str, Any]) -> Any:
        router = self._router()
        producing = bool(data.get("producing"))
        consuming = bool(data.get("consuming"))
        transport = await router.create_webrtc_transport(
            listen_ips=[self.config.listen_ip],
            enable_udp=not data.get("forceTcp"),
            enable_tcp=True,
            prefer_udp=True,
            initial_available_outgoing_bitrate=self.config.initial_available_outgoing_bitrate,
            app_data={"producing": producing, "consuming": consuming, "peerId": peer.id},
        )
        self._add_transport(peer, transport)

        def on_dtls_state(state: str) -> None:
            if state in ("failed", "closed"):
                logger.warning(
                    "room %r: peer %s transport %s DTLS %s",
                    self.id, peer.label(), transport.id, state,
                )  # fmt: skip

        def on_ice_state(state: str) -> None:
            logger.debug(
                "room %r: peer %s transport %s ICE %s", self.id, peer.id, transport.id, state
            )

        transport.on("dtlsstatechange", on_dtls_state)
        transport.on("icestatechange", on_ice_state)
        if self.config.max_incoming_bitrate:
            try:
                await transport.set_max_incoming_bitrate(self.config.max_incoming_bitrate)
            except MediasoupError as exc:
                logger.debug("set_max_incoming_bitrate() failed: %s", exc)
        return {
            "id": transport.id,
            "iceParameters": transport.ice_parameters,
            "iceCandidates": transport.ice_candidates,
            "dtlsParameters": transport.dtls_parameters,
            "sctpParameters": transport.sctp_parameters,
        }

    def _add_transport(self, member: Member, transport: Transport) -> None:
        member.transports[transport.id] = transport
        transport.observer.on("close", lambda: member.transports.pop(transport.id, None))

    async def _on_connectWebRtcTransport(self, peer: Peer, data: dict[str, Any]) -> Any:
        transport = peer.transport(data.get("transportId"))
        await transport.connect(dtls_parameters=data.get("dtlsParameters"))
        return None

    async def _on_restartIce(self, peer: Peer, data: dict[str, Any]) -> Any:
        transport = peer.transport(data.get("transportId"))
        return await transport.restart_ice()  # type: ignore[attr-defined]

    async def _on_produce(self, peer: Peer, data: dict[str, Any]) -> Any:
        transport = peer.transport(data.get("transportId"))
        app_data = data.get("appData")
        if not isinstance(app_data, dict):
            app_data = {}
        producer = await self.produce(
            peer,
            transport,
            kind=data.get("kind"),
            rtp_parameters=data.get("rtpParameters"),
            paused=bool(data.get("paused", False)),
            app_data={**app_data, "peerId": peer.id},
        )
        return {"id": producer.id}

    async def _on_closeProducer(self, peer: Peer, data: dict[str, Any]) -> Any:
        producer = peer.producer(data.get("producerId"))
        producer.close()
        peer.producers.pop(producer.id, None)
        logger.info("room %r: peer %s closed its %s producer", self.id, peer.label(), producer.kind)
        return None

    async def _on_pauseProducer(self, peer: Peer, data: dict[str, Any]) -> Any:
        producer = peer.producer(data.get("producerId"))
        await producer.pause()
        logger.info("room %r: peer %s paused its %s", self.id, peer.label(), producer.kind)
        return None

    async def _on_resumeProducer(self, peer: Peer, data: dict[str, Any]) -> Any:
        producer = peer.producer(data.get("producerId"))
        await producer.resume()
        logger.info("room %r: peer %s resumed its %s", self.id, peer.label(), producer.kind)
        return None

    async def _on_pauseConsumer(self, peer: Peer, data: dict[str, Any]) -> Any:
        await peer.consumer(data.get("consumerId")).pause()
        return None

    async def _on_resumeConsumer(self, peer: Peer, data: dict[str, Any]) -> Any:
        await peer.consumer(data.get("consumerId")).resume()
        return None

    async def _on_requestConsumerKeyFrame(self, peer: Peer, data: dict[str, Any]) -> Any:
        await peer.consumer(data.get("consumerId")).request_key_frame()
        return None

    async def _on_getStats(self, peer: Peer, data: dict[str, Any]) -> Any:
        """The stats panel: a summary of each of the peer's consumers and producers."""
        return await self.stats_of(peer)

    async def stats_of(self, member: Member) -> dict[str, Any]:
        consumers = list(member.consumers.values())
        producers = list(member.producers.values())
        results = await asyncio.gather(
            *(c.get_stats() for c in consumers),
            *(p.get_stats() for p in producers),
            return_exceptions=True,
        )
        out: dict[str, Any] = {"consumers": {}, "producers": {}}
        for consumer, stats in zip(consumers, results[: len(consumers)], strict=True):
            summary = _summarize_stats(stats if isinstance(stats, list) else [], "outbound-rtp")
            summary.update(
                kind=consumer.kind,
                peerId=consumer.app_data.get("peerId"),
                producerId=consumer.producer_id,
                score=consumer.score,
                paused=consumer.paused,
                producerPaused=consumer.producer_paused,
            )
            out["consumers"][consumer.id] = summary
        for producer, stats in zip(producers, results[len(consumers) :], strict=True):
            summary = _summarize_stats(stats if isinstance(stats, list) else [], "inbound-rtp")
            summary.update(kind=producer.kind, score=producer.score, paused=producer.paused)
            out["producers"][producer.id] = summary
        return out

    # --- producing and consuming ------------------------------------------------------

    async def produce(
        self,
        member: Member,
        transport: Transport,
        *,
        kind: Any,
        rtp_parameters: Any,
        paused: bool = False,
        app_data: dict[str, Any] | None = None,
    ) -> Producer:
        """A member's new Producer, consumed by every other ready Peer."""
        if kind not in ("audio", "video"):
            raise SignalingError(f"invalid kind {kind!r}")
        if not isinstance(rtp_parameters, dict):
            raise SignalingError("missing rtpParameters")
        producer = await transport.produce(
            kind=kind, rtp_parameters=rtp_parameters, paused=paused, app_data=app_data or {}
        )
        member.producers[producer.id] = producer
        producer.observer.on("close", lambda: member.producers.pop(producer.id, None))
        codec = producer.rtp_parameters["codecs"][0]["mimeType"]
        logger.info(
            "room %r: %s %s produced %s (%s, %s) [producer:%s]",
            self.id, "broadcaster" if member.is_broadcaster else "peer", member.label(),
            kind, codec, producer.type, producer.id,
        )  # fmt: skip
        if isinstance(member, Peer):

            def on_score(score: list[dict[str, Any]]) -> None:
                member.spawn(
                    member.notify("producerScore", {"producerId": producer.id, "score": score})
                )

            producer.on("score", on_score)
        if kind == "audio" and self.audio_level_observer is not None:
            try:
                await self.audio_level_observer.add_producer(producer_id=producer.id)
            except MediasoupError as exc:
                logger.debug("audio level observer: %s", exc)
        for other in list(self.peers.values()):
            if other is not member and other.ready:
                other.spawn(self._create_consumer(other, member, producer))
        return producer

    async def _consume_all_for(self, peer: Peer) -> None:
        for member in self.joined_members():
            if member is peer:
                continue
            for producer in list(member.producers.values()):
                await self._create_consumer(peer, member, producer)

    async def _create_consumer(self, peer: Peer, owner: Member, producer: Producer) -> None:
        """mediasoup-demo's createConsumer(): paused, announced, then resumed."""
        if peer.closed or not peer.ready or producer.closed:
            return
        if producer.id in peer.consumed_producer_ids:
            return
        router = self._router()
        if peer.rtp_capabilities is None or not router.can_consume(
            producer_id=producer.id, rtp_capabilities=peer.rtp_capabilities
        ):
            logger.warning(
                "room %r: peer %s cannot consume %s's %s (no common codec)",
                self.id, peer.label(), owner.label(), producer.kind,
            )  # fmt: skip
            return
        transport = next((t for t in peer.transports.values() if t.app_data.get("consuming")), None)
        if transport is None:
            logger.warning("room %r: peer %s has no receiving transport", self.id, peer.label())
            return
        peer.consumed_producer_ids.add(producer.id)
        try:
            consumer = await transport.consume(
                producer_id=producer.id,
                rtp_capabilities=peer.rtp_capabilities,
                paused=True,
                app_data={"peerId": owner.id, "producerId": producer.id},
            )
        except Exception:
            peer.consumed_producer_ids.discard(producer.id)
            raise
        self._track_consumer(peer, consumer)
        logger.info(
            "room %r: peer %s consumes %s's %s [consumer:%s]",
            self.id, peer.label(), owner.label(), producer.kind, consumer.id,
        )  # fmt: skip
        try:
            await peer.request(
                "newConsumer",
                {
                    "peerId": owner.id,
                    "producerId": producer.id,
                    "id": consumer.id,
                    "kind": consumer.kind,
                    "rtpParameters": consumer.rtp_parameters,
                    "type": consumer.type,
                    "appData": producer.app_data,
                    "producerPaused": consumer.producer_paused,
                },
            )
        except SignalingError as exc:
            logger.warning(
                "room %r: peer %s did not take consumer %s: %s",
                self.id, peer.label(), consumer.id, exc,
            )  # fmt: skip
            consumer.close()
            return
        if consumer.closed:
            return
        await consumer.resume()
        await peer.notify("consumerScore", {"consumerId": consumer.id, "score": consumer.score})

    def _track_consumer(self, peer: Peer, consumer: Consumer) -> None:
        peer.consumers[consumer.id] = consumer

        def forget() -> None:
            peer.consumers.pop(consumer.id, None)
            peer.consumed_producer_ids.discard(consumer.producer_id)

        # Any close: ours, the transport's (the peer's own or a dead worker), the producer's.
        consumer.observer.on("close", forget)

        def on_producer_close() -> None:
            forget()
            peer.spawn(peer.notify("consumerClosed", {"consumerId": consumer.id}))

        consumer.on("producerclose", on_producer_close)
        consumer.on(
            "producerpause",
            lambda: peer.spawn(peer.notify("consumerPaused", {"consumerId": consumer.id})),
        )
        consumer.on(
            "producerresume",
            lambda: peer.spawn(peer.notify("consumerResumed", {"consumerId": consumer.id})),
        )
        consumer.on(
            "score",
            lambda score: peer.spawn(
                peer.notify("consumerScore", {"consumerId": consumer.id, "score": score})
            ),
        )
        consumer.on(
            "layerschange",
            lambda layers: peer.spawn(
                peer.notify("consumerLayersChanged", {"consumerId": consumer.id, **(layers or {})})
            ),
        )

    # --- broadcasters ---------------------------------------------------------------

    def add_broadcaster(self, broadcaster: Broadcaster) -> list[dict[str, Any]]:
        if self.member(broadcaster.id) is not None:
            raise SignalingError(f'broadcaster with id "{broadcaster.id}" already exists')
        others = [m.info() for m in self.joined_members()]
        self.broadcasters[broadcaster.id] = broadcaster
        logger.info("room %r: broadcaster %s joined", self.id, broadcaster.label())
        self._notify_all("newPeer", broadcaster.info())
        return others

    def remove_broadcaster(self, broadcaster_id: str) -> None:
        broadcaster = self.broadcasters.pop(broadcaster_id, None)
        if broadcaster is None:
            raise SignalingError(f'broadcaster with id "{broadcaster_id}" not found')
        broadcaster.close()
        logger.info("room %r: broadcaster %s left", self.id, broadcaster.label())
        self._notify_all("peerClosed", {"peerId": broadcaster.id})
        if self.is_empty:
            self.close()

    def broadcaster(self, broadcaster_id: str) -> Broadcaster:
        broadcaster = self.broadcasters.get(broadcaster_id)
        if broadcaster is None:
            raise SignalingError(f'broadcaster with id "{broadcaster_id}" not found')
        return broadcaster

    # --- active speaker -------------------------------------------------------------

    def _on_volumes(self, volumes: list[dict[str, Any]]) -> None:
        producer = volumes[0]["producer"]
        self._notify_all(
            "activeSpeaker",
            {"peerId": producer.app_data.get("peerId"), "volume": volumes[0]["volume"]},
        )

    def _on_silence(self) -> None:
        self._notify_all("activeSpeaker", {"peerId": None})

    # --- worker death -----------------------------------------------------------------

    def _on_worker_closed(self, router: Router) -> None:
        if self.closed or router is not self.router:
            return
        # Everything on the dead worker is closed already (mediasoup's cascade).
        self._move_task = asyncio.get_running_loop().create_task(self._move())

    async def _move(self) -> None:
        old_pid = self.worker.pid if self.worker else None
        self.worker = self.router = self.audio_level_observer = None
        for member in self.members():
            member.reset_media()
        for peer in self.peers.values():
            peer.ready = False
        for broadcaster_id in list(self.broadcasters):
            broadcaster = self.broadcasters.pop(broadcaster_id)
            broadcaster.close()
            logger.warning(
                "room %r: broadcaster %s dropped: its worker (pid %s) died; its sender must "
                "create it again",
                self.id, broadcaster.label(), old_pid,
            )  # fmt: skip
            self._notify_all("peerClosed", {"peerId": broadcaster.id})
        if not self.peers:
            logger.warning("room %r: worker pid %s died; room closed (no peers)", self.id, old_pid)
            self.close()
            return
        reason = f"the media worker (pid {old_pid}) died"
        try:
            await self._setup_router()
        except Exception as exc:  # noqa: BLE001
            logger.error(
                "room %r: %s and no other worker could take the room: %r", self.id, reason, exc
            )
            message = {"reason": f"{reason}; no other worker is available"}
            await asyncio.gather(*(p.notify("roomClosed", message) for p in self.peers.values()))
            self.close()
            return
        worker, router = self.worker, self.router
        if self.closed or worker is None or router is None:
            return
        self.moves += 1
        logger.warning(
            "room %r: %s; moved to worker pid %s, %d peers asked to reconnect",
            self.id, reason, worker.pid, len(self.peers),
        )  # fmt: skip
        self._notify_all(
            "roomMoved",
            {
                "reason": reason,
                "workerPid": worker.pid,
                "routerRtpCapabilities": router.rtp_capabilities,
            },
        )

    # --- helpers ----------------------------------------------------------------------

    def _router(self) -> Router:
        if self.router is None or self.router.closed:
            raise SignalingError("the room is moving to another media worker; retry shortly")
        return self.router

    def _notify_all(
        self, method: str, data: dict[str, Any], *, exclude: Member | None = None
    ) -> None:
        for peer in list(self.peers.values()):
            if peer is not exclude and peer.joined:
                peer.spawn(peer.notify(method, data))

    def close(self) -> None:
        """Close every member's media and the Router; peers' sockets are closed."""
        if self.closed:
            return
        self.closed = True
        logger.info("room %r closed", self.id)
        if self._move_task is not None and self._move_task is not asyncio.current_task():
            self._move_task.cancel()
        for peer in list(self.peers.values()):
            peer.close()
            background(peer.ws.close())
        self.peers.clear()
        for broadcaster in list(self.broadcasters.values()):
            broadcaster.close()
        self.broadcasters.clear()
        if self.router is not None:
            self.router.close()
        self._on_close(self)

    def info(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "workerPid": self.worker.pid if self.worker else None,
            "routerId": self.router.id if self.router else None,
            "peers": [m.info() for m in self.joined_members()],
            "moves": self.moves,
        }
