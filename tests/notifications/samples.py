"""Example contexts for every email kind, as the calling packages build them (plain JSON-able data)."""

from __future__ import annotations

from typing import Any

TICKET = {
    "number": "SUP-2026-00042",
    "subject": "GET /api/arenden svarar 500",
    "status": "in_progress",
    "category": "assistance",
    "organisation_name": "Småstads kommun",
}
BILLING = {
    "category": "assistance",
    "billing": "consulting_rate",
    "rate": "1 250,00",
    "rate_agreement": "Ramavtal 2026",
    "policy_text": "Hjälp debiteras enligt konsulttaxa.",
}

INVOICE = {
    "number": "F2026-0007",
    "kind": "invoice",
    "issue_date": "2026-03-02",
    "due_date": "2026-04-01",
    "total": "12 500,00",
    "currency": "SEK",
    "ocr": "20260000074",
    "bankgiro": "5050-1055",
    "corrects": None,
    "period": "2026-02",
}


PROGRAMME: dict[str, dict[str, Any]] = {
    "licence_missing": {
        "application": {"id": 7, "name": "Bygglovskollen", "production_date": "2026-03-01", "forwards_data": True}
    },
    "partner_decision": {"approved": True, "reason": "Åtar sig att följa policyn", "ticket_number": "SUP-2026-00042"},
    "interface_notice": {
        "notice": {
            "reference": "N-3",
            "interface": "Ärende-API v2",
            "effective_date": "2027-06-01",
            "change": "Fältet diarienr blir obligatoriskt.",
        },
        "reason": "partner",
    },
}


def context_for(template: str) -> dict[str, Any]:
    common: dict[str, Any] = {"ticket": dict(TICKET), "contact_name": "Åsa Öberg"}
    extra: dict[str, dict[str, Any]] = {
        "ticket_received": {"billing": dict(BILLING)},
        "category_changed": {"old_category": "defect", "billing": dict(BILLING), "reason": "Felet låg i klienten"},
        "public_comment": {"comment": {"author": "Handläggare Lind", "body": "Prova att förnya token."}},
        "status_changed": {"old_status": "triaged", "new_status": "waiting_on_customer", "reason": None},
        "defect_outcome": {
            "outcome": "not_a_defect",
            "reason": "Klienten skickar fel datumformat",
            "billing": dict(BILLING),
        },
        "extension_decision": {"decision": "customer_funded", "reason": "Behövs bara av er"},
        "cost_ceiling_reached": {
            "ceiling": {"kind": "hours", "limit": "10,00", "used": "10,25"},
            "approve_instructions": "Svara ”godkänt” på det här mejlet.",
        },
    }
    if template in PROGRAMME:
        return {**PROGRAMME[template], "organisation_name": "Småstads kommun", "contact_name": "Åsa Öberg"}
    if template == "invoice_issued":
        return {"invoice": dict(INVOICE), "organisation_name": "Småstads kommun", "contact_name": "Åsa Öberg"}
    if template == "invoice_reminder":
        return {
            "invoice": dict(INVOICE),
            "organisation_name": "Småstads kommun",
            "contact_name": "Åsa Öberg",
            "reminder": {
                "step": "1",
                "open": "12 500,00",
                "interest": "",
                "interest_rate": "10.00",
                "fee": "",
                "as_of": "2026-04-08",
            },
        }
    return {**common, **extra[template]}


# A word that must appear in each kind's subject, per language (proves the right template was used).
SUBJECT_WORDS = {
    ("ticket_received", "sv"): "tagit emot",
    ("ticket_received", "en"): "received",
    ("category_changed", "sv"): "Bedömning",
    ("category_changed", "en"): "Assessment",
    ("public_comment", "sv"): "Nytt svar",
    ("public_comment", "en"): "New reply",
    ("status_changed", "sv"): "Väntar på svar från er",
    ("status_changed", "en"): "Waiting for your reply",
    ("defect_outcome", "sv"): "inget fel",
    ("defect_outcome", "en"): "not a defect",
    ("extension_decision", "sv"): "kundfinansierad",
    ("extension_decision", "en"): "customer-funded",
    ("cost_ceiling_reached", "sv"): "Kostnadstaket",
    ("cost_ceiling_reached", "en"): "cost ceiling",
    ("invoice_issued", "sv"): "Faktura F2026-0007",
    ("invoice_issued", "en"): "Invoice F2026-0007",
    ("invoice_reminder", "sv"): "Påminnelse 1: faktura F2026-0007",
    ("invoice_reminder", "en"): "Reminder 1: invoice F2026-0007",
    ("licence_missing", "sv"): "Licens saknas: Bygglovskollen",
    ("licence_missing", "en"): "Licence missing: Bygglovskollen",
    ("partner_decision", "sv"): "godkänd",
    ("partner_decision", "en"): "approved",
    ("interface_notice", "sv"): "Ändring i gränssnittet Ärende-API v2",
    ("interface_notice", "en"): "Change to the Ärende-API v2 interface",
}
