"""Use cases of integration subscriptions: license (a licence plus its subscription), change tier, cancel.

Rules (SPEC §4):
- A licence is billed from its start: the application's production date for a per-application licence
  (default), else the given day. The price list valid on that day for the payer decides whether it can be
  sold at all (no price: 409) and the billing period (yearly, or quarterly by agreement).
- per_application needs the application's purpose described; population needs a municipality or federation
  with a recorded population; forwarding extends a base licence of the same licensee.
- Resale: an authorised partner with the right to resell may license its solution to a customer; the partner
  is billed (payer), the customer is the licensee. Anyone else named as reseller is refused (403).
- A change of tier from day D ends the old licence and subscription on D − 1 and starts a new one on D; the
  next invoice run credits the old fee and charges the new one pro rata for the rest of the period.
- Cancelling ends the subscription (and the licence) at the end of the billing period the notice falls in:
  that period stays billed in full, the next ones are not billed.
"""

from __future__ import annotations

import datetime as dt

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from billing import access
from billing.audit_trail import audit_event
from billing.naming import read_model
from billing.subscriptions import schemas
from billing.subscriptions.errors import (
    NoLicencePrice,
    NoPopulation,
    PartnerMayNotResell,
    PurposeRequired,
    SubscriptionEnded,
    SubscriptionNotFound,
)
from billing.subscriptions.models import Subscription, SubscriptionCharge
from billing.subscriptions.periods import period_containing
from billing.subscriptions.pricing import price_for
from core.auth import Principal
from core.errors import Forbidden
from core.locking import first_locked
from core.pagination import keyset_page
from support.errors import ApplicationNotFound, InvalidReference, OrganisationNotFound
from support.licensing import add_licence, base_licence, end_licence
from support.models import Application, Licence, LicenceKind, Organisation
from support.programme.resale import may_resell
from support.timetracking.settings import business_today

POPULATION_KINDS = ("municipality", "federation")


async def _license(
    principal: Principal,
    licensee: Organisation,
    reseller: Organisation | None,
    *,
    kind: LicenceKind,
    start_date: dt.date | None,
    application_id: int | None = None,
    extends_licence_id: int | None = None,
    purpose: str | None = None,
) -> Subscription:
    """Validate and store one licence and its subscription (in the caller's transaction); the terms are named
    as a request names them (`SubscriptionCreate`)."""
    application: Application | None = None
    base: Licence | None = None
    if application_id is not None:
        application = await Application.get_or_none(id=application_id, organisation_id=licensee.id)
        if application is None:
            raise ApplicationNotFound(f"application {application_id} not found")
        purpose = purpose or application.purpose.strip() or None
        if purpose is None:
            raise PurposeRequired(f"describe the purpose of application '{application.name}' to license it")
    if extends_licence_id is not None:
        base = await base_licence(organisation_id=licensee.id, licence_id=extends_licence_id)
    tiered = kind == LicenceKind.population or (base is not None and base.kind == LicenceKind.population)
    if tiered and (licensee.kind not in POPULATION_KINDS or licensee.population is None):
        raise NoPopulation(f"{licensee.name} is not a municipality or federation with a recorded population")
    start = (
        start_date
        or (application.production_date if application and application.production_date else None)
        or business_today()
    )
    payer = reseller or licensee
    price = await price_for(
        payer_id=payer.id,
        kind=kind,
        day=start,
        population=licensee.population,
        base_kind=LicenceKind(base.kind) if base is not None else None,
    )
    if price is None:
        raise NoLicencePrice(f"no licence price list prices a {kind} licence for {payer.name} on {start}")
    covers = price.max_applications if kind == LicenceKind.population else None
    licence = await add_licence(
        organisation_id=licensee.id,
        kind=kind,
        valid_from_date=start,
        application_id=application_id,
        extends_id=extends_licence_id,
        reseller_id=reseller.id if reseller else None,
        covers_applications=covers,
        purpose=purpose,
    )
    label = (
        price.tier_label
        if kind == LicenceKind.population and price.tier_label
        else await _label(kind, application, base)
    )
    subscription = await Subscription.create(
        licence_id=licence.id,
        payer_id=payer.id,
        start_date=start,
        billing_period=price.billing_period,
        label=label,
        created_by=principal.name,
    )
    await audit_event(
        principal,
        "subscription.created",
        subscription,
        {
            "licence_id": licence.id,
            "kind": kind,
            "licensee_id": licensee.id,
            "payer_id": payer.id,
            "start": start,
            "annual_fee": price.annual_fee,
            "price_list": price.list_name,
        },
    )
    return subscription


async def _label(kind: LicenceKind, application: Application | None, base: Licence | None) -> str:
    """The language-neutral part of the line text: "XL", the application's name, the population tier (from
    the price list), or for forwarding the label of the base."""
    if kind == LicenceKind.xl:
        return "XL"
    if kind == LicenceKind.per_application:
        assert application is not None
        return application.name[:150]
    assert base is not None
    base_sub = await Subscription.get_or_none(licence_id=base.id)
    return base_sub.label if base_sub is not None else str(base.kind)


async def _licensee(principal: Principal, organisation_id: int) -> Organisation:
    """The organisation to license: staff any; a partner's integrator one of the customers its organisation is
    recorded to act for (it resells to it), every other id the same 404 as a missing one."""
    organisation = await first_locked(
        Organisation.filter(access.licensable_organisations(principal), id=organisation_id),
        OrganisationNotFound(f"organisation {organisation_id} not found"),
    )
    return organisation


async def _reseller(
    principal: Principal, reseller_id: int | None, licensee: Organisation, day: dt.date
) -> Organisation | None:
    """The reseller named, if it may resell to `licensee` on `day` (see support/programme/resale.py)."""
    if principal.is_integrator:
        scope = principal.organisation_scope()
        if reseller_id not in (None, scope) or scope == licensee.id:
            raise Forbidden("an integrator licenses only as the reselling partner, for one of its customers")
        reseller_id = scope
    if reseller_id is None:
        return None
    reseller = await Organisation.get_or_none(id=reseller_id)
    if reseller is None:
        raise InvalidReference(f"organisation {reseller_id} does not exist")
    refusal = await may_resell(partner=reseller, customer=licensee, on=day)
    if refusal is not None:
        raise PartnerMayNotResell(refusal)
    return reseller


async def create_subscription(
    *, principal: Principal, organisation_id: int, data: schemas.SubscriptionCreate
) -> schemas.SubscriptionRead:
    async with in_transaction():
        licensee = await _licensee(principal, organisation_id)
        reseller = await _reseller(principal, data.reseller_id, licensee, data.start_date or business_today())
        subscription = await _license(principal, licensee, reseller, **data.model_dump(exclude={"reseller_id"}))
    return await subscription_read(subscription)


async def _locked(principal: Principal, subscription_id: int) -> Subscription:
    query = Subscription.filter(access.visible_subscriptions(principal), id=subscription_id)
    subscription = await query.select_for_update().first()
    if subscription is None:
        raise SubscriptionNotFound(f"subscription {subscription_id} not found")
    return subscription


async def change_subscription(
    *, principal: Principal, subscription_id: int, data: schemas.SubscriptionChange
) -> schemas.SubscriptionRead:
    """A change of kind or tier from `effective_date` (module docstring); returns the new subscription."""
    async with in_transaction():
        old = await _locked(principal, subscription_id)
        if old.end_date is not None and old.end_date < data.effective_date:
            raise SubscriptionEnded(f"subscription {old.id} ends on {old.end_date}, before {data.effective_date}")
        if data.effective_date <= old.start_date:
            raise InvalidReference(f"effective_date must be after the subscription's start ({old.start_date})")
        licence = await Licence.get(id=old.licence_id)
        if licence.kind == LicenceKind.forwarding:
            raise InvalidReference("a forwarding licence follows its base licence; change the base instead")
        licensee = await _licensee(principal, licence.organisation_id)
        reseller = await Organisation.get(id=old.payer_id) if old.payer_id != licensee.id else None
        if (
            reseller is not None
            and (refusal := await may_resell(partner=reseller, customer=licensee, on=data.effective_date)) is not None
        ):
            raise PartnerMayNotResell(refusal)
        new = await _license(
            principal,
            licensee,
            reseller,
            kind=data.kind,
            start_date=data.effective_date,
            application_id=data.application_id,
            purpose=licence.purpose,
        )
        if old.end_date is not None:
            new.end_date = old.end_date
            await new.save(update_fields=["end_date"])
        last_day = data.effective_date - dt.timedelta(days=1)
        await Licence.filter(extends_id=licence.id).update(extends_id=new.licence_id)
        await end_licence(licence_id=licence.id, last_day=last_day, with_extensions=False)
        old.end_date, old.replaced_by_id = last_day, new.id
        await old.save(update_fields=["end_date", "replaced_by_id"])
        await audit_event(
            principal, "subscription.changed", old, {"replaced_by": new.id, "effective_date": data.effective_date}
        )
    return await subscription_read(new)


async def cancel_subscription(
    *, principal: Principal, subscription_id: int, data: schemas.SubscriptionCancel
) -> schemas.SubscriptionRead:
    """Ends at the end of the billing period the notice falls in; forwarding licences on it end with it."""
    async with in_transaction():
        subscription = await _locked(principal, subscription_id)
        if subscription.cancelled_at is not None or subscription.replaced_by_id is not None:
            raise SubscriptionEnded(f"subscription {subscription.id} is already cancelled or replaced")
        notice = max(data.on or business_today(), subscription.start_date)
        _, last_day = period_containing(notice, subscription.billing_period)
        if subscription.end_date is not None:
            last_day = min(last_day, subscription.end_date)
        subscription.end_date, subscription.cancelled_at = last_day, dt.datetime.now(dt.UTC)
        await subscription.save(update_fields=["end_date", "cancelled_at"])
        extension_ids = await Licence.filter(extends_id=subscription.licence_id).values_list("id", flat=True)
        await (
            Subscription.filter(licence_id__in=list(extension_ids))
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=last_day))
            .update(end_date=last_day)
        )
        await end_licence(licence_id=subscription.licence_id, last_day=last_day, with_extensions=True)
        await audit_event(principal, "subscription.cancelled", subscription, {"end_date": last_day, "notice": notice})
    return await subscription_read(subscription)


async def subscription_read(subscription: Subscription) -> schemas.SubscriptionRead:
    licence = await Licence.get(id=subscription.licence_id)
    charges = await SubscriptionCharge.filter(subscription_id=subscription.id).order_by("period_start_date", "seq")
    return read_model(
        schemas.SubscriptionRead,
        subscription,
        licensee_id=licence.organisation_id,
        reseller_id=licence.reseller_id,  # type: ignore[attr-defined]
        kind=LicenceKind(licence.kind),
        application_id=licence.application_id,  # type: ignore[attr-defined]
        charges=[read_model(schemas.ChargeRead, c) for c in charges],
    )


async def get_subscription(*, principal: Principal, subscription_id: int) -> schemas.SubscriptionRead:
    subscription = await Subscription.filter(access.visible_subscriptions(principal), id=subscription_id).first()
    if subscription is None:
        raise SubscriptionNotFound(f"subscription {subscription_id} not found")
    return await subscription_read(subscription)


async def list_subscriptions(
    *, principal: Principal, query: schemas.SubscriptionQuery
) -> tuple[list[schemas.SubscriptionRead], str | None]:
    rows = Subscription.filter(access.visible_subscriptions(principal))
    if query.organisation_id is not None:
        rows = rows.filter(access.held_or_paid_by(query.organisation_id))
    if query.active_on is not None:
        rows = rows.filter(Q(end_date__isnull=True) | Q(end_date__gte=query.active_on), start_date__lte=query.active_on)
    found, cursor = await keyset_page(rows, query.limit, query.cursor)
    return [await subscription_read(s) for s in found], cursor
