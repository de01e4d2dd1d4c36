"""What the invoice PDF says, in Swedish and English, and how it writes numbers and dates.

Numbers and dates follow the buyer's language through Babel: Swedish "1 234,50 kr" and ISO dates
(2026-02-03, the Swedish convention); English "1,234.50 SEK" and "3 Feb 2026". Credit notes show their
amounts as credits (negative), although the snapshot stores them positive.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from billing.money import format_amount

LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "invoice": "Faktura",
        "credit_note": "Kreditfaktura",
        "number": "Fakturanummer",
        "credit_number": "Kreditfakturanummer",
        "date": "Fakturadatum",
        "credit_date": "Kreditfakturadatum",
        "due_date": "Förfallodatum",
        "period": "Leveransperiod",
        "ocr": "OCR-nummer",
        "bankgiro": "Bankgiro",
        "your_reference": "Er referens",
        "our_reference": "Vår referens",
        "buyer_reference": "Referens/beställare",
        "buyer": "Köpare",
        "buyer_vat": "Köparens momsreg.nr",
        "org_nr": "Org.nr",
        "vat_nr": "Momsreg.nr",
        "f_skatt": "Godkänd för F-skatt",
        "description": "Beskrivning",
        "quantity": "Antal",
        "unit": "Enhet",
        "hour_unit": "tim",
        "piece_unit": "st",
        "unit_price": "À-pris",
        "amount": "Belopp",
        "category": "Kategori",
        "prepaid": "Varav {hours} tim avräknade från förbetalt timpaket",
        "net": "Summa exkl. moms",
        "vat_rate": "Moms {rate} %",
        "vat_base": "Momsunderlag",
        "vat": "Moms",
        "to_pay": "Att betala",
        "to_credit": "Att kreditera",
        "payment": "Betalningsinformation",
        "late_interest": "Vid betalning efter förfallodagen debiteras",
        "reverse_charge": "Omvänd betalningsskyldighet",
        "reverse_charge_text": "Köparen är skyldig att redovisa mervärdesskatt enligt artikel 196 i "
        "direktiv 2006/112/EG (omvänd betalningsskyldighet).",
        "corrected_invoice": "Avser faktura",
        "corrects": "Kreditfakturan korrigerar faktura {number} daterad {date}.",
        "credit_text": "Beloppet krediteras er och kvittas mot kommande faktura eller återbetalas.",
        "time_spec": "Tidsspecifikation",
        "time_spec_intro": "Varje rad ovan specificeras här med sina tidsposter. Debiterbar enligt "
        "kategorin som gällde när arbetet utfördes.",
        "work_date": "Datum",
        "staff": "Utfört av",
        "hours": "Timmar",
        "work": "Utfört arbete",
        "billable_as": "debiterbar som",
        "sum_hours": "Summa",
        "page": "Sida {page} av {pages}",
        "phone": "Tel",
        "email": "E-post",
        "continued": "forts.",
        "outside_scope": "Ej föremål för svensk moms",
        "late_charges_vat": "Utan moms: dröjsmålsränta och påminnelseavgift",
        "outside_scope_text": "Tjänsten är omsatt utanför EU (artikel 44 i direktiv 2006/112/EG: köparen är "
        "en beskattningsbar person etablerad utanför EU) och är inte föremål för svensk "
        "mervärdesskatt.",
        "nothing_to_pay": "Inget att betala",
        "nothing_to_pay_text": "Timmarna på den här fakturan är avräknade från ert förbetalda timpaket. "
        "Fakturan dokumenterar leveransen; ingen betalning ska göras.",
        "prepaid_statement": "Förbetalda timmar",
        "prepaid_package": "Timpaket",
        "valid_until": "Giltigt t.o.m.",
        "prepaid_drawn": "Avräknat på denna faktura",
        "prepaid_left": "Kvar efter denna faktura",
        "credit_ocr_text": "Ange OCR-nummer {ocr} vid kvittning eller återbetalning.",
    },
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "number": "Invoice number",
        "credit_number": "Credit note number",
        "date": "Invoice date",
        "credit_date": "Credit note date",
        "due_date": "Due date",
        "period": "Delivery period",
        "ocr": "OCR reference",
        "bankgiro": "Bankgiro",
        "your_reference": "Your reference",
        "our_reference": "Our reference",
        "buyer_reference": "Buyer reference",
        "buyer": "Buyer",
        "buyer_vat": "Buyer VAT number",
        "org_nr": "Reg. no",
        "vat_nr": "VAT no",
        "f_skatt": "Approved for F-tax",
        "description": "Description",
        "quantity": "Quantity",
        "unit": "Unit",
        "hour_unit": "h",
        "piece_unit": "pcs",
        "unit_price": "Unit price",
        "amount": "Amount",
        "category": "Category",
        "prepaid": "Of which {hours} h drawn from the prepaid hour package",
        "net": "Total excl. VAT",
        "vat_rate": "VAT {rate} %",
        "vat_base": "Taxable amount",
        "vat": "VAT",
        "to_pay": "Amount due",
        "to_credit": "Total credit",
        "payment": "Payment details",
        "late_interest": "Payment after the due date is charged",
        "reverse_charge": "Reverse charge",
        "reverse_charge_text": "VAT to be accounted for by the recipient under Article 196 of "
        "Directive 2006/112/EC (reverse charge).",
        "corrected_invoice": "Corrects invoice",
        "corrects": "This credit note corrects invoice {number} dated {date}.",
        "credit_text": "The amount is credited to you and offset against a coming invoice or refunded.",
        "time_spec": "Time specification",
        "time_spec_intro": "Each line above, itemised by its time entries. Billable under the category in "
        "force when the work was done.",
        "work_date": "Date",
        "staff": "Done by",
        "hours": "Hours",
        "work": "Work done",
        "billable_as": "billable as",
        "sum_hours": "Total",
        "page": "Page {page} of {pages}",
        "phone": "Phone",
        "email": "Email",
        "continued": "cont.",
        "outside_scope": "Not subject to Swedish VAT",
        "late_charges_vat": "No VAT: late-payment interest and reminder fees",
        "outside_scope_text": "Service supplied outside the EU (Article 44 of Directive 2006/112/EC: the "
        "buyer is a taxable person established outside the EU); not subject to Swedish "
        "VAT.",
        "nothing_to_pay": "Nothing to pay",
        "nothing_to_pay_text": "The hours on this invoice are drawn from your prepaid hour package. The "
        "invoice documents the delivery; no payment is due.",
        "prepaid_statement": "Prepaid hours",
        "prepaid_package": "Hour package",
        "valid_until": "Valid until",
        "prepaid_drawn": "Drawn on this invoice",
        "prepaid_left": "Left after this invoice",
        "credit_ocr_text": "Quote OCR reference {ocr} when offsetting or refunding.",
    },
}

CATEGORIES: dict[str, dict[str, str]] = {
    "sv": {
        "assistance": "Assistans",
        "subscription": "Integrationsabonnemang, faktureras i förskott",
        "late_interest": "Dröjsmålsränta enligt räntelagen, momsfri",
        "reminder_fee": "Påminnelseavgift enligt avtal, momsfri",
        "performance": "Prestanda",
        "activation": "Aktivering",
        "extension": "Kundfinansierad utveckling",
        "defect": "Felanmälan (ej bekräftat fel)",
    },
    "en": {
        "assistance": "Assistance",
        "subscription": "Integration subscription, invoiced in advance",
        "late_interest": "Late-payment interest (Swedish Interest Act), no VAT",
        "reminder_fee": "Reminder fee as agreed, no VAT",
        "performance": "Performance",
        "activation": "Activation",
        "extension": "Customer-funded development",
        "defect": "Defect report (not a defect)",
    },
}


class Texts:
    """Labels and formatters for one language ("sv" or "en"; anything else falls back to English)."""

    def __init__(self, language: str) -> None:
        self.lang = "sv" if language == "sv" else "en"
        self.locale = _locale("sv_SE" if self.lang == "sv" else "en_GB")
        self.labels = LABELS[self.lang]

    def __getitem__(self, key: str) -> str:
        return self.labels[key]

    def category(self, code: str) -> str:
        return CATEGORIES[self.lang].get(code, code)

    def money(self, value: Decimal, *, credit: bool = False) -> str:
        """SEK with two decimals; credits are shown negative (with the locale's minus sign)."""
        return format_amount(-value if credit and value else value, self.lang, currency=True)

    def decimal(self, value: Decimal, *, credit: bool = False) -> str:
        """An amount without the currency sign (emails and columns whose heading names it)."""
        return format_amount(-value if credit and value else value, self.lang)

    def hours(self, value: Decimal) -> str:
        return format_decimal(value, format="#,##0.00##", locale=self.locale)

    def rate(self, value: Decimal) -> str:
        return format_decimal(value, format="#,##0.##", locale=self.locale)

    def date(self, value: dt.date) -> str:
        return format_date(value, "short" if self.lang == "sv" else "medium", locale=self.locale)

    def country(self, code: str) -> str:
        return str(self.locale.territories.get(code.upper(), code))

    def period(self, start: dt.date, end: dt.date) -> str:
        return f"{self.date(start)} – {self.date(end)}"


@functools.lru_cache(maxsize=4)
def _locale(name: str) -> Locale:
    return Locale.parse(name)
