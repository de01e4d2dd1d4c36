"""The licensing rule from production, the report and email of unlicensed production applications, TRIP
applications and decisions, partner agreements, and interface change notices, through the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from notifications.models import OutboxMessage
from support.models import Language, OrganisationKind, PartnerLevel, Ticket, TicketKind
from support.programme.models import DocumentationAccess
from support.timetracking.settings import business_today
from tests import factories
from tests.billing.subscription_builders import price_list, subscribe
from tests.factories import bearer
from tests.support.ticket_helpers import open_ticket


@pytest.fixture
async def admin(db: str) -> dict[str, str]:
    return bearer(await factories.token("admin"))


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code, response.text
    return response.json()


async def emails(template: str) -> list[OutboxMessage]:
    return await OutboxMessage.filter(template=template).order_by("id")


# Licensing from production ------------------------------------------------------------------------------


async def test_unlicensed_production_application_is_reported_and_emailed_once(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    org = await factories.organisation()
    sv = await factories.contact(org)
    en = await factories.contact(org, language=Language.en)
    api = f"/api/v1/organisations/{org.id}/applications"
    created = await client.post(api, json={"name": "Bygglovskollen", "purpose": "Visar bygglov"}, headers=admin)
    app_id = created.json()["id"]
    assert created.json()["in_production"] is False and await emails("licence_missing") == []

    went_live = await client.patch(f"{api}/{app_id}", json={"production_date": "2026-03-02"}, headers=admin)
    assert went_live.status_code == 200, went_live.text
    body = went_live.json()
    assert body["in_production"] and body["production_date"] == "2026-03-02" and body["licensed"] is False
    sent = await emails("licence_missing")
    assert sorted((m.to_email, m.language) for m in sent) == sorted([(sv.email, "sv"), (en.email, "en")])

    # Back to development and into production again, or any other change: never a second email.
    await client.patch(f"{api}/{app_id}", json={"in_production": False}, headers=admin)
    await client.patch(f"{api}/{app_id}", json={"in_production": True, "forwards_data": True}, headers=admin)
    assert len(await emails("licence_missing")) == 2

    report = await client.get("/api/v1/reports/unlicensed-applications", headers=admin)
    [item] = report.json()["items"]
    assert item["application_id"] == app_id and item["notified_at"] is not None
    assert "without a valid licence" in item["reason"]

    await price_list()
    xl = await subscribe(org, "xl", dt.date(2026, 1, 1))
    still = (await client.get("/api/v1/reports/unlicensed-applications", headers=admin)).json()["items"]
    assert [i["reason"] for i in still] == [
        "Application 'Bygglovskollen' forwards data to other applications; "
        "its licence does not cover forwarding (special licensing needed)."
    ]
    await subscribe(org, "forwarding", dt.date(2026, 1, 1), extends_licence_id=xl.licence_id)
    assert (await client.get("/api/v1/reports/unlicensed-applications", headers=admin)).json()["items"] == []


async def test_a_population_tier_covers_its_number_of_applications(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    await price_list()
    org = await factories.organisation(population=8_000)
    apps = [
        await factories.application(org, in_production=True, production_date=dt.date(2026, 1, 1 + i)) for i in range(6)
    ]
    await subscribe(org, "population", dt.date(2026, 1, 1))
    report = (
        await client.get(f"/api/v1/reports/unlicensed-applications?organisation_id={org.id}", headers=admin)
    ).json()
    assert [i["application_id"] for i in report["items"]] == [apps[5].id]  # the sixth in production
    integrator = bearer(await factories.token("integrator", organisation=await factories.organisation()))
    other = await client.get(f"/api/v1/reports/unlicensed-applications?organisation_id={org.id}", headers=integrator)
    problem(other, 404, "organisation_not_found")


# TRIP ---------------------------------------------------------------------------------------------------


async def test_trip_application_ticket_decision_access_and_email(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    body = {
        "organisation": {"name": "Kodverkstaden AB", "organisation_number": "5566778808"},
        "contact": {"name": "Lena Berg", "email": "lena@kodverkstaden.example", "language": "en"},
        "accepts_integration_policy": False,
        "motivation": "Vi bygger e-tjänster på gränssnitten.",
    }
    problem(
        await client.post("/api/v1/partner-applications", json=body, headers=admin),
        422,
        "integration_policy_not_accepted",
    )
    applied = await client.post(
        "/api/v1/partner-applications", json={**body, "accepts_integration_policy": True}, headers=admin
    )
    assert applied.status_code == 201, applied.text
    application = applied.json()
    ticket = await Ticket.get(id=application["ticket_id"])
    assert ticket.kind == TicketKind.partner_application and ticket.category is None
    assert application["decision"] == "pending" and application["ticket_number"] == ticket.number
    again = {
        **body,
        "accepts_integration_policy": True,
        "organisation": None,
        "organisation_id": application["organisation_id"],
        "contact": None,
        "contact_id": application["contact_id"],
    }
    problem(
        await client.post("/api/v1/partner-applications", json=again, headers=admin), 409, "partner_application_pending"
    )
    classify = await client.post(
        f"/api/v1/tickets/{ticket.id}/classification",
        json={"category": "assistance", "reason": "försök"},
        headers=admin,
    )
    problem(classify, 409, "ticket_not_classified")
    staff = await factories.staff()
    logged = await client.post(
        f"/api/v1/tickets/{ticket.id}/time-entries",
        json={
            "minutes": 30,
            "description": "Granskning",
            "staff_id": staff.id,
            "work_date": business_today().isoformat(),
        },
        headers=admin,
    )
    assert logged.status_code == 409, logged.text  # never billed: no time on an unclassified ticket
    pending = await client.get("/api/v1/partner-applications?decision=pending", headers=admin)
    assert [a["id"] for a in pending.json()["items"]] == [application["id"]]

    decision = f"/api/v1/partner-applications/{application['id']}/decision"
    assert (await client.post(decision, json={"decision": "declined"}, headers=admin)).status_code == 422
    approved = await client.post(decision, json={"decision": "approved", "reason": "Åtar sig policyn"}, headers=admin)
    assert approved.status_code == 200 and approved.json()["decided_by"], approved.text
    problem(
        await client.post(decision, json={"decision": "approved"}, headers=admin), 409, "partner_application_decided"
    )
    org_id = application["organisation_id"]
    access = (await client.get(f"/api/v1/organisations/{org_id}/documentation-access", headers=admin)).json()
    [grant] = access["items"]
    assert grant["granted_by"] and grant["revoked_at"] is None and grant["application_id"] == application["id"]
    org = (await client.get(f"/api/v1/organisations/{org_id}", headers=admin)).json()
    assert org["partner_level"] == "registered"
    [mail] = await emails("partner_decision")
    assert (mail.to_email, mail.language, mail.context["approved"]) == ("lena@kodverkstaden.example", "en", True)
    assert (await Ticket.get(id=ticket.id)).status == "resolved"

    revoked = await client.post(
        f"/api/v1/documentation-access/{grant['id']}/revoke", json={"reason": "Bröt mot policyn"}, headers=admin
    )
    assert revoked.json()["revoked_at"] is not None and revoked.json()["revoked_by"]


async def test_agreement_makes_an_authorised_partner(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    customer = await factories.organisation()
    partner = await factories.organisation(kind=OrganisationKind.partner, partner_level=PartnerLevel.registered)
    problem(
        await client.post(
            f"/api/v1/organisations/{customer.id}/partner-agreements",
            json={"valid_from": "2026-01-01", "may_resell": True},
            headers=admin,
        ),
        409,
        "not_a_partner",
    )
    made = await client.post(
        f"/api/v1/organisations/{partner.id}/partner-agreements",
        json={"valid_from": "2026-01-01", "valid_until": "2028-12-31", "may_resell": True},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    org = (await client.get(f"/api/v1/organisations/{partner.id}", headers=admin)).json()
    assert org["partner_level"] == "authorized"


# Interface change notices ---------------------------------------------------------------------------------


async def test_notice_lead_time_recipients_languages_and_listing(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    partner = await factories.organisation(kind=OrganisationKind.partner, partner_level=PartnerLevel.registered)
    p_contact = await factories.contact(partner, language=Language.en)
    using = await factories.organisation()
    u_contact = await factories.contact(using)
    await factories.application(using, in_production=True, interfaces=["Ärende-API"])
    developing = await factories.organisation()
    await factories.contact(developing)
    await factories.application(developing, in_production=False, interfaces=["Ärende-API"])
    elsewhere = await factories.organisation()
    await factories.contact(elsewhere)
    await factories.application(elsewhere, in_production=True, interfaces=["Faktura-API"])
    registered_customer = await factories.organisation()
    r_contact = await factories.contact(registered_customer)
    await DocumentationAccess.create(
        organisation_id=registered_customer.id, granted_at=dt.datetime.now(dt.UTC), granted_by="test"
    )

    soon = (business_today() + dt.timedelta(days=30)).isoformat()
    notice = {"interface": "Ärende-API", "change": "Fältet diarienummer blir obligatoriskt.", "effective_date": soon}
    problem(
        await client.post("/api/v1/interface-notices", json=notice, headers=admin), 422, "notice_lead_time_too_short"
    )
    published = await client.post(
        "/api/v1/interface-notices", json={**notice, "override_reason": "Säkerhetsrättning"}, headers=admin
    )
    assert published.status_code == 201, published.text
    assert published.json()["lead_time_days"] == 30 and published.json()["override_reason"] == "Säkerhetsrättning"
    sent = await emails("interface_notice")
    assert sorted((m.to_email, m.language) for m in sent) == sorted(
        [(p_contact.email, "en"), (u_contact.email, "sv"), (r_contact.email, "sv")]
    )
    later = (business_today() + dt.timedelta(days=120)).isoformat()
    other = await client.post(
        "/api/v1/interface-notices",
        json={"interface": "Faktura-API", "change": "Ny version av fakturaformatet.", "effective_date": later},
        headers=admin,
    )
    assert other.status_code == 201 and other.json()["override_reason"] is None

    as_user = bearer(await factories.token("integrator", organisation=using))
    mine = (await client.get("/api/v1/interface-notices", headers=as_user)).json()["items"]
    assert [n["interface"] for n in mine] == ["Ärende-API"]
    assert (await client.get(f"/api/v1/interface-notices/{other.json()['id']}", headers=as_user)).status_code == 404
    found = (await client.get("/api/v1/interface-notices?q=fakturaformat", headers=admin)).json()["items"]
    assert [n["id"] for n in found] == [other.json()["id"]]


async def test_a_partner_sees_only_its_customers_tickets_opened_through_it(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    partner = await factories.organisation(kind=OrganisationKind.partner, partner_level=PartnerLevel.authorized)
    other_partner = await factories.organisation(kind=OrganisationKind.partner, partner_level=PartnerLevel.registered)
    customer = await factories.organisation()
    for p in (partner, other_partner):
        linked = await client.post(
            f"/api/v1/organisations/{p.id}/customers", json={"customer_id": customer.id}, headers=admin
        )
        assert linked.status_code == 201, linked.text

    async def intake(requester_id: int, **extra: Any) -> int:
        made = await open_ticket(client, admin, requester_id, "Hur anropar vi ärende-API:et?", "Vi får 401.", **extra)
        return int(made["id"])

    through_partner = await intake((await factories.contact(partner)).id, bill_to_id=customer.id)
    through_other = await intake((await factories.contact(other_partner)).id, bill_to_id=customer.id)
    customers_own = await intake((await factories.contact(customer)).id)
    as_partner = bearer(await factories.token("integrator", organisation=partner))
    listed = (await client.get("/api/v1/tickets", headers=as_partner)).json()["items"]
    assert [t["id"] for t in listed] == [through_partner]
    for hidden in (through_other, customers_own):
        assert (await client.get(f"/api/v1/tickets/{hidden}", headers=as_partner)).status_code == 404
    assert (await client.get(f"/api/v1/organisations/{customer.id}", headers=as_partner)).status_code == 404
