"""/proc readings and CPU pinning for the benchmarks (Linux only).

CPU time is utime + stime of /proc/<pid>/stat (all threads of the process), in clock
ticks (usually 10 ms): a measurement window of a second or more keeps that under ~1 %.
"""

from __future__ import annotations

import os

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

WORKER_CPU = 0  # the worker (or the raw forwarder) runs alone on this core
LOAD_CPU = 1  # the load generator, the sinks and the controller share this one


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        stat = f.read()
    # The command name (field 2) may contain spaces: split after its closing paren.
    fields = stat[stat.rindex(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE


def pin(pid: int, cpu: int) -> bool:
    """Pin a process (0: this one) to one CPU; False where the machine has too few."""
    if cpu >= (os.cpu_count() or 1):
        return False
    try:
        os.sched_setaffinity(pid, {cpu})
    except OSError:
        return False
    return True


def loadavg() -> float:
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


NICE = -10  # set by the suite's --nice


def renice(pid: int) -> bool:
    """Raise a benchmark process's priority (root only) so that other load on the
    machine takes less of its core; 0 leaves it as it is."""
    if NICE == 0:
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, pid, NICE)
    except OSError:
        return False
    return True


def udp_drops() -> tuple[int, int]:
    """The kernel's UDP RcvbufErrors and InErrors so far (all sockets)."""
    with open("/proc/net/snmp") as f:
        lines = [line.split() for line in f if line.startswith("Udp:")]
    header, values = lines[0], lines[1]
    row = dict(zip(header[1:], map(int, values[1:]), strict=True))
    return row.get("RcvbufErrors", 0), row.get("InErrors", 0)
