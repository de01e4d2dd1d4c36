"""The buyer's VAT treatment, decided by where the buyer is established (a legal rule, SPEC §2).

tripdesk sells consulting services (B2B) from Sweden. Three cases, each with what the organisation must
carry before it can be invoiced; the rule is checked when the organisation is saved, when a draft is made
and when it is issued:

- `domestic` (country SE): Swedish VAT, 25 %. Needs the Swedish organisation number (Luhn); a VAT number,
  if given, is SE + organisation number + 01.
- `eu_reverse_charge` (another EU member state): the place of supply is the buyer's country (Article 44 of
  Directive 2006/112/EC) and the buyer accounts for the VAT (Article 196, reverse charge; EN 16931
  category AE). The buyer's VAT number is REQUIRED and must be a valid VAT number of that country: the
  invoice must show it, and without it the reverse charge does not apply.
- `outside_eu` (any other country, e.g. Norway): the service is supplied where the buyer is established,
  outside the EU (Article 44), so it is outside the scope of Swedish VAT and no EU VAT applies
  (EN 16931 category O "not subject to VAT", exemption code VATEX-EU-O). Not category G (that is the export
  of goods) and not E (exempt supplies are taxable supplies in Sweden that the law exempts). The buyer
  needs an identifier usable in Peppol: its organisation number or its national VAT number, validated
  where python-stdnum knows the country's format (Norway: organisasjonsnummer / MVA number).
"""

from __future__ import annotations

from enum import StrEnum

from stdnum import get_cc_module
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.se import orgnr as se_orgnr

EU_COUNTRIES = frozenset(cc.upper() for cc in eu_vat.MEMBER_STATES if cc != "xi")
"""EU member states (ISO 3166 codes; Greece's VAT prefix is EL, its country code GR)."""
_VAT_PREFIX = {"GR": "EL"}


class TaxScheme(StrEnum):
    domestic = "domestic"
    eu_reverse_charge = "eu_reverse_charge"
    outside_eu = "outside_eu"


class TaxIdentityError(ValueError):
    """The organisation's numbers do not fit its tax scheme; the message says what is missing or wrong."""


def tax_scheme(country_code: str | None) -> TaxScheme:
    country = (country_code or "SE").upper()
    if country == "SE":
        return TaxScheme.domestic
    if country in EU_COUNTRIES:
        return TaxScheme.eu_reverse_charge
    return TaxScheme.outside_eu


def _module(country: str, kind: str) -> object | None:
    try:
        return get_cc_module(country.lower(), kind)
    except (ImportError, ValueError):  # pragma: no cover - stdnum raises nothing for unknown countries today
        return None


def _organisation_number(country: str, value: str) -> str:
    """Sweden: NNNNNN-NNNN (Luhn). Elsewhere: validated and compacted where stdnum knows the format."""
    if country == "SE":
        if not se_orgnr.is_valid(value):
            raise TaxIdentityError("not a valid Swedish organisation number (NNNNNN-NNNN with a Luhn check digit)")
        return str(se_orgnr.format(value))
    module = _module(country, "orgnr")
    if module is None:
        return value.strip()
    try:
        return str(module.validate(value))  # type: ignore[attr-defined]
    except ValidationError:
        raise TaxIdentityError(f"not a valid organisation number of {country}") from None


def _vat_number(country: str, value: str) -> str:
    """The VAT number of `country`, compacted with its country prefix (DK13585628, NO923609016MVA)."""
    prefix = _VAT_PREFIX.get(country, country)
    if country in EU_COUNTRIES:
        if not eu_vat.is_valid(value):
            raise TaxIdentityError(f"not a valid EU VAT number (expected a {country} VAT number)")
        compact = str(eu_vat.compact(value))
        if not compact.startswith(prefix):
            raise TaxIdentityError(f"{compact} is not a VAT number of {country} (it should start with {prefix})")
        return compact
    module = _module(country, "vat")
    if module is None:
        return "".join(value.split()).upper()
    raw = "".join(value.split()).upper()
    if raw.startswith(prefix) and not module.is_valid(raw):  # type: ignore[attr-defined]
        raw = raw[len(prefix) :]
    try:
        compact = str(module.validate(raw))  # type: ignore[attr-defined]
    except ValidationError:
        raise TaxIdentityError(f"not a valid VAT number of {country}") from None
    return compact if compact.startswith(prefix) else prefix + compact


def check_tax_identity(
    country_code: str | None, organisation_number: str | None, vat_number: str | None
) -> tuple[str | None, str | None]:
    """Validate an organisation's numbers against its tax scheme (see the module docstring).

    Returns the normalised (organisation_number, vat_number); raises TaxIdentityError with a message
    fit for the user. A Norwegian MVA number also gives the organisation number it contains."""
    country = (country_code or "SE").upper()
    scheme = tax_scheme(country)
    org = organisation_number.strip() if organisation_number and organisation_number.strip() else None
    vat = vat_number.strip() if vat_number and vat_number.strip() else None
    if org is not None:
        org = _organisation_number(country, org)
    if vat is not None:
        vat = _vat_number(country, vat)
    if scheme is TaxScheme.domestic:
        if org is None:
            raise TaxIdentityError("a Swedish organisation needs its organisation_number")
        if vat is not None and vat != f"SE{''.join(ch for ch in org if ch.isdigit())}01":
            raise TaxIdentityError("a Swedish VAT number is SE + the organisation number + 01")
    elif scheme is TaxScheme.eu_reverse_charge:
        if vat is None:
            raise TaxIdentityError(
                f"a buyer in {country} (EU) is invoiced with reverse charge and needs its VAT number"
            )
    else:
        if country == "NO" and org is None and vat is not None:
            org = vat[2:11]
        if org is None and vat is None:
            raise TaxIdentityError(f"a buyer in {country} (outside the EU) needs its organisation number or VAT number")
    return org, vat
