"""The outbox row as SQL, for a statement that builds an email from rows it writes itself (ticket intake
builds its receipt from the ticket it inserts, in the same statement). The outbox's columns, its status and
the insert's conflict rule stay here: one dedupe key, one email, and a duplicate inserts nothing instead of
failing the caller's statement."""

from __future__ import annotations

from collections.abc import Mapping

from pypika_tortoise import Table
from pypika_tortoise.queries import QueryBuilder, Selectable
from pypika_tortoise.terms import LiteralValue, Term, ValueWrapper

from core.db import Always, query_class
from notifications.models import OutboxMessage, OutboxStatus
from notifications.service import PreparedEmail

OUTBOX = Table(OutboxMessage._meta.db_table)
FIELDS = frozenset(PreparedEmail.model_fields)


def outbox_insert(email: Mapping[str, Term], *, sources: tuple[Selectable, ...], postgres: bool) -> QueryBuilder:
    """`INSERT INTO notifications_outbox … SELECT … FROM sources`: one row whose fields (the keys of
    `PreparedEmail`) are SQL expressions over `sources`; nothing when its dedupe key was queued before."""
    if set(email) != FIELDS:
        raise ValueError(f"an outbox row needs exactly {sorted(FIELDS)}")
    values = PreparedEmail.in_column_order(
        email, pending=ValueWrapper(OutboxStatus.pending.value), zero=ValueWrapper(0)
    )
    insert = query_class(postgres=postgres).into(OUTBOX).columns(*PreparedEmail.COLUMNS)
    for source in sources:
        insert = insert.from_(source)
    return insert.select(*values).where(Always()).on_conflict(LiteralValue("dedupe_key")).do_nothing()
