"""Which DataProducer an incoming SCTP message belongs to, as mediasoup's RTC::SctpListener."""

from __future__ import annotations

from typing import Any

from ..errors import MediaSoupError


class SctpListener:
    __slots__ = ("stream_id_table",)

    def __init__(self) -> None:
        self.stream_id_table: dict[int, Any] = {}

    def dump(self) -> dict[str, Any]:
        return {"streamIdTable": {str(sid): dp.id for sid, dp in self.stream_id_table.items()}}

    def add_data_producer(self, data_producer: Any) -> None:
        params = data_producer.sctp_stream_parameters or {}
        stream_id = params.get("streamId", 0)
        if stream_id in self.stream_id_table:
            raise MediaSoupError(f"streamId already exists in SCTP listener [streamId:{stream_id}]")
        self.stream_id_table[stream_id] = data_producer

    def remove_data_producer(self, data_producer: Any) -> None:
        for key in [k for k, dp in self.stream_id_table.items() if dp is data_producer]:
            del self.stream_id_table[key]

    def get_data_producer(self, stream_id: int) -> Any | None:
        return self.stream_id_table.get(stream_id)
