"""Giving freed memory back to the operating system in a process that runs for months.

glibc's malloc keeps what a program frees for reuse (per thread arena) instead of returning it, so large,
short-lived work in a worker thread (rendering an invoice) leaves the process at the size of its peak.
`return_free_memory` asks glibc to give free pages back after such work; where the C library is not glibc
it does nothing.
"""

from __future__ import annotations

import ctypes
import functools
from typing import Any


@functools.cache
def _glibc() -> Any | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


def return_free_memory() -> bool:
    """`malloc_trim(0)` on every arena (well under a millisecond); True when memory was returned."""
    libc = _glibc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
