"""The Peppol UBL renderer against the OASIS XSD and the official CEN and Peppol Schematron rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from billing.snapshot import DocumentKind, InvoiceSnapshot, Party
from invoices.ubl import CUSTOMIZATION_ID, PROFILE_ID, UblError, render_ubl
from invoices.validation import rule_errors, rule_findings, xsd_errors
from tests.invoices.snapshots import (
    FOREIGN_COMPANY,
    MUNICIPALITY,
    NORWEGIAN_COMPANY,
    SELLER,
    LineSpec,
    make_snapshot,
    with_luhn,
)
from tests.peppol import needs_peppol

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}

pytestmark = [
    needs_peppol,
    pytest.mark.sqlite_pass,  # no database: the PostgreSQL pass would only repeat it
]


def _assert_valid(xml: bytes) -> None:
    assert xsd_errors(xml) == []
    findings = rule_findings(xml)
    assert [str(f) for f in findings] == []  # no fatal errors and no warnings either


def _text(root: etree._Element, path: str) -> str:
    values = root.xpath(path, namespaces=NS)
    assert values, f"{path} missing"
    return str(values[0].text if hasattr(values[0], "text") else values[0])


def _dec(root: etree._Element, path: str) -> Decimal:
    return Decimal(_text(root, path))


CASES: dict[str, dict[str, Any]] = {
    "invoice": {},
    "credit_note": {"kind": DocumentKind.credit_note},
    "reverse_charge": {"reverse_charge": True, "buyer": FOREIGN_COMPANY, "language": "en"},
    "english_credit_reverse_charge": {
        "reverse_charge": True,
        "buyer": FOREIGN_COMPANY,
        "language": "en",
        "kind": DocumentKind.credit_note,
    },
    "two_hundred_lines": {"lines": 200},
    "outside_eu_norway": {"vat_category": "O", "buyer": NORWEGIAN_COMPANY, "language": "en"},
    "outside_eu_norway_sv_credit": {"vat_category": "O", "buyer": NORWEGIAN_COMPANY, "kind": DocumentKind.credit_note},
    "nothing_to_pay": {"lines": [LineSpec(Decimal("0"), Decimal("1150"), prepaid_hours_drawn=Decimal("6"))]},
    "prepaid_hours_and_note": {
        "lines": [LineSpec(Decimal("1.75"), Decimal("1150"), prepaid_hours_drawn=Decimal("4"))],
        "note": "Tack för förtroendet & välkommen åter <3",
    },
}


@pytest.mark.parametrize("case", CASES)
def test_every_document_passes_xsd_and_business_rules(case: str) -> None:
    _assert_valid(render_ubl(make_snapshot(**CASES[case])))


def test_invoice_carries_the_peppol_and_swedish_fields() -> None:
    snapshot = make_snapshot(lines=3)
    root = etree.fromstring(render_ubl(snapshot))
    assert root.tag.endswith("}Invoice")
    assert _text(root, "cbc:CustomizationID") == CUSTOMIZATION_ID
    assert _text(root, "cbc:ProfileID") == PROFILE_ID
    assert _text(root, "cbc:InvoiceTypeCode") == "380"
    assert _text(root, "cbc:DocumentCurrencyCode") == "SEK"
    assert _text(root, "cbc:BuyerReference") == snapshot.buyer_reference
    assert _text(root, "cbc:DueDate") == snapshot.due_date.isoformat()
    assert _text(root, "cac:InvoicePeriod/cbc:StartDate") == snapshot.period_start.isoformat()
    assert _text(root, "cac:InvoicePeriod/cbc:EndDate") == snapshot.period_end.isoformat()
    seller = "cac:AccountingSupplierParty/cac:Party/"
    orgnr = SELLER.organisation_number
    assert _text(root, seller + "cbc:EndpointID[@schemeID='0007']") == orgnr
    assert _text(root, seller + "cac:PartyLegalEntity/cbc:CompanyID[@schemeID='0007']") == orgnr
    assert _text(root, seller + "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID") == f"SE{orgnr}01"
    assert _text(root, seller + "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='TAX']/cbc:CompanyID") == (
        "Godkänd för F-skatt"
    )
    buyer = "cac:AccountingCustomerParty/cac:Party/"
    assert _text(root, buyer + "cbc:EndpointID[@schemeID='0007']") == MUNICIPALITY.organisation_number
    assert _text(root, "cac:PaymentMeans/cbc:PaymentMeansCode") == "30"
    assert _text(root, "cac:PaymentMeans/cbc:PaymentID") == snapshot.ocr
    assert _text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == "50501055"
    assert _text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID") == (
        "SE:BANKGIRO"
    )
    assert "räntelagen" in _text(root, "cac:PaymentTerms/cbc:Note")
    lines = root.xpath("cac:InvoiceLine", namespaces=NS)
    assert len(lines) == 3
    for element, line in zip(lines, snapshot.lines, strict=True):
        assert element.xpath("cbc:InvoicedQuantity/@unitCode", namespaces=NS) == ["HUR"]
        assert Decimal(_text(element, "cbc:InvoicedQuantity")) == line.quantity
        assert Decimal(_text(element, "cbc:LineExtensionAmount")) == line.amount
        assert Decimal(_text(element, "cac:Price/cbc:PriceAmount")) == line.unit_price
        assert _text(element, "cac:Item/cbc:Name") == line.description
        assert _text(element, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID") == "S"


def test_credit_note_references_the_corrected_invoice() -> None:
    snapshot = make_snapshot(kind=DocumentKind.credit_note, lines=2)
    assert snapshot.corrects is not None
    root = etree.fromstring(render_ubl(snapshot))
    assert root.tag == "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote"
    assert _text(root, "cbc:CreditNoteTypeCode") == "381"
    ref = "cac:BillingReference/cac:InvoiceDocumentReference/"
    assert _text(root, ref + "cbc:ID") == snapshot.corrects.number
    assert _text(root, ref + "cbc:IssueDate") == snapshot.corrects.issue_date.isoformat()
    assert len(root.xpath("cac:CreditNoteLine/cbc:CreditedQuantity[@unitCode='HUR']", namespaces=NS)) == 2
    assert _dec(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == snapshot.totals.payable > 0


def test_reverse_charge_is_category_ae_with_buyer_vat_and_foreign_endpoint() -> None:
    root = etree.fromstring(render_ubl(make_snapshot(reverse_charge=True, buyer=FOREIGN_COMPANY)))
    category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/"
    assert _text(root, category + "cbc:ID") == "AE"
    assert _dec(root, category + "cbc:Percent") == 0
    assert _text(root, category + "cbc:TaxExemptionReasonCode") == "VATEX-EU-AE"
    assert _dec(root, "cac:TaxTotal/cbc:TaxAmount") == 0
    buyer = "cac:AccountingCustomerParty/cac:Party/"
    assert _text(root, buyer + "cac:PartyTaxScheme/cbc:CompanyID") == FOREIGN_COMPANY.vat_number
    assert root.xpath(buyer + "cbc:EndpointID/@schemeID", namespaces=NS) == ["9930"]  # DE VAT (EAS)


def test_outside_eu_is_category_o_without_vat_identifiers() -> None:
    """A Norwegian buyer: not subject to Swedish VAT (O, VATEX-EU-O), its organisation number as endpoint,
    and neither VAT identifier on the document (BR-O-02)."""
    snapshot = make_snapshot(vat_category="O", buyer=NORWEGIAN_COMPANY, language="en")
    xml = render_ubl(snapshot)
    _assert_valid(xml)
    root = etree.fromstring(xml)
    category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/"
    assert _text(root, category + "cbc:ID") == "O"
    assert _text(root, category + "cbc:TaxExemptionReasonCode") == "VATEX-EU-O"
    assert "not subject to Swedish VAT" in _text(root, category + "cbc:TaxExemptionReason")
    assert not root.xpath(category + "cbc:Percent", namespaces=NS)
    assert _dec(root, "cac:TaxTotal/cbc:TaxAmount") == 0
    assert root.xpath("//cac:ClassifiedTaxCategory/cbc:ID/text()", namespaces=NS) == ["O"] * 4
    assert not root.xpath("//cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']", namespaces=NS)
    buyer = "cac:AccountingCustomerParty/cac:Party/"
    assert _text(root, buyer + "cbc:EndpointID[@schemeID='0192']") == "923609016"
    assert "not subject to Swedish VAT" in _text(root, "cbc:Note")


def test_nothing_to_pay_has_no_payment_means_or_due_date() -> None:
    snapshot = make_snapshot(lines=[LineSpec(Decimal("0"), Decimal("1150"), prepaid_hours_drawn=Decimal("6"))])
    assert snapshot.nothing_to_pay and snapshot.ocr is None
    root = etree.fromstring(render_ubl(snapshot))
    assert not root.xpath("cac:PaymentMeans | cbc:DueDate", namespaces=NS)
    assert _dec(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == 0
    assert "Inget att betala" in _text(root, "cac:PaymentTerms/cbc:Note")


def test_credit_note_carries_its_ocr_as_payment_id() -> None:
    snapshot = make_snapshot(kind=DocumentKind.credit_note, lines=2)
    xml = render_ubl(snapshot)
    _assert_valid(xml)
    root = etree.fromstring(xml)
    assert snapshot.ocr and _text(root, "cac:PaymentMeans/cbc:PaymentID") == snapshot.ocr
    assert _text(root, "cac:PaymentMeans/cbc:PaymentMeansCode") == "97"


def test_buyer_without_any_usable_identifier_is_refused() -> None:
    nameless = Party(name="Okänd köpare Oy", country_code="FI")
    with pytest.raises(UblError):
        render_ubl(make_snapshot(buyer=nameless))
    with pytest.raises(UblError):  # BR-AE-02: reverse charge needs the buyer's VAT number
        render_ubl(make_snapshot(reverse_charge=True, buyer=FOREIGN_COMPANY.model_copy(update={"vat_number": None})))


def test_same_snapshot_gives_identical_xml() -> None:
    assert render_ubl(make_snapshot(lines=7)) == render_ubl(make_snapshot(lines=7))


# -- the validators catch what they should (so the passes above mean something) ---------------------------


def _mutate(xml: bytes, path: str, value: str) -> bytes:
    root = etree.fromstring(xml)
    root.xpath(path, namespaces=NS)[0].text = value
    return etree.tostring(root)


def _ids(xml: bytes) -> set[str]:
    return {f.rule_id for f in rule_errors(xml)}


def test_rules_catch_inconsistent_totals() -> None:
    xml = render_ubl(make_snapshot(lines=3))
    assert "BR-CO-15" in _ids(_mutate(xml, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "1.00"))
    assert "BR-CO-10" in _ids(_mutate(xml, "cac:LegalMonetaryTotal/cbc:LineExtensionAmount", "1.00"))
    assert "PEPPOL-EN16931-R120" in _ids(_mutate(xml, "cac:InvoiceLine[1]/cac:Price/cbc:PriceAmount", "7"))


def test_rules_catch_swedish_errors() -> None:
    xml = render_ubl(make_snapshot(lines=1))
    assert SELLER.organisation_number is not None
    bad_luhn = SELLER.organisation_number[:-1] + str((int(SELLER.organisation_number[-1]) + 1) % 10)
    ids = _ids(_mutate(xml, "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID", bad_luhn))
    assert {"SE-R-013", "PEPPOL-COMMON-R049"} <= ids
    f_skatt = "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='TAX']/cbc:CompanyID"
    assert "SE-R-005" in _ids(_mutate(xml, f_skatt, "F-skatt finns"))
    vat = "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"
    assert "SE-R-001" in _ids(_mutate(xml, vat, "SE5591234561"))


def test_xsd_catches_element_order() -> None:
    root = etree.fromstring(render_ubl(make_snapshot(lines=1)))
    due = root.find("cbc:DueDate", NS)
    root.remove(due)
    root.append(due)  # DueDate after the lines: invalid order
    assert xsd_errors(etree.tostring(root))


# -- property: whatever the lines, the sums rules hold ----------------------------------------------------

SAFE_TEXT = st.text(alphabet=st.sampled_from("abcåäöÅÄÖ &<>\"'-/0123456789éü"), min_size=1, max_size=40).filter(
    lambda s: s.strip() != ""
)
LINE = st.builds(
    LineSpec,
    hours=st.integers(min_value=1, max_value=400).map(lambda q: Decimal(q) / 4),
    rate=st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c) / 100),
    category=st.sampled_from(["assistance", "performance", "activation", "extension"]),
    subject=SAFE_TEXT,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(LINE, min_size=1, max_size=25),
    kind=st.sampled_from(list(DocumentKind)),
    reverse_charge=st.booleans(),
)
def test_sums_rules_hold_for_random_lines(lines: list[LineSpec], kind: DocumentKind, reverse_charge: bool) -> None:
    buyer = FOREIGN_COMPANY if reverse_charge else MUNICIPALITY
    snapshot: InvoiceSnapshot = make_snapshot(lines=lines, kind=kind, reverse_charge=reverse_charge, buyer=buyer)
    xml = render_ubl(snapshot)
    _assert_valid(xml)
    root = etree.fromstring(xml)
    line_amounts = root.xpath("(cac:InvoiceLine | cac:CreditNoteLine)/cbc:LineExtensionAmount/text()", namespaces=NS)
    assert len(line_amounts) == len(lines)
    line_sum = sum((Decimal(x) for x in line_amounts), Decimal(0))
    total = "cac:LegalMonetaryTotal/cbc:"
    assert _dec(root, total + "LineExtensionAmount") == line_sum  # BR-CO-10
    assert _dec(root, total + "TaxExclusiveAmount") == line_sum  # BR-CO-13
    vat = _dec(root, "cac:TaxTotal/cbc:TaxAmount")
    assert vat == sum(
        (Decimal(x) for x in root.xpath("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount/text()", namespaces=NS)), Decimal(0)
    )  # BR-CO-14
    assert _dec(root, total + "TaxInclusiveAmount") == line_sum + vat  # BR-CO-15
    assert _dec(root, total + "PayableAmount") == line_sum + vat  # BR-CO-16
    rate = Decimal(0) if reverse_charge else Decimal(25)
    expected_vat = (line_sum * rate / 100).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert vat == expected_vat  # BR-CO-17
    for element in root.xpath("//*[@currencyID][not(self::cbc:PriceAmount)]", namespaces=NS):
        assert len(element.text.split(".")[1]) == 2  # BR-DEC-*


def test_dates_and_numbers_are_canonical() -> None:
    snapshot = make_snapshot(
        lines=[LineSpec(Decimal("1.5000"), Decimal("1000.1000"))], issue_date=dt.date(2026, 12, 31)
    )
    root = etree.fromstring(render_ubl(snapshot))
    assert _text(root, "cbc:IssueDate") == "2026-12-31"
    assert _text(root, "cac:InvoiceLine/cbc:InvoicedQuantity") == "1.5"
    assert _text(root, "cac:InvoiceLine/cbc:LineExtensionAmount") == "1500.15"
    assert _text(root, "cac:InvoiceLine/cac:Price/cbc:PriceAmount") == "1000.1"
    assert with_luhn("559123456") == SELLER.organisation_number
