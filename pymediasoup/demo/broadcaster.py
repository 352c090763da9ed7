"""Broadcasters: members that join over HTTP (mediasoup-demo's broadcaster API), so that
ffmpeg or GStreamer can send RTP into a room through PlainTransports.

    GET    /rooms/{roomId}                                          router RTP capabilities
    POST   /rooms/{roomId}/broadcasters                             {id, displayName, device, rtpCapabilities?}
    DELETE /rooms/{roomId}/broadcasters/{broadcasterId}
    POST   /rooms/{roomId}/broadcasters/{broadcasterId}/transports  {type: "plain"|"webrtc", comedia, rtcpMux}
    POST   .../transports/{transportId}/connect                     plain {ip, port, rtcpPort} | webrtc {dtlsParameters}
    POST   .../transports/{transportId}/producers                   {kind, rtpParameters, paused?} -> {id}
    POST   .../transports/{transportId}/consume?producerId=ID       -> the Consumer's parameters (paused)
    POST   .../transports/{transportId}/consume/resume?consumerId=ID

Errors come back as ``{"error": "..."}`` with 400 (bad request), 404 (unknown id) or 500.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .peer import Member, SignalingError

if TYPE_CHECKING:
    from aiohttp import web

    from .room import Room

logger = logging.getLogger("pymediasoup.demo")


class Broadcaster(Member):
    """A member without a socket: everything it does comes in as an HTTP request."""

    @property
    def is_broadcaster(self) -> bool:
        return True

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.close_media()


class NotFound(SignalingError):
    """An unknown room member, transport, producer or consumer id (HTTP 404)."""


def add_broadcaster_routes(
    app: web.Application,
    get_room: Callable[[str], Awaitable[Room]],
    find_room: Callable[[str], Room | None],
) -> None:
    """Register the broadcaster API on ``app``.

    ``get_room`` creates the room when needed (as mediasoup-demo does for any /rooms/ URL);
    ``find_room`` only looks one up.
    """
    from aiohttp import web

    def handler(
        fn: Callable[..., Awaitable[Any]],
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def wrapped(request: web.Request) -> web.Response:
            try:
                body: dict[str, Any] = {}
                if request.can_read_body:
                    body = await request.json()
                    if not isinstance(body, dict):
                        raise SignalingError("the body must be a JSON object")
                result = await fn(request, body)
            except json.JSONDecodeError:
                return web.json_response({"error": "the body is not JSON"}, status=400)
            except NotFound as exc:
                return web.json_response({"error": str(exc)}, status=404)
            except (SignalingError, TypeError, ValueError) as exc:
                logger.warning("broadcaster API %s %s: %s", request.method, request.path, exc)
                return web.json_response({"error": str(exc)}, status=400)
            except Exception as exc:  # noqa: BLE001 - reported to the caller and logged
                logger.error("broadcaster API %s %s: %r", request.method, request.path, exc)
                return web.json_response({"error": str(exc)}, status=500)
            return web.json_response(result if result is not None else {})

        return wrapped

    async def room_of(request: web.Request, *, create: bool = False) -> Room:
        room_id = request.match_info["roomId"]
        if create:
            return await get_room(room_id)
        room = find_room(room_id)
        if room is None:
            raise NotFound(f'room "{room_id}" not found')
        return room

    def broadcaster_of(room: Room, request: web.Request) -> Broadcaster:
        broadcaster = room.broadcasters.get(request.match_info["broadcasterId"])
        if broadcaster is None:
            raise NotFound(f'broadcaster "{request.match_info["broadcasterId"]}" not found')
        return broadcaster

    def transport_of(broadcaster: Broadcaster, request: web.Request) -> Any:
        transport = broadcaster.transports.get(request.match_info["transportId"])
        if transport is None:
            raise NotFound(f'transport "{request.match_info["transportId"]}" not found')
        return transport

    async def get_rtp_capabilities(request: web.Request, body: dict[str, Any]) -> Any:
        room = await room_of(request, create=True)
        return room._router().rtp_capabilities

    async def create_broadcaster(request: web.Request, body: dict[str, Any]) -> Any:
        broadcaster_id = body.get("id")
        if not isinstance(broadcaster_id, str) or not broadcaster_id:
            raise SignalingError("missing id")
        display_name = body.get("displayName")
        if not isinstance(display_name, str) or not display_name:
            raise SignalingError("missing displayName")
        device = body.get("device")
        if not isinstance(device, dict) or not isinstance(device.get("name"), str):
            raise SignalingError("missing device.name")
        rtp_capabilities = body.get("rtpCapabilities")
        if rtp_capabilities is not None and not isinstance(rtp_capabilities, dict):
            raise SignalingError("rtpCapabilities must be an object")
        room = await room_of(request, create=True)
        broadcaster = Broadcaster(
            broadcaster_id,
            display_name[:64],
            {"flag": "broadcaster", "name": device["name"][:64], "version": device.get("version")},
        )
        broadcaster.rtp_capabilities = rtp_capabilities
        peers = room.add_broadcaster(broadcaster)
        return {"peers": peers}

    async def delete_broadcaster(request: web.Request, body: dict[str, Any]) -> Any:
        room = await room_of(request)
        broadcaster_of(room, request)
        room.remove_broadcaster(request.match_info["broadcasterId"])
        return None

    async def create_transport(request: web.Request, body: dict[str, Any]) -> Any:
        room = await room_of(request)
        broadcaster = broadcaster_of(room, request)
        router = room._router()
        kind = body.get("type", "plain")
        if kind == "webrtc":
            webrtc_transport = await router.create_webrtc_transport(
                listen_ips=[room.config.listen_ip],
                enable_udp=True,
                enable_tcp=True,
                prefer_udp=True,
                initial_available_outgoing_bitrate=room.config.initial_available_outgoing_bitrate,
                app_data={"broadcasterId": broadcaster.id},
            )
            room._add_transport(broadcaster, webrtc_transport)
            return {
                "id": webrtc_transport.id,
                "iceParameters": webrtc_transport.ice_parameters,
                "iceCandidates": webrtc_transport.ice_candidates,
                "dtlsParameters": webrtc_transport.dtls_parameters,
                "sctpParameters": webrtc_transport.sctp_parameters,
            }
        if kind != "plain":
            raise SignalingError(f'invalid type "{kind}" (plain or webrtc)')
        comedia = body.get("comedia", True)
        rtcp_mux = body.get("rtcpMux", False)
        if not isinstance(comedia, bool) or not isinstance(rtcp_mux, bool):
            raise SignalingError("comedia and rtcpMux must be booleans")
        transport = await router.create_plain_transport(
            listen_ip=room.config.listen_ip,
            rtcp_mux=rtcp_mux,
            comedia=comedia,
            app_data={"broadcasterId": broadcaster.id},
        )
        room._add_transport(broadcaster, transport)
        logger.info(
            "room %r: broadcaster %s created a PlainTransport on %s:%s",
            room.id, broadcaster.label(), room.config.public_ip, transport.tuple["localPort"],
        )  # fmt: skip
        rtcp_tuple = transport.rtcp_tuple
        return {
            "id": transport.id,
            "ip": room.config.public_ip,
            "port": transport.tuple["localPort"],
            "rtcpPort": rtcp_tuple["localPort"] if rtcp_tuple else None,
        }

    async def connect_transport(request: web.Request, body: dict[str, Any]) -> Any:
        room = await room_of(request)
        transport = transport_of(broadcaster_of(room, request), request)
        if "dtlsParameters" in body:
            await transport.connect(dtls_parameters=body["dtlsParameters"])
        else:
            await transport.connect(
                ip=body.get("ip"), port=body.get("port"), rtcp_port=body.get("rtcpPort")
            )
        return None

    async def create_producer(request: web.Request, body: dict[str, Any]) -> Any:
        room = await room_of(request)
        broadcaster = broadcaster_of(room, request)
        transport = transport_of(broadcaster, request)
        app_data = body.get("appData")
        if not isinstance(app_data, dict):
            app_data = {}
        producer = await room.produce(
            broadcaster,
            transport,
            kind=body.get("kind"),
            rtp_parameters=body.get("rtpParameters"),
            paused=bool(body.get("paused", False)),
            app_data={**app_data, "peerId": broadcaster.id},
        )
        return {"id": producer.id}

    async def create_consumer(request: web.Request, body: dict[str, Any]) -> Any:
        room = await room_of(request)
        broadcaster = broadcaster_of(room, request)
        transport = transport_of(broadcaster, request)
        producer_id = request.query.get("producerId")
        if not producer_id:
            raise SignalingError("missing producerId")
        if broadcaster.rtp_capabilities is None:
            raise SignalingError("the broadcaster gave no rtpCapabilities")
        if not room._router().can_consume(
            producer_id=producer_id, rtp_capabilities=broadcaster.rtp_capabilities
        ):
            raise SignalingError(f'cannot consume producer "{producer_id}"')
        consumer = await transport.consume(
            producer_id=producer_id, rtp_capabilities=broadcaster.rtp_capabilities, paused=True
        )
        broadcaster.consumers[consumer.id] = consumer
        consumer.observer.on("close", lambda: broadcaster.consumers.pop(consumer.id, None))
        logger.info(
            "room %r: broadcaster %s consumes producer %s",
            room.id,
            broadcaster.label(),
            producer_id,
        )
        return {
            "id": consumer.id,
            "producerId": producer_id,
            "kind": consumer.kind,
            "rtpParameters": consumer.rtp_parameters,
            "type": consumer.type,
        }

    async def resume_consumer(request: web.Request, body: dict[str, Any]) -> Any:
        room = await room_of(request)
        broadcaster = broadcaster_of(room, request)
        consumer_id = request.query.get("consumerId", "")
        consumer = broadcaster.consumers.get(consumer_id)
        if consumer is None:
            raise NotFound(f'consumer "{consumer_id}" not found')
        await consumer.resume()
        return None

    async def get_broadcaster_stats(request: web.Request, body: dict[str, Any]) -> Any:
        room = await room_of(request)
        return await room.stats_of(broadcaster_of(room, request))

    base = "/rooms/{roomId}/broadcasters/{broadcasterId}"
    app.router.add_get("/rooms/{roomId}", handler(get_rtp_capabilities))
    app.router.add_post("/rooms/{roomId}/broadcasters", handler(create_broadcaster))
    app.router.add_delete(base, handler(delete_broadcaster))
    app.router.add_get(f"{base}/stats", handler(get_broadcaster_stats))
    app.router.add_post(f"{base}/transports", handler(create_transport))
    app.router.add_post(f"{base}/transports/{{transportId}}/connect", handler(connect_transport))
    app.router.add_post(f"{base}/transports/{{transportId}}/producers", handler(create_producer))
    app.router.add_post(f"{base}/transports/{{transportId}}/consume", handler(create_consumer))
    app.router.add_post(
        f"{base}/transports/{{transportId}}/consume/resume", handler(resume_consumer)
    )
