"""The licensing rule (SPEC §1, §4): which licence covers an application in production, the report of
production applications without one, and the email when an application goes into production unlicensed.

Rule: an application in its development phase needs no licence. From its production date it needs a licence
valid on the day that covers it: a `per_application` licence naming it, an `xl` licence of its organisation
(every application), or a `population` tier licence of its organisation, which covers its first
`covers_applications` production applications (ordered by production date, then id). An application that
forwards data to other applications also needs that licence to cover forwarding: a licence with
`covers_forwarding`, or a valid `forwarding` licence that extends it.

The email is sent exactly once per application and contact (the outbox's dedupe key), in the contact's
language, in the same transaction as the change that took the application into production.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Required, TypedDict, Unpack

from tortoise.expressions import Q

from support.contact_mail import email_contact
from support.errors import InvalidReference
from support.models import Application, Contact, Licence, LicenceKind, Organisation
from support.timetracking.settings import business_today

UNLICENSED_TEMPLATE = "licence_missing"


@dataclass(frozen=True)
class Coverage:
    """What covers one production application on a day: the base licence, or why nothing fitting does."""

    licence_id: int | None
    warning: str | None


def _valid_on(day: dt.date) -> Q:
    return Q(valid_from_date__lte=day) & (Q(valid_until_date__isnull=True) | Q(valid_until_date__gte=day))


async def _population_covers(licence: Licence, application: Application, day: dt.date) -> bool:
    if licence.covers_applications is None:
        return True
    first = await (
        Application.filter(organisation_id=application.organisation_id, in_production=True)
        .filter(Q(production_date__isnull=True) | Q(production_date__lte=day))
        .order_by("production_date", "id")
        .limit(licence.covers_applications)
        .values_list("id", flat=True)
    )
    return application.id in first


async def coverage(application: Application, *, on: dt.date | None = None) -> Coverage:
    """The licensing rule of the module docstring, for one application on one day (default today)."""
    if not application.in_production:
        return Coverage(None, None)
    day = on or business_today()
    if application.production_date is not None and application.production_date > day:
        return Coverage(None, None)
    licences = await Licence.filter(_valid_on(day), organisation_id=application.organisation_id)
    base: Licence | None = None
    for licence in sorted(licences, key=lambda lic: lic.id):
        if (
            licence.kind == LicenceKind.xl
            or (
                licence.kind == LicenceKind.per_application and licence.application_id == application.id  # type: ignore[attr-defined]
            )
            or (licence.kind == LicenceKind.population and await _population_covers(licence, application, day))
        ):
            if base is None or (application.forwards_data and _forwarding(licence, licences)):
                base = licence
    if base is None:
        return Coverage(
            None,
            f"Application '{application.name}' is in production without a valid licence "
            "(per_application, population or xl).",
        )
    if application.forwards_data and not _forwarding(base, licences):
        return Coverage(
            base.id,
            f"Application '{application.name}' forwards data to other applications; its "
            "licence does not cover forwarding (special licensing needed).",
        )
    return Coverage(base.id, None)


def _forwarding(base: Licence, licences: list[Licence]) -> bool:
    return base.covers_forwarding or any(
        lic.kind == LicenceKind.forwarding and lic.extends_id == base.id for lic in licences
    )


async def licence_warning_for(application: Application, *, on: dt.date | None = None) -> str | None:
    """The warning a ticket about `application` carries, or None when it needs no licence or has one."""
    return (await coverage(application, on=on)).warning


async def unlicensed_applications(
    *, within: Q | None = None, organisation_id: int | None = None, on: dt.date | None = None
) -> list[tuple[Application, str]]:
    """Production applications without a fitting licence on `on` (default today), with the reason; `within`
    confines them (support/access.py: the applications the caller may see)."""
    rows = Application.filter(within or Q(), in_production=True)
    if organisation_id is not None:
        rows = rows.filter(organisation_id=organisation_id)
    found = []
    for application in await rows.order_by("organisation_id", "id"):
        warning = (await coverage(application, on=on)).warning
        if warning is not None:
            found.append((application, warning))
    return found


async def notify_if_unlicensed(application: Application) -> int:
    """Called in the transaction that takes `application` into production: without a fitting licence, each
    active contact of its organisation is emailed once (ever, per application). Returns the emails queued."""
    warning = await licence_warning_for(application)
    if warning is None:
        return 0
    organisation = await Organisation.get(id=application.organisation_id)
    queued = 0
    for contact in await Contact.filter(organisation_id=organisation.id, active=True).order_by("id"):
        queued += await email_contact(
            contact,
            template=UNLICENSED_TEMPLATE,
            dedupe_key=f"application:{application.id}:unlicensed:{contact.id}",
            context={
                "organisation_name": organisation.name,
                "application": {
                    "id": application.id,
                    "name": application.name,
                    "production_date": str(application.production_date or business_today()),
                    "forwards_data": application.forwards_data,
                },
            },
        )
    if queued and application.unlicensed_notified_at is None:
        application.unlicensed_notified_at = dt.datetime.now(dt.UTC)
        await application.save(update_fields=["unlicensed_notified_at"])
    return queued


class NewLicence(TypedDict, total=False):
    """A licence's columns as billing's subscriptions state them."""

    organisation_id: Required[int]
    kind: Required[LicenceKind]
    valid_from_date: Required[dt.date]
    valid_until_date: dt.date | None
    application_id: int | None
    extends_id: int | None
    reseller_id: int | None
    covers_applications: int | None
    purpose: str | None
    covers_forwarding: bool


async def base_licence(*, organisation_id: int, licence_id: int) -> Licence:
    """The licence a forwarding licence extends: one of the organisation's own, and not a forwarding licence."""
    base = await Licence.get_or_none(id=licence_id, organisation_id=organisation_id)
    if base is None or base.kind == LicenceKind.forwarding:
        raise InvalidReference(f"licence {licence_id} is not a base licence of this organisation")
    return base


async def add_licence(**licence: Unpack[NewLicence]) -> Licence:
    """Store a licence in the caller's transaction: the directory's licences and billing's subscriptions both
    license through this (support owns the table). The caller has checked the parties. A forwarding licence
    covers forwarding."""
    columns: dict[str, Any] = {**licence}
    columns["covers_forwarding"] = licence.get("covers_forwarding", False) or licence["kind"] == LicenceKind.forwarding
    return await Licence.create(**columns)


async def end_licence(*, licence_id: int, last_day: dt.date, with_extensions: bool) -> None:
    """The licence (and, `with_extensions`, the forwarding licences extending it) is valid up to and including
    `last_day`."""
    which = Q(id=licence_id) | Q(extends_id=licence_id) if with_extensions else Q(id=licence_id)
    await (
        Licence.filter(which)
        .filter(Q(valid_until_date__isnull=True) | Q(valid_until_date__gt=last_day))
        .update(valid_until_date=last_day)
    )
