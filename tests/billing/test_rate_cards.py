"""Rate cards over HTTP: validation of money, overlap refusal, agreements overriding the default card,
roles, and what deletion and PATCH allow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
import pytest

from billing import rates
from tests import factories
from tests.factories import bearer

CARD = {
    "name": "Standard 2026",
    "valid_from": "2026-01-01",
    "valid_until": "2026-12-31",
    "rates": {"assistance": "1250.00", "performance": "1450", "activation": "1250.50"},
}


@pytest.fixture
async def admin(db: str) -> dict[str, str]:
    return bearer(await factories.token("admin"))


async def test_create_get_list_and_money_as_strings(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    response = await client.post("/api/v1/rate-cards", json=CARD, headers=admin)
    assert response.status_code == 201, response.text
    card = response.json()
    assert card["rates"] == {"activation": "1250.50", "assistance": "1250.00", "performance": "1450.00"}
    assert card["organisation_id"] is None and card["in_use"] is False
    got = await client.get(f"/api/v1/rate-cards/{card['id']}", headers=admin)
    assert got.json() == card
    listed = await client.get("/api/v1/rate-cards", params={"default": "true"}, headers=admin)
    assert [c["id"] for c in listed.json()["items"]] == [card["id"]]


@pytest.mark.parametrize(
    "rate", [1250.5, "1250.505", "1e3", "NaN", "Infinity", "-100", "12,50", "", True, "99999999999.00"]
)
async def test_bad_money_is_422_before_the_database(
    client: httpx.AsyncClient, admin: dict[str, str], rate: object
) -> None:
    body = {**CARD, "rates": {"assistance": rate}}
    response = await client.post("/api/v1/rate-cards", json=body, headers=admin)
    assert response.status_code == 422, (rate, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["loc"].startswith("rates")


async def test_other_invalid_cards(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    for body in (
        {**CARD, "valid_until": "2025-01-01"},
        {**CARD, "rates": {}},
        {**CARD, "rates": {"unofficial": "100"}},
        {**CARD, "rates": {"coffee": "100"}},
        {**CARD, "surprise": 1},
        {**CARD, "organisation_id": 999999},
    ):
        response = await client.post("/api/v1/rate-cards", json=body, headers=admin)
        assert response.status_code == 422, (body, response.text)


async def test_overlapping_default_cards_are_refused(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    assert (await client.post("/api/v1/rate-cards", json=CARD, headers=admin)).status_code == 201
    overlapping = {**CARD, "name": "Mid-year", "valid_from": "2026-06-01", "valid_until": None}
    response = await client.post("/api/v1/rate-cards", json=overlapping, headers=admin)
    assert response.status_code == 409
    assert response.json()["code"] == "rate_card_overlap"
    open_ended_before = {**CARD, "valid_from": "2020-01-01", "valid_until": None}
    assert (await client.post("/api/v1/rate-cards", json=open_ended_before, headers=admin)).status_code == 409
    following = {**CARD, "name": "2027", "valid_from": "2027-01-01", "valid_until": None}
    assert (await client.post("/api/v1/rate-cards", json=following, headers=admin)).status_code == 201


async def test_agreements_overlap_only_within_the_same_organisation(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    org, other = await factories.organisation(), await factories.organisation()
    await client.post("/api/v1/rate-cards", json=CARD, headers=admin)
    agreement = {**CARD, "name": "Avtal", "organisation_id": org.id, "rates": {"assistance": "1000"}}
    assert (await client.post("/api/v1/rate-cards", json=agreement, headers=admin)).status_code == 201
    assert (
        await client.post("/api/v1/rate-cards", json={**agreement, "organisation_id": other.id}, headers=admin)
    ).status_code == 201
    again = await client.post("/api/v1/rate-cards", json={**agreement, "valid_from": "2026-12-31"}, headers=admin)
    assert again.status_code == 409


async def test_agreement_overrides_the_default_while_valid(db: str) -> None:
    from tests.billing import builders as b

    org, other = await factories.organisation(), await factories.organisation()
    await b.card(valid_from=dt.date(2026, 1, 1))
    await b.card(
        organisation=org,
        valid_from=dt.date(2026, 3, 1),
        valid_until=dt.date(2026, 3, 31),
        rates_={"assistance": "999.00"},
    )
    assert await rates.rate_for(org.id, "assistance", dt.date(2026, 2, 28)) == (Decimal("1250"), "Standardprislista")
    assert await rates.rate_for(org.id, "assistance", dt.date(2026, 3, 15)) == (Decimal("999"), f"Avtal {org.name}")
    # The agreement replaces the default for its validity: a category it lacks is not priced.
    assert await rates.rate_for(org.id, "performance", dt.date(2026, 3, 15)) is None
    assert await rates.rate_for(other.id, "assistance", dt.date(2026, 3, 15)) == (Decimal("1250"), "Standardprislista")
    assert await rates.rate_for(org.id, "assistance", dt.date(2025, 12, 31)) is None
    assert await rates.rate_for(org.id, "defect", dt.date(2026, 2, 1)) is None


async def test_quote_endpoint(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    await client.post("/api/v1/rate-cards", json=CARD, headers=admin)
    quote = await client.get(
        "/api/v1/rate-cards/quote", params={"category": "performance", "work_date": "2026-05-05"}, headers=admin
    )
    assert quote.json()["hourly_rate"] == "1450.0000" and quote.json()["rate_card"] == "Standard 2026"


async def test_patch_valid_until_and_delete_unused(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    card = (await client.post("/api/v1/rate-cards", json=CARD, headers=admin)).json()
    nxt = (
        await client.post(
            "/api/v1/rate-cards", json={**CARD, "valid_from": "2027-01-01", "valid_until": None}, headers=admin
        )
    ).json()
    extended = await client.patch(f"/api/v1/rate-cards/{card['id']}", json={"valid_until": "2027-06-30"}, headers=admin)
    assert extended.status_code == 409  # would overlap the next card
    shortened = await client.patch(
        f"/api/v1/rate-cards/{card['id']}", json={"valid_until": "2026-06-30"}, headers=admin
    )
    assert shortened.status_code == 200 and shortened.json()["valid_until"] == "2026-06-30"
    assert (
        await client.patch(f"/api/v1/rate-cards/{card['id']}", json={"valid_until": "2025-01-01"}, headers=admin)
    ).status_code == 422
    assert (
        await client.patch(f"/api/v1/rate-cards/{card['id']}", json={"rates": {}}, headers=admin)
    ).status_code == 422
    assert (await client.delete(f"/api/v1/rate-cards/{nxt['id']}", headers=admin)).status_code == 204
    assert (await client.get(f"/api/v1/rate-cards/{nxt['id']}", headers=admin)).status_code == 404


async def test_card_that_priced_an_invoice_cannot_be_deleted(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    from billing import runs
    from tests.billing import builders as b

    card = (await client.post("/api/v1/rate-cards", json=CARD, headers=admin)).json()
    org, staff = await factories.organisation(), await factories.staff()
    await b.entry(await b.ticket(org), staff, dt.date(2026, 1, 10), 60)
    await runs.run_invoices(started_by="t", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31))
    response = await client.delete(f"/api/v1/rate-cards/{card['id']}", headers=admin)
    assert response.status_code == 409 and response.json()["code"] == "rate_card_in_use"
    cut = await client.patch(f"/api/v1/rate-cards/{card['id']}", json={"valid_until": "2026-01-05"}, headers=admin)
    assert cut.status_code == 409


async def test_roles(client: httpx.AsyncClient, db: str) -> None:
    org = await factories.organisation()
    finance = bearer(await factories.token("finance"))
    integrator = bearer(await factories.token("integrator", organisation=org))
    assert (await client.post("/api/v1/rate-cards", json=CARD)).status_code == 401
    assert (await client.post("/api/v1/rate-cards", json=CARD, headers=finance)).status_code == 403
    assert (await client.get("/api/v1/rate-cards", headers=finance)).status_code == 200
    assert (await client.get("/api/v1/rate-cards", headers=integrator)).status_code == 403
    assert (await client.get("/api/v1/rate-cards", headers={"Authorization": "Bearer td_nope"})).status_code == 401


async def test_install_registers_the_rate_quoter_with_support(db: str) -> None:
    from billing import hooks
    from support import notify
    from support.policy import Category
    from tests.billing import builders as b

    org = await factories.organisation()
    await b.card(valid_from=dt.date(2020, 1, 1))
    saved = notify._rate_quoter
    try:
        hooks.install()
        assert notify._rate_quoter is not None
        assert await notify._rate_quoter(org.id, Category.performance, "sv") == ("1\u00a0450,00", "Standardprislista")
        assert await notify._rate_quoter(org.id, Category.performance, "en") == ("1,450.00", "Standardprislista")
    finally:
        notify.set_rate_quoter(saved)
