"""What the machine did while a benchmark ran: CPU time counters, and a note of how busy the cores were and how
much time the hypervisor stole, printed beside each figure so a run on a shared VM can be judged."""

from __future__ import annotations


def cpu_ticks() -> list[int] | None:
    """The machine's CPU time counters (/proc/stat: user, nice, system, idle, iowait, irq, softirq, steal)."""
    try:
        with open("/proc/stat") as stat:
            return [int(v) for v in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None


def machine_note(before: list[int] | None, after: list[int] | None) -> str:
    """What the machine did between two `cpu_ticks()`: on a shared VM, time stolen by the hypervisor
    explains runs that differ by tens of percent with the same code."""
    if before is None or after is None:
        return "machine: no /proc/stat here"
    user, nice, system, idle, iowait, irq, softirq, steal = (b - a for a, b in zip(before, after, strict=True))
    total = (user + nice + system + idle + iowait + irq + softirq + steal) or 1
    busy = user + nice + system + irq + softirq
    return (
        f"machine during this phase: busy {100 * busy / total:.0f} %, idle {100 * (idle + iowait) / total:.0f} %,"
        f" stolen by the hypervisor {100 * steal / total:.0f} %"
    )
