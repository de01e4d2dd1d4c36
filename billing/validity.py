"""Dated agreements: rate cards (billing/rates.py) and licence price lists (billing/subscriptions/pricing.py).

Rule: an agreement is valid from a day until a day (or open-ended), for one organisation or as the default
(organisation null). Two agreements of one kind and owner never overlap, so at most one of each applies on any
day. The writers of one kind serialise on a counter row used as a lock (`write_lock`), so two overlapping
agreements created at the same moment cannot both pass the overlap check. Once created, only the end of
validity changes (new terms are a new agreement), and it may not come before the start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, cast

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from billing.audit_trail import audit_event, entity
from billing.naming import row_values
from core.auth import Principal
from core.errors import DomainError
from core.locking import first_locked
from support.errors import InvalidReference
from support.models import Organisation
from support.numbering import write_lock

M = TypeVar("M", bound=Model)


class Dated(Protocol):
    """The columns every dated agreement has."""

    id: int
    name: str
    organisation_id: int | None
    valid_from_date: dt.date
    valid_until_date: dt.date | None


class DatedIn(Protocol):
    """What a request to create one says about its validity (the kind's schema has more)."""

    name: str
    organisation_id: int | None
    valid_from: dt.date
    valid_until: dt.date | None

    def model_dump(self, *, mode: str) -> dict[str, Any]: ...


def valid_on(day: dt.date) -> Q:
    """The agreements valid on `day`."""
    return Q(valid_from_date__lte=day) & (Q(valid_until_date__isnull=True) | Q(valid_until_date__gte=day))


def overlaps(row: Dated, valid_from: dt.date, valid_until: dt.date | None) -> bool:
    """Whether `row` is valid on any day from `valid_from` to `valid_until` (None: open-ended)."""
    return (row.valid_until_date is None or valid_from <= row.valid_until_date) and (
        valid_until is None or row.valid_from_date <= valid_until
    )


@dataclass(frozen=True)
class AgreementKind(Generic[M]):
    """One kind of dated agreement: its model, whose entity ("rate_card", billing/audit_trail.py) names its
    audit actions (`rate_card.created`, `rate_card.updated`) and the counter row its writers lock
    (`lock:billing:rate-cards`), and its errors."""

    model: type[M]
    missing: Callable[[int], DomainError]
    overlap: Callable[[Dated], DomainError]

    @property
    def subject(self) -> str:
        return entity(self.model)

    @property
    def lock_key(self) -> str:
        return f"lock:billing:{self.subject.replace('_', '-')}s"

    @property
    def noun(self) -> str:
        """What an error calls one: "the card's valid_from", "the list's valid_from"."""
        return self.subject.rsplit("_", 1)[-1]

    async def check_overlap(
        self, organisation_id: int | None, valid_from: dt.date, valid_until: dt.date | None, exclude_id: int | None
    ) -> None:
        """Refuse validity overlapping another agreement of the same owner (the others are locked until the
        transaction ends)."""
        siblings = (
            self.model.filter(organisation_id=organisation_id)
            if organisation_id is not None
            else self.model.filter(organisation_id__isnull=True)
        )
        if exclude_id is not None:
            siblings = siblings.exclude(id=exclude_id)
        for other in await siblings.select_for_update():
            if overlaps(cast(Dated, other), valid_from, valid_until):
                raise self.overlap(cast(Dated, other))

    async def get(self, row_id: int) -> M:
        row = await self.model.get_or_none(id=row_id)
        if row is None:
            raise self.missing(row_id)
        return row

    async def create(self, *, principal: Principal, data: DatedIn, then: Callable[[M], Awaitable[object]]) -> M:
        """Store a new agreement from `data` (its columns by name, billing/naming.py), then what `then` stores
        with it (its prices), audited with `data`."""
        if data.organisation_id is not None and not await Organisation.exists(id=data.organisation_id):
            raise InvalidReference(f"organisation {data.organisation_id} does not exist")
        async with in_transaction() as conn:
            await write_lock(self.lock_key, conn)
            await self.check_overlap(data.organisation_id, data.valid_from, data.valid_until, None)
            row = await self.model.create(**row_values(self.model, data, created_by=principal.name))
            await then(row)
            await self.audit(principal, "created", row, data.model_dump(mode="json"))
        return row

    async def end(
        self,
        *,
        principal: Principal | None,
        row_id: int,
        valid_until: dt.date | None,
        check: Callable[[M], Awaitable[None]] | None = None,
    ) -> M:
        """Move the end of validity to `valid_until` (None: open-ended), after `check` of the kind's own rule."""
        async with in_transaction() as conn:
            await write_lock(self.lock_key, conn)
            row = await first_locked(self.model.filter(id=row_id), self.missing(row_id))
            dated = cast(Dated, row)
            if valid_until is not None and valid_until < dated.valid_from_date:
                raise InvalidReference(f"valid_until is before the {self.noun}'s valid_from")
            await self.check_overlap(dated.organisation_id, dated.valid_from_date, valid_until, dated.id)
            if check is not None:
                await check(row)
            dated.valid_until_date = valid_until
            await row.save(update_fields=["valid_until_date"])
            await self.audit(principal, "updated", row, {"valid_until": valid_until})
        return row

    async def audit(self, principal: Principal | None, done: str, row: M, data: dict[str, Any]) -> None:
        """The audit event of `done` ("created", "updated", …) to `row`, in the caller's transaction."""
        await audit_event(principal, f"{self.subject}.{done}", row, data)
