"""The classifier's policy rules: signals that decide the policy whatever the wording.

SQL against tables, "reading the database directly", scraping or undocumented internal endpoints make a
ticket `unofficial` (no assistance); "interface not enabled/activated" makes it `activation`; asking for a
new endpoint or field points to `extension`. A rule that fires adds its weight to its category's logit in
`Classifier.classify`, so it shifts the evidence rather than overriding it. The rules are part of the model
version (`classifier.version_of` fingerprints each rule's name, category, weight and pattern), so changing
one retrains the model.

`rule_hits` runs a rule's regex only when the text contains the literal strings that every match of it
must contain (derived from the pattern itself, see support/classification/literals.py). Skipping a regex is
therefore only a shortcut: the hits are exactly those of searching every pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from support.classification.literals import Requirement, requirement, weakest
from support.policy import Category


@dataclass(frozen=True)
class Rule:
    """A policy signal: when `pattern` matches, `weight` is added to `category`'s logit."""

    name: str
    category: Category
    weight: float
    pattern: re.Pattern[str]
    explanation: str


def _rx(pattern: str) -> re.Pattern[str]:
    """Patterns are written in lower case and run on lower-cased text (faster than IGNORECASE)."""
    return re.compile(pattern)


RULES: tuple[Rule, ...] = (
    Rule("sql_statement", Category.unofficial, 4.0, _rx(
        r"\b(select\s+[\w.*,\s]{1,200}?\bfrom\s+[\w.\[\]]+|insert\s+into\s+[\w.\[\]]+|update\s+[\w.\[\]]+\s+set\s"
        r"|delete\s+from\s+[\w.\[\]]+)"), "SQL statement against database tables"),
    Rule("direct_database", Category.unofficial, 4.0, _rx(
        r"(direkt\s+(i|från|mot|till|ur)\s+(er\s+|ert\s+|systemets\s+)?(databas|tabell)"
        r"|directly\s+(in|from|into|against|to|on)\s+(your\s+|the\s+)?(database|db\b|tables?)"
        r"|(läsanvändare|läsbehörighet|databasanvändare|databasdump|databasdiagram|databasschema|er-diagram"
        r"|er\s+diagram|database\s+(dump|schema|diagram|account|user|login)|read-only\s+(login|user|account)"
        r"|(replikerar|replicate)\s+(er|your)\s+(databas|database)"
        r"|\b(er|ert|era|your)\s+(oracle|postgres\w*|mysql|sql[-\s]?server|databasserver|database\s+server"
        r"|databas\w*|database|db|tabeller|tables)\b"
        r"|\b(the\s+application's|systemets|verksamhetssystemets)\s+(database|db|postgres|databas\w*|tabeller)\b))"),
        "the integration reads or writes the vendor's database"),
    Rule("database_access", Category.unofficial, 3.0, _rx(
        r"\b(odbc|jdbc|linked\s+server|länkad\s+server|ssis|stored\s+procedures?|lagrade\s+procedurer"
        r"|ora-\d{5}|invalid\s+object\s+name|msg\s+208|table\s+or\s+view\s+does\s+not\s+exist"
        r"|initial\s+catalog=|kolumnnamn|column\s+names?|sql-?fråg\w*|sql[-\s]quer(y|ies)|sql-sats\w*)\b"),
        "direct database access (driver, objects, errors)"),
    Rule("data_model", Category.unofficial, 2.0, _rx(
        r"\b(datamodell(en)?\s+(för|över|i)\s+(er|ert|databasen|modulen)|data\s+model\s+(of|for)\s+(your|the)"
        r"\s+(database|db|system)|tabellstruktur|table\s+structure|\b(er|ert|era|your)\s+[\w-]*(tabell\w*|tables?)\b"
        r"|\b(vilken|vilka|which)\s+(av\s+era\s+|of\s+your\s+)?(tabell\w*|tables?|vy|vyer|views?)\b)"),
        "asks about the internal data model or tables"),
    Rule("scraping", Category.unofficial, 4.0, _rx(
        r"(skrap(a|ar|ade|at|ning\w*)\b|\bscreen[-\s]?scrap\w*|\bscrap(e|es|ed|ing|er)\b|\b(selenium|playwright"
        r"|puppeteer|fiddler|mitmproxy|beautifulsoup|bs4|htmlagilitypack|jsoup|cheerio|nätverksfliken|network\s+tab"
        r"|reverse[-\s]?engineer\w*)\b)"),
        "scraping or replaying the web client"),
    Rule("gui_robot", Category.unofficial, 2.5, _rx(
        r"\b(rpa|uipath|blue\s*prism|automation\s+anywhere|mjukvarurobot\w*|software\s+robot)\b"),
        "a robot drives the user interface instead of the interfaces"),
    Rule("internal_endpoint", Category.unofficial, 4.0, _rx(
        r"(/_?(internal|private)/|\b(privat|private)\s+(endpoint|api)\b|\b(odokumenterad\w*|undocumented)\s+(endpoint|tjänst|anrop|api|service|call)"
        r"|\bintern(a)?\s+(endpoint|tjänst(en)?|anrop|api)\b|\binternal\s+(endpoint|api|service)\b"
        r"|\b(isn't|is\s+not|not)\s+(in\s+the\s+docs|documented)\b|\b(inte|ej)\s+(är\s+)?dokumenterad\w*)"),
        "undocumented or internal endpoint"),
    Rule("new_capability", Category.extension, 2.0, _rx(
        r"((ta\s+fram|bygga|lägga\s+till|införa|tillföra|utveckla|skapa)\s+(\w+\s+){0,2}(ett\s+|en\s+)?"
        r"(nytt|ny|nya)\s+([\w-]+\s+)?(anrop|endpoint|gränssnitt|api|fält|funktion|webhook)"
        r"|\b(add|build|provide|introduce|offer|create)\s+(a\s+|an\s+)?(new|dedicated)\s+([\w-]+\s+)?"
        r"(endpoint|api|field|webhook|capability|feature)"
        # a bulk call counts only when it is asked for ("is there a bulk endpoint we should use?" is tuning)
        r"|\b(önska\w*|föresl\w*|bygg\w*|tar?\s+fram|lägga\s+till|få|nytt?|nya|add|build|provide|offer|new|request\w*|need|want|please"
        r"|could\s+you)\b[^.?!\n]{0,60}?\b(massuppdatering\w*|massexport\w*|bulkanrop\w*|bulk-endpoint\w*"
        r"|bulk\s+(endpoint|api))|\b(bulkanrop|bulk-endpoint|bulk\s+endpoint)\w*\s+(önskas|efterfrågas|wanted))"),
        "asks for a new interface, endpoint, field or capability"),
    Rule("feature_request", Category.extension, 1.5, _rx(
        r"(\bfeature[-\s]request|\[feature\]|\benhancement\s+request|\butvecklingsönskemål"
        r"|\b(could|can|would)\s+you\s+(please\s+)?(add|expose|include|introduce|build)\b|\bplease\s+(add|expose)\b"
        r"|\bwould\s+be\s+(really\s+)?(great|nice|useful|helpful)\s+to\s+have\b|\bare\s+there\s+(any\s+)?plans\s+(to|for)\b"
        r"|\b(kan|kunde|skulle)\s+ni\s+(\w+\s+)?(lägga\s+till|bygga|exponera|utöka)\b|\bfinns\s+det\s+planer\s+på\b"
        r"|\bvore\s+(\w+\s+)?(bra|smidigt|värdefullt|toppen)\s+(om\s+(man|ni|api)|med)\b)"),
        "asks for something the interfaces do not offer yet"),
    Rule("not_enabled", Category.activation, 3.0, _rx(
        r"(\b(inte|ej)\s+(är\s+)?(aktiverat|aktiverad|aktiverade|påslaget|påslagen|aktivt)\b|interface_not_enabled"
        r"|apinotactivated|\bnot\s+(enabled|activated)\b|module\s+not\s+(licensed|activated)"
        r"|\b(är|is)\s+(avstängt|disabled)\b)"), "the interface is not active in the installation"),
    Rule("which_active", Category.activation, 3.0, _rx(
        r"(vilka\s+(gränssnitt|api:?er|tjänster|endpoints)\s+(som\s+)?(är|ingår\s+och\s+är)\s+"
        r"(aktiva|aktiverade|påslagna)|which\s+(interfaces|apis|endpoints|services)\s+(are\s+)?(currently\s+)?"
        r"(active|enabled))"), "asks which interfaces are active"),
    Rule("activate_request", Category.activation, 1.5, _rx(
        r"\b(aktivera(s|t|d)?|slå\s+på|activate[ds]?|enable[ds]?|switch(ed)?\s+on|turn(ed)?\s+on)\b"),
        "asks for activation"),
)


def _needs(rule: Rule) -> tuple[tuple[str, ...], Requirement] | None:
    """What any match of the rule needs (support/classification/literals.py): one of a few strings, then the
    full requirement; None: always search."""
    needs = requirement(rule.pattern)
    return None if needs is None else (weakest(needs).strings, needs)


_SCAN = tuple((rule, _needs(rule)) for rule in RULES)


def rule_hits(text: str) -> list[tuple[Rule, str]]:
    """The rules that fire, each with the passage that fired it (in the writer's own casing)."""
    hits: list[tuple[Rule, str]] = []
    lowered = text.lower()
    same_positions = len(lowered) == len(text)  # lower() can change lengths for a few letters (İ)
    contains = lowered.__contains__
    for rule, needs in _SCAN:
        if needs is not None and not (any(map(contains, needs[0])) and needs[1].holds(contains)):
            continue  # no match can exist: the text lacks literals every match contains
        m = rule.pattern.search(lowered)
        if m:
            snippet = text[m.start():m.end()] if same_positions else m.group(0)
            hits.append((rule, " ".join(snippet.split())[:60]))
    return hits
