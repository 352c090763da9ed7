"""The demo's aiohttp server: pages, the WebSocket signaling, the broadcaster API, and the
pool of workers that rooms are spread over.

    GET /                 the app (index.html); the room is in the URL: /?room=xyz
    GET /static/...       app.bundle.js (built by esbuild), style.css
    GET /ws?roomId=&peerId=   signaling WebSocket (see peer.py for the messages)
    GET /api/rooms        the rooms, their workers and members (JSON, for people and tests)
    /rooms/...            the broadcaster API (see broadcaster.py)
"""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import ssl
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

import pymediasoup

from ..worker import Worker
from .broadcaster import add_broadcaster_routes
from .bundle import STATIC_DIR, bundle_path
from .config import DemoConfig
from .peer import Peer, drain_background
from .room import Room

logger = logging.getLogger("pymediasoup.demo")

_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
#: How long a room waits for a worker when none is alive (they are being restarted).
WORKER_WAIT_TIMEOUT = 15.0


class WorkerPool:
    """N workers; a worker that dies is replaced by a new one in its slot."""

    def __init__(self, config: DemoConfig) -> None:
        self.config = config
        self.workers: list[Worker | None] = []
        self.closed = False
        self._changed = asyncio.Condition()
        self._tasks: set[asyncio.Task[Any]] = set()
        #: Pids of workers that died, in order (for logs and tests).
        self.deaths: list[int] = []

    async def start(self) -> None:
        n = self.config.num_workers
        self.workers = list(await asyncio.gather(*(self._spawn(i) for i in range(n))))
        logger.info(
            "%d media worker(s) running, pids %s",
            n, ", ".join(str(w.pid) for w in self.workers if w),
        )  # fmt: skip

    async def _spawn(self, index: int) -> Worker:
        config = self.config
        worker = await pymediasoup.create_worker(
            log_level=config.worker_log_level,
            log_tags=list(config.worker_log_tags),
            rtc_min_port=config.rtc_min_port,
            rtc_max_port=config.rtc_max_port,
            dtls_certificate_file=config.dtls_certificate_file,
            dtls_private_key_file=config.dtls_private_key_file,
            app_data={"index": index},
        )
        worker.on("died", lambda error: self._on_died(index, worker, error))
        return worker

    def _on_died(self, index: int, worker: Worker, error: BaseException) -> None:
        logger.error("media worker pid %s died (%s); starting a new one", worker.pid, error)
        self.deaths.append(worker.pid)
        if index < len(self.workers) and self.workers[index] is worker:
            self.workers[index] = None
        if self.closed:
            return
        task = asyncio.get_running_loop().create_task(self._respawn(index))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _respawn(self, index: int) -> None:
        delay = 0.2
        while not self.closed:
            try:
                worker = await self._spawn(index)
            except Exception as exc:  # noqa: BLE001
                logger.error("could not start a media worker: %r; retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            if self.closed:
                worker.close()
                return
            self.workers[index] = worker
            logger.info("media worker pid %s started in slot %d", worker.pid, index)
            async with self._changed:
                self._changed.notify_all()
            return

    def alive(self) -> list[Worker]:
        return [w for w in self.workers if w is not None and not w.closed]

    async def get(self, load: dict[Worker, int]) -> Worker:
        """The live worker with the least load; waits while every worker is restarting."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: bool(self.alive()) or self.closed),
                WORKER_WAIT_TIMEOUT,
            )
        if self.closed:
            raise RuntimeError("the server is closing")
        alive = self.alive()
        return min(alive, key=lambda w: (load.get(w, 0), alive.index(w)))

    def close(self) -> None:
        self.closed = True
        for task in self._tasks:
            task.cancel()
        for worker in self.workers:
            if worker is not None:
                worker.close()


class DemoServer:
    """The whole demo; ``await start()`` then serve ``app`` (``run()`` does both)."""

    def __init__(self, config: DemoConfig | None = None) -> None:
        self.config = config or DemoConfig()
        self.pool = WorkerPool(self.config)
        self.rooms: dict[str, Room] = {}
        # Rooms whose Router is being created: they count in the workers' load already.
        self._opening: set[Room] = set()
        self._room_locks: dict[str, asyncio.Lock] = {}
        self.app = web.Application()
        self.app.router.add_get("/", self._index)
        self.app.router.add_get("/ws", self._ws)
        self.app.router.add_get("/api/rooms", self._rooms_info)
        self.app.router.add_get("/static/app.bundle.js", self._bundle)
        self.app.router.add_get("/static/app.bundle.js.map", self._bundle_map)
        self.app.router.add_static("/static/", STATIC_DIR, show_index=False)
        add_broadcaster_routes(self.app, self.get_room, self.rooms.get)
        self.app.on_startup.append(lambda app: self.start())
        self.app.on_shutdown.append(lambda app: self.close())

    async def start(self) -> None:
        if not self.pool.workers:
            await self.pool.start()

    async def close(self) -> None:
        for room in list(self.rooms.values()):
            room.close()
        await drain_background()
        self.pool.close()

    # --- rooms ---------------------------------------------------------------------

    async def get_room(self, room_id: str) -> Room:
        """The room with this id, created (on the least loaded worker) if needed."""
        if not _ID_RE.match(room_id):
            raise ValueError("a room id is 1-64 letters, digits or . _ : -")
        room = self.rooms.get(room_id)
        if room is not None and not room.closed:
            return room
        lock = self._room_locks.setdefault(room_id, asyncio.Lock())
        async with lock:
            room = self.rooms.get(room_id)
            if room is None or room.closed:
                room = Room(room_id, self.config, self._pick_worker, self._room_closed)
                self._opening.add(room)
                try:
                    await room.open()
                finally:
                    self._opening.discard(room)
                self.rooms[room_id] = room
        return room

    async def _pick_worker(self) -> Worker:
        load: dict[Worker, int] = {}
        for room in [*self.rooms.values(), *self._opening]:
            if room.worker is not None and not room.worker.closed:
                load[room.worker] = load.get(room.worker, 0) + 1
        return await self.pool.get(load)

    def _room_closed(self, room: Room) -> None:
        if self.rooms.get(room.id) is room:
            del self.rooms[room.id]
            lock = self._room_locks.get(room.id)
            if lock is not None and not lock.locked():
                del self._room_locks[room.id]

    # --- HTTP ------------------------------------------------------------------------

    async def _index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    async def _bundle(self, request: web.Request) -> web.StreamResponse:
        return self._built_file(bundle_path())

    async def _bundle_map(self, request: web.Request) -> web.StreamResponse:
        return self._built_file(bundle_path().with_suffix(".js.map"))

    @staticmethod
    def _built_file(path: Path) -> web.StreamResponse:
        if not path.exists():
            return web.Response(
                status=503,
                text="console.error('the demo bundle is not built: start the server with "
                "`pymediasoup-demo` (it builds it), or run `npm ci && npm run build` in "
                "pymediasoup/demo/static')",
                content_type="application/javascript",
            )
        return web.FileResponse(path, headers={"Cache-Control": "no-cache"})

    async def _rooms_info(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "workers": [w.pid for w in self.pool.alive()],
                "rooms": [room.info() for room in self.rooms.values()],
            }
        )

    async def _ws(self, request: web.Request) -> web.StreamResponse:
        room_id = request.query.get("roomId", "")
        peer_id = request.query.get("peerId", "")
        if not _ID_RE.match(room_id) or not _ID_RE.match(peer_id):
            raise web.HTTPBadRequest(text="missing or invalid roomId or peerId")
        ws = web.WebSocketResponse(heartbeat=10.0, max_msg_size=1 << 20)
        await ws.prepare(request)
        try:
            room = await self.get_room(room_id)
        except Exception as exc:  # noqa: BLE001
            logger.error("room %r could not be created: %r", room_id, exc)
            await ws.close(code=1011, message=b"room could not be created")
            return ws
        peer = Peer(peer_id, ws)
        room.add_peer(peer)
        logger.debug("room %r: peer %s connected from %s", room_id, peer_id, request.remote)
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    peer.on_message(message.data, room.handle_request)
                elif message.type == WSMsgType.ERROR:
                    logger.warning(
                        "room %r: peer %s socket error: %r", room_id, peer_id, ws.exception()
                    )
        finally:
            # A closed tab, a dropped socket (heartbeat) or the server closing.
            room.remove_peer(peer)
        return ws

    # --- running -----------------------------------------------------------------------

    def ssl_context(self) -> ssl.SSLContext | None:
        if not self.config.cert_file:
            return None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.config.cert_file, self.config.key_file)
        return context

    def url(self) -> str:
        scheme = "https" if self.config.cert_file else "http"
        host = self.config.host
        if ":" in host:
            host = f"[{host}]"
        return f"{scheme}://{host}:{self.config.port}/"


async def run(config: DemoConfig) -> None:
    """Serve until cancelled (Ctrl-C)."""
    server = DemoServer(config)
    runner = web.AppRunner(server.app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, config.host, config.port, ssl_context=server.ssl_context())
        await site.start()
        logger.info("pymediasoup demo: open %s?room=test (Ctrl-C stops)", server.url())
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        logger.info("stopping: closing rooms and workers")
    finally:
        await runner.cleanup()
