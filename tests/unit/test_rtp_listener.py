"""RtpListener: the SSRC / MID / RID tables, their clash errors and the packet lookup."""

from __future__ import annotations

from typing import Any

import pytest

from pymediasoup_worker.errors import MediaSoupError
from pymediasoup_worker.rtc.rtp_listener import RtpListener

MID_ID, RID_ID, RRID_ID = 1, 2, 3


class FakeProducer:
    def __init__(self, producer_id: str, rtp_parameters: dict[str, Any]) -> None:
        self.id = producer_id
        self.rtp_parameters = rtp_parameters


class FakePacket:
    def __init__(self, ssrc: int, mid: str | None = None, rid: str | None = None) -> None:
        self.ssrc, self._mid, self._rid = ssrc, mid, rid

    def read_mid(self, ext_id: int) -> str | None:
        assert ext_id == MID_ID
        return self._mid

    def read_rid(self, ext_id: int, rrid_ext_id: int = 0) -> str | None:
        assert (ext_id, rrid_ext_id) == (RID_ID, RRID_ID)
        return self._rid


def params(mid: str = "", *encodings: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"encodings": list(encodings)}
    if mid:
        result["mid"] = mid
    return result


# (rtp parameters of producers added in order, error of the last one or None, dump after)
ROWS = [
    pytest.param(
        [params("0", {"ssrc": 1111, "rtx": {"ssrc": 1112}})],
        None,
        {"ssrcTable": {"1111": "p0", "1112": "p0"}, "midTable": {"0": "p0"}, "ridTable": {}},
        id="ssrc-rtx-mid",
    ),
    pytest.param(
        [params("0", {"rid": "r0"}, {"rid": "r1"})],
        None,
        {"ssrcTable": {}, "midTable": {"0": "p0"}, "ridTable": {"r0": "p0", "r1": "p0"}},
        id="rids",
    ),
    pytest.param(
        [params("0", {"ssrc": 1111}), params("1", {"ssrc": 1111})],
        "ssrc already exists in RTP listener [ssrc:1111]",
        {"ssrcTable": {"1111": "p0"}, "midTable": {"0": "p0"}, "ridTable": {}},
        id="duplicate-ssrc",
    ),
    pytest.param(
        [
            params("0", {"ssrc": 1111, "rtx": {"ssrc": 2222}}),
            params("1", {"ssrc": 3333, "rtx": {"ssrc": 2222}}),
        ],
        "RTX ssrc already exists in RTP listener [ssrc:2222]",
        {"ssrcTable": {"1111": "p0", "2222": "p0"}, "midTable": {"0": "p0"}, "ridTable": {}},
        id="duplicate-rtx-ssrc-undoes-the-media-ssrc",
    ),
    pytest.param(
        [params("0", {"ssrc": 1111}), params("0", {"ssrc": 2222})],
        "MID already exists in RTP listener [mid:0]",
        {"ssrcTable": {"1111": "p0"}, "midTable": {"0": "p0"}, "ridTable": {}},
        id="duplicate-mid-undoes-its-ssrcs",
    ),
    pytest.param(
        [params("", {"rid": "r0"}), params("", {"rid": "r0"})],
        "RID already exists in RTP listener and no MID is given [rid:r0]",
        {"ssrcTable": {}, "midTable": {}, "ridTable": {"r0": "p0"}},
        id="duplicate-rid-without-mid",
    ),
    pytest.param(
        [params("0", {"rid": "r0"}), params("1", {"rid": "r0"})],
        None,
        {"ssrcTable": {}, "midTable": {"0": "p0", "1": "p1"}, "ridTable": {"r0": "p0"}},
        id="duplicate-rid-with-mid-is-fine",
    ),
    pytest.param(
        [params("", {"ssrc": 0, "rtx": None})],
        None,
        {"ssrcTable": {}, "midTable": {}, "ridTable": {}},
        id="zero-ssrc-ignored",
    ),
]


@pytest.mark.parametrize(("all_params", "error", "dump"), ROWS)
def test_add_producer(
    all_params: list[dict[str, Any]], error: str | None, dump: dict[str, Any]
) -> None:
    listener = RtpListener()
    producers = [FakeProducer(f"p{i}", p) for i, p in enumerate(all_params)]
    for producer in producers[:-1]:
        listener.add_producer(producer)
    if error is None:
        listener.add_producer(producers[-1])
    else:
        with pytest.raises(MediaSoupError) as info:
            listener.add_producer(producers[-1])
        assert str(info.value) == error
    assert listener.dump() == dump


def test_remove_producer_clears_every_table() -> None:
    listener = RtpListener()
    p0 = FakeProducer("p0", params("0", {"ssrc": 1, "rid": "a", "rtx": {"ssrc": 2}}))
    p1 = FakeProducer("p1", params("1", {"ssrc": 3}))
    listener.add_producer(p0)
    listener.add_producer(p1)
    listener.remove_producer(p0)
    assert listener.dump() == {"ssrcTable": {"3": "p1"}, "midTable": {"1": "p1"}, "ridTable": {}}


# (packet, expected producer id, whether the SSRC table learns the packet's SSRC)
LOOKUPS = [
    pytest.param(FakePacket(1111), "p0", False, id="by-ssrc"),
    pytest.param(FakePacket(9999, mid="1"), "p1", True, id="by-mid-learns-ssrc"),
    pytest.param(FakePacket(9999, rid="h"), "p1", True, id="by-rid-learns-ssrc"),
    pytest.param(FakePacket(1111, mid="1"), "p0", False, id="ssrc-wins-over-mid"),
    pytest.param(FakePacket(9999, mid="x", rid="h"), "p1", True, id="unknown-mid-then-rid"),
    pytest.param(FakePacket(9999, mid="x"), None, False, id="unknown"),
]


@pytest.mark.parametrize(("packet", "expected", "learns"), LOOKUPS)
def test_get_producer(packet: FakePacket, expected: str | None, learns: bool) -> None:
    listener = RtpListener()
    listener.add_producer(FakeProducer("p0", params("0", {"ssrc": 1111})))
    listener.add_producer(FakeProducer("p1", params("1", {"rid": "l"}, {"rid": "h"})))
    producer = listener.get_producer(packet, MID_ID, RID_ID, RRID_ID)
    assert (producer.id if producer else None) == expected
    assert (listener.get_producer_by_ssrc(9999) is not None) == learns


def test_no_extension_ids_means_ssrc_only() -> None:
    listener = RtpListener()
    listener.add_producer(FakeProducer("p0", params("0", {"rid": "h"})))
    assert listener.get_producer(FakePacket(5, mid="0", rid="h")) is None
