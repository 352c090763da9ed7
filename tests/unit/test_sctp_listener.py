"""SctpListener: the streamId table and its clash error."""

from __future__ import annotations

from typing import Any

import pytest

from pymediasoup_worker.errors import MediaSoupError
from pymediasoup_worker.rtc.sctp_listener import SctpListener


class FakeDataProducer:
    def __init__(self, data_producer_id: str, stream_id: int) -> None:
        self.id = data_producer_id
        self.sctp_stream_parameters: dict[str, Any] = {"streamId": stream_id, "ordered": True}


# (stream ids added in order, error of the last one or None, table after)
ROWS = [
    pytest.param([0], None, {"0": "dp0"}, id="one"),
    pytest.param([0, 1, 65535], None, {"0": "dp0", "1": "dp1", "65535": "dp2"}, id="several"),
    pytest.param(
        [7, 7],
        "streamId already exists in SCTP listener [streamId:7]",
        {"7": "dp0"},
        id="duplicate",
    ),
]


@pytest.mark.parametrize(("stream_ids", "error", "table"), ROWS)
def test_add_data_producer(stream_ids: list[int], error: str | None, table: dict[str, str]) -> None:
    listener = SctpListener()
    producers = [FakeDataProducer(f"dp{i}", sid) for i, sid in enumerate(stream_ids)]
    for data_producer in producers[:-1]:
        listener.add_data_producer(data_producer)
    if error is None:
        listener.add_data_producer(producers[-1])
    else:
        with pytest.raises(MediaSoupError) as info:
            listener.add_data_producer(producers[-1])
        assert str(info.value) == error
    assert listener.dump() == {"streamIdTable": table}


def test_remove_and_lookup() -> None:
    listener = SctpListener()
    dp0, dp1 = FakeDataProducer("dp0", 1), FakeDataProducer("dp1", 2)
    listener.add_data_producer(dp0)
    listener.add_data_producer(dp1)
    assert listener.get_data_producer(1) is dp0
    listener.remove_data_producer(dp0)
    assert listener.get_data_producer(1) is None
    assert listener.get_data_producer(2) is dp1
    # The stream id is free again.
    listener.add_data_producer(FakeDataProducer("dp2", 1))
    assert listener.dump() == {"streamIdTable": {"1": "dp2", "2": "dp1"}}
