"""DtlsTransport (sans-IO DTLS-SRTP): two transports wired together in memory, fake clock.

Each side has its own freshly generated certificate. ``Link`` carries datagrams between
them (optionally dropping some) and, when nothing is in flight, advances the fake clock to
the earliest deadline. OpenSSL's own timer reads the wall clock, which barely moves here:
the retransmission rows therefore exercise the core's own resending path.
"""

from __future__ import annotations

import ast
import os
import pathlib
import subprocess
import sys
from collections.abc import Callable

import pytest

from pymediasoup_worker.core import dtls as dtls_module
from pymediasoup_worker.core.dtls import (
    DTLS_MTU,
    SRTP_CRYPTO_SUITES,
    DtlsApplicationData,
    DtlsStateChanged,
    DtlsTransport,
    local_role_for_remote,
    split_records,
)
from pymediasoup_worker.rtc.dtls_certificate import FINGERPRINT_ALGORITHMS, DtlsCertificate

KEY_LENGTHS = {suite.name: suite.key_length + suite.salt_length for suite in SRTP_CRYPTO_SUITES}
# The wall clock moves a little between OpenSSL starting its timer and us reading it.
SLACK_MS = 60


@pytest.fixture(scope="module")
def certs() -> tuple[DtlsCertificate, DtlsCertificate]:
    return DtlsCertificate.generate(), DtlsCertificate.generate()


def fingerprints(cert: DtlsCertificate, algorithm: str = "sha-256") -> list[dict[str, str]]:
    return [f for f in cert.fingerprints if f["algorithm"] == algorithm]


def wrong_fingerprint(cert: DtlsCertificate, algorithm: str = "sha-256") -> list[dict[str, str]]:
    value = fingerprints(cert, algorithm)[0]["value"]
    flipped = ("0" if value[0] != "0" else "1") + value[1:]
    return [{"algorithm": algorithm, "value": flipped}]


def record(length: int, content_type: int = 22) -> bytes:
    return bytes([content_type, 0xFE, 0xFD]) + bytes(8) + length.to_bytes(2, "big") + bytes(length)


# Drop rule: (sender "client" | "server", index of the datagram among that sender's) -> drop?
DropRule = Callable[[str, int], bool]


class Link:
    """Two DtlsTransports, the datagrams between them, and a fake clock."""

    def __init__(self, client: DtlsTransport, server: DtlsTransport, drop: DropRule | None = None):
        self.client = client
        self.server = server
        self.drop = drop or (lambda sender, index: False)
        self.now = 0
        self.sent = {"client": [], "server": []}  # every datagram, dropped or not
        self.events = {"client": [], "server": []}

    def _carry(self, sender: str) -> bool:
        src, dst = (self.client, self.server) if sender == "client" else (self.server, self.client)
        moved = False
        for datagram in src.datagrams_to_send():
            index = len(self.sent[sender])
            self.sent[sender].append(datagram)
            moved = True
            if not self.drop(sender, index):
                dst.receive(datagram, self.now)
        return moved

    def collect(self) -> None:
        self.events["client"].extend(self.client.events())
        self.events["server"].extend(self.server.events())

    def settle(self, until_ms: int = 60000) -> None:
        """Carry datagrams; when idle, jump to the next deadline; stop when nothing is left."""
        while True:
            moved = self._carry("client") | self._carry("server")
            self.collect()
            if moved:
                continue
            deadlines = [
                d
                for d in (self.client.next_deadline(), self.server.next_deadline())
                if d is not None
            ]
            if not deadlines or min(deadlines) > until_ms:
                return
            self.now = max(self.now, min(deadlines))
            self.client.handle_timer(self.now)
            self.server.handle_timer(self.now)

    def states(self) -> list[str]:
        return [self.client.state, self.server.state]

    def connected_event(self, side: str) -> DtlsStateChanged:
        (event,) = [
            e
            for e in self.events[side]
            if isinstance(e, DtlsStateChanged) and e.state == "connected"
        ]
        return event

    def state_events(self, side: str) -> list[str]:
        return [e.state for e in self.events[side] if isinstance(e, DtlsStateChanged)]

    def app_data(self, side: str) -> list[bytes]:
        return [e.data for e in self.events[side] if isinstance(e, DtlsApplicationData)]


DEFAULT = object()  # the right fingerprint


def make_link(
    certs,
    *,
    client_suites=None,
    server_suites=None,
    client_fps=DEFAULT,
    server_fps=DEFAULT,
    drop: DropRule | None = None,
) -> Link:
    c_cert, s_cert = certs
    client = DtlsTransport(c_cert.certificate, c_cert.private_key, srtp_crypto_suites=client_suites)
    server = DtlsTransport(s_cert.certificate, s_cert.private_key, srtp_crypto_suites=server_suites)
    link = Link(client, server, drop)
    server.run("server", fingerprints(c_cert) if client_fps is DEFAULT else client_fps, 0)
    client.run("client", fingerprints(s_cert) if server_fps is DEFAULT else server_fps, 0)
    return link


def connected_link(certs) -> Link:
    link = make_link(certs)
    link.settle()
    assert link.states() == ["connected", "connected"]
    return link


# --- module hygiene ------------------------------------------------------------------------


def test_core_module_imports_no_io():
    tree = ast.parse(pathlib.Path(dtls_module.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"asyncio", "socket", "time", "selectors", "threading"}


def test_import_does_not_load_openssl():
    code = (
        "import sys, pymediasoup_worker.core.dtls\n"
        "bad = [m for m in ('OpenSSL', 'cryptography') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(__file__).resolve().parents[2]))
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# --- roles and local misuse ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "local"), [("client", "server"), ("server", "client"), ("auto", "client")]
)
def test_local_role_for_remote(remote, local):
    assert local_role_for_remote(remote) == local


def test_local_role_for_remote_rejects_unknown():
    with pytest.raises(ValueError):
        local_role_for_remote("none")


@pytest.mark.parametrize(
    ("role", "fps"),
    [
        ("auto", None),
        ("none", None),
        ("client", []),
        ("client", [{"algorithm": "md5", "value": "AA"}]),
        ("client", [{"algorithm": "sha-256"}]),
        ("client", "sha-256 AA:BB"),
        ("server", [42]),
    ],
    ids=["auto", "none", "empty", "md5", "no value", "string", "not a dict"],
)
def test_run_rejects_misuse(certs, role, fps):
    transport = DtlsTransport(certs[0].certificate, certs[0].private_key)
    with pytest.raises(ValueError):
        transport.run(role, fps, 0)
    assert transport.state == "new"


def test_constructor_rejects_unknown_suite(certs):
    with pytest.raises(ValueError):
        DtlsTransport(certs[0].certificate, certs[0].private_key, srtp_crypto_suites=["NULL"])


# --- the handshake -------------------------------------------------------------------------


def test_handshake_and_keys(certs):
    link = make_link(certs)
    assert link.client.next_deadline() is not None
    assert link.server.next_deadline() is None  # a server waits for the ClientHello
    link.settle()
    assert link.states() == ["connected", "connected"]
    assert link.state_events("client") == ["connecting", "connected"]
    assert link.state_events("server") == ["connecting", "connected"]
    assert link.now == 0  # no retransmission was needed
    client, server = link.connected_event("client"), link.connected_event("server")
    assert client.srtp_crypto_suite == server.srtp_crypto_suite == "AEAD_AES_256_GCM"
    assert client.srtp_local_key == server.srtp_remote_key
    assert client.srtp_remote_key == server.srtp_local_key
    assert client.srtp_local_key != client.srtp_remote_key
    assert len(client.srtp_local_key) == KEY_LENGTHS["AEAD_AES_256_GCM"]
    # Each side reports the other's certificate, in PEM.
    assert client.remote_cert == certs[1].certificate_pem().decode()
    assert server.remote_cert == certs[0].certificate_pem().decode()
    assert link.client.remote_cert == client.remote_cert
    assert link.client.handshake_done and link.server.handshake_done
    assert link.client.next_deadline() is None and link.server.next_deadline() is None
    # Every datagram within the MTU, and the handshake fits in four flights.
    assert all(len(d) <= DTLS_MTU for side in link.sent.values() for d in side)
    assert (len(link.sent["client"]), len(link.sent["server"])) == (2, 2)
    assert link.client.dump() == {"state": "connected", "role": "client", "handshakeDone": True}


def test_next_event_pops_in_order(certs):
    link = make_link(certs)
    assert link.client.next_event() == DtlsStateChanged("connecting")
    assert link.client.next_event() is None
    link.server.events()
    link._carry("client")
    link._carry("server")
    link._carry("client")
    link._carry("server")
    event = link.client.next_event()
    assert isinstance(event, DtlsStateChanged) and event.state == "connected"
    assert link.client.next_event() is None


@pytest.mark.parametrize(
    ("client_suites", "server_suites", "expected"),
    [
        (None, None, "AEAD_AES_256_GCM"),
        (["AEAD_AES_128_GCM"], None, "AEAD_AES_128_GCM"),
        (["AES_CM_128_HMAC_SHA1_80"], None, "AES_CM_128_HMAC_SHA1_80"),
        (["AES_CM_128_HMAC_SHA1_32"], None, "AES_CM_128_HMAC_SHA1_32"),
        (None, ["AES_CM_128_HMAC_SHA1_32"], "AES_CM_128_HMAC_SHA1_32"),
        # The server's preference wins (it is mediasoup's order).
        (["AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"], None, "AEAD_AES_128_GCM"),
        (["AES_CM_128_HMAC_SHA1_32", "AES_CM_128_HMAC_SHA1_80"], None, "AES_CM_128_HMAC_SHA1_80"),
        # No profile in common: the handshake completes without use_srtp, and both fail.
        (["AES_CM_128_HMAC_SHA1_32"], ["AEAD_AES_256_GCM"], None),
    ],
)
def test_srtp_crypto_suite(certs, client_suites, server_suites, expected):
    link = make_link(certs, client_suites=client_suites, server_suites=server_suites)
    link.settle()
    if expected is None:
        assert link.states() == ["failed", "failed"]
        return
    assert link.states() == ["connected", "connected"]
    client, server = link.connected_event("client"), link.connected_event("server")
    assert client.srtp_crypto_suite == server.srtp_crypto_suite == expected
    assert link.client.srtp_crypto_suite == expected
    assert len(client.srtp_local_key) == len(client.srtp_remote_key) == KEY_LENGTHS[expected]
    assert client.srtp_local_key == server.srtp_remote_key
    assert client.srtp_remote_key == server.srtp_local_key


# --- fingerprints --------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", FINGERPRINT_ALGORITHMS)
def test_fingerprint_each_algorithm(certs, algorithm):
    link = make_link(
        certs,
        client_fps=fingerprints(certs[0], algorithm),
        server_fps=fingerprints(certs[1], algorithm),
    )
    link.settle()
    assert link.states() == ["connected", "connected"]


@pytest.mark.parametrize(
    ("bad_side", "expected"),
    [
        # The server checks the client's certificate once the handshake is done, as
        # mediasoup: it fails, sending nothing; the client has already completed.
        ("server", ["connected", "failed"]),
        ("client", ["failed", "connected"]),
        ("both", ["failed", "failed"]),
    ],
)
def test_fingerprint_mismatch(certs, bad_side, expected):
    link = make_link(
        certs,
        client_fps=wrong_fingerprint(certs[0]) if bad_side in ("server", "both") else DEFAULT,
        server_fps=wrong_fingerprint(certs[1]) if bad_side in ("client", "both") else DEFAULT,
    )
    link.settle()
    assert link.states() == expected
    for side, state in zip(("client", "server"), expected, strict=True):
        assert link.state_events(side) == ["connecting", state]
    assert link.client.next_deadline() is None and link.server.next_deadline() is None


@pytest.mark.parametrize(
    ("fps", "expected"),
    [
        ("lowercase", "connected"),  # compared without regard to case
        ("first wrong, second right", "failed"),  # only the first counts, as mediasoup
        ("first right, second wrong", "connected"),
        ("other certificate", "failed"),
    ],
)
def test_fingerprint_list(certs, fps, expected):
    right = fingerprints(certs[1])[0]
    wrong = wrong_fingerprint(certs[1])[0]
    server_fps = {
        "lowercase": [{"algorithm": "sha-256", "value": right["value"].lower()}],
        "first wrong, second right": [wrong, right],
        "first right, second wrong": [right, wrong],
        "other certificate": fingerprints(certs[0]),
    }[fps]
    link = make_link(certs, server_fps=server_fps)
    link.settle()
    assert link.client.state == expected


@pytest.mark.parametrize(("late", "expected"), [("right", "connected"), ("wrong", "failed")])
def test_fingerprint_given_after_the_handshake(certs, late, expected):
    # mediasoup may run the server before transport.connect gives the fingerprint.
    link = make_link(certs, client_fps=None)
    link.settle()
    assert link.states() == ["connected", "connecting"]
    assert link.server.handshake_done
    # Application data before the check is dropped.
    link.client.send_application_data(b"early")
    link.settle()
    assert link.app_data("server") == []
    fps = fingerprints(certs[0]) if late == "right" else wrong_fingerprint(certs[0])
    assert link.server.set_remote_fingerprints(fps) is (expected == "connected")
    link.collect()
    assert link.server.state == expected
    assert link.state_events("server") == ["connecting", expected]
    if expected == "connected":
        assert link.connected_event("server").srtp_local_key == (
            link.connected_event("client").srtp_remote_key
        )


# --- retransmission ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dropped", "done_at"),
    [
        # (sender, index) of each dropped datagram; when the handshake is done (ms).
        ((), 0),
        ((("client", 0),), 1000),  # the ClientHello
        ((("client", 0), ("client", 1)), 3000),  # twice: 1 s, then 2 s
        ((("client", 0), ("client", 1), ("client", 2)), 7000),
        ((("server", 0),), 1000),  # the server's first flight: the server resends it
        ((("client", 1),), 1000),  # the client's second flight
        ((("server", 0), ("server", 1)), 3000),
    ],
)
def test_retransmission(certs, dropped, done_at):
    link = make_link(certs, drop=lambda sender, index: (sender, index) in dropped)
    link.settle()
    assert link.states() == ["connected", "connected"]
    assert done_at - SLACK_MS <= link.now <= done_at
    assert link.connected_event("client").srtp_local_key == (
        link.connected_event("server").srtp_remote_key
    )


def test_lost_last_flight_is_not_recovered_in_virtual_time(certs):
    """The server's last flight (ChangeCipherSpec, Finished) lost: only a retransmitted
    Finished with a new record sequence number makes OpenSSL resend it. In virtual time the
    client can only resend its flight as it was (the server drops those records as replays),
    so the client gives up after 31 s; the real-time integration test shows OpenSSL's own
    timer recovering it."""
    link = make_link(certs, drop=lambda sender, index: (sender, index) == ("server", 1))
    link.settle(until_ms=120000)
    assert link.states() == ["failed", "connected"]
    assert len(link.sent["client"]) == 2 + 5


def test_retransmission_deadlines_back_off(certs):
    link = make_link(certs, drop=lambda sender, index: True)
    first = link.client.datagrams_to_send()
    deadlines = []
    for _ in range(5):
        deadline = link.client.next_deadline()
        deadlines.append(deadline)
        link.client.handle_timer(deadline - 1)  # not yet
        assert link.client.datagrams_to_send() == []
        link.client.handle_timer(deadline)
        assert link.client.datagrams_to_send() == first  # the same ClientHello again
    gaps = [b - a for a, b in zip([0, *deadlines], deadlines, strict=False)]
    for gap, nominal in zip(gaps, [1000, 2000, 4000, 8000, 16000], strict=True):
        assert nominal - SLACK_MS * 2 <= gap <= nominal
    # The next timeout would be 32 s, over mediasoup's 30 s: the handshake fails.
    link.client.handle_timer(link.client.next_deadline())
    assert link.client.state == "failed"
    assert [e.state for e in link.client.events()] == ["connecting", "failed"]
    assert link.client.next_deadline() is None


def test_handshake_times_out_after_31_s(certs):
    link = make_link(certs, drop=lambda sender, index: sender == "server")
    link.settle(until_ms=120000)
    assert link.client.state == "failed"
    assert 31000 - 6 * SLACK_MS <= link.now <= 31000
    assert len(link.sent["client"]) == 6  # the ClientHello and 5 retransmissions
    # The server answered each and waits for the client; its own timer gives up too.
    assert link.server.state == "failed"


def test_timer_is_harmless_when_not_due_or_not_running(certs):
    transport = DtlsTransport(certs[0].certificate, certs[0].private_key)
    transport.handle_timer(10**9)
    assert transport.next_deadline() is None
    link = connected_link(certs)
    link.client.handle_timer(10**9)
    assert link.client.datagrams_to_send() == []


# --- garbage -------------------------------------------------------------------------------

GARBAGE = {
    "one byte": b"\x16",
    "short header": b"\x16\xfe\xfd\x00\x00",
    "bad version": b"\x16\x03\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04abcd",
    "length past the end": b"\x16\xfe\xfd\x00\x00\x00\x00\x00\x00\x00\x07\x00\xffabc",
    "unknown content type": b"\x3f\xfe\xfd\x00\x00\x00\x00\x00\x00\x00\x09\x00\x02ab",
    "epoch 1 junk": b"\x17\xfe\xfd\x00\x01\x00\x00\x00\x00\x00\x09\x00\x20" + bytes(range(32)),
    "random": bytes((i * 37 + 11) & 0xFF for i in range(300)),
}


@pytest.mark.parametrize("name", GARBAGE)
@pytest.mark.parametrize("target", ["client", "server"])
def test_garbage_during_handshake(certs, name, target):
    link = make_link(certs)
    victim = link.client if target == "client" else link.server
    victim.receive(GARBAGE[name], 0)  # no exception
    link.settle()
    victim.receive(GARBAGE[name], 0)
    assert link.states() == ["connected", "connected"]


@pytest.mark.parametrize("name", GARBAGE)
def test_garbage_when_connected(certs, name):
    link = connected_link(certs)
    link.server.receive(GARBAGE[name], 0)
    link.client.send_application_data(b"still here")
    link.settle()
    assert link.states() == ["connected", "connected"]
    assert link.app_data("server") == [b"still here"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", None),
        (b"\x16" * 12, None),  # shorter than a record header
        (record(4), record(4)),
        (record(4) + record(5, 23), record(4) + record(5, 23)),
        (record(4, 63), None),
        (record(4, 24) + record(5), record(5)),  # heartbeat: not negotiated
        (record(4) + record(6, 25) + record(5, 21), record(4) + record(5, 21)),
        (record(4) + b"\x3f\xfe", record(4)),  # a truncated unknown record
        (record(4) + b"\x16\xfe", record(4) + b"\x16\xfe"),  # left to OpenSSL to drop
    ],
)
def test_known_records(data, expected):
    assert dtls_module._known_records(data) == expected


def test_datagrams_dropped_when_not_running(certs):
    transport = DtlsTransport(certs[0].certificate, certs[0].private_key)
    transport.receive(b"\x16\xfe\xfd", 0)
    transport.receive(b"", 0)
    assert transport.dropped_datagrams == 2
    assert transport.state == "new"
    assert transport.events() == [] and transport.datagrams_to_send() == []


# --- application data ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "payloads",
    [[b"x"], [b"hello", b"world"], [bytes(range(256)) * 4], [bytes(1100)]],
    ids=["one byte", "two", "1 KiB", "1100 bytes"],
)
def test_application_data_both_ways(certs, payloads):
    link = connected_link(certs)
    for payload in payloads:
        assert link.client.send_application_data(payload)
        assert link.server.send_application_data(payload[::-1])
    link.settle()
    assert link.app_data("server") == payloads
    assert link.app_data("client") == [p[::-1] for p in payloads]


def test_application_data_larger_than_mtu_goes_alone(certs):
    link = connected_link(certs)
    link.client.send_application_data(bytes(3000))
    (datagram,) = link.client.datagrams_to_send()
    assert len(datagram) > DTLS_MTU  # a record is never cut
    link.server.receive(datagram, 0)
    assert [e.data for e in link.server.events()] == [bytes(3000)]


def test_several_records_in_one_datagram(certs):
    link = connected_link(certs)
    link.client.send_application_data(b"one")
    link.client.send_application_data(b"two")
    link.client.send_application_data(b"three")
    link.server.receive(b"".join(link.client.datagrams_to_send()), 0)
    assert [e.data for e in link.server.events()] == [b"one", b"two", b"three"]


@pytest.mark.parametrize("state", ["new", "connecting", "closed"])
def test_application_data_not_sent_unless_connected(certs, state):
    if state == "new":
        transport = DtlsTransport(certs[0].certificate, certs[0].private_key)
    elif state == "connecting":
        transport = make_link(certs).client
        transport.datagrams_to_send()
    else:
        transport = connected_link(certs).client
        transport.close()
        transport.datagrams_to_send()
    assert transport.send_application_data(b"data") is False
    assert transport.datagrams_to_send() == []


def test_empty_application_data_is_ignored(certs):
    link = connected_link(certs)
    assert link.client.send_application_data(b"") is False
    assert link.client.datagrams_to_send() == []


# --- close ---------------------------------------------------------------------------------


@pytest.mark.parametrize("closer", ["client", "server"])
def test_close_notify(certs, closer):
    link = connected_link(certs)
    other = "server" if closer == "client" else "client"
    closing = link.client if closer == "client" else link.server
    closing.close()
    closing.close()  # idempotent
    link.settle()
    assert link.state_events(closer) == ["connecting", "connected"]  # no event for close()
    assert link.state_events(other) == ["connecting", "connected", "closed"]
    assert link.states() == ["closed", "closed"]
    assert len(link.sent[closer]) == 3  # two flights and the close_notify alert
    # Nothing more is processed on either side.
    remote = link.client if closer == "server" else link.server
    remote.receive(link.sent[closer][-1], 0)
    assert remote.dropped_datagrams == 1


def test_close_during_handshake(certs):
    link = make_link(certs)
    link.client.close()  # OpenSSL sends no close_notify before the handshake is done
    assert link.client.state == "closed"
    assert link.client.next_deadline() is None
    assert link.client.events() == [DtlsStateChanged("connecting")]
    link.settle(until_ms=0)
    assert link.server.state == "connecting"
    assert len(link.sent["client"]) == 1  # the ClientHello only
    link.settle()  # the server's retransmissions go unanswered
    assert link.server.state == "failed"


def test_close_when_new_sends_nothing(certs):
    transport = DtlsTransport(certs[0].certificate, certs[0].private_key)
    transport.close()
    assert transport.state == "new"
    assert transport.datagrams_to_send() == [] and transport.events() == []


# --- roles ---------------------------------------------------------------------------------


def test_run_with_the_other_role_resets(certs):
    c_cert, s_cert = certs
    a = DtlsTransport(c_cert.certificate, c_cert.private_key)
    b = DtlsTransport(s_cert.certificate, s_cert.private_key)
    a.run("client", fingerprints(s_cert), 0)
    a.datagrams_to_send()
    a.run("client", fingerprints(s_cert), 0)  # same role: nothing
    assert a.datagrams_to_send() == []
    assert [e.state for e in a.events()] == ["connecting"]
    # Now the roles flip: a becomes the server.
    a.run("server", fingerprints(s_cert), 0)
    assert a.local_role == "server" and a.next_deadline() is None
    b.run("client", fingerprints(c_cert), 0)
    link = Link(b, a)
    link.settle()
    assert link.states() == ["connected", "connected"]
    assert [e.state for e in link.events["server"]] == ["connecting", "connected"]


def test_run_again_after_failure(certs):
    link = make_link(certs, server_fps=wrong_fingerprint(certs[1]))
    link.settle()
    assert link.client.state == "failed"
    # mediasoup resets the role on failure: running again starts afresh.
    link.server.close()
    link.settle()
    c_cert, s_cert = certs
    server = DtlsTransport(s_cert.certificate, s_cert.private_key)
    server.run("server", fingerprints(c_cert), 0)
    link.client.run("client", fingerprints(s_cert), 0)
    link2 = Link(link.client, server)
    link2.settle()
    assert link2.states() == ["connected", "connected"]


# --- splitting OpenSSL's output ------------------------------------------------------------


@pytest.mark.parametrize(
    ("records", "mtu", "sizes"),
    [
        ([], 1200, []),
        ([100], 1200, [113]),
        ([100, 200, 300], 1200, [113 + 213 + 313]),
        ([600, 600], 1200, [613, 613]),  # 1226 > 1200
        ([587, 587], 1200, [1200]),  # exactly the MTU
        ([2000], 1200, [2013]),  # one record larger than the MTU goes alone
        ([100, 2000, 100], 1200, [113, 2013, 113]),
        ([500, 500, 500, 500], 1200, [1026, 1026]),
        ([50] * 30, 300, [252] * 7 + [126]),
    ],
)
def test_split_records(records, mtu, sizes):
    buffer = b"".join(record(n) for n in records)
    datagrams = split_records(buffer, mtu)
    assert [len(d) for d in datagrams] == sizes
    assert b"".join(datagrams) == buffer


@pytest.mark.parametrize("tail", [b"\x16\xfe", b"\x16\xfe\xfd" + bytes(8) + b"\x00\x50abc"])
def test_split_records_truncated_tail(tail):
    buffer = record(10) + tail
    assert split_records(buffer, 1200) == [buffer]
    assert split_records(buffer, 20) == [record(10), tail]
