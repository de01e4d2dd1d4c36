"""Drive HTTP load with wrk, a native load generator.

A Python client on the same two cores takes CPU from the server under test, and takes it unequally from a
slow and a fast server, which skews a ratio between them. wrk spends a small, nearly constant amount of CPU
per request, so the ratio it reports is the servers'. The request comes from a small Lua script; its `done`
hook prints one JSON line with the counts and latency percentiles, which `run_wrk` parses.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass

LUA_TEMPLATE = """
local method, path = {method}, {path}
local headers = {headers}
local bodies = {bodies}
local counter = 0
request = function()
  counter = counter + 1
  local body = nil
  if #bodies > 0 then
    local pair = bodies[counter % #bodies + 1]
    body = pair[1] .. counter .. pair[2]
  end
  return wrk.format(method, path, headers, body)
end
done = function(summary, latency, requests)
  io.write(string.format(
    '\\n{{"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}}\\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def lua_string(value: str | None) -> str:
    """A Lua string literal (long-bracket form, so JSON quotes and backslashes pass unchanged)."""
    if value is None:
        return "nil"
    level = "=" * 3
    return f"[{level}[{value}]{level}]"


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured, or several runs `combined`."""

    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @classmethod
    def combined(cls, runs: Sequence[WrkResult]) -> WrkResult:
        """Rounds of one side, or the mixes of a list run: counts and time add up; the percentiles are the
        worst run's, since wrk reports percentiles, not a histogram that could be merged."""
        return cls(
            requests=sum(run.requests for run in runs),
            seconds=sum(run.seconds for run in runs),
            non_2xx=sum(run.non_2xx for run in runs),
            socket_errors=sum(run.socket_errors for run in runs),
            p50_ms=max(run.p50_ms for run in runs),
            p99_ms=max(run.p99_ms for run in runs),
        )

    def summary(self, label: str) -> str:
        return (
            f"{label:<34} {self.rps:8.0f} req/s   p50 {self.p50_ms:6.1f} ms   p99 {self.p99_ms:6.1f} ms   "
            f"n={self.requests}  non-2xx={self.non_2xx}  socket errors={self.socket_errors}"
        )


def ensure_wrk() -> str:
    """Path of wrk; installs Debian's package when missing and running as root (as .ci/run does for tools)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(
            "apt-get install -y -qq wrk || (apt-get update -qq && apt-get install -y -qq wrk)",
            shell=True,
            check=False,
            capture_output=True,
        )
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("wrk is not installed: apt-get install wrk (Debian package)")


def run_wrk(
    url: str,
    *,
    method: str = "GET",
    path: str,
    headers: dict[str, str],
    bodies: list[tuple[str, str]] | None = None,
    connections: int = 32,
    threads: int = 1,
    seconds: float = 5.0,
) -> WrkResult:
    """One wrk run against `url`. With `bodies`, request n sends `prefix + n + suffix` of the pairs in turn,
    so every body is unique (nothing downstream can answer from a cache)."""
    lua_headers = "{" + ", ".join(f"[ {lua_string(k)} ] = {lua_string(v)}" for k, v in headers.items()) + "}"
    script = LUA_TEMPLATE.format(
        method=lua_string(method),
        path=lua_string(path),
        headers=lua_headers,
        bodies="{" + ", ".join(f"{{{lua_string(a)}, {lua_string(b)}}}" for a, b in bodies or []) + "}",
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        completed = subprocess.run(
            [
                ensure_wrk(),
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{seconds:.0f}s",
                "--timeout",
                "10s",
                "-s",
                handle.name,
                url,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        out = completed.stdout + completed.stderr
    finally:
        os.unlink(handle.name)
    line = next((text for text in reversed(out.splitlines()) if text.startswith("{")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary (a Lua error?):\n{out}")
    data = json.loads(line)
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        non_2xx=data["non_2xx"],
        socket_errors=data["socket_errors"],
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
    )
