"""A small keep-alive HTTP/1.1 load generator on raw asyncio streams.

Python HTTP clients (httpx, requests) spend more CPU per request than the server under test, which would
measure the client; this one writes pre-built request bytes and parses only the status line and
Content-Length, so one core drives several thousand requests per second.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def add(self, other: Result) -> None:
        """Count `other`'s requests in with these (rounds of one side, the mixes of a list run)."""
        self.latencies += other.latencies
        self.elapsed += other.elapsed
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count

    def summary(self, label: str) -> str:
        return (
            f"{label:<34} {self.rps:8.0f} req/s   p50 {self.percentile(50):6.1f} ms   "
            f"p99 {self.percentile(99):6.1f} ms   n={self.requests}  statuses={self.statuses}"
        )


def build_request(
    method: str, path: str, *, host: str, body: dict | None = None, headers: dict[str, str] | None = None
) -> bytes:
    payload = b"" if body is None else json.dumps(body).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    for key, value in (headers or {}).items():
        lines.append(f"{key}: {value}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
            break
    if length:
        await reader.readexactly(length)
    return status


async def run_load(
    host: str,
    port: int,
    make_request: Callable[[int], bytes],
    *,
    concurrency: int,
    duration: float,
    warmup: float = 1.0,
) -> Result:
    result = Result()
    deadline_box = {"start": 0.0, "end": 0.0}
    counter = iter(range(10**9))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:
                now = time.perf_counter()
                if now >= deadline_box["end"]:
                    return
                request = make_request(next(counter))
                started = time.perf_counter()
                writer.write(request)
                status = await _read_response(reader)
                finished = time.perf_counter()
                if started >= deadline_box["start"]:
                    result.latencies.append(finished - started)
                    result.statuses[status] = result.statuses.get(status, 0) + 1
        finally:
            writer.close()

    begin = time.perf_counter()
    deadline_box["start"] = begin + warmup
    deadline_box["end"] = begin + warmup + duration
    await asyncio.gather(*[worker() for _ in range(concurrency)])
    result.elapsed = time.perf_counter() - deadline_box["start"]
    return result


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


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
