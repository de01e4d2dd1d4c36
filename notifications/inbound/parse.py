"""Reading one inbound email: who sent it, what it answers, its new text and its attachments, and whether a
person wrote it.

Loop and abuse safety (a business rule): a message that a machine sent — RFC 3834 `Auto-Submitted` other than
`no`, `Precedence: bulk|list|junk|auto_reply`, `List-Id`/`List-Unsubscribe`, `X-Autoreply`/`X-Autorespond`,
a DSN (`multipart/report; report-type=delivery-status`) or anything from our own address — is never a
person's reply: it creates no comment and triggers no email. A DSN's failed recipients are reported so their
addresses can be marked failing.

Only the new text of a reply becomes a comment: quoted history, client headers (Outlook's "From:/Sent:",
"Från:/Skickat:", "On … wrote:", "Den … skrev:") and signatures are removed by mail-parser-reply (Swedish
and English). HTML-only mail is turned into text by html2text, which drops script, style and head content;
`<blockquote>` becomes `>` lines, so quoted history is removed the same way.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

import html2text
from mailparser_reply import EmailReplyParser

from notifications.models import InboundKind
from notifications.settings import InboundSettings

_MSGID = re.compile(r"<[^<>\s]+>")
_REPLY_PARSER = EmailReplyParser(languages=["sv", "en"])


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class RefusedAttachment:
    filename: str
    content_type: str
    size: int
    reason: str


@dataclass(frozen=True)
class InboundMail:
    """A parsed message. `raw` is what is stored as the original (without refused attachments' content when
    the whole would exceed MAIL_MAX_RAW_BYTES)."""

    message_key: str
    message_id: str | None
    from_name: str
    from_address: str
    recipients: tuple[str, ...]
    subject: str
    references: tuple[str, ...]
    text: str
    reply_text: str
    kind: InboundKind
    bounced: tuple[str, ...] = ()
    attachments: tuple[InboundAttachment, ...] = ()
    refused: tuple[RefusedAttachment, ...] = ()
    raw: bytes = b""
    size: int = 0
    headers: dict[str, str] = field(default_factory=dict)


def message_key(message_id: str | None, header_bytes: bytes) -> str:
    """The claim key: the Message-ID, or a hash of the header block for a message without one."""
    if message_id:
        return message_id[:250]
    return "sha256:" + hashlib.sha256(header_bytes).hexdigest()


def first_message_id(value: str | None) -> str | None:
    found = _MSGID.findall(value or "")
    return found[0] if found else None


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def machine_kind(msg: Message, *, own_addresses: frozenset[str]) -> InboundKind:
    """personal, or why a machine sent it (see the module docstring)."""
    if msg.get_content_type() == "multipart/report" and msg.get_param("report-type") == "delivery-status":
        return InboundKind.bounce
    _, sender = parseaddr(_header(msg, "From"))
    local = sender.partition("@")[0].lower()
    if local in ("mailer-daemon", "postmaster") and msg.get_content_maintype() == "multipart":
        return InboundKind.bounce
    auto = _header(msg, "Auto-Submitted").lower()
    if auto and auto != "no":
        return InboundKind.auto_reply
    if msg.get("X-Autoreply") or msg.get("X-Autorespond") or msg.get("X-Autoresponder"):
        return InboundKind.auto_reply
    precedence = _header(msg, "Precedence").lower()
    if precedence in ("auto_reply", "autoreply"):
        return InboundKind.auto_reply
    if precedence in ("bulk", "list", "junk") or msg.get("List-Id") or msg.get("List-Unsubscribe"):
        return InboundKind.mailing_list
    domain = sender.rpartition("@")[2].lower()
    if f"{local.partition('+')[0]}@{domain}" in own_addresses:
        return InboundKind.auto_reply  # our own mail coming back: never answer it
    return InboundKind.personal


def bounced_recipients(msg: Message) -> tuple[str, ...]:
    """Final-Recipient addresses whose Action is `failed` in a DSN's delivery-status part."""
    found: list[str] = []
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else []
        for block in blocks:
            if not isinstance(block, Message):
                continue
            action = str(block.get("Action", "")).strip().lower()
            recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
            address = recipient.partition(";")[2].strip() or recipient.strip()
            if address and action in ("failed", ""):
                found.append(address.strip("<>").lower())
    return tuple(dict.fromkeys(found))


def html_to_text(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.body_width = 0
    converter.ignore_links = False
    return converter.handle(html)


def new_text(text: str) -> str:
    """The reply's own words: no quoted history, client reply headers or signature."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        return ""
    try:
        parsed = _REPLY_PARSER.read(text)
    except Exception:  # a parser failure must not lose the message: keep everything
        return text
    if parsed.replies:
        body = _without_trailing_quote(parsed.replies[0].body)
        if body:
            return body
        latest = _without_trailing_quote(parsed.latest_reply or "")
        if latest:
            return latest
    return text


def _without_trailing_quote(text: str) -> str:
    """Drop a quoted block (`>` lines) at the end with no header before it (an HTML blockquote, a bare
    quote); quotes answered in between are kept, they give the reply its sense."""
    lines = text.strip().split("\n")
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith(">")):
        lines.pop()
    return "\n".join(lines).strip()


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    if disposition == "attachment":
        return True
    return bool(part.get_filename()) and part.get_content_maintype() != "text"


def _body_and_attachments(
    msg: EmailMessage, settings: InboundSettings
) -> tuple[str, list[InboundAttachment], list[RefusedAttachment], list[Message]]:
    plain: str | None = None
    html: str | None = None
    accepted: list[InboundAttachment] = []
    refused: list[RefusedAttachment] = []
    refused_parts: list[Message] = []
    kind = msg.get_content_type()
    if kind in ("multipart/report",):
        parts = [p for p in msg.walk() if p.get_content_type() == "text/plain"][:1]
    else:
        parts = list(msg.walk())
    for part in parts:
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        if _is_attachment(part):
            data = part.get_payload(decode=True) or b""
            name = (part.get_filename() or "attachment").replace("/", "_").replace("\\", "_")[:200]
            if len(data) > settings.max_attachment_bytes:
                refused.append(RefusedAttachment(name, content_type, len(data), "too_large"))
                refused_parts.append(part)
            elif not settings.accepts_type(content_type):
                refused.append(RefusedAttachment(name, content_type, len(data), "type_not_allowed"))
                refused_parts.append(part)
            else:
                accepted.append(InboundAttachment(name, content_type, bytes(data)))
            continue
        if content_type == "text/plain" and plain is None:
            plain = _decoded(part)
        elif content_type == "text/html" and html is None:
            html = _decoded(part)
    if plain is None and html is not None:
        plain = html_to_text(html)
    return plain or "", accepted, refused, refused_parts


def _decoded(part: Message) -> str:
    data = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return bytes(data).decode(charset, errors="replace")
    except LookupError:
        return bytes(data).decode("utf-8", errors="replace")


def _stored_raw(raw: bytes, msg: EmailMessage, refused_parts: list[Message], limit: int) -> bytes:
    """The original as received, or — when it is larger than `limit` — the message with each refused
    attachment's content replaced by a note (headers and text kept)."""
    if len(raw) <= limit or not refused_parts:
        return raw
    for part in refused_parts:
        part.set_payload(f"[attachment removed by tripdesk: {len(part.get_payload(decode=True) or b'')} bytes]\n")
        del part["Content-Transfer-Encoding"]
        part.set_type("text/plain")
    return msg.as_bytes(policy=policy.SMTP)


def parse_message(raw: bytes, *, settings: InboundSettings, own_addresses: frozenset[str]) -> InboundMail:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    message_id = first_message_id(str(msg.get("Message-ID", "")))
    header_end = raw.find(b"\r\n\r\n")
    header_bytes = raw[: header_end if header_end >= 0 else len(raw)]
    name, address = parseaddr(_header(msg, "From"))
    recipients = [
        addr.lower()
        for _, addr in getaddresses(
            [str(v) for h in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To") for v in msg.get_all(h, [])]
        )
        if addr
    ]
    references = tuple(
        dict.fromkeys(_MSGID.findall(_header(msg, "In-Reply-To")) + _MSGID.findall(_header(msg, "References")))
    )
    kind = machine_kind(msg, own_addresses=own_addresses)
    text, accepted, refused, refused_parts = _body_and_attachments(msg, settings)
    return InboundMail(
        message_key=message_key(message_id, header_bytes),
        message_id=message_id,
        from_name=name.strip()[:200],
        from_address=address.strip().lower()[:254],
        recipients=tuple(dict.fromkeys(recipients)),
        subject=_header(msg, "Subject")[:300],
        references=references,
        text=text.strip(),
        reply_text=new_text(text) if kind is InboundKind.personal else "",
        kind=kind,
        bounced=bounced_recipients(msg) if kind is InboundKind.bounce else (),
        attachments=tuple(accepted),
        refused=tuple(refused),
        raw=_stored_raw(raw, msg, refused_parts, settings.max_raw_bytes),
        size=len(raw),
        headers={h: _header(msg, h) for h in ("Date", "Auto-Submitted", "Precedence", "List-Id") if msg.get(h)},
    )
