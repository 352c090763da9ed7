"""IceServer (ICE-lite): state machine rows on a fake clock, reply rows, aioice interop.

A state-machine row is a list of steps ``(now_ms, command, events, state, selected)``:

* ``req <tuple> <creds> [uc] [controlled] [badpw]``: a Binding request on a tuple, made with
  one of CREDS (``uc``: USE-CANDIDATE; ``controlled``: ICE-CONTROLLED instead of
  ICE-CONTROLLING; ``badpw``: MESSAGE-INTEGRITY with a wrong password);
* ``remove <tuple>``, ``force <tuple>``, ``timer``, ``restart <creds>``;
* ``valid``: events are the valid tuples, freshest first; ``deadline``: events are
  ``[str(next_deadline())]``.

Events are summarized: ``ok`` (a success response, checked: same transaction, XOR-MAPPED-ADDRESS
of the tuple, MESSAGE-INTEGRITY with the password the request used, sent on the same tuple),
``400``/``401``/``487`` (error responses), ``sel X``, and state names. After each step the
state and the selected tuple (or None) are checked.
"""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace
from typing import NamedTuple

import pytest

from pymediasoup_worker.core.ice_lite import (
    DEFAULT_CONSENT_TIMEOUT_MS,
    IceServer,
    IceState,
    SelectedTupleChanged,
    SendStun,
    StateChanged,
)
from pymediasoup_worker.core.stun import StunClass, StunPacket, parse


class Tup(NamedTuple):
    """A tuple id as the transport might build one; ``remote_addr`` is read by the server."""

    protocol: str
    remote_ip: str
    remote_port: int

    @property
    def remote_addr(self) -> tuple[str, int]:
        return (self.remote_ip, self.remote_port)


TUPLES = {
    "A": Tup("udp", "192.0.2.10", 50000),
    "B": Tup("udp", "2001:db8::7", 50001),
    "C": Tup("tcp", "198.51.100.3", 40000),
}
NAMES = {tuple_id: name for name, tuple_id in TUPLES.items()}

CREDS = {
    "C0": ("ufragZero", "password-zero-0123456789ab"),
    "C1": ("ufragOne1", "password-one-0123456789abc"),
    "C2": ("ufragTwo2", "password-two-0123456789abc"),
}
T = DEFAULT_CONSENT_TIMEOUT_MS


def make_request(creds: str, flags: set[str], txid: bytes) -> bytes:
    ufrag, password = CREDS[creds]
    packet = StunPacket(
        StunClass.REQUEST, transaction_id=txid, username=f"{ufrag}:peerUfrag", priority=1845494271
    )
    if "controlled" in flags:
        packet.ice_controlled = 0x1234
    else:
        packet.ice_controlling = 0x5678
    packet.use_candidate = "uc" in flags
    packet.authenticate("not-the-password" if "badpw" in flags else password)
    return bytes(packet)


def summarize(actions, tuple_id=None, password: str = "", txid: bytes = b"") -> list[str]:
    out = []
    for action in actions:
        if isinstance(action, SendStun):
            assert action.tuple_id == tuple_id
            response = parse(action.data)
            assert response.transaction_id == txid
            assert response.has_fingerprint
            if response.klass == StunClass.SUCCESS_RESPONSE:
                assert response.check_message_integrity(password)
                assert response.xor_mapped_address == tuple_id.remote_addr
                out.append("ok")
            else:
                assert response.klass == StunClass.ERROR_RESPONSE
                assert response.message_integrity is None
                out.append(str(response.error_code))
        elif isinstance(action, SelectedTupleChanged):
            out.append(f"sel {NAMES[action.tuple_id]}")
        else:
            assert isinstance(action, StateChanged)
            out.append(str(action.state))
    return out


def run_step(server: IceServer, index: int, now_ms: int, command: str) -> list[str]:
    op, *args = command.split()
    if op == "req":
        name, creds, *flags = args
        txid = index.to_bytes(12, "big")
        actions = server.process_stun(make_request(creds, set(flags), txid), TUPLES[name], now_ms)
        # The response is always first, before the events it caused (mediasoup's order).
        assert isinstance(actions[0], SendStun)
        password = CREDS[creds][1]
        return summarize(actions, TUPLES[name], password, txid)
    if op == "remove":
        return summarize(server.remove_tuple(TUPLES[args[0]]))
    if op == "force":
        return summarize(server.force_selected_tuple(TUPLES[args[0]]))
    if op == "timer":
        return summarize(server.on_timer(now_ms))
    if op == "restart":
        server.restart_ice(*CREDS[args[0]])
        return []
    if op == "valid":
        return [NAMES[t] for t in server.tuples]
    if op == "deadline":
        return [str(server.next_deadline())]
    raise AssertionError(f"unknown command {command!r}")


Step = tuple[int, str, list[str], str, str | None]
OK_A = ["ok", "sel A"]

STATE_ROWS: dict[str, list[Step]] = {
    "new → connected → completed": [
        (0, "valid", [], "new", None),
        (0, "deadline", ["None"], "new", None),
        (0, "req A C0", [*OK_A, "connected"], "connected", "A"),
        (50, "req A C0", ["ok"], "connected", "A"),
        (100, "req A C0 uc", ["ok", "completed"], "completed", "A"),
        (150, "req A C0 uc", ["ok"], "completed", "A"),
    ],
    "USE-CANDIDATE first: new → completed": [
        (0, "req A C0 uc", [*OK_A, "completed"], "completed", "A"),
    ],
    "second tuple: valid, not selected": [
        (0, "req A C0", [*OK_A, "connected"], "connected", "A"),
        (10, "req B C0", ["ok"], "connected", "A"),
        (10, "valid", ["B", "A"], "connected", "A"),
        (20, "req A C0", ["ok"], "connected", "A"),
        (20, "valid", ["A", "B"], "connected", "A"),
    ],
    "USE-CANDIDATE on another tuple selects it": [
        (0, "req A C0", [*OK_A, "connected"], "connected", "A"),
        (10, "req B C0 uc", ["ok", "sel B", "completed"], "completed", "B"),
        (20, "req C C0 uc", ["ok", "sel C"], "completed", "C"),
        (30, "req A C0", ["ok"], "completed", "C"),
        (40, "req A C0 uc", ["ok", "sel A"], "completed", "A"),
    ],
    "completed: checks without USE-CANDIDATE keep the nominated tuple": [
        (0, "req A C0 uc", [*OK_A, "completed"], "completed", "A"),
        (10, "req B C0", ["ok"], "completed", "A"),
        (10, "valid", ["B", "A"], "completed", "A"),
    ],
    "remove the selected tuple: another is selected": [
        (0, "req A C0", [*OK_A, "connected"], "connected", "A"),
        (10, "req C C0", ["ok"], "connected", "A"),
        (20, "req B C0", ["ok"], "connected", "A"),
        (30, "remove A", ["sel B"], "connected", "B"),
        (30, "valid", ["B", "C"], "connected", "B"),
    ],
    "remove other or unknown tuples: nothing happens": [
        (0, "req A C0 uc", [*OK_A, "completed"], "completed", "A"),
        (10, "req B C0", ["ok"], "completed", "A"),
        (20, "remove B", [], "completed", "A"),
        (20, "remove B", [], "completed", "A"),
        (20, "remove C", [], "completed", "A"),
        (20, "valid", ["A"], "completed", "A"),
    ],
    "remove the last tuple: disconnected, then recovery": [
        (0, "req C C0 uc", ["ok", "sel C", "completed"], "completed", "C"),
        (10, "remove C", ["disconnected"], "disconnected", None),
        (10, "deadline", ["None"], "disconnected", None),
        (20, "req A C0", [*OK_A, "connected"], "connected", "A"),
        (30, "remove A", ["disconnected"], "disconnected", None),
        (40, "req B C0 uc", ["ok", "sel B", "completed"], "completed", "B"),
    ],
    "force_selected_tuple": [
        (0, "req A C0 uc", [*OK_A, "completed"], "completed", "A"),
        (10, "req B C0", ["ok"], "completed", "A"),
        (20, "force B", ["sel B"], "completed", "B"),
        (30, "force B", [], "completed", "B"),
    ],
    "consent loss: disconnected, recovery on a new tuple": [
        (0, "req A C0 uc", [*OK_A, "completed"], "completed", "A"),
        (2500, "req A C0 uc", ["ok"], "completed", "A"),
        (2500, "deadline", [str(2500 + T)], "completed", "A"),
        (2499 + T, "timer", [], "completed", "A"),
        (2500 + T, "timer", ["disconnected"], "disconnected", None),
        (2500 + T, "valid", [], "disconnected", None),
        (2500 + T, "deadline", ["None"], "disconnected", None),
        (40000, "timer", [], "disconnected", None),
        (40000, "req C C0", ["ok", "sel C", "connected"], "connected", "C"),
        (42500, "req C C0 uc", ["ok", "completed"], "completed", "C"),
        (42500, "deadline", [str(42500 + T)], "completed", "C"),
    ],
    "consent loss: recovery on the same tuple": [
        (0, "req A C0", [*OK_A, "connected"], "connected", "A"),
        (T, "timer", ["disconnected"], "disconnected", None),
        (T + 5000, "req A C0 uc", [*OK_A, "completed"], "completed", "A"),
    ],
    "consent kept by checks every 2.5 s": [
        (0, "req A C0 uc", [*OK_A, "completed"], "completed", "A"),
        *[(t, "req A C0 uc", ["ok"], "completed", "A") for t in range(2500, 60001, 2500)],
        (60000, "timer", [], "completed", "A"),
        (60000 + T - 1, "timer", [], "completed", "A"),
        (60000 + T, "timer", ["disconnected"], "disconnected", None),
    ],
    "the selected tuple's consent expires, a fresh one takes over": [
        (0, "req A C0", [*OK_A, "connected"], "connected", "A"),
        (1000, "req B C0", ["ok"], "connected", "A"),
        (2000, "req C C0", ["ok"], "connected", "A"),
        (20000, "req B C0", ["ok"], "connected", "A"),
        (20000, "deadline", [str(T)], "connected", "A"),
        (T, "timer", ["sel B"], "connected", "B"),
        (T, "valid", ["B", "C"], "connected", "B"),
        (2000 + T, "timer", [], "connected", "B"),
        (2000 + T, "valid", ["B"], "connected", "B"),
        (20000 + T, "timer", ["disconnected"], "disconnected", None),
    ],
    "two tuples expire at once": [
        (0, "req A C0 uc", [*OK_A, "completed"], "completed", "A"),
        (0, "req B C0", ["ok"], "completed", "A"),
        (T + 100, "timer", ["disconnected"], "disconnected", None),
    ],
    "failed checks do not refresh consent": [
        (0, "req A C0", [*OK_A, "connected"], "connected", "A"),
        (20000, "req A C0 badpw", ["401"], "connected", "A"),
        (25000, "req A C0 controlled", ["487"], "connected", "A"),
        (26000, "req B C1", ["401"], "connected", "A"),
        (26000, "valid", ["A"], "connected", "A"),
        (T, "timer", ["disconnected"], "disconnected", None),
    ],
    "ICE-CONTROLLED before any check: 487, still new": [
        (0, "req A C0 controlled", ["487"], "new", None),
        (0, "req A C1", ["401"], "new", None),
        (0, "deadline", ["None"], "new", None),
    ],
    "restart_ice: old credentials until the peer uses the new ones": [
        (0, "req A C0 uc", [*OK_A, "completed"], "completed", "A"),
        (10, "restart C1", [], "completed", "A"),
        (20, "req A C0 uc", ["ok"], "completed", "A"),
        (30, "req B C0", ["ok"], "completed", "A"),
        (40, "req A C1 uc", ["ok"], "completed", "A"),
        (50, "req A C0 uc", ["401"], "completed", "A"),
        (60, "req A C1 uc", ["ok"], "completed", "A"),
    ],
    "restart_ice twice before the peer moves: the first credentials are forgotten": [
        (0, "req A C0", [*OK_A, "connected"], "connected", "A"),
        (10, "restart C1", [], "connected", "A"),
        (20, "restart C2", [], "connected", "A"),
        (30, "req A C0", ["401"], "connected", "A"),
        (40, "req A C1", ["ok"], "connected", "A"),
        (50, "req A C2", ["ok"], "connected", "A"),
        (60, "req A C1", ["401"], "connected", "A"),
    ],
    "restart_ice before any check": [
        (0, "restart C1", [], "new", None),
        (10, "req A C0", [*OK_A, "connected"], "connected", "A"),
        (20, "req A C1 uc", ["ok", "completed"], "completed", "A"),
        (30, "req A C0", ["401"], "completed", "A"),
    ],
    "old credentials with a wrong password: 401": [
        (0, "restart C1", [], "new", None),
        (10, "req A C0 badpw", ["401"], "new", None),
        (20, "req A C1 badpw", ["401"], "new", None),
    ],
}


@pytest.mark.parametrize("steps", STATE_ROWS.values(), ids=STATE_ROWS.keys())
def test_state_machine(steps: list[Step]) -> None:
    server = IceServer(*CREDS["C0"])
    for index, (now_ms, command, events, state, selected) in enumerate(steps):
        where = f"step {index}: {now_ms} {command}"
        assert run_step(server, index, now_ms, command) == events, where
        assert server.state == state, where
        assert (NAMES[server.selected_tuple] if server.selected_tuple else None) == selected, where
        for name, tuple_id in TUPLES.items():
            assert server.is_valid_tuple(tuple_id) == (tuple_id in server.tuples), (where, name)


# --- replies to single datagrams on a new server ---------------------------------------------

UFRAG, PASSWORD = CREDS["C0"]
TXID = bytes(range(12))


def build(klass=StunClass.REQUEST, method=1, password=PASSWORD, fingerprint=True, **attrs):
    fields = {"username": f"{UFRAG}:peer", "priority": 100, "ice_controlling": 7}
    fields.update(attrs)
    fields = {k: v for k, v in fields.items() if v is not None}
    packet = StunPacket(klass, method, TXID, **fields)
    if password:
        packet.authenticate(password)
    return packet.serialize(fingerprint=fingerprint)


def tamper_fingerprint(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0xFF])


REPLY_ROWS: dict[str, tuple[bytes, list[str], str]] = {
    "good": (build(), ["ok", "sel A", "connected"], "connected"),
    "good, NOMINATION ignored": (build(nomination=3), ["ok", "sel A", "connected"], "connected"),
    "wrong password": (build(password="wrong-password-0123456"), ["401"], "new"),
    "wrong ufrag (unknown credentials)": (build(username="someoneElse:peer"), ["401"], "new"),
    "missing USERNAME": (build(username=None), ["400"], "new"),
    "missing MESSAGE-INTEGRITY": (build(password=""), ["400"], "new"),
    "missing PRIORITY": (build(priority=None), ["400"], "new"),
    "PRIORITY 0 (mediasoup: missing)": (build(priority=0), ["400"], "new"),
    "missing FINGERPRINT": (build(fingerprint=False), ["400"], "new"),
    "ICE-CONTROLLED": (build(ice_controlling=None, ice_controlled=9), ["487"], "new"),
    "ICE-CONTROLLED and ICE-CONTROLLING": (build(ice_controlled=9), ["487"], "new"),
    "no ICE-CONTROLLING at all (mediasoup does not require it)": (
        build(ice_controlling=None), ["ok", "sel A", "connected"], "connected"
    ),
    "non-Binding request (TURN Allocate)": (build(method=3), ["400"], "new"),
    "non-Binding indication": (build(StunClass.INDICATION, method=6, password=""), [], "new"),
    "Binding indication (keepalive)": (build(StunClass.INDICATION, password=""), [], "new"),
    "Binding indication without FINGERPRINT": (
        build(StunClass.INDICATION, password="", fingerprint=False), [], "new"
    ),
    "Binding success response": (build(StunClass.SUCCESS_RESPONSE), [], "new"),
    "Binding success response without FINGERPRINT": (
        build(StunClass.SUCCESS_RESPONSE, fingerprint=False), [], "new"
    ),
    "Binding error response": (
        build(StunClass.ERROR_RESPONSE, password="", error_code=401), [], "new"
    ),
}  # fmt: skip


@pytest.mark.parametrize("data, events, state", REPLY_ROWS.values(), ids=REPLY_ROWS.keys())
def test_replies(data: bytes, events: list[str], state: str) -> None:
    server = IceServer(UFRAG, PASSWORD)
    tuple_id = TUPLES["A"]
    assert summarize(server.process_stun(data, tuple_id, 0), tuple_id, PASSWORD, TXID) == events
    assert server.state == state


GARBAGE_ROWS = {
    # mediasoup's StunPacket::Parse() rejects it before the IceServer: dropped, no reply.
    "bad FINGERPRINT": tamper_fingerprint(build()),
    "bad FINGERPRINT, wrong password": tamper_fingerprint(build(password="x")),
    "truncated": build()[:-4],
    "not STUN": b"\x16\xfe\xfd" + bytes(40),
}


@pytest.mark.parametrize("data", GARBAGE_ROWS.values(), ids=GARBAGE_ROWS.keys())
def test_garbage_raises_and_changes_nothing(data: bytes) -> None:
    server = IceServer(UFRAG, PASSWORD)
    with pytest.raises(ValueError):
        server.process_stun(data, TUPLES["A"], 0)
    assert server.state == IceState.NEW and server.tuples == []


def test_bad_fingerprint_parsed_leniently_is_still_dropped() -> None:
    packet = parse(tamper_fingerprint(build()), check_fingerprint=False)
    with pytest.raises(ValueError):
        IceServer(UFRAG, PASSWORD).process_stun_packet(packet, TUPLES["A"], 0)


# --- API details -----------------------------------------------------------------------------


def test_events_carry_mediasoup_names() -> None:
    server = IceServer(UFRAG, PASSWORD)
    actions = server.process_stun(build(use_candidate=True), "key", 0, remote_addr=("::1", 9))
    assert [type(a) for a in actions] == [SendStun, SelectedTupleChanged, StateChanged]
    assert actions[1] == SelectedTupleChanged("key")
    assert actions[2] == StateChanged("completed") and actions[2].state == IceState.COMPLETED
    assert parse(actions[0].data).xor_mapped_address == ("::1", 9)
    assert [s.value for s in IceState] == ["new", "connected", "completed", "disconnected"]


def test_remote_addr_is_needed_for_a_success_response() -> None:
    server = IceServer(UFRAG, PASSWORD)
    with pytest.raises(TypeError, match="remote_addr"):
        server.process_stun(build(), "plain-key", 0)
    # An error response needs no address.
    assert summarize(server.process_stun(build(password="x"), "plain-key", 0), "plain-key",
                     txid=TXID) == ["401"]  # fmt: skip


LOCAL_MISUSE_ROWS = {
    "empty ufrag": lambda: IceServer("", "pw"),
    "empty password": lambda: IceServer("u", ""),
    "zero consent timeout": lambda: IceServer("u", "pw", consent_timeout_ms=0),
    "restart with empty password": lambda: IceServer("u", "pw").restart_ice("v", ""),
    "force without a selected tuple": lambda: IceServer("u", "pw").force_selected_tuple("A"),
}


@pytest.mark.parametrize("call", LOCAL_MISUSE_ROWS.values(), ids=LOCAL_MISUSE_ROWS.keys())
def test_local_misuse_raises(call) -> None:
    with pytest.raises(ValueError):
        call()


def test_force_an_invalid_tuple_raises() -> None:
    server = IceServer(UFRAG, PASSWORD)
    server.process_stun(build(), TUPLES["A"], 0)
    with pytest.raises(ValueError, match="not valid"):
        server.force_selected_tuple(TUPLES["B"])


def test_custom_consent_timeout() -> None:
    server = IceServer(UFRAG, PASSWORD, consent_timeout_ms=5000)
    server.process_stun(build(), TUPLES["A"], 1000)
    assert server.next_deadline() == 6000
    assert server.on_timer(5999) == []
    assert server.on_timer(6000) == [StateChanged(IceState.DISCONNECTED)]


def test_restart_ice_credentials() -> None:
    server = IceServer(*CREDS["C0"])
    server.restart_ice(*CREDS["C1"])
    assert (server.username_fragment, server.password) == CREDS["C1"]
    assert (server.old_username_fragment, server.old_password) == CREDS["C0"]
    run_step(server, 1, 0, "req A C1")
    assert (server.old_username_fragment, server.old_password) == ("", "")


def test_importing_the_core_stays_light() -> None:
    # hmac/hashlib and ipaddress are imported at the first STUN check, aioice never.
    code = "import sys, pymediasoup_worker.core.ice_lite;print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, text=True)
    modules = set(out.stdout.split())
    assert not modules & {"aioice", "asyncio", "hmac", "ipaddress", "socket"}


# --- interop: checks built by aioice's own ICE agent code (aiortc's RTCIceTransport) ---------

aioice = pytest.importorskip("aioice")
stun_lib = pytest.importorskip("aioice.stun")


def aioice_check(controlling: bool, nominate: bool, password: str = PASSWORD) -> bytes:
    """A connectivity check exactly as aioice's Connection builds and signs it."""
    connection = aioice.Connection(ice_controlling=controlling)
    connection.remote_username = UFRAG
    connection.remote_password = password
    request = connection.build_request(SimpleNamespace(component=1), nominate=nominate)
    request.add_message_integrity(connection.remote_password.encode("utf8"))
    return bytes(request), connection.local_username, request.transaction_id


INTEROP_ROWS = {
    "controlling": (True, False, PASSWORD, ["ok", "sel A", "connected"]),
    "controlling, nominating": (True, True, PASSWORD, ["ok", "sel A", "completed"]),
    "controlled: role conflict": (False, False, PASSWORD, ["487"]),
    "wrong password": (True, True, "x" * 22, ["401"]),
}


@pytest.mark.parametrize(
    "controlling, nominate, password, events", INTEROP_ROWS.values(), ids=INTEROP_ROWS.keys()
)
def test_aioice_checks(controlling: bool, nominate: bool, password: str, events) -> None:
    data, peer_ufrag, txid = aioice_check(controlling, nominate, password)
    assert parse(data).username == f"{UFRAG}:{peer_ufrag}"
    server = IceServer(UFRAG, PASSWORD)
    tuple_id = TUPLES["A"]
    actions = server.process_stun(data, tuple_id, 0)
    assert summarize(actions, tuple_id, PASSWORD, txid) == events
    # aioice accepts our answer as its Transaction would.
    answer = stun_lib.parse_message(actions[0].data)
    assert answer.transaction_id == txid
    if events[0] == "ok":
        assert answer.message_class == stun_lib.Class.RESPONSE
        assert answer.check_message_integrity(PASSWORD.encode())
        assert answer.attributes["XOR-MAPPED-ADDRESS"] == tuple_id.remote_addr
    else:
        assert answer.message_class == stun_lib.Class.ERROR
        assert answer.error_code == int(events[0])
