"""Which VAT an invoice line carries, from the buyer's tax scheme (support/tax_scheme.py has the legal rule).

- domestic: category S, 25 %;
- EU reverse charge: category AE, 0 %, the buyer's VAT number on the invoice (BR-AE-02);
- outside the EU: category O "not subject to VAT" (no rate on the document, VATEX-EU-O).

A buyer whose numbers do not fit its scheme (legacy rows saved before the rule existed, e.g. a Danish
company without a VAT number) is not drafted by an invoice run and cannot be issued: 409 with what to fix.
"""

from __future__ import annotations

from decimal import Decimal

from billing.errors import BuyerNotInvoiceable
from support.models import Organisation
from support.tax_scheme import TaxIdentityError, TaxScheme, check_tax_identity, tax_scheme

VAT_STANDARD = ("S", Decimal("25"))
VAT_REVERSE_CHARGE = ("AE", Decimal("0"))
VAT_OUTSIDE_SCOPE = ("O", Decimal("0"))
VAT_LATE_CHARGE = ("E", Decimal("0"))
_BY_SCHEME = {
    TaxScheme.domestic: VAT_STANDARD,
    TaxScheme.eu_reverse_charge: VAT_REVERSE_CHARGE,
    TaxScheme.outside_eu: VAT_OUTSIDE_SCOPE,
}


def vat_for(country_code: str | None) -> tuple[str, Decimal]:
    """(EN 16931 VAT category, rate %) of a consulting line sold to a business in `country_code`."""
    return _BY_SCHEME[tax_scheme(country_code)]


def late_charge_vat(invoice_category: str) -> tuple[str, Decimal]:
    """The VAT category of a late-payment interest or reminder-fee line (billing/payments/late_charges.py).

    Such charges are compensation, not a supply, so they are outside the scope of VAT. EN 16931 has category
    O for "not subject to VAT", but an invoice with an O breakdown may hold no other category (BR-O-11 to
    BR-O-14): next to standard-rated (S) or reverse-charge (AE) lines the charges are category E at 0 % with a
    reason text (BR-E-05, BR-E-10; no VATEX code fits "outside the scope", so the text stands alone), which
    the Peppol rules accept and which charges no VAT, as the law wants. On an invoice that is all O
    (a buyer outside the EU) they are O like the rest."""
    return VAT_OUTSIDE_SCOPE if invoice_category == "O" else VAT_LATE_CHARGE


def tax_identity_problem(organisation: Organisation) -> str | None:
    """Why `organisation` cannot be invoiced under its tax scheme, or None when it can."""
    try:
        check_tax_identity(organisation.country_code, organisation.organisation_number, organisation.vat_number)
    except TaxIdentityError as exc:
        return f"{organisation.name} (organisation {organisation.id}): {exc}; update the organisation first"
    return None


def ensure_invoiceable(organisation: Organisation, line_categories: set[str]) -> None:
    """Refuse (409) to issue for a buyer whose numbers do not fit its scheme, or a draft whose VAT
    categories were decided under another scheme."""
    problem = tax_identity_problem(organisation)
    if problem is not None:
        raise BuyerNotInvoiceable(problem)
    expected = vat_for(organisation.country_code)[0]
    if line_categories - {expected, late_charge_vat(expected)[0]}:
        raise BuyerNotInvoiceable(
            f"this draft's VAT categories {sorted(line_categories)} do not match the buyer's tax scheme "
            f"({expected}); discard it and run again",
            code="draft_out_of_date",
        )
