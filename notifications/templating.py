"""Email templates: one per kind and language (templates/<lang>/<kind>.txt and .html), rendered when a message
is built for delivery from the context captured with the event, so the content reflects the moment of the
event (the context is a snapshot: names, amounts and labels as they were then).

The subject is the `subject` block of the .txt template. HTML templates are autoescaped; text templates are
not (they are plain text). Status, category and decision names are shown in the reader's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, select_autoescape

from notifications.errors import UnknownTemplate
from notifications.settings import get_mail_settings

TEMPLATE_DIR = Path(__file__).parent / "templates"
LANGUAGES = ("sv", "en")
TEMPLATES = (
    "ticket_received",
    "category_changed",
    "public_comment",
    "status_changed",
    "defect_outcome",
    "extension_decision",
    "cost_ceiling_reached",
    "invoice_issued",
    "invoice_reminder",
    "licence_missing",
    "partner_decision",
    "interface_notice",
)

LABELS: dict[str, dict[str, dict[str, str]]] = {
    "sv": {
        "category": {
            "defect": "Fel i gränssnitt (kostnadsfritt)",
            "assistance": "Assistans (konsulttaxa)",
            "performance": "Prestandaoptimering (konsulttaxa)",
            "activation": "Aktivering av gränssnitt (konsulttaxa)",
            "extension": "Önskemål om nytt eller utökat gränssnitt (produktägaren beslutar)",
            "unofficial": "Integration utanför de officiella gränssnitten (ingen assistans)",
        },
        "status": {
            "new": "Ny",
            "triaged": "Bedömd",
            "in_progress": "Under arbete",
            "waiting_on_customer": "Väntar på svar från er",
            "resolved": "Löst",
            "closed": "Avslutad",
            "rejected": "Avvisad",
        },
        "decision": {
            "roadmap": "byggs in i en kommande version",
            "customer_funded": "erbjuds som kundfinansierad utveckling",
            "declined": "avslås",
        },
        "category_short": {
            "defect": "ett misstänkt fel i ett officiellt gränssnitt",
            "assistance": "assistans",
            "performance": "prestandaoptimering",
            "activation": "aktivering av gränssnitt",
            "extension": "ett önskemål om ett nytt eller utökat gränssnitt",
            "unofficial": "en integration utanför de officiella gränssnitten",
        },
        "outcome": {"confirmed": "felet är bekräftat", "not_a_defect": "inget fel i gränssnittet"},
        "ceiling": {"hours": "timmar", "amount": "kronor"},
        "invoice_kind": {"invoice": "Faktura", "credit_note": "Kreditfaktura"},
    },
    "en": {
        "category": {
            "defect": "Interface defect (free of charge)",
            "assistance": "Assistance (consulting rate)",
            "performance": "Performance tuning (consulting rate)",
            "activation": "Interface activation (consulting rate)",
            "extension": "New or extended interface (the product owner decides)",
            "unofficial": "Integration outside the official interfaces (no assistance)",
        },
        "status": {
            "new": "New",
            "triaged": "Triaged",
            "in_progress": "In progress",
            "waiting_on_customer": "Waiting for your reply",
            "resolved": "Resolved",
            "closed": "Closed",
            "rejected": "Rejected",
        },
        "decision": {
            "roadmap": "goes on the roadmap",
            "customer_funded": "offered as customer-funded development",
            "declined": "declined",
        },
        "category_short": {
            "defect": "a suspected fault in an official interface",
            "assistance": "assistance",
            "performance": "performance tuning",
            "activation": "activating interfaces",
            "extension": "a wish for a new or extended interface",
            "unofficial": "an integration outside the official interfaces",
        },
        "outcome": {"confirmed": "defect confirmed", "not_a_defect": "not a defect in the interface"},
        "ceiling": {"hours": "hours", "amount": "SEK"},
        "invoice_kind": {"invoice": "Invoice", "credit_note": "Credit note"},
    },
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")


def one_line(value: str) -> str:
    """Collapse CR, LF and other control characters to single spaces: nothing can start a new header."""
    return re.sub(r" {2,}", " ", _CONTROL.sub(" ", value)).strip()


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _label_function(language: str):  # type: ignore[no-untyped-def]
    table = LABELS[language]

    def label(kind: str, value: Any) -> str:
        if value is None:
            return "—"
        key = str(getattr(value, "value", value))
        return table[kind].get(key, key)

    return label


@lru_cache(maxsize=len(LANGUAGES))
def environment(language: str = "sv") -> Environment:
    """One environment per language, with `label` and `lang` as globals: imported macro files then need no
    `with context`, so Jinja caches them instead of re-running each import on every render (4x faster).
    Templates are read once per process (`auto_reload=False`): they ship with the code."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=get_mail_settings().template_cache_size,
    )
    env.filters["one_line"] = one_line
    env.globals.update(label=_label_function(language), lang=language)
    return env


def check_template(template: str) -> None:
    if template not in TEMPLATES:
        raise UnknownTemplate(f"no email template '{template}'")


def render(template: str, language: str, context: dict[str, Any]) -> Rendered:
    check_template(template)
    language = language if language in LANGUAGES else "sv"
    env = environment(language)
    try:
        text_template = env.get_template(f"{language}/{template}.txt")
        html_template = env.get_template(f"{language}/{template}.html")
    except TemplateNotFound as exc:  # pragma: no cover - every template exists in both languages
        raise UnknownTemplate(f"no {language} email template '{template}'") from exc
    data = context
    subject = "".join(text_template.blocks["subject"](text_template.new_context(data)))
    text = re.sub(r"\n{3,}", "\n\n", text_template.render(data)).strip() + "\n"
    html = html_template.render(data)
    return Rendered(subject=one_line(subject), text=text, html=html)
