"""Every policy rule fires on real evidence and stays silent on ordinary text that shares its words."""
# ruff: noqa: E501  (ticket texts are prose fixtures)

from __future__ import annotations

import pytest

from support.classification.rules import RULES, rule_hits

pytestmark = pytest.mark.sqlite_pass  # no database: the PostgreSQL pass would only repeat it

# (rule, text that is evidence for the rule's category)
FIRES = [
    ("sql_statement", "Vår rapport kör SELECT pnr, namn FROM person WHERE aktiv = 1 mot er server."),
    ("direct_database", "Our report reads the case tables directly from your database every night."),
    ("direct_database", "Vi läser data från er databas med en läsanvändare varje natt."),
    ("direct_database", "Please send us a database backup of our production installation for our own analysis."),
    ("direct_database", "We need direct database access for our ETL tool; it is faster than the API."),
    ("vendor_database", "Which columns in your SQL Server hold the decision date?"),
    ("database_access", "Msg 208: Invalid object name 'dbo.ARENDE' after the upgrade."),
    ("data_model", "Kan vi få datamodellen för er databas? Vi vill joina era tabeller i Power BI."),
    ("data_model", "Which table holds the audit log entries? We will query it ourselves."),
    ("scraping", "We scrape the web client HTML every morning because it is quicker than the API."),
    ("scraping", "Vi skrapar webbklienten med Selenium och nu har sidorna ändrats."),
    ("gui_robot", "Vår UiPath-robot registrerar ärenden i klienten åt handläggarna."),
    ("internal_endpoint", "The mobile app's private API at /api/v2/internal/cases gives us everything we need."),
    ("internal_endpoint", "Vi använder ett odokumenterat anrop som webbklienten gör för att hämta beslut."),
    ("new_capability", "Could you build a new endpoint for closed cases?"),
    ("new_capability", "Request: a bulk send endpoint taking a list of recipients."),
    ("feature_request", "Feature request: please add a webhook for new documents."),
    ("not_enabled", "Vi får 403: gränssnittet är inte aktiverat för oss i produktion."),
    ("not_enabled", "The payroll API answers 403 INTERFACE_NOT_ENABLED."),
    ("which_active", "Which interfaces are currently active in our installation?"),
    ("activate_request", "Kan ni aktivera Bygglov-API:et i testmiljön?"),
    ("activate_request", "Could you please enable the refunds capability for our merchant?"),
    ("activate_request", "We want to send SMS through the Messaging API. How do we get it activated?"),
]

# (rule, ordinary text with the rule's words that is no evidence: the integrator's own system, a third-party
# service, a word used in another sense)
SILENT = [
    (
        "sql_statement",
        "How should I batch requests? In our own app we used to run select id from queue_items, now we call your API.",
    ),
    ("direct_database", "We store the API's case ids in our own database and join them with our HR data."),
    ("direct_database", "Vi sparar svaret från API:t i vår egen databas. Hur mappar vi fältet status?"),
    ("direct_database", "Our direct debit connection to the bank fails; the API's payment status stays pending."),
    (
        "vendor_database",
        "We are not asking for your database model, only what the API fields mean. That's your database error leaking out.",
    ),
    ("database_access", "Our own SSIS package loads the API's JSON export; which column names does the export use?"),
    (
        "data_model",
        "Today we read the 'Cases per handler' table in the reporting module and export it; please offer it via the API.",
    ),
    ("data_model", "Which table in our own data warehouse should hold the API's decisions?"),
    ("scraping", "Prometheus scrapes our metrics endpoint every 15 s and the sync job got slower."),
    ("scraping", "Vi kör automatiska tester som skrapar vår egen portal och jämför mot API:t."),
    ("scraping", "In the browser's network tab I can see the official API returns 500 on the second page."),
    ("gui_robot", "Our prompt asks the assistant to summarise the case; no robot involved."),
    ("internal_endpoint", "The Case API returns 500 Internal Server Error since the patch."),
    ("internal_endpoint", "Our cache lives in /private/var/folders on the Mac and the SDK fails to write there."),
    ("internal_endpoint", "The `pageToken` parameter is not documented; how should we use it?"),
    ("new_capability", "Is there a bulk endpoint we should use instead of one call per person?"),
    ("feature_request", "Our own backlog has a feature request about exports; how do we page the invoice list?"),
    ("not_enabled", "The module is activated and still returns 500 since the update."),
    ("not_enabled", "Efter att vi aktiverade loggningen hos oss ger API:t fel datum på beslut."),
    ("which_active", "Which sessions are active when the token expires?"),
    ("activate_request", "Since SSO was enabled for our tenant every PATCH returns 500."),
    ("activate_request", "Funktionen är aktiverad men svaret saknar fältet beslutsdatum."),
    ("activate_request", "How do we get the tokens refreshed automatically in the SDK?"),
]


def _fired(text: str) -> set[str]:
    return {rule.name for rule, _ in rule_hits(text)}


def test_every_rule_has_evidence_and_an_ordinary_text() -> None:
    names = {rule.name for rule in RULES}
    assert {name for name, _ in FIRES} == names
    assert {name for name, _ in SILENT} == names


@pytest.mark.parametrize(("rule", "text"), FIRES, ids=[f"{r}-{i}" for i, (r, _) in enumerate(FIRES)])
def test_rule_fires_on_evidence(rule: str, text: str) -> None:
    assert rule in _fired(text)


@pytest.mark.parametrize(("rule", "text"), SILENT, ids=[f"{r}-{i}" for i, (r, _) in enumerate(SILENT)])
def test_rule_is_silent_on_ordinary_text(rule: str, text: str) -> None:
    assert rule not in _fired(text)
