"""How a rendered email leaves the building: the `Mailer` protocol, SMTP over one reused connection, and
the .eml folder that is the embedded default when no SMTP server is configured.

Failures are raised as `DeliveryFailed` classified by SMTP semantics: 4xx replies and connection trouble
are temporary, 5xx replies are permanent.
"""

from __future__ import annotations

import asyncio
import copy as copy_module
import io
import logging
import os
import re
import ssl
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from notifications.errors import DeliveryFailed
from notifications.settings import MailSettings

log = logging.getLogger("tripdesk.notifications.mailer")

_TRUE = {"1", "true", "yes", "on"}


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Deliver one message or raise `DeliveryFailed`."""

    async def close(self) -> None: ...


def message_bytes(message: EmailMessage) -> bytes:
    """The wire form (CRLF) in the message's own policy, without Bcc headers."""
    copy = copy_module.copy(message)
    del copy["Bcc"]
    del copy["Resent-Bcc"]
    out = io.BytesIO()
    BytesGenerator(out, policy=message.policy.clone(linesep="\r\n")).flatten(copy)
    return out.getvalue()


def envelope(message: EmailMessage) -> tuple[str, list[str]]:
    """MAIL FROM and RCPT TO from the headers (To, Cc, Bcc)."""
    _, sender = parseaddr(str(message.get("Sender") or message.get("From") or ""))
    fields = [str(v) for name in ("To", "Cc", "Bcc") for v in message.get_all(name, [])]
    recipients = [addr for _, addr in getaddresses(fields) if addr]
    if not sender or not recipients:
        raise DeliveryFailed("the message has no sender or no recipient", temporary=False)
    return sender, recipients


def classify_smtp_error(exc: BaseException) -> DeliveryFailed:
    """Map an aiosmtplib/network error to a temporary or permanent `DeliveryFailed`."""
    if isinstance(exc, DeliveryFailed):
        return exc
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [err.code for err in exc.recipients] or [550]
        reason = "; ".join(f"{err.code} {err.message}" for err in exc.recipients) or str(exc)
        # Only one recipient per message here; if several, any 4xx makes it worth another try.
        temporary = any(400 <= code < 500 for code in codes)
        return DeliveryFailed(f"recipient refused: {reason}", temporary=temporary, code=min(codes))
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        code = exc.code
        temporary = not (500 <= code < 600)
        return DeliveryFailed(f"{code} {exc.message}", temporary=temporary, code=code)
    if isinstance(exc, (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError, ConnectionError)):
        return DeliveryFailed(f"connection problem: {type(exc).__name__}: {exc}", temporary=True)
    return DeliveryFailed(f"{type(exc).__name__}: {exc}", temporary=True)


class SmtpMailer:
    """One SMTP connection, opened lazily and reused for every message; reopened when the server drops it.

    URL: `smtp://[user:pass@]host[:port][?starttls=true]` or `smtps://…` (implicit TLS). Query options:
    `starttls` (default false for smtp://), `verify` (default true: check the server certificate),
    `timeout` (seconds).
    """

    def __init__(self, url: str, *, timeout: float = 30.0, local_hostname: str | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, not {parts.scheme}://")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.implicit_tls = parts.scheme == "smtps"
        self.starttls = query.get("starttls", "false").lower() in _TRUE
        if self.implicit_tls and self.starttls:
            raise ValueError("smtps:// already uses TLS; drop starttls=true")
        self.hostname = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else (587 if self.starttls else 25))
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.validate_certs = query.get("verify", "true").lower() in _TRUE
        self.timeout = float(query.get("timeout", timeout))
        self.local_hostname = local_hostname
        self._smtp: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:  # never show the password
        return f"SmtpMailer({'smtps' if self.implicit_tls else 'smtp'}://{self.hostname}:{self.port})"

    async def _connect(self) -> aiosmtplib.SMTP:
        smtp = aiosmtplib.SMTP(
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.implicit_tls,
            start_tls=self.starttls,
            validate_certs=self.validate_certs,
            timeout=self.timeout,
            local_hostname=self.local_hostname,
        )
        await smtp.connect()  # also STARTTLS and AUTH when configured
        return smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            except Exception:  # closing a broken transport must never mask the real error
                log.debug("closing the SMTP connection failed", exc_info=True)
        self._smtp = None

    async def send(self, message: EmailMessage) -> None:
        sender, recipients = envelope(message)
        data = message_bytes(message)
        async with self._lock:
            reused = self._smtp is not None and self._smtp.is_connected
            try:
                if not reused:
                    self._drop()
                    self._smtp = await self._connect()
                assert self._smtp is not None
                await self._smtp.sendmail(sender, recipients, data)
                return
            except aiosmtplib.SMTPServerDisconnected as exc:
                self._drop()
                if not reused:
                    raise classify_smtp_error(exc) from exc
                # An idle connection the server closed in the meantime: one fresh attempt right away.
                log.info("SMTP connection was closed by the server; reconnecting")
            except ssl.SSLError as exc:
                self._drop()
                raise classify_smtp_error(exc) from exc
            except aiosmtplib.SMTPResponseException as exc:
                if exc.code == 421 or not (self._smtp and self._smtp.is_connected):
                    self._drop()
                raise classify_smtp_error(exc) from exc
            except aiosmtplib.SMTPRecipientsRefused as exc:
                raise classify_smtp_error(exc) from exc
            except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
                self._drop()
                raise classify_smtp_error(exc) from exc
            try:
                self._smtp = await self._connect()
                await self._smtp.sendmail(sender, recipients, data)
            except Exception as exc:
                if not (self._smtp and self._smtp.is_connected) or getattr(exc, "code", None) == 421:
                    self._drop()
                raise classify_smtp_error(exc) from exc

    async def close(self) -> None:
        async with self._lock:
            if self._smtp is not None and self._smtp.is_connected:
                try:
                    await asyncio.wait_for(self._smtp.quit(), timeout=5)
                except Exception:
                    log.debug("SMTP QUIT failed", exc_info=True)
            self._drop()


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class FileMailer:
    """Writes each message as `<Message-ID>.eml` into a folder (the default: `$TRIPDESK_DATA_DIR/mail/`).

    The file name comes from the Message-ID, so a message delivered twice overwrites itself; files are written
    to a temporary name first and renamed, so a reader never sees half a message.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path_for(self, message: EmailMessage) -> Path:
        message_id = str(message.get("Message-ID", "")).strip("<>") or f"message-{id(message)}"
        return self.directory / f"{_UNSAFE.sub('_', message_id)[:180]}.eml"

    def _write(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.path_for(message)
        tmp = target.with_suffix(".eml.tmp")
        tmp.write_bytes(message_bytes(message))
        os.replace(tmp, target)

    async def send(self, message: EmailMessage) -> None:
        try:
            await asyncio.to_thread(self._write, message)
        except OSError as exc:  # a full disk is worth retrying later
            raise DeliveryFailed(f"could not write the .eml file: {exc}", temporary=True) from exc

    async def close(self) -> None:
        return None


def mailer_from_settings(settings: MailSettings) -> Mailer:
    """SMTP when SMTP_URL is set, otherwise the .eml folder (the embedded default)."""
    if settings.smtp_url:
        return SmtpMailer(settings.smtp_url, timeout=settings.smtp_timeout_seconds)
    return FileMailer(settings.mail_dir)
