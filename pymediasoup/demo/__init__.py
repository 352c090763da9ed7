"""The pymediasoup demo: a video-room server (what mediasoup-demo is to mediasoup).

Run it with ``pymediasoup-demo`` (or ``python -m pymediasoup.demo``) and open
http://127.0.0.1:3000/?room=test in two tabs. It needs aiohttp (the ``demo`` extra) and,
to build its browser bundle once, Node.js and npm.

- ``server.py``: aiohttp app (pages, signaling WebSocket, broadcaster API), worker pool
- ``room.py``: a Room (one Router), its Peers and Broadcasters, moving on worker death
- ``peer.py``: Peers and the signaling messages
- ``broadcaster.py``: the HTTP broadcaster API (ffmpeg, GStreamer)
- ``ffmpeg.py``: ``pymediasoup-demo broadcast``, ffmpeg through that API
- ``bundle.py``: builds ``static/dist/app.bundle.js`` (mediasoup-client + app.js) with esbuild
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import DemoConfig
    from .server import DemoServer

__all__ = ["DemoConfig", "DemoServer"]


def __getattr__(name: str) -> Any:
    # aiohttp is imported only when the server is used.
    if name == "DemoServer":
        from .server import DemoServer

        return DemoServer
    if name == "DemoConfig":
        from .config import DemoConfig

        return DemoConfig
    raise AttributeError(f"module 'pymediasoup.demo' has no attribute {name!r}")
