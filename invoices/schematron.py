"""Run the official Peppol/EN 16931 Schematron files for real (ISO Schematron, XSLT 2 query binding).

The rule files in `shared/peppol/sch` are the authority on what a valid Peppol BIS Billing 3.0 document is.
Instead of re-implementing them, this module compiles a Schematron schema into an XSLT 3 stylesheet (the
same job the ISO skeleton or SchXslt does) and runs it with Saxon-HE (`saxonche`).

Supported subset (everything the CEN 1.3.x and Peppol 3.0.x files use): `ns`, `let` at schema, pattern and
rule level, `xsl:function`, `pattern`/`rule`/`assert`/`report` with `id` and `flag`, `value-of` and `name`
in messages. All patterns run (phase `#ALL`). Schematron semantics kept: within one pattern a node is
handled by the first rule whose context matches it (document order of rules), as in the skeleton.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

SCH = "http://purl.oclc.org/dsdl/schematron"
XSL = "http://www.w3.org/1999/XSL/Transform"
_RESULT_NS = "urn:tripdesk:schematron-result"


@dataclass(frozen=True)
class Finding:
    """One failed assert (or fired report): rule id, `fatal`/`warning`, XPath of the node, message."""

    rule_id: str
    flag: str
    location: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule_id}] ({self.flag}) at {self.location}: {self.message}"


def _x(tag: str) -> str:
    return f"{{{XSL}}}{tag}"


def _message(parent: etree._Element, source: etree._Element) -> None:
    """Copy an assert's text into the output, turning `sch:value-of`/`sch:name` into XSLT."""
    parent.text = source.text
    for child in source:
        if child.tag == f"{{{SCH}}}value-of":
            node = etree.SubElement(parent, _x("value-of"), select=child.get("select", "."))
        elif child.tag == f"{{{SCH}}}name":
            node = etree.SubElement(parent, _x("value-of"), select=f"name({child.get('path', '.')})")
        else:  # emphasis, dir, span: keep their text only
            node = etree.SubElement(parent, _x("text"))
            node.text = "".join(child.itertext())
        node.tail = child.tail


def compile_schematron(sch_path: Path) -> bytes:
    """Translate one Schematron file into an XSLT 3 stylesheet that outputs <report><failed .../></report>."""
    sch = etree.parse(str(sch_path)).getroot()
    nsmap: dict[str | None, str] = {"xsl": XSL, "r": _RESULT_NS}
    for ns in sch.iter(f"{{{SCH}}}ns"):
        nsmap[ns.get("prefix")] = ns.get("uri", "")
    xslt = etree.Element(_x("stylesheet"), nsmap=nsmap, version="3.0")
    xslt.set("exclude-result-prefixes", " ".join(p for p in nsmap if p not in (None, "xsl", "r")))
    etree.SubElement(xslt, _x("output"), method="xml", indent="no")

    # Schema- and pattern-level lets are global variables; xsl:functions are copied verbatim.
    for el in sch.iter(f"{{{SCH}}}let", _x("function")):
        parent = el.getparent()
        if el.tag == _x("function"):
            xslt.append(_copy(el))
        elif parent is not None and parent.tag in (f"{{{SCH}}}schema", f"{{{SCH}}}pattern"):
            etree.SubElement(xslt, _x("variable"), name=el.get("name", ""), select=el.get("value", ""))

    root = etree.SubElement(xslt, _x("template"), match="/")
    report = etree.SubElement(root, f"{{{_RESULT_NS}}}report")
    patterns = [p for p in sch.iter(f"{{{SCH}}}pattern") if p.get("abstract") != "true"]
    for index, pattern in enumerate(patterns):
        mode = f"p{index}"
        etree.SubElement(report, _x("apply-templates"), select="//(node() | @*)", mode=mode)
        etree.SubElement(xslt, _x("template"), match="node() | @*", mode=mode, priority="-1000")
        rules = list(pattern.iter(f"{{{SCH}}}rule"))
        for position, rule in enumerate(rules):
            priority = str(len(rules) - position)  # first matching rule wins, as in ISO Schematron
            template = etree.SubElement(
                xslt, _x("template"), match=rule.get("context", ""), mode=mode, priority=priority
            )
            for child in rule:
                if child.tag == f"{{{SCH}}}let":
                    etree.SubElement(
                        template, _x("variable"), name=child.get("name", ""), select=child.get("value", "")
                    )
                elif child.tag in (f"{{{SCH}}}assert", f"{{{SCH}}}report"):
                    test = child.get("test", "true()")
                    test = f"not({test})" if child.tag == f"{{{SCH}}}assert" else f"({test})"
                    when = etree.SubElement(template, _x("if"), test=test)
                    failed = etree.SubElement(when, f"{{{_RESULT_NS}}}failed")
                    failed.set("id", child.get("id", ""))
                    failed.set("flag", child.get("flag", "fatal"))
                    failed.set("location", "{path()}")
                    _message(failed, child)
    return etree.tostring(xslt, xml_declaration=True, encoding="UTF-8")


def _copy(el: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(el))


@functools.lru_cache(maxsize=1)
def _processor() -> Any:
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@functools.lru_cache(maxsize=8)
def _executable(sch_path: str) -> Any:
    compiler = _processor().new_xslt30_processor()
    return compiler.compile_stylesheet(stylesheet_text=compile_schematron(Path(sch_path)).decode("utf-8"))


def run_schematron(sch_path: Path, document: bytes) -> list[Finding]:
    """Every failed assert of `sch_path` on `document` (fatal and warning)."""
    executable = _executable(str(sch_path.resolve()))
    node = _processor().parse_xml(xml_text=document.decode("utf-8"))
    executable.set_global_context_item(xdm_item=node)
    output = executable.transform_to_string(xdm_node=node)
    result = etree.fromstring(output.encode("utf-8"))
    return [
        Finding(
            rule_id=f.get("id", ""),
            flag=f.get("flag", "fatal"),
            location=f.get("location", ""),
            message=" ".join("".join(f.itertext()).split()),
        )
        for f in result.iter(f"{{{_RESULT_NS}}}failed")
    ]
