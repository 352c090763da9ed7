"""create_consumer(): the Consumer class for ``transport.consume``'s ``data.type``."""

from __future__ import annotations

from typing import Any

from ..errors import MediaSoupTypeError
from .consumer import Consumer, ConsumerListener
from .pipe_consumer import PipeConsumer
from .rtp_dictionaries import get_rtp_parameters_type
from .shared import Shared
from .simple_consumer import SimpleConsumer
from .simulcast_consumer import SimulcastConsumer
from .svc_consumer import SvcConsumer

CONSUMER_CLASSES: dict[str, type[Consumer]] = {
    "simple": SimpleConsumer,
    "simulcast": SimulcastConsumer,
    "svc": SvcConsumer,
    "pipe": PipeConsumer,
}


def create_consumer(
    consumer_id: str,
    producer_id: str,
    shared: Shared,
    listener: ConsumerListener,
    data: dict[str, Any],
) -> Consumer:
    """As mediasoup's Transport on TRANSPORT_CONSUME: ``missing type``, ``invalid type 'none'``..."""
    kind = data.get("type")
    if not isinstance(kind, str):
        raise MediaSoupTypeError("missing type")
    kind = get_rtp_parameters_type(kind)
    if kind == "none":
        raise MediaSoupTypeError("invalid type 'none'")
    return CONSUMER_CLASSES[kind](consumer_id, producer_id, shared, listener, data)
