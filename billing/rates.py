"""Rate cards: the hourly rate ex VAT for a category on a date, for an organisation (SPEC §2).

Rule: an organisation's own agreement card, valid on the work date, overrides the default card
(organisation null) valid on that date. Cards of the same organisation (or two default cards) never have
overlapping validity, so at most one card of each kind applies on any date. A card without a rate for a
category prices nothing in it (that time cannot be invoiced until a card covers it).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from cachetools import TTLCache
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from billing import schemas
from billing.errors import RateCardInUse, RateCardNotFound, RateCardOverlap
from billing.models import InvoiceLineEntry, RateCard, RateCardRate
from billing.naming import read_model
from billing.validity import AgreementKind, Dated, valid_on
from core.auth import Principal
from core.locking import first_locked
from core.pagination import keyset_page
from support.policy import Category
from support.timetracking.settings import business_today


@dataclass
class _Card:
    id: int
    name: str
    organisation_id: int | None
    valid_from: dt.date
    valid_until: dt.date | None
    rates: dict[str, Decimal] = field(default_factory=dict)

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class RateBook:
    """The rate cards valid in a period, in memory: a run prices 100,000 entries without a query each."""

    def __init__(self, cards: list[_Card]) -> None:
        self._by_org: dict[int | None, list[_Card]] = defaultdict(list)
        for card in cards:
            self._by_org[card.organisation_id].append(card)

    @classmethod
    async def load(cls, *, start: dt.date, end: dt.date, organisation_ids: list[int] | None = None) -> RateBook:
        query = RateCard.filter(
            Q(valid_until_date__isnull=True) | Q(valid_until_date__gte=start), valid_from_date__lte=end
        )
        if organisation_ids is not None:
            query = query.filter(Q(organisation_id__isnull=True) | Q(organisation_id__in=organisation_ids))
        rows = await query.values("id", "name", "organisation_id", "valid_from_date", "valid_until_date")
        cards = {
            r["id"]: _Card(r["id"], r["name"], r["organisation_id"], r["valid_from_date"], r["valid_until_date"])
            for r in rows
        }
        if cards:
            for rate in await RateCardRate.filter(card_id__in=list(cards)).values("card_id", "category", "hourly_rate"):
                cards[rate["card_id"]].rates[str(rate["category"])] = Decimal(rate["hourly_rate"])
        return cls(list(cards.values()))

    def card_for(self, organisation_id: int | None, day: dt.date) -> _Card | None:
        for owner in (organisation_id, None) if organisation_id is not None else (None,):
            for card in self._by_org.get(owner, ()):
                if card.valid_on(day):
                    return card
        return None

    def lookup(self, organisation_id: int | None, category: str, day: dt.date) -> tuple[Decimal, str, int] | None:
        """(rate, card name, card id) for work of `category` on `day`, or None when no valid card prices it.
        The organisation's agreement wins when it is valid on the day, even if it lacks the category: an
        agreement replaces the default card for its validity rather than patching it."""
        card = self.card_for(organisation_id, day)
        if card is None:
            return None
        rate = card.rates.get(str(category))
        return None if rate is None else (rate, card.name, card.id)


async def rate_for(
    organisation_id: int | None, category: str | Category, work_date: dt.date | None = None
) -> tuple[Decimal, str] | None:
    """The hourly rate ex VAT and the card's name for `category` work on `work_date` (default today)."""
    day = work_date or business_today()
    book = await RateBook.load(
        start=day, end=day, organisation_ids=[organisation_id] if organisation_id is not None else []
    )
    found = book.lookup(organisation_id, str(category), day)
    return None if found is None else (found[0], found[1])


# Quotes in emails -----------------------------------------------------------------------------------------

_quotes: TTLCache[tuple[int | None, str, dt.date], tuple[Decimal, str] | None] | None = None


_MISSING = object()


def quote_cache_seconds() -> float:
    return float(os.environ.get("TRIPDESK_RATE_QUOTE_CACHE_SECONDS", "5"))


def quote_cache_entries() -> int:
    """At most this many quotes are remembered (TRIPDESK_RATE_QUOTE_CACHE_ENTRIES, default 1000): one per
    billed organisation and category quoted within the cache time; expired ones go first, then the least
    recently used."""
    return max(1, int(os.environ.get("TRIPDESK_RATE_QUOTE_CACHE_ENTRIES", "1000")))


def quote_cache() -> TTLCache[tuple[int | None, str, dt.date], tuple[Decimal, str] | None] | None:
    """The process's quote cache as configured now (None when quotes are not cached)."""
    global _quotes
    ttl, size = quote_cache_seconds(), quote_cache_entries()
    if ttl <= 0:
        return None
    if _quotes is None or _quotes.ttl != ttl or _quotes.maxsize != size:
        _quotes = TTLCache(size, ttl, timer=time.monotonic)
    return _quotes


async def quote_rate(organisation_id: int | None, category: str | Category) -> tuple[Decimal, str] | None:
    """The hourly rate an email quotes for today (`rate_for`), remembered per process for
    TRIPDESK_RATE_QUOTE_CACHE_SECONDS (default 5): ticket intake quotes it for every confident billable
    ticket, and two queries per intake were a tenth of its cost. A rate-card change in this process is seen
    at once; another instance's change within the cache time. Invoices never use this cache: they price
    every entry from the rate cards valid on its work date."""
    cache = quote_cache()
    key = (organisation_id, str(category), business_today())
    if cache is not None and (hit := cache.get(key, _MISSING)) is not _MISSING:
        return hit  # type: ignore[return-value]
    quote = await rate_for(organisation_id, category)
    if cache is not None:
        cache[key] = quote
    return quote


def forget_quotes() -> None:
    """Called after every rate-card write in this process."""
    if _quotes is not None:
        _quotes.clear()


# Admin use cases ------------------------------------------------------------------------------------------


def _overlap(other: Dated) -> RateCardOverlap:
    whose = "the default card" if other.organisation_id is None else f"organisation {other.organisation_id}"
    return RateCardOverlap(
        f"validity overlaps rate card {other.id} '{other.name}' of {whose} "
        f"({other.valid_from_date} – {other.valid_until_date or 'open'})",
        conflicting_id=other.id,
    )


RATE_CARDS = AgreementKind(
    model=RateCard, missing=lambda card_id: RateCardNotFound(f"rate card {card_id} not found"), overlap=_overlap
)


async def card_read(card: RateCard) -> schemas.RateCardRead:
    rates = await RateCardRate.filter(card_id=card.id).order_by("category").values("category", "hourly_rate")
    return read_model(
        schemas.RateCardRead,
        card,
        rates={str(r["category"]): Decimal(r["hourly_rate"]).quantize(Decimal("0.01")) for r in rates},
        in_use=await InvoiceLineEntry.exists(rate_card_id=card.id),
    )


async def create_rate_card(*, principal: Principal, data: schemas.RateCardCreate) -> schemas.RateCardRead:
    card = await RATE_CARDS.create(
        principal=principal,
        data=data,
        then=lambda card: RateCardRate.bulk_create(
            [
                RateCardRate(card_id=card.id, category=category, hourly_rate=rate)
                for category, rate in data.rates.items()
            ]
        ),
    )
    forget_quotes()
    return await card_read(card)


async def get_rate_card(*, card_id: int) -> RateCard:
    return await RATE_CARDS.get(card_id)


async def list_rate_cards(*, query: schemas.RateCardQuery) -> tuple[list[schemas.RateCardRead], str | None]:
    rows = RateCard.all()
    if query.organisation_id is not None:
        rows = rows.filter(organisation_id=query.organisation_id)
    if query.default is not None:
        rows = rows.filter(organisation_id__isnull=query.default)
    if query.valid_on is not None:
        rows = rows.filter(valid_on(query.valid_on))
    found, cursor = await keyset_page(rows, query.limit, query.cursor)
    return [await card_read(card) for card in found], cursor


async def update_rate_card(
    *, card_id: int, data: schemas.RateCardUpdate, principal: Principal | None = None
) -> schemas.RateCardRead:
    """Only the end of validity changes (billing/validity.py); a card that already priced invoiced time may
    not be cut short before that time."""

    async def keeps_invoiced_time(card: RateCard) -> None:
        if data.valid_until is not None:
            if await InvoiceLineEntry.exists(rate_card_id=card.id, work_date__gt=data.valid_until):
                raise RateCardInUse("invoiced time after the new end date was priced with this card")

    card = await RATE_CARDS.end(
        principal=principal, row_id=card_id, valid_until=data.valid_until, check=keeps_invoiced_time
    )
    forget_quotes()
    return await card_read(card)


async def delete_rate_card(*, card_id: int, principal: Principal | None = None) -> None:
    async with in_transaction():
        card = await first_locked(RateCard.filter(id=card_id), RATE_CARDS.missing(card_id))
        if await InvoiceLineEntry.exists(rate_card_id=card.id):
            raise RateCardInUse("this card priced invoice lines; end its validity instead of deleting it")
        await RATE_CARDS.audit(principal, "deleted", card, {"name": card.name})
        await card.delete()
    forget_quotes()
