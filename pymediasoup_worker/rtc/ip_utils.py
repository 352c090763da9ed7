"""IP address checks, as mediasoup's Utils::IP (inet_pton / inet_ntop semantics).

Uses :mod:`ipaddress` (no sockets under rtc/). An IP is accepted when inet_pton
accepts it (no IPv6 scope ids, no IPv4 leading zeros), and normalized as inet_ntop
writes it.
"""

from __future__ import annotations

import ipaddress

from ..errors import MediaSoupTypeError

_INET6_ADDRSTRLEN = 46


def get_family(ip: str) -> int:
    """4, 6, or 0 when ``ip`` is not an IP address."""
    if not isinstance(ip, str) or len(ip) >= _INET6_ADDRSTRLEN or "%" in ip:
        return 0
    try:
        return ipaddress.ip_address(ip).version
    except ValueError:
        return 0


def normalize_ip(ip: str) -> str:
    """The canonical text of ``ip``; raise MediaSoupTypeError ``invalid IP '<ip>'`` if it is not one."""
    family = get_family(ip)
    if family == 4:
        return str(ipaddress.IPv4Address(ip))
    if family == 6:
        return _ntop6(ipaddress.IPv6Address(ip))
    raise MediaSoupTypeError(f"invalid IP '{ip}'")


def _ntop6(address: ipaddress.IPv6Address) -> str:
    # inet_ntop writes the last 32 bits as dotted IPv4 for ::ffff:a.b.c.d and for
    # ::a.b.c.d (when exactly the first six words are zero).
    words = address.packed
    if words[:10] == bytes(10) and words[10:12] == b"\xff\xff":
        return "::ffff:" + str(ipaddress.IPv4Address(words[12:]))
    if words[:12] == bytes(12) and words[12:14] != b"\x00\x00":
        return "::" + str(ipaddress.IPv4Address(words[12:]))
    return address.compressed
