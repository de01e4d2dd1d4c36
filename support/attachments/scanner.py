"""The virus-scanner hook: a command run on each upload before it is stored (off unless configured).

The command gets the file's path as its last argument (e.g. `clamdscan --no-summary --fdpass`); exit 0 means
clean, 1 infected (the upload is refused, 422), anything else or a timeout is a scanner failure (503): a file
that could not be checked is not stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shlex
from pathlib import Path

from support.attachments.errors import AttachmentInfected, ScannerUnavailable

log = logging.getLogger("tripdesk.attachments")


async def scan(path: Path, *, command: str | None, time_limit: float) -> None:
    if not command:
        return
    try:
        process = await asyncio.create_subprocess_exec(
            *shlex.split(command),
            str(path),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
    except OSError:
        log.exception("the virus scanner cannot be started")
        raise ScannerUnavailable("the virus scanner cannot be started; try again later") from None
    try:
        output, _ = await asyncio.wait_for(process.communicate(), time_limit)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise ScannerUnavailable("the virus scanner did not answer in time; try again later") from None
    if process.returncode == 1:
        log.warning("virus scanner refused an upload: %s", output[-500:].decode("utf-8", "replace"))
        raise AttachmentInfected("the virus scanner found malware in the file")
    if process.returncode != 0:
        log.error("virus scanner failed (exit %s): %s", process.returncode, output[-500:].decode("utf-8", "replace"))
        raise ScannerUnavailable("the virus scanner could not check the file; try again later")
