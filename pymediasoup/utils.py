"""Small argument checks shared by the controller classes (mediasoup's ``utils.ts`` role).

Each ``check_*`` raises ``TypeError`` naming the argument, and returns the value in
the form the worker expects.
"""

from __future__ import annotations

import copy
import logging
from typing import Any


def check_app_data(app_data: Any) -> dict[str, Any]:
    """``app_data`` as stored on an object: ``{}`` when None, else it must be a dict."""
    if app_data is None:
        return {}
    if not isinstance(app_data, dict):
        raise TypeError("if given, appData must be an object")
    return app_data


def is_int(value: Any) -> bool:
    """An ``int`` that is not a ``bool`` (JSON integers only)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
    return value


def check_int(name: str, value: Any, minimum: int | None = None, maximum: int | None = None) -> int:
    if not is_int(value):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise TypeError(f"{name} must be >= {minimum}, not {value}")
    if maximum is not None and value > maximum:
        raise TypeError(f"{name} must be <= {maximum}, not {value}")
    return value


def check_str(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def check_bytes(name: str, value: Any) -> bytes:
    """bytes, bytearray or memoryview, as ``bytes``."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{name} must be bytes, not {type(value).__name__}")


def check_trace_event_types(types: Any) -> list[str]:
    """Trace event types: None means none; unknown names are left to the worker to ignore."""
    if types is None:
        return []
    if not isinstance(types, (list, tuple)):
        raise TypeError(f"types must be a list of str, not {type(types).__name__}")
    for entry in types:
        if not isinstance(entry, str):
            raise TypeError(f"types must be a list of str: wrong entry {entry!r}")
    return list(types)


def normalize_listen_ip(listen_ip: Any, name: str = "listenIp") -> dict[str, Any]:
    """A TransportListenIp from a str or a dict (a falsy ``announcedIp`` is dropped)."""
    if isinstance(listen_ip, str) and listen_ip:
        return {"ip": listen_ip}
    if isinstance(listen_ip, dict):
        ip = listen_ip.get("ip")
        if not isinstance(ip, str) or not ip:
            raise TypeError(f"missing {name}.ip")
        normalized: dict[str, Any] = {"ip": ip}
        announced_ip = listen_ip.get("announcedIp")
        if announced_ip:
            if not isinstance(announced_ip, str):
                raise TypeError(f"wrong {name}.announcedIp (not a str)")
            normalized["announcedIp"] = announced_ip
        return normalized
    raise TypeError(f"wrong {name} {listen_ip!r} (not a str nor a dict)")


def check_num_sctp_streams(num_sctp_streams: Any) -> dict[str, int]:
    if not isinstance(num_sctp_streams, dict):
        raise TypeError("wrong numSctpStreams (not a dict)")
    for key in ("OS", "MIS"):
        check_int(f"numSctpStreams.{key}", num_sctp_streams.get(key), 1, 65535)
    return copy.deepcopy(num_sctp_streams)


def without_none(data: dict[str, Any]) -> dict[str, Any]:
    """Drop the keys whose value is None (as JSON.stringify drops ``undefined``)."""
    return {key: value for key, value in data.items() if value is not None}


def request_close(channel: Any, method: str, internal: dict[str, Any]) -> None:
    """Send a close request without waiting; ``close()`` never raises, so neither does this."""
    try:
        channel.request_nowait(method, internal)
    except Exception as exc:  # noqa: BLE001 - e.g. the event loop is already closed
        logging.getLogger("pymediasoup").debug("%s request not sent: %r", method, exc)
