"""Peppol BIS Billing 3.0 UBL 2.1 rendering of an issued invoice or credit note (a pure function).

`render_ubl(snapshot)` returns UTF-8 XML bytes: a UBL `Invoice` (type code 380) or `CreditNote` (381, with a
BillingReference to the invoice it corrects). Element order follows the OASIS UBL 2.1 XSD exactly (the XSD
is the only check that catches order). The business rules it is written to satisfy, all checked by the
official Schematron in the tests (invoices/validation.py):

- PEPPOL-EN16931-R001/R004/R007: CustomizationID and ProfileID; R003: BuyerReference; R002: at most one Note;
  R008: no empty elements (optional values are left out, never written empty); R053: one TaxTotal.
- BR-CO-10…16: LineExtension = Σ lines, TaxExclusive = LineExtension (no document allowances or charges),
  TaxInclusive = TaxExclusive + VAT, Payable = TaxInclusive; BR-CO-17: VAT per category = taxable × rate.
- BR-S-*: category S at 25 % (SE-R-006: 6, 12 or 25); BR-AE-*: reverse charge is category AE at 0 % with
  exemption reason code VATEX-EU-AE, seller VAT id and buyer VAT id present. BR-O-*: a buyer outside the EU
  is category O "not subject to VAT": no rate on lines or breakdown, exemption code VATEX-EU-O with its text,
  and neither the seller's nor the buyer's VAT identifier on the document (BR-O-02; the PDF still shows the
  seller's VAT number, as Swedish law asks).
- Nothing to pay (an invoice of 0, hours drawn from prepaid packages): no PaymentMeans and no due date.
  A credit note carries its own OCR as PaymentID under PaymentMeansCode 97 ("clearing between partners":
  it is offset, not paid to the seller's bankgiro).
- BR-CL-23: hours are unit code HUR; BR-CL-04: currency code; BR-CL-25 and PEPPOL-EN16931-R010/R020:
  EndpointIDs from the EAS list (0007 Swedish organisation number; a foreign buyer's VAT number under its
  country's VAT scheme, 99xx; EAS "EM" is not accepted by Peppol).
- SE-R-001/002: seller VAT id `SE` + organisation number + `01`; SE-R-003/004/013, PEPPOL-COMMON-R049:
  organisation numbers are 10 digits with a Luhn check digit (scheme 0007); SE-R-005: the F-skatt
  PartyTaxScheme says exactly "Godkänd för F-skatt"; SE-R-008/009/011: bankgiro is PaymentMeansCode 30,
  FinancialInstitutionBranch `SE:BANKGIRO`, account id 7–8 digits.
"""

from __future__ import annotations

import re
from decimal import Decimal

from lxml import etree

from billing.snapshot import DocumentKind, InvoiceLine, InvoiceSnapshot, Party, Seller

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
F_SKATT = "Godkänd för F-skatt"  # SE-R-005: the exact wording
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry. Free text (a description, a reason) may hold them; they become U+FFFD
instead of failing the whole document (lxml raises ValueError)."""

# EAS code of each country's VAT-number scheme (Peppol EAS code list, all in the PEPPOL-EN16931 `eaid` set).
VAT_EAS: dict[str, str] = {
    "AD": "9922",
    "AL": "9923",
    "AT": "9914",
    "BA": "9924",
    "BE": "9925",
    "BG": "9926",
    "CH": "9927",
    "CY": "9928",
    "CZ": "9929",
    "DE": "9930",
    "DK": "0198",
    "EE": "9931",
    "ES": "9920",
    "FI": "0213",
    "FR": "9957",
    "GB": "9932",
    "GR": "9933",
    "EL": "9933",
    "HR": "9934",
    "HU": "9910",
    "IE": "9935",
    "IT": "0211",
    "LI": "9936",
    "LT": "9937",
    "LU": "9938",
    "LV": "9939",
    "MC": "9940",
    "ME": "9941",
    "MK": "9942",
    "MT": "9943",
    "NL": "9944",
    "PL": "9945",
    "PT": "9946",
    "RO": "9947",
    "RS": "9948",
    "SI": "9949",
    "SK": "9950",
    "SM": "9951",
    "TR": "9952",
    "VA": "9953",
}
# Organisation-number schemes (ICD) usable as EndpointID and PartyLegalEntity/CompanyID.
LEGAL_ICD: dict[str, str] = {"SE": "0007", "NO": "0192", "DK": "0184"}
EXEMPTION_CODES: dict[str, str] = {"AE": "VATEX-EU-AE", "K": "VATEX-EU-IC", "G": "VATEX-EU-G", "O": "VATEX-EU-O"}
_EXEMPTION_TEXT = {
    "sv": {
        "AE": "Omvänd betalningsskyldighet",
        "O": "Tjänsten är omsatt utanför EU och inte föremål för svensk mervärdesskatt",
        "E": "Dröjsmålsränta och påminnelseavgift: ersättning för sen betalning, utanför momsens tillämpningsområde",
    },
    "en": {
        "AE": "Reverse charge",
        "O": "Service supplied outside the EU, not subject to Swedish VAT",
        "E": "Late-payment interest and reminder fees: compensation for late payment, outside the scope of VAT",
    },
}
NOTHING_TO_PAY = {
    "sv": "Inget att betala: timmarna är avräknade från ert förbetalda timpaket.",
    "en": "Nothing to pay: the hours are drawn from your prepaid hour package.",
}


class UblError(ValueError):
    """The snapshot lacks something Peppol requires (e.g. a buyer with no usable electronic address)."""


def amount(value: Decimal) -> str:
    """BR-DEC-*: amounts carry at most two decimals."""
    return f"{value:.2f}"


def number(value: Decimal) -> str:
    """Quantities, prices and percentages without exponent or trailing zeros ("1.5", "25", "1150")."""
    text = format(value.normalize(), "f")
    return text if text not in ("-0", "") else "0"


class _Builder:
    """Appends UBL elements in XSD order; skips optional values that are empty (PEPPOL-EN16931-R008)."""

    def __init__(self, snapshot: InvoiceSnapshot) -> None:
        self.s = snapshot
        self.credit = snapshot.kind == DocumentKind.credit_note
        self.currency = snapshot.currency
        self.outside_scope = any(vat.category == "O" for vat in snapshot.vat)

    def cbc(self, parent: etree._Element, tag: str, text: str | None, **attrs: str) -> None:
        if text is None or not str(text).strip():
            return
        el = etree.SubElement(parent, f"{{{CBC}}}{tag}", attrs)
        el.text = _NOT_XML.sub("\ufffd", str(text))

    def cac(self, parent: etree._Element, tag: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{CAC}}}{tag}")

    def money(self, parent: etree._Element, tag: str, value: Decimal) -> None:
        self.cbc(parent, tag, amount(value), currencyID=self.currency)

    # -- document -------------------------------------------------------------------------------------
    def build(self) -> etree._Element:
        s = self.s
        ns = NS_CREDIT_NOTE if self.credit else NS_INVOICE
        root = etree.Element(
            f"{{{ns}}}{'CreditNote' if self.credit else 'Invoice'}", nsmap={None: ns, "cac": CAC, "cbc": CBC}
        )
        self.cbc(root, "CustomizationID", CUSTOMIZATION_ID)
        self.cbc(root, "ProfileID", PROFILE_ID)
        self.cbc(root, "ID", s.number)
        self.cbc(root, "IssueDate", s.issue_date.isoformat())
        if self.credit:
            self.cbc(root, "CreditNoteTypeCode", "381")
        else:
            if not s.nothing_to_pay:
                self.cbc(root, "DueDate", s.due_date.isoformat())
            self.cbc(root, "InvoiceTypeCode", "380")
        self.cbc(root, "Note", self._note())
        self.cbc(root, "DocumentCurrencyCode", self.currency)
        self.cbc(root, "BuyerReference", s.buyer_reference)
        period = self.cac(root, "InvoicePeriod")
        self.cbc(period, "StartDate", s.period_start.isoformat())
        self.cbc(period, "EndDate", s.period_end.isoformat())
        if self.credit and s.corrects is not None:
            ref = self.cac(self.cac(root, "BillingReference"), "InvoiceDocumentReference")
            self.cbc(ref, "ID", s.corrects.number)
            self.cbc(ref, "IssueDate", s.corrects.issue_date.isoformat())
        self._seller(self.cac(self.cac(root, "AccountingSupplierParty"), "Party"), s.seller)
        self._buyer(self.cac(self.cac(root, "AccountingCustomerParty"), "Party"), s.buyer)
        if not s.nothing_to_pay:
            self._payment_means(root)
        terms = self.cac(root, "PaymentTerms")
        self.cbc(terms, "Note", self._payment_terms())
        self._tax_total(root)
        self._monetary_total(root)
        for line in s.lines:
            self._line(root, line)
        return root

    def _note(self) -> str | None:
        """BT-22, at most one (PEPPOL-EN16931-R002): the free note plus the reverse-charge statement."""
        parts = [self.s.note or ""]
        if self.s.reverse_charge:
            parts.append(_EXEMPTION_TEXT[self._lang()]["AE"])
        if self.outside_scope:
            parts.append(_EXEMPTION_TEXT[self._lang()]["O"])
        if self.credit and self.s.corrects is not None:
            word = "Krediterar faktura" if self._lang() == "sv" else "Credits invoice"
            parts.append(f"{word} {self.s.corrects.number} ({self.s.corrects.issue_date.isoformat()})")
        text = ". ".join(p.strip().rstrip(".") for p in parts if p.strip())
        return text or None

    def _lang(self) -> str:
        return "sv" if self.s.language == "sv" else "en"

    def _payment_terms(self) -> str:
        seller = self.s.seller
        if self.s.nothing_to_pay:
            return NOTHING_TO_PAY[self._lang()]
        if self._lang() == "sv":
            if self.credit:
                return "Kreditfaktura, att kvitta mot eller återbetalas. " + seller.late_payment_interest
            return (
                f"Förfallodatum {self.s.due_date.isoformat()}. Betalas till bankgiro {seller.bankgiro} "
                f"med OCR {self.s.ocr}. {seller.late_payment_interest}"
            )
        if self.credit:
            return "Credit note, to be offset or refunded. " + seller.late_payment_interest_en
        return (
            f"Due {self.s.due_date.isoformat()}. Pay to bankgiro {seller.bankgiro} with OCR reference "
            f"{self.s.ocr}. {seller.late_payment_interest_en}"
        )

    # -- parties --------------------------------------------------------------------------------------
    def _address(self, party_el: etree._Element, party: Party) -> None:
        address = self.cac(party_el, "PostalAddress")
        self.cbc(address, "StreetName", party.street)
        self.cbc(address, "CityName", party.city)
        self.cbc(address, "PostalZone", party.postal_code)
        self.cbc(self.cac(address, "Country"), "IdentificationCode", party.country_code)

    def _tax_scheme(self, party_el: etree._Element, company_id: str, scheme: str) -> None:
        tax = self.cac(party_el, "PartyTaxScheme")
        self.cbc(tax, "CompanyID", company_id)
        self.cbc(self.cac(tax, "TaxScheme"), "ID", scheme)

    def _seller(self, el: etree._Element, seller: Seller) -> None:
        """BT-27…BT-43. Seller is Swedish: endpoint and legal id 0007, VAT id SE+orgnr+01, F-skatt."""
        orgnr = _digits(seller.organisation_number or "")
        if len(orgnr) != 10:
            raise UblError("the seller needs a 10-digit Swedish organisation number")
        self.cbc(el, "EndpointID", orgnr, schemeID="0007")
        self.cbc(self.cac(el, "PartyName"), "Name", seller.name)
        self._address(el, seller)
        if not self.outside_scope:  # BR-O-02
            self._tax_scheme(el, seller.vat_number or f"SE{orgnr}01", "VAT")
        if seller.f_skatt:
            self._tax_scheme(el, F_SKATT, "TAX")
        legal = self.cac(el, "PartyLegalEntity")
        self.cbc(legal, "RegistrationName", seller.name)
        self.cbc(legal, "CompanyID", orgnr, schemeID="0007")
        self._contact(el, self.s.our_reference or seller.contact_name, getattr(seller, "phone", None), seller.email)

    def _buyer(self, el: etree._Element, buyer: Party) -> None:
        """BT-44…BT-58. Endpoint: organisation number (0007/0192/0184) or, abroad, the VAT number's EAS."""
        country = buyer.country_code.upper()
        orgnr = _digits(buyer.organisation_number or "")
        icd = LEGAL_ICD.get(country) if orgnr else None
        if icd is not None:
            self.cbc(el, "EndpointID", orgnr, schemeID=icd)
        elif buyer.vat_number and country in VAT_EAS:
            self.cbc(el, "EndpointID", buyer.vat_number.replace(" ", ""), schemeID=VAT_EAS[country])
        else:
            raise UblError(f"buyer {buyer.name!r} has no identifier usable as a Peppol endpoint")
        self.cbc(self.cac(el, "PartyName"), "Name", buyer.name)
        self._address(el, buyer)
        if buyer.vat_number and not self.outside_scope:  # BR-O-02: no buyer VAT id outside the scope
            self._tax_scheme(el, buyer.vat_number.replace(" ", ""), "VAT")
        elif self.s.reverse_charge:
            raise UblError("reverse charge needs the buyer's VAT number (BR-AE-02)")
        legal = self.cac(el, "PartyLegalEntity")
        self.cbc(legal, "RegistrationName", buyer.name)
        if icd is not None:
            self.cbc(legal, "CompanyID", orgnr, schemeID=icd)
        elif orgnr or buyer.organisation_number:
            self.cbc(legal, "CompanyID", (buyer.organisation_number or "").strip())
        self._contact(el, self.s.your_reference or buyer.contact_name, None, buyer.email)

    def _contact(self, el: etree._Element, name: str | None, phone: str | None, email: str | None) -> None:
        if not any((name, phone, email)):
            return
        contact = self.cac(el, "Contact")
        self.cbc(contact, "Name", name)
        self.cbc(contact, "Telephone", phone)
        self.cbc(contact, "ElectronicMail", email)

    # -- payment and totals ---------------------------------------------------------------------------
    def _payment_means(self, root: etree._Element) -> None:
        """BG-16, SE-R-008/009/011: credit transfer (30) to bankgiro, PaymentID = OCR (BT-83). A credit note:
        clearing between partners (97) with its OCR, no account (nothing is paid to the seller)."""
        means = self.cac(root, "PaymentMeans")
        if self.credit:
            self.cbc(means, "PaymentMeansCode", "97")
            self.cbc(means, "PaymentID", self.s.ocr)
            return
        self.cbc(means, "PaymentMeansCode", "30")
        self.cbc(means, "PaymentID", self.s.ocr)
        account = self.cac(means, "PayeeFinancialAccount")
        self.cbc(account, "ID", _digits(self.s.seller.bankgiro))
        self.cbc(self.cac(account, "FinancialInstitutionBranch"), "ID", "SE:BANKGIRO")

    def _tax_category(self, parent: etree._Element, tag: str, category: str, rate: Decimal, with_reason: bool) -> None:
        cat = self.cac(parent, tag)
        self.cbc(cat, "ID", category)
        if category != "O":  # BR-O-05: no rate when not subject to VAT
            self.cbc(cat, "Percent", number(rate))
        if with_reason and category in EXEMPTION_CODES:
            self.cbc(cat, "TaxExemptionReasonCode", EXEMPTION_CODES[category])
        if with_reason:  # BR-E-10: category E (late-payment charges) has its reason as text alone
            self.cbc(cat, "TaxExemptionReason", _EXEMPTION_TEXT[self._lang()].get(category))
        self.cbc(self.cac(cat, "TaxScheme"), "ID", "VAT")

    def _tax_total(self, root: etree._Element) -> None:
        """BG-23, PEPPOL-EN16931-R053: one TaxTotal, one subtotal per category and rate (BR-CO-18)."""
        total = self.cac(root, "TaxTotal")
        self.money(total, "TaxAmount", self.s.totals.vat)
        for vat in self.s.vat:
            sub = self.cac(total, "TaxSubtotal")
            self.money(sub, "TaxableAmount", vat.taxable_amount)
            self.money(sub, "TaxAmount", vat.tax_amount)
            self._tax_category(sub, "TaxCategory", vat.category, vat.rate, with_reason=True)

    def _monetary_total(self, root: etree._Element) -> None:
        """BG-22, BR-CO-10/13/15/16: no document allowances, charges or prepayments."""
        t = self.s.totals
        total = self.cac(root, "LegalMonetaryTotal")
        self.money(total, "LineExtensionAmount", t.net)
        self.money(total, "TaxExclusiveAmount", t.net)
        self.money(total, "TaxInclusiveAmount", t.gross)
        self.money(total, "PayableAmount", t.payable)

    def _line(self, root: etree._Element, line: InvoiceLine) -> None:
        """BG-25: quantity in hours (HUR) or one subscription period (C62), net amount, item with its VAT
        category, price per unit."""
        el = self.cac(root, "CreditNoteLine" if self.credit else "InvoiceLine")
        self.cbc(el, "ID", str(line.line_no))
        self.cbc(el, "Note", _line_note(line, self._lang()))
        self.cbc(
            el, "CreditedQuantity" if self.credit else "InvoicedQuantity", number(line.quantity), unitCode=line.unit
        )
        self.money(el, "LineExtensionAmount", line.amount)
        item = self.cac(el, "Item")
        self.cbc(item, "Description", _line_description(line, self._lang()))
        self.cbc(item, "Name", line.description[:200])
        self.cbc(self.cac(item, "SellersItemIdentification"), "ID", line.ticket_number)
        self._tax_category(item, "ClassifiedTaxCategory", line.vat_category, line.vat_rate, with_reason=False)
        price = self.cac(el, "Price")
        self.cbc(price, "PriceAmount", number(line.unit_price), currencyID=self.currency)


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _line_description(line: InvoiceLine, lang: str) -> str:
    if line.ticket_id is None:
        return line.description  # a subscription line: the period is its specification
    n = len(line.entries)
    if lang == "sv":
        entries = "tidpost" if n == 1 else "tidposter"
        return f"Ärende {line.ticket_number}, kategori {line.category}, {n} {entries}"
    entries = "time entry" if n == 1 else "time entries"
    return f"Ticket {line.ticket_number}, category {line.category}, {n} {entries}"


def _line_note(line: InvoiceLine, lang: str) -> str | None:
    if not line.prepaid_hours_drawn:
        return None
    hours = number(line.prepaid_hours_drawn)
    if lang == "sv":
        return f"{hours} timmar avräknade från förbetalt timpaket"
    return f"{hours} hours drawn from the prepaid hour package"


def render_ubl(snapshot: InvoiceSnapshot) -> bytes:
    """The Peppol BIS 3.0 UBL document for `snapshot`: same snapshot, same bytes."""
    root = _Builder(snapshot).build()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
