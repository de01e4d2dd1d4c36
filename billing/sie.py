"""SIE 4 writer (the Swedish accounting-data interchange format, "SIE filformat version 4B", SIE-Gruppen):
type 4 files, "transaktioner" — verifications (#VER) with their transaction rows (#TRANS).

What this writer follows from the specification:
- Character set: IBM PC 8-bit extended ASCII, code page 437 (`#FORMAT PC8`); lines end CR LF; a character
  CP437 lacks becomes "?".
- A record is a label (`#LABEL`) and fields separated by blanks. A field with a blank, a quote or nothing in
  it is quoted; a quote inside is written `\\"`. Amounts have a decimal point and two decimals, negative with a
  leading minus; dates are YYYYMMDD. An object list is written in braces (`{}` when empty).
- Records used, in the specification's order: `#FLAGGA 0` (not yet read by a program), `#KSUMMA` (the file
  carries a checksum), `#PROGRAM`, `#FORMAT PC8`, `#GEN` (date and signature), `#SIETYP 4`, `#ORGNR`, `#FNAMN`,
  `#RAR 0` (the financial year the period belongs to), `#KPTYP` (chart of accounts, BAS2014), `#VALUTA SEK`,
  `#KONTO` per account used, then `#VER series number date "text" regdate` each followed by `{`, its `#TRANS
  account {} amount date "text"` rows and `}`, and last `#KSUMMA checksum`.
- Each verification balances: its #TRANS amounts (debit positive, credit negative) sum to zero.
- Checksum (#KSUMMA): CRC-32 (polynomial 0xEDB88320, as in the specification's example code, the same as
  zlib's) over the CP437 bytes of every record between the two #KSUMMA records, counting only each record's
  label and the contents of its fields (and of the fields inside an object list): not the blanks between
  fields, not the quotes around a field, not the braces, not line ends. Written as an unsigned decimal number.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

ENCODING = "cp437"


class Objects(tuple[str, ...]):
    """An object list field: `{}` or `{dim "obj" …}`."""


class Text(str):
    """A name or free text: always written in quotes."""


Field = str | Objects


@dataclass
class Trans:
    account: str
    amount: Decimal
    text: str = ""


@dataclass
class Verification:
    series: str
    number: int
    date: dt.date
    text: str
    rows: list[Trans] = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return sum((r.amount for r in self.rows), Decimal(0))


@dataclass
class Company:
    name: str
    organisation_number: str  # 10 digits, written NNNNNN-NNNN
    program: str
    version: str
    year_start: dt.date
    year_end: dt.date


def amount_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def date_text(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def _quote(value: str) -> str:
    clean = " ".join(value.replace("\\", "/").split())
    if clean and not isinstance(value, Text) and not any(c in clean for c in ' "{}\t'):
        return clean
    return '"' + clean.replace('"', '\\"') + '"'


def _render(record: Sequence[Field]) -> str:
    parts: list[str] = [str(record[0])]
    for item in record[1:]:
        if isinstance(item, Objects):
            parts.append("{" + " ".join(_quote(o) for o in item) + "}")
        else:
            parts.append(_quote(item))
    return " ".join(parts)


def _checksum_bytes(record: Sequence[Field]) -> bytes:
    contents: list[str] = [str(record[0])]
    for item in record[1:]:
        contents.extend(item if isinstance(item, Objects) else [" ".join(item.replace("\\", "/").split())])
    return "".join(contents).encode(ENCODING, errors="replace")


def write(
    company: Company, accounts: dict[str, str], verifications: Iterable[Verification], *, generated: dt.date
) -> bytes:
    """The SIE 4 file of `verifications`; refuses an unbalanced one (a bug upstream, never a file to send)."""
    records: list[Sequence[Field]] = [
        ("#PROGRAM", Text(company.program), company.version),
        ("#FORMAT", "PC8"),
        ("#GEN", date_text(generated), Text(company.program)),
        ("#SIETYP", "4"),
        ("#ORGNR", f"{company.organisation_number[:6]}-{company.organisation_number[6:]}"),
        ("#FNAMN", Text(company.name)),
        ("#RAR", "0", date_text(company.year_start), date_text(company.year_end)),
        ("#KPTYP", "BAS2014"),
        ("#VALUTA", "SEK"),
    ]
    records += [("#KONTO", number, Text(name)) for number, name in sorted(accounts.items())]
    body: list[Sequence[Field] | str] = list(records)
    for ver in verifications:
        if ver.balance != 0:
            raise ValueError(f"verification {ver.series}{ver.number} does not balance ({ver.balance})")
        body.append(("#VER", ver.series, str(ver.number), date_text(ver.date), Text(ver.text), date_text(generated)))
        body.append("{")
        for row in ver.rows:
            trans: tuple[Field, ...] = ("#TRANS", row.account, Objects(), amount_text(row.amount))
            body.append((*trans, date_text(ver.date), Text(row.text)) if row.text else trans)
        body.append("}")
    crc = 0
    lines = ["#FLAGGA 0", "#KSUMMA"]
    for item in body:
        if isinstance(item, str):
            lines.append(item)
            continue
        lines.append(_render(item))
        crc = zlib.crc32(_checksum_bytes(item), crc)
    lines.append(f"#KSUMMA {crc}")
    return ("\r\n".join(lines) + "\r\n").encode(ENCODING, errors="replace")
