"""Outbox use cases: queue an email in the caller's transaction, build the MIME message for delivery, and
the admin views (list, show, retry a parked message).

Invariants:
- `enqueue_email` never opens its own transaction: the row commits or rolls back with the change that caused
  it, so a rolled-back change sends nothing (transactional outbox).
- One `dedupe_key`, one email, ever. A duplicate is detected without raising an IntegrityError, so the
  caller's PostgreSQL transaction is never aborted by it.
- Header values (names, subjects) never contain CR/LF; addresses are validated before they are stored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from email import policy
from email.encoders import encode_base64
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from typing import Any, ClassVar, NotRequired, TypedDict, Unpack

from email_validator import EmailNotValidError, validate_email
from pydantic import ConfigDict
from tortoise.expressions import Q
from tortoise.functions import Count

from core.pagination import keyset_page, set_filters
from notifications import schemas
from notifications.errors import InvalidRecipient, NotParked, OutboxMessageNotFound
from notifications.models import OutboxAttachment, OutboxMessage, OutboxStatus
from notifications.settings import MailSettings, get_mail_settings
from notifications.templating import check_template, one_line


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def normalise_address(address: str, *, what: str = "recipient") -> str:
    """A deliverable-looking address in normal form, or `InvalidRecipient` (422)."""
    if not isinstance(address, str) or any(c in address for c in "\r\n") or len(address) > 254:
        raise InvalidRecipient(f"{what} address is not valid")
    normalised = address_cache(get_mail_settings().address_cache_size)(address.strip())
    if isinstance(normalised, EmailNotValidError):
        raise InvalidRecipient(f"{what} address {address.strip()!r} is not valid: {normalised}")
    return normalised


@lru_cache(maxsize=2)
def address_cache(size: int) -> Callable[[str], str | EmailNotValidError]:
    """`_normalised` remembering the last `size` addresses (OUTBOX_ADDRESS_CACHE_SIZE)."""
    return lru_cache(maxsize=size)(_normalised)


def _normalised(address: str) -> str | EmailNotValidError:
    """Validation is pure and not free; the same contacts and reply addresses recur all day."""
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        return exc


class ReplyAddress(str):
    """An address tripdesk composed itself (`ticket_reply_address`): MAIL_FROM's local part and domain, which
    were validated once, plus ASCII letters, digits and `-_.`; it needs no validation per message."""


@lru_cache(maxsize=8)
def _reply_parts(mail_from: str, mail_domain: str) -> tuple[str, str]:
    _, sender = parseaddr(mail_from)
    local = (sender.partition("@")[0] or "support").partition("+")[0]
    normalise_address(f"{local}+SUP-2026-00001@{mail_domain}", what="reply-to")  # once per configuration
    return local, mail_domain


def reply_address_affixes(settings: MailSettings | None = None) -> tuple[str, str]:
    """What goes before and after a ticket number in its reply address (`support+`, `@<domain>`)."""
    settings = settings or get_mail_settings()
    local, domain = _reply_parts(settings.mail_from, settings.mail_domain)
    return f"{local}+", f"@{domain}"


def ticket_reply_address(ticket_number: str, *, settings: MailSettings | None = None) -> ReplyAddress:
    """`support+SUP-2026-00042@<domain of MAIL_FROM>`: replies land on the ticket's own address."""
    safe_number = "".join(c for c in ticket_number if (c.isascii() and c.isalnum()) or c in "-_.")
    return ReplyAddress(safe_number.join(reply_address_affixes(settings)))


def new_message_id(settings: MailSettings | None = None) -> str:
    """A Message-ID under MAIL_FROM's domain, unique per queued email and kept across retries."""
    return f"<outbox-{uuid.uuid4().hex}@{(settings or get_mail_settings()).mail_domain}>"


class PreparedEmail(schemas.OutboxAddress):
    """An outbox row, validated but not stored: `enqueue_email` stores it through the ORM. A statement that
    builds the row in SQL (ticket intake) inserts it with notifications/outbox_sql.py, whose columns and
    derived values (`in_column_order`) are these: the fields, then a new row's status, attempts and times."""

    model_config = ConfigDict(frozen=True)

    context: dict[str, Any]
    queued_at: dt.datetime

    STORED: ClassVar[tuple[str, ...]] = (*schemas.OutboxAddress.model_fields, "context")
    COLUMNS: ClassVar[tuple[str, ...]] = (*STORED, "status", "attempts", "next_attempt_at", "created_at")

    @staticmethod
    def in_column_order(fields: Mapping[str, Any], *, pending: Any, zero: Any) -> tuple[Any, ...]:
        """A new row's values in `COLUMNS` order from its fields: pending, never tried, due when queued."""
        queued = fields["queued_at"]
        return (*(fields[name] for name in PreparedEmail.STORED), pending, zero, queued, queued)

    def to_model(self) -> OutboxMessage:
        stored = {name: getattr(self, name) for name in self.STORED}
        return OutboxMessage(**stored, status=OutboxStatus.pending, attempts=0, next_attempt_at=self.queued_at)


class Email(TypedDict):
    """What a caller says of one email to queue (the keywords of `prepare_email` and `enqueue_email`)."""

    template: str
    to_email: str
    to_name: str
    language: str
    context: dict[str, Any]
    dedupe_key: str
    reply_to: NotRequired[str | None]


def prepare_email(**email: Unpack[Email]) -> PreparedEmail:
    """The outbox row for one email, validated but not stored. Raises `InvalidRecipient` for an invalid
    to/reply-to address and `UnknownTemplate` for a template that does not exist."""
    settings = get_mail_settings()
    check_template(email["template"])
    reply_to = email.get("reply_to")
    if reply_to is not None and not isinstance(reply_to, ReplyAddress):
        reply_to = normalise_address(reply_to, what="reply-to")
    return PreparedEmail(
        dedupe_key=email["dedupe_key"][:200],
        message_id=new_message_id(settings),
        template=email["template"],
        language=email["language"] if email["language"] in ("sv", "en") else "sv",
        to_email=normalise_address(email["to_email"]),
        to_name=one_line(email["to_name"] or "")[:200],
        reply_to=reply_to or None,
        context=email["context"],
        queued_at=utcnow(),
    )


async def enqueue_email(*, attachments: Sequence[Attachment] = (), **email: Unpack[Email]) -> bool:
    """Queue one email in the caller's current transaction; it is rendered from `context` at delivery.

    Returns False, writing nothing, when `dedupe_key` was already queued (by an earlier event or a concurrent
    transaction that committed first). Raises `InvalidRecipient` for an invalid to/reply-to address.
    """
    row = prepare_email(**email).to_model()
    dedupe_key, message_id = row.dedupe_key, row.message_id
    # INSERT … ON CONFLICT DO NOTHING: a concurrent duplicate is skipped instead of raising, which would
    # abort the caller's transaction on PostgreSQL.
    await OutboxMessage.bulk_create([row], ignore_conflicts=True)
    found = await OutboxMessage.filter(dedupe_key=dedupe_key).limit(1).values("id", "message_id")
    if not found or found[0]["message_id"] != message_id:
        return False
    stored = found[0]
    if attachments:
        await OutboxAttachment.bulk_create(
            [
                OutboxAttachment(
                    message_id=stored["id"],
                    filename=one_line(a.filename)[:200] or "attachment",
                    content_type=a.content_type,
                    data=bytes(a.data),
                )
                for a in attachments
            ]
        )
    return True


Merge = Callable[[dict[str, Any] | None, dict[str, Any]], dict[str, Any] | None]
"""(context of the pending email or None, context of the new change) → the context to send, or None: send
nothing (the changes cancel out, or none of them concerns the recipient)."""


async def enqueue_coalesced(*, coalesce_key: str, window_seconds: float, merge: Merge, **email: Unpack[Email]) -> bool:
    """Queue a change that may be merged with others of the same `coalesce_key` (one ticket's status, say)
    made within `window_seconds`, in the caller's transaction: while an email of that key waits unsent, the
    change is merged into it and its send time moves to now + window; if the merge says nothing is left to
    tell, the waiting email is dropped. A change with no email waiting starts one (when `merge` gives a
    context). Callers serialise changes of one key (they lock the ticket), so the pending row is stable.
    Returns whether an email now waits for this key."""
    send_at = utcnow() + dt.timedelta(seconds=window_seconds)
    waiting = OutboxMessage.filter(coalesce_key=coalesce_key, status=OutboxStatus.pending)
    pending = await waiting.order_by("-id").select_for_update().first()
    merged = merge(pending.context if pending is not None else None, email["context"])
    if pending is not None:
        if merged is None:
            await waiting.filter(id=pending.id).delete()
            return False
        await waiting.filter(id=pending.id).update(context=merged, next_attempt_at=send_at)
        return True
    if merged is None:
        return False
    email["context"] = merged
    row = prepare_email(**email).to_model()
    row.coalesce_key = coalesce_key[:200]
    row.next_attempt_at = send_at
    await OutboxMessage.bulk_create([row], ignore_conflicts=True)
    return await OutboxMessage.exists(message_id=row.message_id)


ContextBuilder = Callable[[dict[str, Any], str], Awaitable[dict[str, Any]]]
"""(stored context, language) → the context the template renders. For emails whose row stores the facts of
the event and looks the rest up when it is delivered (a rate quoted for the billed organisation, say)."""

_context_builders: dict[str, ContextBuilder] = {}


def register_context_builder(template: str, builder: ContextBuilder | None) -> None:
    """Set (or, with None, remove) the builder of one template's context; the composition root calls this."""
    if builder is None:
        _context_builders.pop(template, None)
    else:
        _context_builders[template] = builder


async def complete_context(row: OutboxMessage) -> OutboxMessage:
    """Give the row, in memory, the context its template renders: call before reading its content. A row
    with stored content, or whose template has no builder, is left as it is. Builders leave a context that
    is already complete unchanged, so calling this twice is harmless."""
    builder = _context_builders.get(row.template)
    if builder is not None and row.stored_text is None and row.context is not None:
        row.context = await builder(row.context, row.language)
        row.__dict__.pop("_content", None)
    return row


def build_email(
    row: OutboxMessage,
    attachments: Sequence[OutboxAttachment | Attachment] = (),
    *,
    settings: MailSettings | None = None,
) -> EmailMessage:
    """The MIME message for a queued row (its context completed: `complete_context`): text + HTML
    alternatives, attachments, and the row's stable Message-ID (identical on every retry, so a receiver can
    drop a duplicate).

    Built with the compat32 policy and the legacy MIME classes: about four times cheaper than the modern
    header registry, which otherwise dominates the worker's CPU time. Non-ASCII names and subjects are
    RFC 2047 encoded, attachment file names RFC 2231 encoded; values were made single-line at enqueue."""
    settings = settings or get_mail_settings()
    msg = EmailMessage(policy=policy.compat32)
    msg["MIME-Version"] = "1.0"
    from_name, from_addr = parseaddr(settings.mail_from)
    msg["From"] = formataddr((one_line(from_name), from_addr), "utf-8")
    msg["To"] = formataddr((one_line(row.to_name), row.to_email), "utf-8")
    if row.reply_to:
        msg["Reply-To"] = row.reply_to
    # Encoded to a plain str (not a Header object), so any generator or policy can serialise it.
    content = row.content()
    msg["Subject"] = Header(one_line(content.subject), "utf-8", header_name="Subject").encode()
    msg["Message-ID"] = row.message_id
    msg["Date"] = format_datetime(row.created_at or utcnow())
    msg["Content-Language"] = row.language
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Tripdesk-Template"] = row.template
    bodies = [MIMEText(content.text, "plain", "utf-8"), MIMEText(content.html, "html", "utf-8")]
    if attachments:
        alternative = Message()
        alternative["Content-Type"] = "multipart/alternative"
        for part in bodies:
            del part["MIME-Version"]
            alternative.attach(part)
        msg["Content-Type"] = "multipart/mixed"
        _attach(msg, alternative)
        for attachment in attachments:
            maintype, _, subtype = (attachment.content_type or "application/octet-stream").partition("/")
            file_part = MIMEBase(maintype or "application", subtype or "octet-stream")
            file_part.set_payload(bytes(attachment.data))
            encode_base64(file_part)
            del file_part["MIME-Version"]
            file_part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", attachment.filename))
            _attach(msg, file_part)
    else:
        msg["Content-Type"] = "multipart/alternative"
        for part in bodies:
            del part["MIME-Version"]
            _attach(msg, part)
    return msg


def _attach(parent: Message, part: Message) -> None:
    # compat32 multipart assembly; typeshed types EmailMessage.attach for the modern API only.
    Message.attach(parent, part)


# Admin views ------------------------------------------------------------------------------------------


async def list_outbox(*, query: schemas.OutboxQuery) -> tuple[list[OutboxMessage], str | None]:
    rows = OutboxMessage.filter(**set_filters(query, "status", "template"))
    if query.to_email is not None:
        rows = rows.filter(to_email__iexact=query.to_email.strip())
    found, cursor = await keyset_page(rows, query.limit, query.cursor)
    for row in found:
        await complete_context(row)  # the list shows each subject
    return found, cursor


async def get_outbox_message(*, message_id: int) -> OutboxMessage:
    row = await OutboxMessage.get_or_none(id=message_id).prefetch_related("attachments")
    if row is None:
        raise OutboxMessageNotFound(f"outbox message {message_id} not found")
    return await complete_context(row)


async def retry_message(*, message_id: int) -> OutboxMessage:
    """A parked message goes back to pending with a fresh set of attempts; anything else is a 409."""
    updated = await OutboxMessage.filter(id=message_id, status=OutboxStatus.parked).update(
        status=OutboxStatus.pending, attempts=0, next_attempt_at=utcnow(), lease_until=None, claimed_by=None
    )
    row = await get_outbox_message(message_id=message_id)
    if not updated:
        raise NotParked(
            f"outbox message {message_id} is {row.status}; only a parked message can be retried",
            current=str(row.status),
        )
    return row


async def outbox_depth() -> dict[str, int]:
    """Messages per status (every status present, zero when empty): for /metrics and alerting."""
    counts = {status.value: 0 for status in OutboxStatus}
    rows = await OutboxMessage.all().group_by("status").annotate(n=Count("id")).values("status", "n")
    for row in rows:
        counts[str(row["status"])] = int(row["n"])
    return counts


async def due_count() -> int:
    """Pending messages whose time has come, plus claimed ones whose lease has expired."""
    now = utcnow()
    return await OutboxMessage.filter(
        Q(status=OutboxStatus.pending, next_attempt_at__lte=now) | Q(status=OutboxStatus.sending, lease_until__lt=now)
    ).count()
