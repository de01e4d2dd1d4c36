"""Validation of generated Peppol UBL documents: the OASIS XSD and the official business rules.

Two layers, both from `shared/peppol` (found at `<repo>/../shared/peppol`, or `$TRIPDESK_PEPPOL_DIR`):
- the UBL 2.1 XSD (Invoice or CreditNote by root element): structure, element order, data types;
- the Schematron rules, run for real with Saxon (see invoices/schematron.py): CEN EN 16931 (BR-*, BR-CO-*,
  BR-S-*, BR-AE-*, BR-CL-*) and Peppol BIS 3.0 (PEPPOL-EN16931-R*, PEPPOL-COMMON-R*, SE-R-001 … SE-R-013).

Meant for tests and for an operator's sanity check; the renderers themselves never need it.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from lxml import etree

from invoices.schematron import Finding, run_schematron

_ROOT_SCHEMA = {
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": "UBL-Invoice-2.1.xsd",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": "UBL-CreditNote-2.1.xsd",
}
RULE_FILES = ("CEN-EN16931-UBL.sch", "PEPPOL-EN16931-UBL.sch")


def peppol_dir() -> Path:
    """The reference data folder: `$TRIPDESK_PEPPOL_DIR`, else `shared/peppol` beside the repository."""
    override = os.environ.get("TRIPDESK_PEPPOL_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1].parent / "shared" / "peppol"


@functools.lru_cache(maxsize=4)
def _schema(path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(path))


def xsd_errors(document: bytes) -> list[str]:
    """XSD errors of a UBL Invoice or CreditNote (empty when valid). Element order is checked only here."""
    root = etree.fromstring(document)
    name = _ROOT_SCHEMA.get(root.tag)
    if name is None:
        return [f"unexpected root element {root.tag}"]
    schema = _schema(str(peppol_dir() / "xsd" / "maindoc" / name))
    if schema.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def rule_findings(document: bytes) -> list[Finding]:
    """All failed asserts of the CEN and Peppol Schematron files, fatal and warning."""
    findings: list[Finding] = []
    for name in RULE_FILES:
        findings.extend(run_schematron(peppol_dir() / "sch" / name, document))
    return findings


def rule_errors(document: bytes) -> list[Finding]:
    """The fatal findings: a document with any of these is rejected by a Peppol access point."""
    return [f for f in rule_findings(document) if f.flag == "fatal"]


def validate(document: bytes, *, warnings_are_errors: bool = True) -> list[str]:
    """Everything wrong with `document`, as readable strings (empty when it passes XSD and rules)."""
    problems = xsd_errors(document)
    findings = rule_findings(document)
    problems.extend(str(f) for f in findings if warnings_are_errors or f.flag == "fatal")
    return problems
