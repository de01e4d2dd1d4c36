"""The partner–customer relation: admins keep it, and ticket intake lets a partner act only for the customers
it is recorded to serve (both backends: the statement that stores the ticket decides)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from core.auth import Role
from support.models import Organisation, OrganisationKind, PartnerLevel, Ticket
from tests import factories as f
from tests.support.test_organisations import assert_problem

API = "/api/v1"
ASSISTANCE = (
    "Hur autentiserar vi mot API:et?",
    "Vi bygger en integration mot ärende-API:et och förstår inte hur vi ska hämta en OAuth-token. "
    "Vilka scopes behövs och hur anropar vi token-endpointen?",
)


async def partner_world() -> tuple[Organisation, Organisation, Organisation, dict[str, str]]:
    partner = await f.organisation(
        kind=OrganisationKind.partner, name="Integrationspartner AB", partner_level=PartnerLevel.authorized
    )
    customer = await f.organisation(name="Kundkommun")
    stranger = await f.organisation(name="Främmande kommun")
    admin = f.bearer(await f.token(Role.admin))
    return partner, customer, stranger, admin


async def test_admins_record_list_and_remove_a_partners_customers(client: httpx.AsyncClient) -> None:
    partner, customer, stranger, admin = await partner_world()
    other_partner = await f.organisation(kind=OrganisationKind.partner, name="Annan partner")
    url = f"{API}/organisations/{partner.id}/customers"
    added = await client.post(url, json={"customer_id": customer.id}, headers=admin)
    assert added.status_code == 201, added.text
    assert added.json()["customer_id"] == customer.id and added.json()["customer_name"] == "Kundkommun"
    assert_problem(
        await client.post(url, json={"customer_id": customer.id}, headers=admin), 409, "duplicate_partner_customer"
    )
    assert_problem(await client.post(url, json={"customer_id": other_partner.id}, headers=admin), 422)
    assert_problem(await client.post(url, json={"customer_id": 999_999}, headers=admin), 422)
    assert_problem(await client.post(url, json={"customer_id": True}, headers=admin), 422)
    assert_problem(
        await client.post(
            f"{API}/organisations/{customer.id}/customers", json={"customer_id": stranger.id}, headers=admin
        ),
        409,
        "not_a_partner",
    )
    support = f.bearer(await f.token(Role.support))
    partner_integrator = f.bearer(await f.token(Role.integrator, organisation=partner))
    assert_problem(await client.post(url, json={"customer_id": stranger.id}, headers=support), 403)
    assert_problem(await client.post(url, json={"customer_id": stranger.id}, headers=partner_integrator), 403)
    for reader in (admin, support, partner_integrator):
        listed = (await client.get(url, headers=reader)).json()["items"]
        assert [c["customer_id"] for c in listed] == [customer.id]
    outsider = f.bearer(await f.token(Role.integrator, organisation=stranger))
    assert_problem(await client.get(url, headers=outsider), 404)
    removed = await client.delete(f"{url}/{customer.id}", headers=admin)
    assert removed.status_code == 204
    assert_problem(await client.delete(f"{url}/{customer.id}", headers=admin), 404, "partner_customer_not_found")
    assert (await client.get(url, headers=admin)).json()["items"] == []


async def test_a_partner_bills_only_itself_or_its_recorded_customers(client: httpx.AsyncClient) -> None:
    """Every other bill_to_id or application_id is the very same 404 as one that does not exist, and nothing
    is stored (no ticket, no number taken, no receipt)."""
    from notifications.models import OutboxMessage

    partner, customer, stranger, admin = await partner_world()
    consultant = await f.contact(partner)
    partner_app = await f.application(partner)
    customer_app = await f.application(customer)
    stranger_app = await f.application(stranger, in_production=True)
    integrator = f.bearer(await f.token(Role.integrator, organisation=partner))
    await client.post(f"{API}/organisations/{partner.id}/customers", json={"customer_id": customer.id}, headers=admin)

    async def intake(headers: dict[str, str], **extra: Any) -> httpx.Response:
        return await client.post(
            f"{API}/tickets",
            headers=headers,
            json={"subject": "Fråga", "body": "x", "requester_id": consultant.id, **extra},
        )

    for headers in (integrator, admin):
        missing = await intake(headers, bill_to_id=999_999)
        foreign = await intake(headers, bill_to_id=stranger.id)
        assert_problem(foreign, 404, "organisation_not_found")
        assert foreign.json() == missing.json()
        missing_app = await intake(headers, application_id=999_999)
        for refused in [
            await intake(headers, application_id=stranger_app.id),
            await intake(headers, bill_to_id=customer.id, application_id=stranger_app.id),
            await intake(headers, application_id=customer_app.id),
        ]:  # billed to itself: its own apps
            assert_problem(refused, 404, "application_not_found")
            assert refused.json() == missing_app.json()
            assert "licence" not in refused.text
    assert await Ticket.all().count() == 0 and await OutboxMessage.all().count() == 0

    own = await intake(integrator, application_id=partner_app.id)
    billed = await intake(integrator, bill_to_id=customer.id, application_id=customer_app.id)
    assert own.status_code == 201 and billed.status_code == 201, billed.text
    assert own.json()["number"].endswith("-00001")  # no number was used by the refused ones
    assert billed.json()["bill_to_id"] == customer.id and billed.json()["organisation_id"] == partner.id
    # once the relation is removed, the customer is a stranger like any other
    await client.delete(f"{API}/organisations/{partner.id}/customers/{customer.id}", headers=admin)
    assert_problem(await intake(integrator, bill_to_id=customer.id), 404, "organisation_not_found")


async def test_a_customer_may_not_bill_another_organisation(client: httpx.AsyncClient) -> None:
    partner, customer, stranger, admin = await partner_world()
    customer_contact = await f.contact(customer)
    response = await client.post(
        f"{API}/tickets",
        headers=admin,
        json={"subject": "x", "requester_id": customer_contact.id, "bill_to_id": partner.id},
    )
    assert_problem(response, 404, "organisation_not_found")


async def test_the_receipt_never_quotes_the_customers_agreement_to_the_partner(client: httpx.AsyncClient) -> None:
    from notifications.models import OutboxMessage
    from notifications.service import complete_context
    from tests.billing import builders as b

    partner, customer, stranger, admin = await partner_world()
    await b.card(valid_from=dt.date(2020, 1, 1))
    await b.card(organisation=customer, name="Ramavtal Kundkommun", rates_={c: "777" for c in b.DEFAULT_RATES})
    await client.post(f"{API}/organisations/{partner.id}/customers", json={"customer_id": customer.id}, headers=admin)
    consultant = await f.contact(partner)
    customer_contact = await f.contact(customer)

    async def receipt_text(requester_id: int, **extra: int) -> str:
        ticket = (
            await client.post(
                f"{API}/tickets",
                headers=admin,
                json={"subject": ASSISTANCE[0], "body": ASSISTANCE[1], "requester_id": requester_id, **extra},
            )
        ).json()
        assert ticket["category"] == "assistance" and ticket["classification_state"] == "suggested", ticket
        row = await OutboxMessage.get(dedupe_key=f"ticket:{ticket['number']}:received")
        return (await complete_context(row)).text_body

    to_partner = await receipt_text(consultant.id, bill_to_id=customer.id)
    assert "777" not in to_partner and "Ramavtal" not in to_partner
    to_customer = await receipt_text(customer_contact.id)
    assert "777,00" in to_customer and "Ramavtal Kundkommun" in to_customer  # its own agreement is quoted
