"""A real SMTP server on loopback (aiosmtpd) for the outbox tests.

`RecordingHandler` keeps every accepted message and can be told to answer the next N messages with a given
reply (421 temporary, 550 permanent). `SmtpServer` can be stopped and started on the same port to simulate an
SMTP outage.
"""

from __future__ import annotations

import email
import socket
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPProtocol
from aiosmtpd.smtp import Envelope, Session


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=policy.default)

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class RecordingHandler:
    received: list[Received] = field(default_factory=list)
    refused: list[tuple[str, Received]] = field(default_factory=list)
    _fail_next: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, count: int, reply: str) -> None:
        """Answer the next `count` messages' DATA with `reply` (e.g. '421 4.3.2 try later')."""
        with self._lock:
            self._fail_next.extend([reply] * count)

    async def handle_DATA(self, server: SMTPProtocol, session: Session, envelope: Envelope) -> str:
        got = Received(
            mail_from=str(envelope.mail_from),
            rcpt_tos=list(envelope.rcpt_tos),
            data=_as_bytes(envelope.original_content or envelope.content or b""),
        )
        with self._lock:
            if self._fail_next:
                reply = self._fail_next.pop(0)
                self.refused.append((reply, got))
                return reply
            self.received.append(got)
        return "250 2.0.0 OK: queued"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [r.message_id for r in self.received]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpServer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> None:
        self._controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            decode_data=False,
            ready_timeout=5,
            server_kwargs={"data_size_limit": 0},
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def _as_bytes(data: bytes | str) -> bytes:
    """aiosmtpd keeps the content as str when the server decodes data; these tests keep bytes."""
    return data.encode() if isinstance(data, str) else data
