"""A strict parser of Bankgirot's BgMax file (incoming bankgiro payments), written here because PyPI has no
maintained BgMax parser (only a Haskell and a Ruby one exist elsewhere).

The file is accepted whole or not at all: the first record that breaks the layout, a count or a sum raises
`BgMaxError` with its line number, and nothing of the file is applied.

Records are 80 characters (trailing blanks may be trimmed by the sender's software; a longer line is refused),
ISO 8859-1, one per line. Positions below are 1-based and inclusive, as in Bankgirot's manual:

- TK01 start: 3-22 layout name `BGMAX`, 23-24 version, 25-44 written at (YYYYMMDDHHMMSSffffff),
  45 `T` test / `P` production.
- TK05 opening (one per deposit section): 3-12 receiving bankgiro, 13-22 plusgiro, 23-25 currency.
- TK20 payment: 3-12 sender's bankgiro, 13-37 reference, 38-55 amount in öre, 56 reference code,
  57 channel, 58-69 BGC serial number, 70 image flag. TK21 deduction: the same, plus 71 deduction code.
- TK22 / TK23 extra reference (positive / negative amount): 13-37 reference, 38-55 amount, as TK20.
- TK25 information: 3-52 text. TK26 name: 3-37 name, 38-72 extra name. TK27 address: 3-37 address,
  38-46 postcode. TK28 address 2: 3-37 town, 38-72 country, 73-74 country code. TK29 organisation
  number: 3-14 the payer's organisation or personal number.
- TK15 deposit (closes the section): 3-37 receiving bank account, 38-45 payment date, 46-50 deposit
  serial, 51-68 deposit amount in öre, 69-71 currency, 72-79 number of payments, 80 deposit type.
- TK70 end: 3-10 number of TK20, 11-18 TK21, 19-26 TK22 + TK23, 27-34 TK15.

Checks: TK01 first and TK70 last, each exactly once; sections are TK05 … TK15; TK20/21 only inside a section,
TK22-29 only after a TK20/21; digits where digits belong; every date is a real date; currency SEK; the deposit's
number of payments equals its TK20 + TK21 records and its amount equals their sum (deductions subtracted); TK70's
counts equal the records found.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

LINE_LENGTH = 80


class BgMaxError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass
class BgMaxPayment:
    line: int
    kind: str  # "payment" (TK20) or "deduction" (TK21)
    sender_bankgiro: str
    reference: str
    amount: Decimal  # kronor, positive; a deduction's effect is negative
    reference_code: str
    channel: str
    bank_serial: str
    extra_references: list[tuple[str, Decimal, bool]] = field(default_factory=list)  # (ref, amount, negative)
    information: list[str] = field(default_factory=list)
    payer_name: str = ""
    payer_organisation_number: str = ""
    payment_date: dt.date | None = None  # from the section's TK15

    @property
    def signed_amount(self) -> Decimal:
        return -self.amount if self.kind == "deduction" else self.amount


@dataclass
class BgMaxDeposit:
    bankgiro: str
    currency: str
    payment_date: dt.date
    serial: str
    amount: Decimal
    payments: list[BgMaxPayment]


@dataclass
class BgMaxFile:
    version: str
    written_at: str
    test: bool
    deposits: list[BgMaxDeposit]

    @property
    def payments(self) -> list[BgMaxPayment]:
        return [p for d in self.deposits for p in d.payments]

    @property
    def bankgiros(self) -> list[str]:
        return sorted({d.bankgiro for d in self.deposits})


def _digits(record: str, start: int, end: int, line: int, what: str, *, blank_ok: bool = False) -> str:
    value = record[start - 1 : end]
    if blank_ok and not value.strip():
        return ""
    if not value.isdigit() or not value.isascii():
        raise BgMaxError(line, f"{what} (positions {start}-{end}) must be digits, found {value!r}")
    return value


def _text(record: str, start: int, end: int) -> str:
    return record[start - 1 : end].strip()


def _ore(record: str, start: int, end: int, line: int, what: str) -> Decimal:
    return Decimal(int(_digits(record, start, end, line, what))) / 100


def _date(record: str, start: int, end: int, line: int, what: str) -> dt.date:
    value = _digits(record, start, end, line, what)
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise BgMaxError(line, f"{what} {value!r} is not a date") from None


def decode(data: bytes) -> list[str]:
    """Lines of the file (ISO 8859-1 per the manual; CR LF or LF; a trailing end-of-file SUB is ignored)."""
    text = data.decode("latin-1")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and lines[-1].strip() in ("", "\x1a"):
        lines.pop()
    return lines


def looks_like_bgmax(data: bytes) -> bool:
    return data[:2] == b"01" and data[2:7] == b"BGMAX"


def parse(data: bytes) -> BgMaxFile:  # noqa: C901, PLR0912, PLR0915 - one record type per branch reads best
    """Parse and check a whole BgMax file; raises `BgMaxError` (with the line number) on the first fault."""
    lines = decode(data)
    if not lines:
        raise BgMaxError(1, "the file is empty")
    header: tuple[str, str, bool] | None = None
    deposits: list[BgMaxDeposit] = []
    section: list[BgMaxPayment] | None = None
    section_bankgiro = section_currency = ""
    last: BgMaxPayment | None = None
    counts = {"20": 0, "21": 0, "22": 0, "15": 0}
    ended = False
    for number, raw in enumerate(lines, start=1):
        if len(raw) > LINE_LENGTH:
            raise BgMaxError(number, f"a record has {LINE_LENGTH} characters, this line has {len(raw)}")
        record = raw.ljust(LINE_LENGTH)
        code = record[:2]
        if ended:
            raise BgMaxError(number, "nothing may follow the end record (TK70)")
        if header is None and code != "01":
            raise BgMaxError(number, "the file must start with a start record (TK01)")
        if code == "01":
            if header is not None:
                raise BgMaxError(number, "a second start record (TK01)")
            if _text(record, 3, 22) != "BGMAX":
                raise BgMaxError(number, "the layout name (positions 3-22) is not BGMAX")
            version = _digits(record, 23, 24, number, "version")
            written_at = _digits(record, 25, 44, number, "write time")
            flag = record[44]
            if flag not in "TP":
                raise BgMaxError(number, f"test flag (position 45) must be T or P, found {flag!r}")
            header = (version, written_at, flag == "T")
        elif code == "05":
            if section is not None:
                raise BgMaxError(number, "an opening record (TK05) before the previous deposit (TK15)")
            section_bankgiro = _digits(record, 3, 12, number, "receiving bankgiro").lstrip("0")
            section_currency = _text(record, 23, 25)
            if section_currency != "SEK":
                raise BgMaxError(number, f"currency {section_currency!r} is not SEK")
            section, last = [], None
        elif code in ("20", "21"):
            if section is None:
                raise BgMaxError(number, f"a payment record (TK{code}) outside an opening (TK05) … deposit (TK15)")
            last = BgMaxPayment(
                line=number,
                kind="payment" if code == "20" else "deduction",
                sender_bankgiro=_digits(record, 3, 12, number, "sender's bankgiro").lstrip("0"),
                reference=_text(record, 13, 37),
                amount=_ore(record, 38, 55, number, "amount"),
                reference_code=_digits(record, 56, 56, number, "reference code"),
                channel=_digits(record, 57, 57, number, "payment channel"),
                bank_serial=_digits(record, 58, 69, number, "BGC serial number"),
            )
            section.append(last)
            counts[code] += 1
        elif code in ("22", "23"):
            if last is None:
                raise BgMaxError(number, f"an extra reference (TK{code}) without a payment before it")
            amount = _ore(record, 38, 55, number, "amount")
            last.extra_references.append((_text(record, 13, 37), amount, code == "23"))
            counts["22"] += 1
        elif code in ("25", "26", "27", "28", "29"):
            if last is None:
                raise BgMaxError(number, f"a payer record (TK{code}) without a payment before it")
            if code == "25":
                last.information.append(_text(record, 3, 52))
            elif code == "26":
                last.payer_name = " ".join(filter(None, (_text(record, 3, 37), _text(record, 38, 72))))
            elif code == "29":
                last.payer_organisation_number = _digits(record, 3, 14, number, "organisation number").lstrip("0")
        elif code == "15":
            if section is None:
                raise BgMaxError(number, "a deposit record (TK15) without an opening record (TK05)")
            payment_date = _date(record, 38, 45, number, "payment date")
            amount = _ore(record, 51, 68, number, "deposit amount")
            if _text(record, 69, 71) != section_currency:
                raise BgMaxError(number, "the deposit's currency differs from its opening record's")
            declared = int(_digits(record, 72, 79, number, "number of payments"))
            if declared != len(section):
                raise BgMaxError(number, f"the deposit declares {declared} payments; the section has {len(section)}")
            total = sum((p.signed_amount for p in section), Decimal(0))
            if total != amount:
                raise BgMaxError(number, f"the deposit amount {amount} differs from its payments' sum {total}")
            for payment in section:
                payment.payment_date = payment_date
            deposits.append(
                BgMaxDeposit(
                    bankgiro=section_bankgiro,
                    currency=section_currency,
                    payment_date=payment_date,
                    serial=_digits(record, 46, 50, number, "deposit serial"),
                    amount=amount,
                    payments=section,
                )
            )
            section, last = None, None
            counts["15"] += 1
        elif code == "70":
            if section is not None:
                raise BgMaxError(number, "the end record (TK70) inside an unclosed deposit section")
            declared_counts = {
                "20": int(_digits(record, 3, 10, number, "number of payment records")),
                "21": int(_digits(record, 11, 18, number, "number of deduction records")),
                "22": int(_digits(record, 19, 26, number, "number of extra reference records")),
                "15": int(_digits(record, 27, 34, number, "number of deposit records")),
            }
            for key, value in declared_counts.items():
                if value != counts[key]:
                    raise BgMaxError(number, f"the end record counts {value} TK{key} records; found {counts[key]}")
            ended = True
        else:
            raise BgMaxError(number, f"unknown record type {code!r}")
    if not ended:
        raise BgMaxError(len(lines), "the end record (TK70) is missing")
    assert header is not None
    return BgMaxFile(version=header[0], written_at=header[1], test=header[2], deposits=deposits)


# Writing (tests and the demo file) ---------------------------------------------------------------------------


def _ore_field(amount: Decimal, width: int) -> str:
    return f"{int((amount * 100).to_integral_value()):0{width}d}"


def record_payment(
    *,
    reference: str,
    amount: Decimal,
    serial: str,
    sender_bankgiro: str = "9912346",
    code: str = "20",
    reference_code: str = "2",
    channel: str = "1",
) -> str:
    return (
        f"{code}{sender_bankgiro:0>10}{reference:<25}{_ore_field(amount, 18)}{reference_code}{channel}{serial:0>12}0"
    ).ljust(LINE_LENGTH)


def write(
    *,
    bankgiro: str,
    payment_date: dt.date,
    payments: list[tuple[str, Decimal, str]],
    written_at: str = "20260101120000000000",
    test: bool = False,
    deposit_serial: str = "00001",
    names: dict[str, str] | None = None,
) -> bytes:
    """A one-deposit BgMax file of (reference, amount, bank serial) payments, for tests and the demo."""
    digits = bankgiro.replace("-", "")
    lines = [
        f"01{'BGMAX':<20}01{written_at}{'T' if test else 'P'}".ljust(LINE_LENGTH),
        f"05{digits:0>10}{'':10}SEK".ljust(LINE_LENGTH),
    ]
    for reference, amount, serial in payments:
        lines.append(record_payment(reference=reference, amount=amount, serial=serial))
        if names and serial in names:
            lines.append(f"26{names[serial][:35]:<35}".ljust(LINE_LENGTH))
    total = sum((amount for _, amount, _ in payments), Decimal(0))
    lines.append(
        f"15{'9900' + digits:<35}{payment_date:%Y%m%d}{deposit_serial:0>5}{_ore_field(total, 18)}SEK"
        f"{len(payments):08d}K".ljust(LINE_LENGTH)
    )
    lines.append(f"70{len(payments):08d}{0:08d}{0:08d}{1:08d}".ljust(LINE_LENGTH))
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")
