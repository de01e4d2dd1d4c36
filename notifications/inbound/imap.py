"""The support mailbox over IMAP (aioimaplib): IMAPS or STARTTLS, LOGIN or XOAUTH2, IDLE where the server
offers it (polling otherwise), MOVE where offered (COPY + \\Deleted + UID EXPUNGE otherwise).

URL: `imaps://user:pass@host:993/INBOX` (implicit TLS) or `imap://user:pass@host:143/INBOX?starttls=true`;
query options `verify` (default true: check the server certificate) and `starttls`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import ssl
from collections.abc import Awaitable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import aioimaplib

log = logging.getLogger("tripdesk.notifications.imap")

_TRUE = {"1", "true", "yes", "on"}
_FETCH_HEAD = re.compile(rb"^\d+ FETCH \((.*)$")
_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


_TRANSPORT_ERRORS = (TimeoutError, OSError, aioimaplib.AioImapException, ssl.SSLError)


class ImapError(Exception):
    """The server refused a command or the connection failed: the fetch round is retried later."""


@dataclass(frozen=True)
class Envelope:
    uid: int
    size: int
    header: bytes


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


async def _run(what: str, command: Awaitable[aioimaplib.Response]) -> aioimaplib.Response:
    """Await one command; transport trouble and refusals both become `ImapError`."""
    try:
        response = await command
    except _TRANSPORT_ERRORS as exc:
        raise ImapError(f"{what}: {type(exc).__name__}: {exc}") from exc
    return _check(response, what)


def _check(response: aioimaplib.Response, what: str) -> aioimaplib.Response:
    if response.result != "OK":
        detail = b" ".join(line for line in response.lines if isinstance(line, bytes | bytearray))
        raise ImapError(f"{what} failed: {response.result} {detail.decode(errors='replace')[:300]}")
    return response


def fetched_items(lines: list[bytes | bytearray]) -> list[tuple[int, int, bytes]]:
    """(uid, size, literal) per `* n FETCH (…)` response: a header line followed by its literal."""
    found: list[tuple[int, int, bytes]] = []
    pending: tuple[int, int] | None = None
    for line in lines:
        if isinstance(line, bytearray):
            if pending is not None:
                found.append((pending[0], pending[1], bytes(line)))
                pending = None
            continue
        head = _FETCH_HEAD.match(line)
        if head is None:
            continue
        uid, size = _UID.search(line), _SIZE.search(line)
        if uid is not None:
            pending = (int(uid.group(1)), int(size.group(1)) if size else 0)
    return found


class ImapMailbox:
    def __init__(self, url: str, *, oauth_token: str | None = None, timeout: float = 60.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps"):
            raise ValueError(f"IMAP_URL must start with imap:// or imaps://, not {parts.scheme}://")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.implicit_tls = parts.scheme == "imaps"
        self.starttls = query.get("starttls", "false").lower() in _TRUE
        self.verify = query.get("verify", "true").lower() in _TRUE
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (993 if self.implicit_tls else 143)
        self.username = unquote(parts.username or "")
        self.password = unquote(parts.password or "")
        self.folder = unquote(parts.path.lstrip("/")) or "INBOX"
        self.oauth_token = oauth_token
        self.timeout = timeout
        self._client: aioimaplib.IMAP4 | None = None

    def __repr__(self) -> str:  # never show the password
        return f"ImapMailbox({'imaps' if self.implicit_tls else 'imap'}://{self.host}:{self.port}/{self.folder})"

    def _ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
        if not self.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    @property
    def client(self) -> aioimaplib.IMAP4:
        if self._client is None:
            raise ImapError("not connected")
        return self._client

    def has(self, capability: str) -> bool:
        return self._client is not None and self._client.has_capability(capability)

    async def connect(self) -> None:
        """Connect, log in and select the folder (raises `ImapError`)."""
        await self.close()
        try:
            if self.implicit_tls:
                client: aioimaplib.IMAP4 = aioimaplib.IMAP4_SSL(
                    host=self.host, port=self.port, timeout=self.timeout, ssl_context=self._ssl_context()
                )
            else:
                client = aioimaplib.IMAP4(host=self.host, port=self.port, timeout=self.timeout)
            self._client = client
            await client.wait_hello_from_server()
            if self.starttls:
                await self._starttls(client)
            if self.oauth_token:
                await _run("XOAUTH2", client.xoauth2(self.username, self.oauth_token.encode()))
            else:
                await _run("LOGIN", client.login(self.username, self.password))
            await _run(f"SELECT {self.folder}", client.select(self.folder))
        except _TRANSPORT_ERRORS as exc:
            await self.close()
            raise ImapError(f"cannot open {self!r}: {type(exc).__name__}: {exc}") from exc
        except ImapError:
            await self.close()
            raise

    async def _starttls(self, client: aioimaplib.IMAP4) -> None:
        """aioimaplib has no STARTTLS of its own: issue the command, then upgrade the transport in place."""
        protocol = client.protocol
        await _run("STARTTLS", protocol.simple_command("STARTTLS"))
        loop = asyncio.get_running_loop()
        transport = await loop.start_tls(protocol.transport, protocol, self._ssl_context(), server_hostname=self.host)
        protocol.transport = transport
        await protocol.capability()

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        with contextlib.suppress(Exception):
            if client.has_pending_idle():
                client.idle_done()
            await asyncio.wait_for(client.logout(), timeout=5)

    async def uids(self) -> list[int]:
        """UIDs of the messages in the folder that are not marked deleted, oldest first."""
        # NOOP first: a server may report mail that arrived meanwhile only at the end of a command, after the
        # search was answered (Dovecot does), and the round would miss it.
        await _run("NOOP", self.client.noop())
        response = await _run("UID SEARCH", self.client.uid_search("UNDELETED"))
        uids: list[int] = []
        for line in response.lines[:-1]:
            uids.extend(int(token) for token in bytes(line).split() if token.isdigit())
        return sorted(uids)

    async def envelopes(self, uids: list[int]) -> list[Envelope]:
        """Size and header block of each message, without marking it seen."""
        if not uids:
            return []
        uid_set = ",".join(str(u) for u in uids)
        response = await _run(
            "UID FETCH header", self.client.uid("fetch", uid_set, "(UID RFC822.SIZE BODY.PEEK[HEADER])")
        )
        return [Envelope(uid, size, header) for uid, size, header in fetched_items(response.lines)]

    async def fetch(self, uid: int) -> bytes | None:
        """The whole message (None when it is gone: another fetcher moved it)."""
        response = await _run("UID FETCH", self.client.uid("fetch", str(uid), "(UID BODY.PEEK[])"))
        for found_uid, _, data in fetched_items(response.lines):
            if found_uid == uid:
                return data
        return None

    async def ensure_folder(self, folder: str) -> None:
        try:
            response = await self.client.create(_quote(folder))
        except _TRANSPORT_ERRORS as exc:
            raise ImapError(f"CREATE {folder}: {exc}") from exc
        if response.result != "OK" and not any(
            b"ALREADYEXISTS" in bytes(line).upper() or b"EXISTS" in bytes(line).upper() for line in response.lines
        ):
            raise ImapError(f"cannot create folder {folder!r}")

    async def move(self, uids: list[int], folder: str) -> bool:
        """Move messages (MOVE; COPY, \\Deleted and UID EXPUNGE where MOVE is missing). False when the
        server refused (say, another fetcher moved one first): what is left is looked at again next round."""
        if not uids:
            return True
        try:
            await self._move(",".join(str(u) for u in uids), folder)
        except ImapError as exc:
            if self._client is None or self._client.get_state() != "SELECTED":
                raise  # the connection is gone: the round ends
            log.warning("could not move messages %s to %s: %s", uids, folder, exc)
            return False
        return True

    async def _move(self, uid: str, folder: str) -> None:
        target = _quote(folder)
        if self.has("MOVE"):
            await _run("UID MOVE", self.client.uid("move", uid, target))
            return
        await _run("UID COPY", self.client.uid("copy", uid, target))
        await _run("UID STORE", self.client.uid("store", uid, "+FLAGS.SILENT", r"(\Deleted)"))
        if self.has("UIDPLUS"):
            await _run("UID EXPUNGE", self.client.uid("expunge", uid))
        else:  # without UIDPLUS EXPUNGE removes every \Deleted message, which here are only moved ones
            await _run("EXPUNGE", self.client.expunge())

    async def wait_for_mail(self, seconds: float) -> None:
        """Return when the server announces new mail (IDLE) or after `seconds` (polling)."""
        if not self.has("IDLE"):
            await asyncio.sleep(seconds)
            return
        client = self.client
        idle = await client.idle_start(timeout=seconds)
        try:
            while True:
                pushed = await client.wait_server_push(timeout=seconds + 5)
                if pushed == aioimaplib.STOP_WAIT_SERVER_PUSH:
                    break
                lines = pushed if isinstance(pushed, list) else [pushed]
                if any(b"EXISTS" in bytes(line) for line in lines if isinstance(line, bytes | bytearray)):
                    break
        finally:
            client.idle_done()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(idle, timeout=10)
