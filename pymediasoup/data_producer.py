"""A DataProducer: data messages an endpoint sends into a Router (mediasoup's DataProducer.ts)."""

from __future__ import annotations

from typing import Any

from .channel_object import ChannelObject
from .utils import check_int

# SCTP payload protocol identifiers of WebRTC DataChannel messages (RFC 8831).
PPID_STRING = 51
PPID_BINARY = 53
PPID_STRING_EMPTY = 56
PPID_BINARY_EMPTY = 57


def message_payload(message: Any, ppid: int | None) -> tuple[bytes, int]:
    """The payload and ppid of a DataChannel message, by mediasoup's rules.

    Without ``ppid``: a ``str`` is 51 (56 when empty), ``bytes`` 53 (57 when empty).
    An empty message cannot travel, so ppid 56 sends ``b' '`` and 57 sends ``b'\\x00'``.
    """
    if isinstance(message, str):
        payload = message.encode()
        default_ppid = PPID_STRING if payload else PPID_STRING_EMPTY
    elif isinstance(message, (bytes, bytearray, memoryview)):
        payload = bytes(message)
        default_ppid = PPID_BINARY if payload else PPID_BINARY_EMPTY
    else:
        raise TypeError(f"message must be a str or bytes, not {type(message).__name__}")
    if ppid is None:
        ppid = default_ppid
    else:
        check_int("ppid", ppid, 0)
    if ppid == PPID_STRING_EMPTY:
        payload = b" "
    elif ppid == PPID_BINARY_EMPTY:
        payload = b"\x00"
    return payload, ppid


class DataChannelObject(ChannelObject):
    """What DataProducer and DataConsumer share: their SCTP stream and DataChannel labels."""

    @property
    def type(self) -> str:
        """'sctp' or 'direct'."""
        return self._data["type"]

    @property
    def sctp_stream_parameters(self) -> dict[str, Any] | None:
        return self._data.get("sctpStreamParameters")

    @property
    def label(self) -> str:
        return self._data.get("label", "")

    @property
    def protocol(self) -> str:
        return self._data.get("protocol", "")

    def transport_closed(self) -> None:
        """Its Transport closed: nothing is sent; 'transportclose' is emitted."""
        self._parent_closed("transportclose")


class DataProducer(DataChannelObject):
    """Create with :meth:`Transport.produce_data`.

    Events: 'transportclose'. Observer: 'close'.
    """

    _kind_name, _id_key, _method_prefix = "DataProducer", "dataProducerId", "dataProducer"

    def send(self, message: str | bytes, ppid: int | None = None) -> None:
        """Send a message into the Router (DataProducers of a DirectTransport only)."""
        self._check_open()
        payload, ppid = message_payload(message, ppid)
        self._payload_channel.notify("dataProducer.send", self._internal, {"ppid": ppid}, payload)
