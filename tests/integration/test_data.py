"""DataProducers and DataConsumers against the real worker: SCTP and direct types, stream
id allocation, dumps, stats, close cascades, and 200 messages through a DirectTransport."""

from __future__ import annotations

import pytest

import pymediasoup
from pymediasoup.data_producer import message_payload
from pymediasoup.errors import InvalidStateError, MediasoupError

from ._helpers import EventRecorder, settle, worker_router


async def _sctp_transports(router: pymediasoup.Router) -> tuple:
    send = await router.create_webrtc_transport(
        listen_ips=["127.0.0.1"], enable_sctp=True, num_sctp_streams={"OS": 512, "MIS": 512}
    )
    recv = await router.create_plain_transport(listen_ip="127.0.0.1", enable_sctp=True)
    return send, recv


# --- pure ppid rules ----------------------------------------------------------------


def test_message_ppid_rules() -> None:
    assert message_payload("hello", None) == (b"hello", 51)
    assert message_payload(b"\x01\x02", None) == (b"\x01\x02", 53)
    assert message_payload("", None) == (b" ", 56)
    assert message_payload(b"", None) == (b"\x00", 57)
    assert message_payload(bytearray(b"ab"), None) == (b"ab", 53)
    assert message_payload("é", None) == ("é".encode(), 51)
    assert message_payload("text", 53) == (b"text", 53)
    assert message_payload("whatever", 56) == (b" ", 56)
    assert message_payload(b"whatever", 57) == (b"\x00", 57)
    with pytest.raises(TypeError):
        message_payload(123, None)
    with pytest.raises(TypeError, match="ppid"):
        message_payload("x", "51")  # type: ignore[arg-type]


# --- SCTP DataProducers and DataConsumers -------------------------------------------


async def test_produce_data_sctp_succeeds() -> None:
    async with worker_router() as (_worker, router):
        send, _recv = await _sctp_transports(router)
        new_data_producer = EventRecorder(send.observer, "newdataproducer")
        data_producer = await send.produce_data(
            sctp_stream_parameters={"streamId": 666},
            label="foo",
            protocol="bar",
            app_data={"foo": 1},
        )
        assert isinstance(data_producer, pymediasoup.DataProducer)
        assert new_data_producer.calls == [(data_producer,)]
        assert data_producer.type == "sctp"
        assert data_producer.sctp_stream_parameters is not None
        assert data_producer.sctp_stream_parameters["streamId"] == 666
        assert data_producer.sctp_stream_parameters["ordered"] is True
        assert "maxPacketLifeTime" not in data_producer.sctp_stream_parameters
        assert data_producer.label == "foo"
        assert data_producer.protocol == "bar"
        assert data_producer.app_data == {"foo": 1}

        unordered = await send.produce_data(
            sctp_stream_parameters={"streamId": 777, "maxRetransmits": 3}, label="u"
        )
        assert unordered.sctp_stream_parameters is not None
        assert unordered.sctp_stream_parameters["ordered"] is False
        assert unordered.sctp_stream_parameters["maxRetransmits"] == 3
        assert unordered.protocol == ""

        dump = await data_producer.dump()
        assert dump["id"] == data_producer.id
        assert dump["type"] == "sctp"
        assert dump["label"] == "foo"
        assert dump["protocol"] == "bar"
        assert dump["sctpStreamParameters"]["streamId"] == 666
        assert dump["sctpStreamParameters"]["ordered"] is True

        stats = await data_producer.get_stats()
        assert stats == [
            {
                "type": "data-producer",
                "timestamp": stats[0]["timestamp"],
                "label": "foo",
                "protocol": "bar",
                "messagesReceived": 0,
                "bytesReceived": 0,
            }
        ]

        transport_dump = await send.dump()
        assert set(transport_dump["dataProducerIds"]) == {data_producer.id, unordered.id}
        assert transport_dump["sctpListener"]["streamIdTable"] == {
            "666": data_producer.id,
            "777": unordered.id,
        }
        router_dump = await router.dump()
        assert router_dump["mapDataProducerIdDataConsumerIds"] == {
            data_producer.id: [],
            unordered.id: [],
        }


async def test_produce_data_wrong_arguments() -> None:
    async with worker_router() as (_worker, router):
        send, _recv = await _sctp_transports(router)
        with pytest.raises(TypeError, match="sctpStreamParameters"):
            await send.produce_data()
        with pytest.raises(TypeError, match="streamId"):
            await send.produce_data(sctp_stream_parameters={"foo": "bar"})
        with pytest.raises(TypeError):
            await send.produce_data(
                sctp_stream_parameters={"streamId": 1, "ordered": True, "maxPacketLifeTime": 4000}
            )
        with pytest.raises(TypeError):
            await send.produce_data(
                sctp_stream_parameters={"streamId": 1, "maxPacketLifeTime": 1, "maxRetransmits": 1}
            )
        with pytest.raises(TypeError, match="appData"):
            await send.produce_data(sctp_stream_parameters={"streamId": 1}, app_data=1)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="label"):
            await send.produce_data(sctp_stream_parameters={"streamId": 1}, label=None)  # type: ignore[arg-type]

        await send.produce_data(sctp_stream_parameters={"streamId": 1})
        with pytest.raises(MediasoupError):
            await send.produce_data(sctp_stream_parameters={"streamId": 1})  # same streamId

        # A transport without SCTP cannot take SCTP DataProducers.
        plain = await router.create_plain_transport(listen_ip="127.0.0.1")
        with pytest.raises(MediasoupError):
            await plain.produce_data(sctp_stream_parameters={"streamId": 1})
        assert (await plain.dump())["dataProducerIds"] == []


async def test_consume_data_sctp_allocates_stream_ids() -> None:
    async with worker_router() as (_worker, router):
        send, recv = await _sctp_transports(router)
        data_producer = await send.produce_data(
            sctp_stream_parameters={"streamId": 12, "maxPacketLifeTime": 5000},
            label="chat",
            protocol="json",
        )
        new_data_consumer = EventRecorder(recv.observer, "newdataconsumer")
        first = await recv.consume_data(data_producer_id=data_producer.id, app_data={"n": 1})
        second = await recv.consume_data(data_producer_id=data_producer.id)
        assert isinstance(first, pymediasoup.DataConsumer)
        assert new_data_consumer.calls == [(first,), (second,)]
        assert first.data_producer_id == data_producer.id
        assert first.type == "sctp"
        assert first.label == "chat"
        assert first.protocol == "json"
        assert first.app_data == {"n": 1}
        assert first.sctp_stream_parameters is not None
        assert second.sctp_stream_parameters is not None
        assert first.sctp_stream_parameters["streamId"] == 0
        assert second.sctp_stream_parameters["streamId"] == 1
        assert first.sctp_stream_parameters["ordered"] is False
        assert first.sctp_stream_parameters["maxPacketLifeTime"] == 5000

        # Overrides of the DataProducer's reliability.
        reliable = await send.produce_data(sctp_stream_parameters={"streamId": 13})
        ordered = await recv.consume_data(
            data_producer_id=reliable.id, ordered=False, max_retransmits=2
        )
        assert ordered.sctp_stream_parameters is not None
        assert ordered.sctp_stream_parameters["streamId"] == 2
        assert ordered.sctp_stream_parameters["ordered"] is False
        assert ordered.sctp_stream_parameters["maxRetransmits"] == 2
        with pytest.raises(TypeError):  # ordered with a lifetime limit (worker TypeError)
            await recv.consume_data(data_producer_id=data_producer.id, ordered=True)

        dump = await first.dump()
        assert dump["id"] == first.id
        assert dump["dataProducerId"] == data_producer.id
        assert dump["type"] == "sctp"
        assert dump["label"] == "chat"
        assert dump["protocol"] == "json"
        assert dump["sctpStreamParameters"]["streamId"] == 0
        assert dump["bufferedAmountLowThreshold"] == 0

        stats = await first.get_stats()
        assert stats[0]["type"] == "data-consumer"
        assert stats[0]["label"] == "chat"
        assert stats[0]["messagesSent"] == 0
        assert stats[0]["bytesSent"] == 0
        assert stats[0]["bufferedAmount"] == 0

        assert await first.get_buffered_amount() == 0
        await first.set_buffered_amount_low_threshold(1000)
        assert (await first.dump())["bufferedAmountLowThreshold"] == 1000
        with pytest.raises(TypeError, match="threshold"):
            await first.set_buffered_amount_low_threshold(-1)

        router_dump = await router.dump()
        assert set(router_dump["mapDataProducerIdDataConsumerIds"][data_producer.id]) == {
            first.id,
            second.id,
        }
        assert router_dump["mapDataProducerIdDataConsumerIds"][reliable.id] == [ordered.id]

        # Allocation goes round: a failed consume_data() and a closed DataConsumer free
        # their ids, but the next id is still the one after the last taken.
        first.close()
        third = await recv.consume_data(data_producer_id=data_producer.id)
        assert third.sctp_stream_parameters is not None
        assert third.sctp_stream_parameters["streamId"] == 4


async def test_consume_data_wrong_arguments() -> None:
    async with worker_router() as (_worker, router):
        send, recv = await _sctp_transports(router)
        data_producer = await send.produce_data(sctp_stream_parameters={"streamId": 1})
        with pytest.raises(TypeError, match="dataProducerId"):
            await recv.consume_data(data_producer_id="")
        with pytest.raises(MediasoupError, match="not found"):
            await recv.consume_data(data_producer_id="nope")
        with pytest.raises(TypeError, match="appData"):
            await recv.consume_data(data_producer_id=data_producer.id, app_data="x")  # type: ignore[arg-type]
        # A transport without SCTP has no stream ids to allocate.
        plain = await router.create_plain_transport(listen_ip="127.0.0.1")
        with pytest.raises(TypeError, match="sctpParameters"):
            await plain.consume_data(data_producer_id=data_producer.id)


async def test_data_consumer_send_without_association_fails_or_waits() -> None:
    """dataConsumer.send on a direct DataConsumer is refused by the worker."""
    async with worker_router() as (_worker, router):
        direct = await router.create_direct_transport()
        data_producer = await direct.produce_data()
        data_consumer = await direct.consume_data(data_producer_id=data_producer.id)
        with pytest.raises(MediasoupError):
            await data_consumer.send("hello")
        with pytest.raises(MediasoupError):
            await data_consumer.get_buffered_amount()
        with pytest.raises(TypeError):
            await data_consumer.send(123)  # type: ignore[arg-type]


# --- DirectTransport messages --------------------------------------------------------


async def test_direct_data_producer_and_consumer() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_direct_transport()
        data_producer = await transport.produce_data(label="direct", protocol="p")
        assert data_producer.type == "direct"
        assert data_producer.sctp_stream_parameters is None
        assert data_producer.label == "direct"
        data_consumer = await transport.consume_data(data_producer_id=data_producer.id)
        assert data_consumer.type == "direct"
        assert data_consumer.sctp_stream_parameters is None
        assert data_consumer.label == "direct"
        assert data_consumer.protocol == "p"
        dump = await data_consumer.dump()
        assert dump["type"] == "direct"
        assert "sctpStreamParameters" not in dump
        assert (await data_producer.dump())["type"] == "direct"
        # sctp_stream_parameters are ignored on a DirectTransport.
        ignored = await transport.produce_data(sctp_stream_parameters={"streamId": 1})
        assert ignored.type == "direct" and ignored.sctp_stream_parameters is None


async def test_direct_transport_200_messages_each_way() -> None:
    """200 messages, strings and bytes alternately, through a DirectTransport, with
    exact message and byte counters on both sides."""
    async with worker_router() as (_worker, router):
        transport = await router.create_direct_transport()
        data_producer = await transport.produce_data()
        data_consumer = await transport.consume_data(data_producer_id=data_producer.id)
        messages = EventRecorder(data_consumer, "message")

        expected: list[tuple[bytes, int]] = []
        total_bytes = 0
        for i in range(200):
            if i % 2 == 0:
                text = f"message-{i}"
                data_producer.send(text)
                expected.append((text.encode(), 51))
                total_bytes += len(text.encode())
            else:
                blob = bytes([i % 256]) * (i + 1)
                data_producer.send(blob)
                expected.append((blob, 53))
                total_bytes += len(blob)

        await messages.wait(200, timeout=10)
        assert messages.calls == expected
        for message, ppid in messages.calls:
            assert isinstance(message, bytes) and isinstance(ppid, int)

        await settle(0.1)
        producer_stats = (await data_producer.get_stats())[0]
        assert producer_stats["type"] == "data-producer"
        assert producer_stats["messagesReceived"] == 200
        assert producer_stats["bytesReceived"] == total_bytes
        consumer_stats = (await data_consumer.get_stats())[0]
        assert consumer_stats["type"] == "data-consumer"
        assert consumer_stats["messagesSent"] == 200
        assert consumer_stats["bytesSent"] == total_bytes
        transport_stats = (await transport.get_stats())[0]
        assert transport_stats["bytesReceived"] >= total_bytes
        assert transport_stats["bytesSent"] >= total_bytes


async def test_direct_transport_empty_messages_and_explicit_ppid() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_direct_transport()
        data_producer = await transport.produce_data()
        data_consumer = await transport.consume_data(data_producer_id=data_producer.id)
        messages = EventRecorder(data_consumer, "message")
        data_producer.send("")
        data_producer.send(b"")
        data_producer.send("as binary", ppid=53)
        data_producer.send(bytearray(b"raw"))
        await messages.wait(4)
        assert messages.calls == [(b" ", 56), (b"\x00", 57), (b"as binary", 53), (b"raw", 53)]
        await settle(0.1)
        stats = (await data_producer.get_stats())[0]
        assert stats["messagesReceived"] == 4
        assert stats["bytesReceived"] == 1 + 1 + 9 + 3


async def test_direct_message_over_max_size_is_dropped() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_direct_transport(max_message_size=100)
        data_producer = await transport.produce_data()
        data_consumer = await transport.consume_data(data_producer_id=data_producer.id)
        messages = EventRecorder(data_consumer, "message")
        data_producer.send(b"x" * 101)
        data_producer.send(b"y" * 100)
        await messages.wait(1)
        await settle(0.2)
        assert messages.calls == [(b"y" * 100, 53)]


# --- close cascades -------------------------------------------------------------------


async def test_data_producer_close_and_dataproducerclose() -> None:
    async with worker_router() as (_worker, router):
        send, recv = await _sctp_transports(router)
        direct = await router.create_direct_transport()
        data_producer = await send.produce_data(sctp_stream_parameters={"streamId": 5})
        sctp_consumer = await recv.consume_data(data_producer_id=data_producer.id)
        direct_consumer = await direct.consume_data(data_producer_id=data_producer.id)
        assert direct_consumer.type == "direct"

        observer_close = EventRecorder(data_producer.observer, "close")
        closed_events = [
            EventRecorder(c, "dataproducerclose") for c in (sctp_consumer, direct_consumer)
        ]
        data_producer.close()
        data_producer.close()
        assert data_producer.closed is True
        assert observer_close.count == 1
        for recorder in closed_events:
            await recorder.wait(1)
        assert sctp_consumer.closed and direct_consumer.closed
        assert (await send.dump())["dataProducerIds"] == []
        assert (await recv.dump())["dataConsumerIds"] == []
        assert (await router.dump())["mapDataProducerIdDataConsumerIds"] == {}

        for call in (data_producer.dump(), data_producer.get_stats()):
            with pytest.raises(InvalidStateError):
                await call
        with pytest.raises(InvalidStateError):
            data_producer.send("x")
        for call in (
            sctp_consumer.dump(),
            sctp_consumer.get_stats(),
            sctp_consumer.get_buffered_amount(),
            sctp_consumer.set_buffered_amount_low_threshold(10),
            sctp_consumer.send("x"),
        ):
            with pytest.raises(InvalidStateError):
                await call

        # The freed stream id 0 is not needed yet: the next one is 1.
        data_producer2 = await send.produce_data(sctp_stream_parameters={"streamId": 5})
        again = await recv.consume_data(data_producer_id=data_producer2.id)
        assert again.sctp_stream_parameters is not None
        assert again.sctp_stream_parameters["streamId"] == 1


async def test_data_objects_transportclose() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_direct_transport()
        data_producer = await transport.produce_data()
        data_consumer = await transport.consume_data(data_producer_id=data_producer.id)
        data_consumer_close = EventRecorder(data_consumer, "transportclose")
        data_producer_close = EventRecorder(data_producer, "transportclose")
        observer_closes = [
            EventRecorder(obj.observer, "close") for obj in (data_producer, data_consumer)
        ]
        router.close()
        assert data_producer.closed and data_consumer.closed
        assert data_consumer_close.count == 1
        assert data_producer_close.count == 1
        assert [r.count for r in observer_closes] == [1, 1]


async def test_data_consumer_close_keeps_producer() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_direct_transport()
        data_producer = await transport.produce_data()
        data_consumer = await transport.consume_data(data_producer_id=data_producer.id)
        observer_close = EventRecorder(data_consumer.observer, "close")
        data_consumer.close()
        assert data_consumer.closed is True
        assert observer_close.count == 1
        assert data_producer.closed is False
        assert (await router.dump())["mapDataProducerIdDataConsumerIds"] == {data_producer.id: []}
        # The injected notifications are ignored once closed.
        messages = EventRecorder(data_consumer, "message")
        data_consumer._payload_channel.emit(data_consumer.id, "message", {"ppid": 51}, b"late")
        assert messages.count == 0


async def test_data_consumer_events() -> None:
    async with worker_router() as (_worker, router):
        send, recv = await _sctp_transports(router)
        data_producer = await send.produce_data(sctp_stream_parameters={"streamId": 5})
        data_consumer = await recv.consume_data(data_producer_id=data_producer.id)
        channel = data_consumer._channel
        low = EventRecorder(data_consumer, "bufferedamountlow")
        full = EventRecorder(data_consumer, "sctpsendbufferfull")
        channel.emit(data_consumer.id, "bufferedamountlow", {"bufferedAmount": 12})
        channel.emit(data_consumer.id, "sctpsendbufferfull", None)
        assert low.calls == [(12,)]
        assert full.count == 1
