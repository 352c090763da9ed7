"""The ICE-lite server of a WebRtcTransport, as mediasoup's RTC::IceServer, plus consent freshness.

Sans-IO: ``process_stun(data, tuple_id, now_ms)`` takes one STUN datagram received on a
tuple and returns a list of actions, in the order mediasoup's listener callbacks fire:

* ``SendStun(tuple_id, data)``: send ``data`` back on that tuple (always first);
* ``SelectedTupleChanged(tuple_id)``: emit ``iceselectedtuplechange``;
* ``StateChanged(state)``: emit ``icestatechange`` with ``state`` ('connected', 'completed'
  or 'disconnected').

``remove_tuple()`` (a TCP connection closed), ``force_selected_tuple()`` (DTLS or RTP arrived on
another valid tuple) and ``on_timer(now_ms)`` return events the same way; ``next_deadline()``
is when ``on_timer`` is next due (``None``: no timer needed).

A tuple id is any hashable the caller uses to tell its tuples apart: equal for the same local
socket and remote address (UDP) or the same connection (TCP). The remote address for
XOR-MAPPED-ADDRESS is passed as ``remote_addr``, or read from ``tuple_id.remote_addr``.

mediasoup 3.7 behaviour kept:

* a request must be a Binding with FINGERPRINT, USERNAME, PRIORITY and MESSAGE-INTEGRITY, else
  400; a non-Binding request gets 400; indications and responses are ignored;
* USERNAME must begin with ``<local ufrag>:`` and MESSAGE-INTEGRITY match the local password,
  else 401; after ``restart_ice()`` the previous credentials stay valid until a request uses
  the new ones (a second restart before that forgets the first pair);
* ICE-CONTROLLED (the peer claims the controlled role) gets 487 Role Conflict: we are lite
  and always controlled;
* the first valid request selects its tuple: 'connected', or 'completed' with USE-CANDIDATE;
  later requests add their tuple; USE-CANDIDATE selects its tuple and moves 'connected' to
  'completed'; removing the selected tuple selects another or goes 'disconnected'.

Added (mediasoup 3.7 has no consent check): consent freshness after RFC 7675. A tuple stays
valid for ``consent_timeout_ms`` (30 s) after its last authenticated request; browsers check
every few seconds. A tuple whose consent expires is removed as by ``remove_tuple()``. When
none is left the state is 'disconnected', and the next valid request on any tuple starts over
('connected', or 'completed' with USE-CANDIDATE), as mediasoup's 'disconnected' state does.
When the selected tuple has to be replaced, the one with the freshest consent is chosen.
Bad FINGERPRINTs and malformed STUN raise ``ValueError`` (mediasoup drops them before its
IceServer sees them): the caller counts and drops.
"""

from __future__ import annotations

from collections.abc import Hashable
from enum import StrEnum
from typing import NamedTuple

from ..log import logger
from .stun import Authentication, StunClass, StunMethod, StunPacket, parse

_WHERE = "RTC::IceServer::ProcessStunPacket"

DEFAULT_CONSENT_TIMEOUT_MS = 30000


class IceState(StrEnum):
    NEW = "new"
    CONNECTED = "connected"
    COMPLETED = "completed"
    DISCONNECTED = "disconnected"


class SendStun(NamedTuple):
    """Send ``data`` (a STUN response) on ``tuple_id`` (mediasoup's OnIceServerSendStunPacket)."""

    tuple_id: Hashable
    data: bytes


class SelectedTupleChanged(NamedTuple):
    """``tuple_id`` is now the selected tuple (mediasoup's OnIceServerSelectedTuple)."""

    tuple_id: Hashable


class StateChanged(NamedTuple):
    """New ICE state (mediasoup's OnIceServerConnected / Completed / Disconnected)."""

    state: IceState


IceAction = SendStun | SelectedTupleChanged | StateChanged


class IceServer:
    __slots__ = (
        "username_fragment", "password", "old_username_fragment", "old_password",
        "consent_timeout_ms", "_state", "_tuples", "_selected",
    )  # fmt: skip

    def __init__(
        self,
        username_fragment: str,
        password: str,
        consent_timeout_ms: int = DEFAULT_CONSENT_TIMEOUT_MS,
    ) -> None:
        if not username_fragment or not password:
            raise ValueError("ICE username fragment and password must not be empty")
        if consent_timeout_ms <= 0:
            raise ValueError("consent_timeout_ms must be positive")
        self.username_fragment = username_fragment
        self.password = password
        # The credentials before the last restart_ice(), until a request uses the new ones.
        self.old_username_fragment = ""
        self.old_password = ""
        self.consent_timeout_ms = consent_timeout_ms
        self._state = IceState.NEW
        # Valid tuples → now_ms of their last authenticated request, the least recently
        # refreshed first (a refresh moves the tuple to the end).
        self._tuples: dict[Hashable, int] = {}
        self._selected: Hashable | None = None

    # --- state, for the owner and for tests ---

    @property
    def state(self) -> IceState:
        return self._state

    @property
    def selected_tuple(self) -> Hashable | None:
        return self._selected

    @property
    def tuples(self) -> list[Hashable]:
        """The valid tuples, the most recently refreshed first."""
        return list(reversed(self._tuples))

    def is_valid_tuple(self, tuple_id: Hashable) -> bool:
        return tuple_id in self._tuples

    def next_deadline(self) -> int | None:
        """When the oldest consent expires; ``None`` when no tuple is valid."""
        if not self._tuples:
            return None
        return min(self._tuples.values()) + self.consent_timeout_ms

    # --- input ---

    def process_stun(
        self,
        data: bytes,
        tuple_id: Hashable,
        now_ms: int,
        remote_addr: tuple[str, int] | None = None,
    ) -> list[IceAction]:
        """Handle one STUN datagram received on ``tuple_id``. ``ValueError`` if malformed."""
        return self.process_stun_packet(parse(data), tuple_id, now_ms, remote_addr)

    def process_stun_packet(
        self,
        packet: StunPacket,
        tuple_id: Hashable,
        now_ms: int,
        remote_addr: tuple[str, int] | None = None,
    ) -> list[IceAction]:
        """As ``process_stun()`` for a packet already parsed."""
        if packet.has_fingerprint and not packet.fingerprint_valid:
            raise ValueError("STUN FINGERPRINT does not match")
        is_request = packet.klass == StunClass.REQUEST

        if packet.method != StunMethod.BINDING:
            if is_request:
                logger.warn(
                    _WHERE, f"unknown method {packet.method:#x} in STUN Request => 400", "ice"
                )
                return [self._error(packet, 400, tuple_id)]
            return []

        if not packet.has_fingerprint and packet.klass != StunClass.INDICATION:
            if is_request:
                logger.warn(_WHERE, "STUN Binding Request without FINGERPRINT => 400", "ice")
                return [self._error(packet, 400, tuple_id)]
            return []

        if not is_request:
            # Binding indications (keepalives) and responses: nothing to do for ICE-lite.
            return []

        if packet.message_integrity is None or not packet.priority or not packet.username:
            logger.warn(_WHERE, "missing required attributes in STUN Binding Request => 400", "ice")
            return [self._error(packet, 400, tuple_id)]

        auth = packet.check_authentication(self.username_fragment, self.password)
        if auth == Authentication.OK:
            response_password = self.password
            if self.old_password:
                logger.debug(_WHERE, "new ICE credentials applied", "ice")
                self.old_username_fragment = ""
                self.old_password = ""
        elif auth == Authentication.UNAUTHORIZED:
            if (
                self.old_username_fragment
                and self.old_password
                and packet.check_authentication(self.old_username_fragment, self.old_password)
                == Authentication.OK
            ):
                logger.debug(_WHERE, "using old ICE credentials", "ice")
                response_password = self.old_password
            else:
                logger.warn(_WHERE, "wrong authentication in STUN Binding Request => 401", "ice")
                return [self._error(packet, 401, tuple_id)]
        else:
            logger.warn(_WHERE, "cannot check authentication in STUN Binding Request => 400", "ice")
            return [self._error(packet, 400, tuple_id)]

        if packet.ice_controlled is not None:
            logger.warn(
                _WHERE, "peer indicates ICE-CONTROLLED in STUN Binding Request => 487", "ice"
            )
            return [self._error(packet, 487, tuple_id)]

        if remote_addr is None:
            remote_addr = _remote_addr_of(tuple_id)
        response = packet.create_success_response()
        response.xor_mapped_address = remote_addr
        response.authenticate(response_password)
        actions: list[IceAction] = [SendStun(tuple_id, response.serialize())]
        self._handle_tuple(tuple_id, packet.use_candidate, now_ms, actions)
        return actions

    def on_timer(self, now_ms: int) -> list[IceAction]:
        """Expire the tuples whose consent is older than ``consent_timeout_ms``."""
        limit = now_ms - self.consent_timeout_ms
        expired = [t for t, last in self._tuples.items() if last <= limit]
        if not expired:
            return []
        for tuple_id in expired:
            del self._tuples[tuple_id]
        logger.debug(
            "RTC::IceServer::OnTimer", f"ICE consent expired on {len(expired)} tuple(s)", "ice"
        )
        if self._selected in expired:
            return self._replace_selected()
        return []

    # --- local commands ---

    def restart_ice(self, username_fragment: str, password: str) -> None:
        """New local credentials; the current ones are accepted until the peer uses these."""
        if not username_fragment or not password:
            raise ValueError("ICE username fragment and password must not be empty")
        self.old_username_fragment = self.username_fragment
        self.username_fragment = username_fragment
        self.old_password = self.password
        self.password = password

    def remove_tuple(self, tuple_id: Hashable) -> list[IceAction]:
        """Forget a tuple (its TCP connection closed); unknown tuples are ignored."""
        if tuple_id not in self._tuples:
            return []
        del self._tuples[tuple_id]
        if tuple_id != self._selected:
            return []
        return self._replace_selected()

    def force_selected_tuple(self, tuple_id: Hashable) -> list[IceAction]:
        """Select an already valid tuple (DTLS or media arrived on it, aggressive nomination).

        Only while 'connected' or 'completed', with a valid tuple: otherwise ``ValueError``.
        """
        if self._selected is None:
            raise ValueError("cannot force the selected tuple: there is no selected tuple")
        if tuple_id not in self._tuples:
            raise ValueError("cannot force the selected tuple: the tuple is not valid")
        actions: list[IceAction] = []
        self._set_selected(tuple_id, actions)
        return actions

    # --- internals ---

    def _error(self, packet: StunPacket, code: int, tuple_id: Hashable) -> SendStun:
        return SendStun(tuple_id, packet.create_error_response(code).serialize())

    def _handle_tuple(
        self, tuple_id: Hashable, use_candidate: bool, now_ms: int, actions: list[IceAction]
    ) -> None:
        # Store the tuple, or refresh its consent and move it to the end.
        self._tuples.pop(tuple_id, None)
        self._tuples[tuple_id] = now_ms

        state = self._state
        if state in (IceState.NEW, IceState.DISCONNECTED):
            self._set_selected(tuple_id, actions)
            self._set_state(IceState.COMPLETED if use_candidate else IceState.CONNECTED, actions)
        elif use_candidate:
            self._set_selected(tuple_id, actions)
            if state == IceState.CONNECTED:
                self._set_state(IceState.COMPLETED, actions)

    def _replace_selected(self) -> list[IceAction]:
        """The selected tuple is gone: select the freshest one left, or disconnect."""
        actions: list[IceAction] = []
        self._selected = None
        if self._tuples:
            # The dict is in refresh order (now_ms only grows): its last tuple is the freshest.
            self._set_selected(next(reversed(self._tuples)), actions)
        else:
            self._set_state(IceState.DISCONNECTED, actions)
        return actions

    def _set_selected(self, tuple_id: Hashable, actions: list[IceAction]) -> None:
        if tuple_id == self._selected:
            return
        self._selected = tuple_id
        actions.append(SelectedTupleChanged(tuple_id))

    def _set_state(self, state: IceState, actions: list[IceAction]) -> None:
        self._state = state
        actions.append(StateChanged(state))


def _remote_addr_of(tuple_id: Hashable) -> tuple[str, int]:
    remote_addr = getattr(tuple_id, "remote_addr", None)
    if remote_addr is None:
        raise TypeError(
            "process_stun() needs remote_addr=(ip, port) or a tuple_id with .remote_addr"
        )
    return (remote_addr[0], remote_addr[1])
