"""The worker's Channel and PayloadChannel parsers, without a process: bytes in, replies out."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from pymediasoup.channel.codec import NetstringDecoder, encode
from pymediasoup_worker.channel.channel_request import ChannelRequest
from pymediasoup_worker.channel.channel_socket import ChannelSocket
from pymediasoup_worker.channel.payload_channel_socket import (
    PayloadChannelSocket,
    PayloadNotification,
)
from pymediasoup_worker.errors import MediaSoupError, MediaSoupTypeError
from pymediasoup_worker.log import logger


class Recorder:
    """Collects what a channel writes, decoded: JSON messages as dicts, logs as str."""

    def __init__(self) -> None:
        self.decoder = NetstringDecoder()
        self.items: list[Any] = []

    def write(self, data: bytes) -> None:
        for item in self.decoder.feed(data):
            assert isinstance(item, bytes)
            self.items.append(orjson.loads(item) if item[:1] == b"{" else item.decode())

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [i for i in self.items if isinstance(i, dict)]

    @property
    def logs(self) -> list[str]:
        return [i for i in self.items if isinstance(i, str)]


class Listener:
    def __init__(self) -> None:
        self.requests: list[ChannelRequest] = []
        self.notifications: list[PayloadNotification] = []

    def on_channel_request(self, request: ChannelRequest) -> None:
        self.requests.append(request)
        if request.method == "worker.dump":
            request.accept({"pid": 1, "routerIds": []})
        elif request.method == "router.dump":
            raise MediaSoupError("Router not found")
        elif request.method == "worker.updateSettings":
            raise MediaSoupTypeError("invalid value 'x' for logLevel")
        elif request.method == "router.close":
            raise RuntimeError("a bug")
        else:
            request.accept()

    on_payload_channel_request = on_channel_request

    def on_payload_channel_notification(self, notification: PayloadNotification) -> None:
        self.notifications.append(notification)
        if notification.payload == b"boom":
            raise ValueError("handler bug")

    def on_channel_closed(self) -> None:
        pass


def no_spawn(_: Any) -> None:
    raise AssertionError("no async handler expected")


@pytest.fixture
def channel() -> tuple[ChannelSocket, Recorder, Listener]:
    recorder, listener = Recorder(), Listener()
    socket = ChannelSocket(recorder.write, no_spawn)
    socket.listener = listener
    logger.configure("error", frozenset())
    logger.sink = socket.send_log
    return socket, recorder, listener


def request(**fields: Any) -> bytes:
    return encode(orjson.dumps(fields))


@pytest.mark.parametrize(
    ("raw", "replies", "stderr"),
    [
        (
            request(id=1, method="worker.dump"),
            [{"accepted": True, "data": {"pid": 1, "routerIds": []}, "id": 1}],
            "",
        ),
        (request(id=0, method="worker.createRouter"), [{"accepted": True, "id": 0}], ""),
        (
            request(id=2, method="router.dump"),
            [{"error": "Error", "id": 2, "reason": "Router not found"}],
            "",
        ),
        (
            request(id=3, method="worker.updateSettings"),
            [{"error": "TypeError", "id": 3, "reason": "invalid value 'x' for logLevel"}],
            "",
        ),
        (
            request(id=4, method="nope.nope"),
            [{"error": "Error", "id": 4, "reason": "unknown method"}],
            "discarding wrong Channel request",
        ),
        (request(method="worker.dump"), [], "discarding wrong Channel request"),
        (request(id=-1, method="worker.dump"), [], "discarding wrong Channel request"),
        (request(id="7", method="worker.dump"), [], "discarding wrong Channel request"),
        (request(id=5), [], "discarding wrong Channel request"),
        (encode(b"{not json"), [], "JSON parsing error"),
        (encode(b"[1,2]"), [], "discarding wrong Channel request"),
        (b"x:", [], "NETSTRING_ERROR_NO_COLON"),
        (b"05:hello,", [], "NETSTRING_ERROR_LEADING_ZERO"),
        (
            request(id=6, method="router.close"),
            [{"error": "Error", "id": 6, "reason": "internal error: a bug"}],
            "unexpected error",
        ),
    ],
)
def test_channel_rows(
    channel: Any, capsys: Any, raw: bytes, replies: list[dict], stderr: str
) -> None:
    socket, recorder, _ = channel
    socket.receive(raw)
    assert recorder.messages == replies
    assert stderr in capsys.readouterr().err
    # The channel still works after whatever came before.
    socket.receive(request(id=99, method="worker.dump"))
    assert recorder.messages[-1]["id"] == 99


def test_error_log_comes_before_error_reply(channel: Any) -> None:
    socket, recorder, _ = channel
    socket.receive(request(id=8, method="router.dump"))
    assert (
        recorder.items[0].startswith("E")
        and "throwing MediaSoupError: Router not found" in recorder.items[0]
    )
    assert recorder.items[1] == {"error": "Error", "id": 8, "reason": "Router not found"}


def test_unknown_method_reply_then_log(channel: Any) -> None:
    socket, recorder, _ = channel
    socket.receive(request(id=9, method="bogus"))
    assert recorder.items[0] == {"error": "Error", "id": 9, "reason": "unknown method"}
    assert "unknown method 'bogus'" in recorder.items[1]


def test_missing_internal_and_data_become_objects(channel: Any) -> None:
    socket, _, listener = channel
    socket.receive(request(id=1, method="worker.createRouter", internal=None, data=[1]))
    assert listener.requests[0].internal == {} and listener.requests[0].data == {}


def test_two_requests_in_one_read_and_one_split(channel: Any) -> None:
    socket, recorder, _ = channel
    both = request(id=1, method="worker.dump") + request(id=2, method="worker.dump")
    socket.receive(both[:10])
    socket.receive(both[10:])
    assert [m["id"] for m in recorder.messages] == [1, 2]


def test_sorted_keys_in_notifications(channel: Any) -> None:
    socket, recorder, _ = channel
    socket.notify("t1", "score", {"z": 1, "a": 2})
    socket.notify("t2", "layerschange", None, with_data=True)
    assert recorder.messages == [
        {"data": {"a": 2, "z": 1}, "event": "score", "targetId": "t1"},
        {"data": None, "event": "layerschange", "targetId": "t2"},
    ]


@pytest.fixture
def payload_channel() -> tuple[PayloadChannelSocket, Recorder, Listener]:
    recorder, listener = Recorder(), Listener()
    socket = PayloadChannelSocket(recorder.write, no_spawn)
    socket.listener = listener
    return socket, recorder, listener


def notification(event: str, payload: bytes) -> bytes:
    return encode(orjson.dumps({"event": event, "internal": {"routerId": "r"}})) + encode(payload)


@pytest.mark.parametrize(
    ("raw", "delivered", "replies"),
    [
        (notification("producer.send", b"\x80\x00"), [("producer.send", b"\x80\x00")], []),
        (notification("dataProducer.send", b""), [("dataProducer.send", b"")], []),
        # An unknown event: its payload is consumed (3.7.11 would parse it as JSON and abort).
        (notification("bogus.event", b"zzz"), [], []),
        # An unknown method: error reply, and its payload is consumed too.
        (
            request(id=2, method="bogus.send") + encode(b"zzz"),
            [],
            [{"error": "Error", "id": 2, "reason": "unknown method"}],
        ),
        (
            request(id=3, method="dataConsumer.send", data={"ppid": 51}) + encode(b"hi"),
            [],
            [{"accepted": True, "id": 3}],
        ),
        # Invalid JSON where a message is expected: dropped.
        (encode(b"{oops"), [], []),
        (encode(b"42"), [], []),
        # A handler that raises: logged, and the channel goes on.
        (notification("transport.sendRtcp", b"boom"), [("transport.sendRtcp", b"boom")], []),
    ],
)
def test_payload_channel_rows(
    payload_channel: Any, raw: bytes, delivered: list, replies: list
) -> None:
    socket, recorder, listener = payload_channel
    socket.receive(raw)
    assert [(n.event, n.payload) for n in listener.notifications] == delivered
    assert recorder.messages == replies
    # Still in step: a following notification is delivered whole.
    socket.receive(notification("producer.send", b"next"))
    assert (listener.notifications[-1].event, listener.notifications[-1].payload) == (
        "producer.send",
        b"next",
    )


def test_payload_notification_out(payload_channel: Any) -> None:
    socket, recorder, _ = payload_channel
    socket.notify("dc1", "message", {"ppid": 51}, b"hello")
    assert recorder.items == [
        {"data": {"ppid": 51}, "event": "message", "targetId": "dc1"},
        "hello",
    ]


def test_async_handler_holds_later_requests_until_done() -> None:
    """A handler may return an awaitable; requests after it wait, so replies stay in order."""
    import asyncio

    recorder = Recorder()
    order: list[str] = []

    class SlowListener(Listener):
        def on_channel_request(self, request: ChannelRequest) -> Any:
            if request.method == "worker.createRouter":

                async def later() -> None:
                    await asyncio.sleep(0.01)
                    order.append("slow done")
                    request.accept()

                return later()
            order.append(request.method)
            request.accept()
            return None

    async def main() -> None:
        tasks: list[asyncio.Task[None]] = []
        socket = ChannelSocket(
            recorder.write, lambda coro: tasks.append(asyncio.ensure_future(coro))
        )
        socket.listener = SlowListener()
        socket.receive(
            request(id=1, method="worker.createRouter") + request(id=2, method="worker.dump")
        )
        assert order == []
        while tasks and not tasks[-1].done():
            await asyncio.sleep(0.005)
        await asyncio.sleep(0)

    asyncio.run(main())
    assert order == ["slow done", "worker.dump"]
    assert [m["id"] for m in recorder.messages] == [1, 2]
