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


# Whose system is it? Evidence of bypassing needs the VENDOR's database, tables, web client or hidden endpoints:
# "your database", "ert system's tables", "the application's database". SQL, "database", "scraping" or an
# "internal" URL about the integrator's own system or a third-party service says nothing about the policy.
_YOUR = r"(er|ert|era|your|systemets|verksamhetssystemets|the\s+application's|the\s+vendor's|leverantörens)"

RULES: tuple[Rule, ...] = (
    Rule(
        "sql_statement",
        Category.unofficial,
        2.0,
        _rx(
            r"\b(select\s+[\w.*,\s]{1,200}?\bfrom\s+[\w.\[\]]+|insert\s+into\s+[\w.\[\]]+|update\s+[\w.\[\]]+\s+set\s"
            r"|delete\s+from\s+[\w.\[\]]+)[^\n]{0,120}?\b"
            + _YOUR
            + r"\s+(server|databas\w*|database|db|tabell\w*|tables?"
            r"|system\w*|installation|sql[-\s]?server|oracle)"
        ),
        "SQL statement against the vendor's tables",
    ),
    Rule(
        "direct_database",
        Category.unofficial,
        4.0,
        _rx(
            r"(direkt\s+(i|från|mot|till|ur)\s+(er\s+|ert\s+|systemets\s+)?(databas|tabell)"
            r"|\b(direct|direkt)\s+(database|databas|db|sql|odbc|jdbc)[\w-]*\s+(access|åtkomst|connection|koppling|anslutning)"
            r"|directly\s+(in|from|into|against|to|on)\s+(your\s+)?(database|db\b|tables)"
            r"|\b(läs\w*|fråga\w*|ansluta|ansluter|koppla\w*|skriv\w*|uppdater\w*|hämta\w*|query\w*|read\w*|connect\w*|writ\w*"
            r"|select\w*|pull\w*|access\w*|join\w*)\s+(\w+\s+){0,4}?(från\s+|i\s+|mot\s+|ur\s+|till\s+|from\s+|in\s+|to\s+|into\s+"
            r"|against\s+|on\s+)?"
            + _YOUR
            + r"\s+(oracle|postgres\w*|mysql|sql[-\s]?server|databas\w*|database|db|tabell\w*|tables)\b"
            r"|(replikerar|replikera|replicate|replicating|kopiera|copy|dump(a)?)\s+(hela\s+|the\s+whole\s+)?"
            + _YOUR
            + r"\s+(databas\w*|database|db)"
            r"|(läsanvändare|läsbehörighet|databasanvändare|read-only\s+(login|user|account)|database\s+(login|user|account))"
            r"\s+(i|till|mot|på|in|to|on|for)\s+" + _YOUR + r"\s+(databas\w*|database|db|sql)"
            r"|\b(database|databas)\s*(backup|dump|kopia|copy)\s+(of|av|från)\s+(our|vår|vårt)\s+(installation|production|produktion|system))"
        ),
        "the integration reads or writes the vendor's database",
    ),
    Rule(
        "vendor_database",
        Category.unofficial,
        1.5,
        _rx(
            r"\b" + _YOUR + r"\s+(oracle|postgres\w*|mysql|sql[-\s]?server|databasserver|database\s+server|databas\w*"
            r"|database|db|tabeller|tables)\b(?!\s+(error|fel|model|modell))"
        ),
        "mentions the vendor's database",
    ),
    Rule(
        "database_access",
        Category.unofficial,
        1.0,
        _rx(
            r"\b(linked\s+server|länkad\s+server|invalid\s+object\s+name|msg\s+208|table\s+or\s+view\s+does\s+not\s+exist"
            r"|ora-00942)\b"
        ),
        "a database error from querying tables directly",
    ),
    Rule(
        "data_model",
        Category.unofficial,
        2.0,
        _rx(
            r"\b(datamodell(en)?\s+(för|över|i)\s+(er|ert|databasen)|(data\s+model|schema)\s+of\s+your\s+(database|db)"
            r"|(join(a|ar|ing)?|joina)\s+(era|your|the\s+vendor's)\s+(tabeller|tables)|\b(erd|er-diagram|databasdiagram|databasschema)\b"
            r"|\b(which|vilken|vilka)\s+(\w+\s+){0,2}(table|tabell)\w*\s+(\w+\s+){0,3}(holds?|contains?|innehåller|lagras|stored|ligger))"
        ),
        "asks about the vendor's internal data model or tables",
    ),
    Rule(
        "scraping",
        Category.unofficial,
        3.0,
        _rx(
            r"(\b(skrap(a|ar|ade|at|ning\w*)|screen[-\s]?scrap\w*|scrap(e|es|ed|ing))\s+(?!(\w+\s+){0,2}(vår|vårt|våra|our)\b)(\w+\s+){0,3}"
            r"(webbklient\w*|webbgränssnitt\w*|web\s+client|web\s+ui|html|sidor\w*|pages?|portal\w*|skärm\w*|screens?"
            r"|gränssnitt\w*|användargränssnitt\w*|ui)\b"
            r"|\b(selenium|puppeteer|htmlagilitypack|beautifulsoup|jsoup)\b[^.\n]{0,80}\b(webbklient\w*|web\s+client|"
            r"your\s+(ui|portal|app|application|system)|er\s+(webb|portal|app|applikation|system)\w*|html|inloggning|login\s+page)"
            r"|\breverse[-\s]?engineer\w*\s+(\w+\s+){0,2}(your|er|ert|the\s+(web|mobile)\s+(client|app))"
            r"|(replay|spela\s+upp|återanvänd\w*|reuse)\s+(\w+\s+){0,3}(session\s+cookie|sessionscookie|the\s+web\s+client's|webbklientens))"
        ),
        "scraping or replaying the vendor's web client",
    ),
    Rule(
        "gui_robot",
        Category.unofficial,
        2.5,
        _rx(r"\b(rpa|uipath|blue\s*prism|automation\s+anywhere|mjukvarurobot\w*|software\s+robot)\b"),
        "a robot drives the user interface instead of the interfaces",
    ),
    Rule(
        "internal_endpoint",
        Category.unofficial,
        3.5,
        _rx(
            r"(/api/(v\d+/)?_?(internal|private)/|/_internal/|\b(odokumenter\w*|undocumented|hidden|dold\w*)\s+"
            r"(\w+\s+)?(endpoint\w*|tjänst\w*|anrop\w*|api\w*|service|call)"
            r"|\b(app'?s|appens|webbklientens|web\s+client's|frontend's)\s+(own\s+)?(private|internal|interna?|privata?|egna)\s+"
            r"(api\w*|endpoint\w*|anrop)"
            r"|\b(endpoint|anrop\w*|api:?et)\s+(som\s+)?(webbklienten|appen|the\s+web\s+client|the\s+(mobile\s+)?app)\s+"
            r"(använder|anropar|uses|calls)\b)"
        ),
        "undocumented or internal endpoint of the vendor's system",
    ),
    Rule(
        "new_capability",
        Category.extension,
        2.5,
        _rx(
            r"((ta\s+fram|bygga|lägga\s+till|införa|tillföra|utveckla|skapa)\s+(\w+\s+){0,2}(ett\s+|en\s+)?"
            r"(nytt|ny|nya)\s+([\w-]+\s+)?(anrop|endpoint|gränssnitt|api|fält|funktion|webhook)"
            r"|\b(add|build|provide|introduce|offer|create)\s+(a\s+|an\s+)?(new|dedicated)\s+([\w-]+\s+)?"
            r"(endpoint|api|field|webhook|capability|feature)"
            # a bulk call counts only when it is asked for ("is there a bulk endpoint we should use?" is tuning)
            r"|\b(önska\w*|föresl\w*|bygg\w*|tar?\s+fram|lägga\s+till|nytt?|nya|add|build|provide|offer|new|request\w*|want"
            r"|could\s+you)\b[^.?!\n]{0,60}?\b(massuppdatering\w*|massexport\w*|bulkanrop\w*|bulk-endpoint\w*"
            r"|bulk\s+(\w+\s+)?(endpoint|api))|\b(bulkanrop|bulk-endpoint|bulk\s+endpoint)\w*\s+(önskas|efterfrågas|wanted))"
        ),
        "asks for a new interface, endpoint, field or capability",
    ),
    Rule(
        "feature_request",
        Category.extension,
        1.5,
        _rx(
            r"((^|\n)\s*(\[|\*\*)?(feature|enhancement)[-\s]request|\bfeature[-\s]request\s*[:\]]|\[feature\]|\butvecklingsönskemål"
            r"|\b(could|can|would)\s+you\s+(please\s+)?(add|expose|include|introduce|build)\b|\bplease\s+(add|expose)\b"
            r"|\bwould\s+be\s+(really\s+)?(great|nice|useful|helpful)\s+to\s+have\b|\bare\s+there\s+(any\s+)?plans\s+(to|for)\b"
            r"|\b(kan|kunde|skulle)\s+ni\s+(\w+\s+)?(lägga\s+till|bygga|exponera|utöka)\b|\bfinns\s+det\s+planer\s+på\b"
            r"|\bvore\s+(\w+\s+)?(bra|smidigt|värdefullt|toppen)\s+(om\s+(man|ni|api)|med)\b)"
        ),
        "asks for something the interfaces do not offer yet",
    ),
    Rule(
        "not_enabled",
        Category.activation,
        2.0,
        _rx(
            r"(\b(inte|ej)\s+(är\s+)?(aktiverat|aktiverad|aktiverade|påslaget|påslagen)\s+(för|hos|i)\s+(oss|vår|vårt|våra)\b"
            r"|interface_not_enabled|apinotactivated|feature_not_enabled|\bnot\s+(enabled|activated)\s+for\s+(us|our|this\s+(tenant|account|"
            r"installation|customer|merchant|organi[sz]ation))\b|module\s+not\s+(licensed|activated))"
        ),
        "the interface is not active in the installation",
    ),
    Rule(
        "which_active",
        Category.activation,
        3.0,
        _rx(
            r"(vilka\s+(gränssnitt|api:?er|tjänster|endpoints|moduler)\s+(som\s+)?(är|ingår\s+och\s+är|vi\s+har)\s+"
            r"(aktiva|aktiverade|påslagna)|which\s+(interfaces|apis|endpoints|services|modules)\s+(are\s+|we\s+have\s+)?"
            r"(currently\s+)?(active|enabled|activated))"
        ),
        "asks which interfaces are active",
    ),
    Rule(
        "activate_request",
        Category.activation,
        1.5,
        _rx(
            r"\b(kan\s+ni|skulle\s+ni|vill\s+(vi|gärna)|önskar|beställ\w*|begär\w*|behöver\s+(vi\s+)?(få\s+)?|please|kindly|"
            r"can\s+you|could\s+you|we\s+(would\s+like|want|need)\s+(you\s+)?to|request(ing)?\s+(to|that\s+you))"
            r"\s+(\w+\s+){0,2}(aktivera|slå\s+på|activate|enable|switch\s+on|turn\s+on|re-?enable)\b"
            r"|\bhow\s+(do|can)\s+we\s+get\s+(it|this|them|the\s+[\w-]+(\s+api)?)\s+(activated|enabled|switched\s+on|turned\s+on)"
            r"|\bhur\s+(får|kan)\s+vi\s+(det|den|dem|[\w-]+)\s+(aktiverat|aktiverad|aktiverade|påslaget|påslagen|påslagna)"
        ),
        "asks for activation",
    ),
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
            snippet = text[m.start() : m.end()] if same_positions else m.group(0)
            hits.append((rule, " ".join(snippet.split())[:60]))
    return hits
