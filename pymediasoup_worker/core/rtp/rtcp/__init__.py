"""RTCP packets (sans-IO): each type has ``parse(bytes)`` (ValueError on garbage) and
``serialize()``; ``CompoundPacket`` splits and joins datagrams; ``is_rtcp`` demuxes."""

from .bye import ByePacket
from .common import APP, BYE, PSFB, RR, RTPFB, SDES, SR, XR
from .compound import CompoundPacket, RtcpPacket, is_rtcp
from .feedback import (
    FeedbackPacket,
    FeedbackPsFirPacket,
    FeedbackPsPliPacket,
    FeedbackPsRembPacket,
    FeedbackRtpNackPacket,
    FeedbackRtpTransportPacket,
    parse_feedback,
)
from .rr import ReceiverReport, ReceiverReportPacket
from .sdes import SdesChunk, SdesPacket
from .sr import SenderReportPacket
from .xr import DelaySinceLastRr, ExtendedReportBlock, ExtendedReportPacket, ReceiverReferenceTime

__all__ = [
    "APP",
    "BYE",
    "PSFB",
    "RR",
    "RTPFB",
    "SDES",
    "SR",
    "XR",
    "ByePacket",
    "CompoundPacket",
    "DelaySinceLastRr",
    "ExtendedReportBlock",
    "ExtendedReportPacket",
    "FeedbackPacket",
    "FeedbackPsFirPacket",
    "FeedbackPsPliPacket",
    "FeedbackPsRembPacket",
    "FeedbackRtpNackPacket",
    "FeedbackRtpTransportPacket",
    "ReceiverReferenceTime",
    "ReceiverReport",
    "ReceiverReportPacket",
    "RtcpPacket",
    "SdesChunk",
    "SdesPacket",
    "SenderReportPacket",
    "is_rtcp",
    "parse_feedback",
]
