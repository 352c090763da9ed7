"""SeqManager and the wrap-aware comparisons, row-driven, swept across the wrap."""

from __future__ import annotations

import ast
import pathlib

import pytest

from pymediasoup_worker.core import seq as seq_module
from pymediasoup_worker.core.seq import (
    MAX_VALUE_16,
    MAX_VALUE_32,
    SeqManager,
    is_seq_higher_than,
    is_seq_lower_than,
    seq_diff,
)

SWEEP_16 = [s & MAX_VALUE_16 for s in range(0xFFF0, 0x10010)]
SWEEP_32 = [s & MAX_VALUE_32 for s in range(0xFFFFFFF0, 0x100000010)]


# --- the stream cores stay sans-IO -----------------------------------------------------

CORE_MODULES = [
    "seq",
    "nack_generator",
    "retransmission_buffer",
    "keyframe_request_manager",
    "rtp_stream_stats",
]
FORBIDDEN_IMPORTS = {"asyncio", "socket", "time", "selectors", "threading"}


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_io(module):
    path = pathlib.Path(seq_module.__file__).with_name(f"{module}.py")
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & FORBIDDEN_IMPORTS


# --- comparisons -------------------------------------------------------------------------

# (lhs, rhs, max_value, lhs higher than rhs, lhs lower than rhs)
COMPARISONS = [
    (0, 0, MAX_VALUE_16, False, False),
    (1, 0, MAX_VALUE_16, True, False),
    (0, 1, MAX_VALUE_16, False, True),
    (0, 0xFFFF, MAX_VALUE_16, True, False),
    (0xFFFF, 0, MAX_VALUE_16, False, True),
    (0x7FFF, 0, MAX_VALUE_16, True, False),
    (0, 0x7FFF, MAX_VALUE_16, False, True),
    # Exactly half apart: the numerically smaller one is the higher one.
    (0x8000, 0, MAX_VALUE_16, False, True),
    (0, 0x8000, MAX_VALUE_16, True, False),
    (0x8001, 0, MAX_VALUE_16, False, True),
    (0, 0x8001, MAX_VALUE_16, True, False),
    (0xFFFF, 0x7FFF, MAX_VALUE_16, False, True),
    (0x7FFF, 0xFFFF, MAX_VALUE_16, True, False),
    (5, 0xFFF0, MAX_VALUE_16, True, False),
    (0xFFF0, 5, MAX_VALUE_16, False, True),
    (0, 0xFFFFFFFF, MAX_VALUE_32, True, False),
    (0xFFFFFFFF, 0, MAX_VALUE_32, False, True),
    (0x7FFFFFFF, 0, MAX_VALUE_32, True, False),
    (0x80000000, 0, MAX_VALUE_32, False, True),
    (0, 0x80000000, MAX_VALUE_32, True, False),
    (0xFFFF, 0, MAX_VALUE_32, True, False),  # no 16-bit wrap in a 32-bit space
    (100, 0xFFFFFF00, MAX_VALUE_32, True, False),
]


@pytest.mark.parametrize("lhs, rhs, max_value, higher, lower", COMPARISONS)
def test_comparisons(lhs, rhs, max_value, higher, lower):
    assert is_seq_higher_than(lhs, rhs, max_value) is higher
    assert is_seq_lower_than(lhs, rhs, max_value) is lower
    diff = seq_diff(lhs, rhs, max_value)
    assert (diff > 0) is higher and (diff < 0) is lower
    assert (rhs + diff) & max_value == lhs


@pytest.mark.parametrize("rhs", [0, 1, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF])
def test_seq_diff_agrees_with_comparisons_over_the_whole_16_bit_space(rhs):
    for lhs in range(0x10000):
        diff = seq_diff(lhs, rhs)
        assert (diff > 0) == is_seq_higher_than(lhs, rhs)
        assert (diff < 0) == is_seq_lower_than(lhs, rhs)
        assert -0x8000 <= diff <= 0x8000
        assert (rhs + diff) & 0xFFFF == lhs


# --- SeqManager ----------------------------------------------------------------------------


def make_manager(bits: int, input_start: int, output_start: int) -> SeqManager:
    """A manager whose next input ``input_start`` gives ``output_start``.

    Walks the output there in steps below half the space so that max_output follows, as it
    would on a long-running stream (only the public API is used).
    """
    mask = (1 << bits) - 1
    manager = SeqManager(bits)
    previous = (input_start - 1) & mask
    manager.sync(previous)
    out = manager.input(previous)
    target = (output_start - 1) & mask
    while out != target:
        manager.offset(min(mask >> 2, (target - out) & mask))
        out = manager.input(previous)
    assert manager.max_output == target and manager.max_input == previous
    return manager


# Each op, with numbers relative to the sweep's input start (s) and output start (o):
#   ("in", k, v): input(s + k) gives o + v (None: it was dropped)
#   ("drop", k) · ("sync", k) · ("offset", n)
SEQ_MANAGER_ROWS = {
    "in order": [("in", 0, 0), ("in", 1, 1), ("in", 2, 2), ("in", 3, 3)],
    "a gap passes through": [("in", 0, 0), ("in", 5, 5), ("in", 6, 6)],
    "one drop": [("in", 0, 0), ("in", 1, 1), ("drop", 2), ("in", 3, 2), ("in", 4, 3)],
    "drops in a row": [("in", 0, 0), ("drop", 1), ("drop", 2), ("drop", 3), ("in", 4, 1)],
    "spaced drops": [
        ("in", 0, 0), ("drop", 1), ("in", 2, 1), ("drop", 3), ("in", 4, 2), ("drop", 5),
        ("drop", 6), ("in", 7, 3), ("in", 8, 4),
    ],
    "a dropped input stays dropped": [("in", 0, 0), ("drop", 1), ("in", 1, None), ("in", 2, 1)],
    "out of order around a drop": [
        ("in", 0, 0), ("in", 1, 1), ("drop", 2), ("in", 4, 3), ("in", 3, 2), ("in", 5, 4),
    ],
    # mediasoup 3.7.12 gives 2 for input 3 here (it forgets the drop of 5 as if it were
    # half the space old): a late packet below a drop keeps its place.
    "late input below a drop": [
        ("in", 0, 0), ("in", 1, 1), ("in", 2, 2), ("in", 3, 3), ("in", 4, 4), ("drop", 5),
        ("in", 6, 5), ("in", 3, 3), ("in", 7, 6),
    ],
    "drop of an old input is ignored": [("in", 0, 0), ("in", 5, 5), ("drop", 3), ("in", 6, 6)],
    "a retransmission before the max": [
        ("in", 0, 0), ("in", 1, 1), ("in", 2, 2), ("in", 1, 1), ("in", 3, 3),
    ],
    "sync continues after the highest output (switch of source)": [
        ("in", 0, 0), ("in", 1, 1), ("in", 2, 2), ("sync", 999), ("in", 1000, 3),
        ("in", 1001, 4),
    ],
    "sync backwards in the input": [
        ("in", 0, 0), ("in", 1, 1), ("sync", -501), ("in", -500, 2), ("in", -499, 3),
    ],
    "pause and resume: inputs skipped then a sync": [
        ("in", 0, 0), ("in", 1, 1), ("in", 2, 2), ("sync", 40), ("in", 41, 3), ("in", 42, 4),
    ],
    "sync forgets the drops": [
        ("in", 0, 0), ("drop", 1), ("drop", 2), ("sync", 9), ("in", 10, 1), ("in", 11, 2),
    ],
    "drop after a sync": [
        ("in", 0, 0), ("sync", 99), ("in", 100, 1), ("drop", 101), ("in", 102, 2),
    ],
    "offset": [("in", 0, 0), ("in", 1, 1), ("offset", 10), ("in", 2, 12), ("in", 3, 13)],
    "negative offset": [("in", 0, 0), ("offset", -1), ("in", 2, 1), ("in", 3, 2)],
}  # fmt: skip


def run_seq_manager_row(bits, ops, input_start, output_start):
    mask = (1 << bits) - 1
    manager = make_manager(bits, input_start, output_start)
    for op in ops:
        kind = op[0]
        if kind == "in":
            _, k, v = op
            expected = None if v is None else (output_start + v) & mask
            got = manager.input((input_start + k) & mask)
            assert got == expected, (op, input_start, output_start)
        elif kind == "drop":
            manager.drop((input_start + op[1]) & mask)
        elif kind == "sync":
            manager.sync((input_start + op[1]) & mask)
        elif kind == "offset":
            manager.offset(op[1] & mask)
        else:  # pragma: no cover
            raise AssertionError(op)


@pytest.mark.parametrize("ops", SEQ_MANAGER_ROWS.values(), ids=SEQ_MANAGER_ROWS.keys())
def test_seq_manager_16_swept(ops):
    for i, s in enumerate(SWEEP_16):
        for o in (s, SWEEP_16[-1 - i], 1):
            run_seq_manager_row(16, ops, s, o)


@pytest.mark.parametrize("ops", SEQ_MANAGER_ROWS.values(), ids=SEQ_MANAGER_ROWS.keys())
def test_seq_manager_32_swept(ops):
    for i, s in enumerate(SWEEP_32):
        for o in (s, SWEEP_32[-1 - i], 1):
            run_seq_manager_row(32, ops, s, o)


def test_fresh_manager_maps_input_to_itself():
    manager = SeqManager()
    assert [manager.input(x) for x in (0, 1, 2)] == [0, 1, 2]
    assert manager.max_input == 2 and manager.max_output == 2


def test_consumer_style_sync_starts_outputs_at_1():
    # What a consumer does on its first packet: sync(seq - 1).
    for s in SWEEP_16:
        manager = SeqManager()
        manager.sync((s - 1) & 0xFFFF)
        assert [manager.input((s + k) & 0xFFFF) for k in range(4)] == [1, 2, 3, 4]


@pytest.mark.parametrize("bits", [8, 16, 32])
def test_max_values_follow_only_forward_moves(bits):
    mask = (1 << bits) - 1
    manager = SeqManager(bits)
    manager.input(10)
    manager.input(5)  # older: not a new max
    assert manager.max_input == 10 and manager.max_output == 10
    manager.input((10 + (mask >> 1)) & mask)  # half the space ahead: not a new max
    assert manager.max_input == 10


def test_bits_must_be_a_known_width():
    with pytest.raises(ValueError):
        SeqManager(12)


@pytest.mark.parametrize("start", [0, 0xFFF0, 0x8000, 0xFFFF])
def test_dropping_every_other_input_for_more_than_the_whole_space(start):
    # A temporal-layer filter: outputs stay continuous, and the remembered drops stay
    # bounded (drops half the space behind are folded into the base).
    manager = SeqManager()
    manager.sync((start - 1) & 0xFFFF)
    expected = 1
    for k in range(0x11000):
        seq = (start + k) & 0xFFFF
        if k % 2:
            manager.drop(seq)
            continue
        assert manager.input(seq) == expected & 0xFFFF
        expected += 1
        assert manager.dropped_count <= 0x4001
    # A late retransmission of a recent forwarded input keeps its output.
    late = (start + 0x11000 - 4) & 0xFFFF
    assert manager.input(late) == (expected - 2) & 0xFFFF


@pytest.mark.parametrize("start", SWEEP_16)
def test_reordered_stream_with_drops_is_a_bijection(start):
    # Inputs arrive with local reordering; every kept input gets its own output, in the
    # same order as the inputs, and no output is reused.
    order = []
    for base in range(0, 200, 4):
        order += [base + 1, base, base + 3, base + 2]
    # Drops are told as they arrive, and only inputs arriving as the new highest can be
    # dropped (a drop of an older input is ignored): k % 4 in (1, 3) arrive so.
    dropped = {k for k in range(200) if k % 8 == 1 or k % 12 == 3}
    manager = SeqManager()
    manager.sync((start - 1) & 0xFFFF)
    outputs = {}
    for k in order:
        seq = (start + k) & 0xFFFF
        if k in dropped:
            manager.drop(seq)
            continue
        outputs[k] = manager.input(seq)
    kept = sorted(outputs)
    assert [outputs[k] for k in kept] == [(1 + i) & 0xFFFF for i in range(len(kept))]
