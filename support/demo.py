"""Deterministic demo data (SPEC §3): every kind of organisation (one outside Sweden), the customers each
partner acts for, contacts in both languages, staff, applications with and without licence, and tickets of
every category. Dates are relative to today; running it twice changes nothing the second time.

Billing adds its part (rate cards, approved time entries in this and the previous month) through
`billing.demo.seed_billing_demo`, which the composition root calls after this.
"""

from __future__ import annotations

from typing import Any

from core.auth import Principal, Role
from support.models import (
    Application,
    Contact,
    Language,
    Licence,
    LicenceKind,
    Organisation,
    OrganisationKind,
    PartnerCustomer,
    PartnerLevel,
    Staff,
    Ticket,
)
from support.tickets import schemas as ticket_schemas
from support.tickets import service as tickets
from support.timetracking.settings import business_today

IDENTITY = ("name", "kind", "organisation_number", "vat_number")
ADDRESS = ("street", "postal_code", "city", "invoice_email", "buyer_reference")
# What only some organisations have: the partners' level, the foreign one's country and language
AUTHORIZED = {"partner_level": PartnerLevel.authorized}
REGISTERED = {"partner_level": PartnerLevel.registered}
FINNISH = {"country_code": "FI", "language": Language.en}

# IDENTITY's fields and what only some have, of each organisation; the one outside Sweden has no organisation
# number
ORGANISATIONS: list[tuple[str, OrganisationKind, str | None, str | None, dict[str, Any]]] = [
    ("Norrvikens kommun", OrganisationKind.municipality, "212000-2627", None, {"population": 48_312}),
    ("Kommunalförbundet Västra Dalen", OrganisationKind.federation, "222000-1883", None, {}),
    ("Fjällbo Energi AB", OrganisationKind.company, "556677-8899", "SE556677889901", {}),
    ("Integrationshuset i Sundsvall AB", OrganisationKind.partner, "559012-3450", "SE559012345001", AUTHORIZED),
    ("Kodverkstaden Nord AB", OrganisationKind.partner, "559123-4561", None, REGISTERED),
    ("Nordic Data Solutions Oy", OrganisationKind.company, None, "FI20774740", FINNISH),
]

# ADDRESS's fields of each organisation above, in the same order
INVOICE_ADDRESSES: list[tuple[str, str, str, str, str]] = [
    ("Stadshusgatan 1", "831 82", "Norrvik", "fakturor@norrvik.example.se", "IT-1042"),
    ("Förbundsvägen 7", "784 33", "Borlänge", "ekonomi@vastradalen.example.se", "KF-77"),
    ("Kraftverksvägen 3", "824 30", "Hudiksvall", "invoice@fjallbo.example.se", "Lena Ek"),
    ("Storgatan 12", "852 30", "Sundsvall", "faktura@integrationshuset.example.se", "Partneravtal 2026"),
    ("Hamngatan 4", "972 38", "Luleå", "ekonomi@kodverkstaden.example.se", "KVN"),
    ("Mannerheimintie 10", "00100", "Helsinki", "ap@nordicdata.example.fi", "PO-5521"),
]

CONTACTS: list[tuple[int, str, str, Language]] = [
    (0, "Anna Lindqvist", "anna.lindqvist@norrvik.example.se", Language.sv),
    (0, "Erik Sandberg", "erik.sandberg@norrvik.example.se", Language.sv),
    (1, "Maria Holm", "maria.holm@vastradalen.example.se", Language.sv),
    (2, "Lena Ek", "lena.ek@fjallbo.example.se", Language.sv),
    (2, "James Carter", "james.carter@fjallbo.example.se", Language.en),
    (3, "Johan Öberg", "johan.oberg@integrationshuset.example.se", Language.sv),
    (4, "Sara Åkesson", "sara.akesson@kodverkstaden.example.se", Language.sv),
    (5, "Mikko Virtanen", "mikko.virtanen@nordicdata.example.fi", Language.en),
]

# (partner organisation index, customer organisation index): which customers each partner acts for
PARTNER_CUSTOMERS: list[tuple[int, int]] = [(3, 0), (3, 2), (4, 1)]

STAFF = [
    ("Karin Berg", "karin.berg@tripdesk.example.se", True),
    ("Ola Nilsson", "ola.nilsson@tripdesk.example.se", False),
    ("Fatima Haddad", "fatima.haddad@tripdesk.example.se", False),
]

# (organisation index, name, purpose, in production, forwards data, licence kind or None)
APPLICATIONS: list[tuple[int, str, str, bool, bool, LicenceKind | None]] = [
    (0, "Bygglovsportalen", "E-tjänst för bygglov som läser ärenden via API", True, False, LicenceKind.per_application),
    (0, "Skolskjuts", "Planering av skolskjuts", True, True, None),
    (1, "Diariekoppling", "Synkar diarieposter mellan förbundets kommuner", False, False, None),
    (2, "Mätarportal", "Kundportal för mätarställningar", True, False, LicenceKind.xl),
    (5, "Nordic Sync", "Data warehouse feed", True, False, LicenceKind.per_application),
]

# (requester contact index, bill_to organisation index or None, application index or None, subject, body)
TICKETS: list[tuple[int, int | None, int | None, str, str]] = [
    (
        0,
        None,
        0,
        "Fel datum i ärendelistan efter uppdateringen",
        "Efter patchen i tisdags returnerar GET /arenden fel registreringsdatum (en dag tidigare) för alla "
        "ärenden. Det fungerade innan uppdateringen. Vi har inte ändrat något i vår kod.",
    ),
    (
        1,
        None,
        1,
        "Hur autentiserar vi mot API:et med klientcertifikat?",
        "Vi ska bygga en ny koppling och förstår inte hur vi ska hämta token. Finns det exempel på anrop "
        "med curl? Vi läser dokumentationen men får 401 hela tiden.",
    ),
    (
        3,
        None,
        3,
        "Batchimporten tar över en timme",
        "Vi läser in 200 000 mätarställningar per natt via API:et och det tar över en timme. Kan ni hjälpa "
        "oss att optimera hur vi anropar tjänsten? Vi får timeouts ibland.",
    ),
    (
        2,
        None,
        2,
        "Aktivera dokumentgränssnittet hos oss",
        "Vi får 403 Forbidden på /api/dokument. Enligt leverantören är gränssnittet inte aktiverat i vår "
        "installation. Kan ni aktivera det och tala om vilka gränssnitt vi har aktiva?",
    ),
    (
        5,
        0,
        None,
        "Önskemål: fält för handläggarens telefonnummer",
        "Kunden Norrvikens kommun önskar att ärende-API:et exponerar handläggarens telefonnummer. Kan det "
        "läggas in i en kommande version?",
    ),
    (
        6,
        None,
        None,
        "Vi läser direkt från databasen",
        "Vi har en rapport som läser direkt från tabellerna i er SQL Server-databas. Efter uppgraderingen "
        "heter kolumnerna annorlunda. Kan ni skicka datamodellen?",
    ),
    (
        7,
        None,
        4,
        "Paging returns duplicates after upgrade",
        "Since the last release, GET /cases?page=2 returns some of the same records as page 1. Our sync "
        "worked fine before the upgrade. Looks like a bug in the paging.",
    ),
    (
        4,
        None,
        None,
        "How do we map our customer ids to your party ids?",
        "We are building an integration and need help understanding how party identifiers map between "
        "systems. Could someone walk us through the documented lookup endpoint?",
    ),
]


async def seed_demo() -> dict[str, Any]:
    if await Organisation.exists(name=ORGANISATIONS[0][0]):
        return {"status": "demo data already present", "organisations": await Organisation.all().count()}
    organisations = []
    for (*identity, particulars), address in zip(ORGANISATIONS, INVOICE_ADDRESSES, strict=True):
        columns: dict[str, Any] = dict(zip(IDENTITY, identity, strict=True))
        columns.update(zip(ADDRESS, address, strict=True), **particulars)
        organisations.append(await Organisation.create(**columns))
    contacts = [
        await Contact.create(organisation=organisations[o], name=n, email=e, language=lang)
        for o, n, e, lang in CONTACTS
    ]
    for partner_index, customer_index in PARTNER_CUSTOMERS:
        await PartnerCustomer.create(partner=organisations[partner_index], customer=organisations[customer_index])
    staff = [await Staff.create(name=n, email=e, is_lead=lead) for n, e, lead in STAFF]
    today = business_today()
    applications = []
    for org_index, name, purpose, production, forwards, licence_kind in APPLICATIONS:
        app = await Application.create(
            organisation=organisations[org_index],
            name=name,
            purpose=purpose,
            in_production=production,
            forwards_data=forwards,
        )
        applications.append(app)
        if licence_kind is not None:
            await Licence.create(
                organisation=organisations[org_index],
                kind=licence_kind,
                application=app if licence_kind is LicenceKind.per_application else None,
                valid_from_date=today.replace(month=1, day=1),
                valid_until_date=None,
            )
    seeder = Principal(token_id=0, name="demo seed", role=Role.support, staff_id=staff[1].id)
    created: list[Ticket] = []
    for contact_index, bill_to_index, app_index, subject, body in TICKETS:
        data = ticket_schemas.TicketCreate(
            subject=subject,
            body=body,
            requester_id=contacts[contact_index].id,
            bill_to_id=organisations[bill_to_index].id if bill_to_index is not None else None,
            application_id=applications[app_index].id if app_index is not None else None,
        )
        read = await tickets.create_ticket(principal=seeder, data=data)
        created.append(await Ticket.get(id=read.id))
    return {
        "organisations": len(organisations),
        "contacts": len(contacts),
        "staff": len(staff),
        "applications": len(applications),
        "tickets": len(created),
    }
