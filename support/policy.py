"""The vendor's integration policy (SPEC §1) as data: categories, who pays, and the texts integrators read.

This module encodes a business rule: the billing consequence of each category. Change it only when the
policy changes, and change the Swedish and English texts together.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    defect = "defect"
    assistance = "assistance"
    performance = "performance"
    activation = "activation"
    extension = "extension"
    unofficial = "unofficial"


class Billing(StrEnum):
    """What a category means for the integrator's wallet."""

    free = "free"  # maintenance agreement covers it
    consulting_rate = "consulting_rate"
    product_owner = "product_owner"  # evaluation free; the product owner decides
    refused = "refused"  # no assistance, nothing billed


class DefectOutcome(StrEnum):
    confirmed = "confirmed"
    not_a_defect = "not_a_defect"


class ExtensionDecision(StrEnum):
    roadmap = "roadmap"
    customer_funded = "customer_funded"
    declined = "declined"


@dataclass(frozen=True)
class PolicyRule:
    category: Category
    billing: Billing
    billable: bool
    rule_sv: str
    rule_en: str


POLICY: dict[Category, PolicyRule] = {
    Category.defect: PolicyRule(
        Category.defect,
        Billing.free,
        False,
        "Misstänkt fel i ett officiellt gränssnitt utreds och åtgärdas kostnadsfritt inom ramen för "
        "förvaltningsavtalet.",
        "A suspected fault in an official interface is investigated and fixed free of charge under the "
        "maintenance agreement.",
    ),
    Category.assistance: PolicyRule(
        Category.assistance,
        Billing.consulting_rate,
        True,
        "Hjälp med att använda de officiella gränssnitten debiteras enligt konsulttaxa.",
        "Assistance with using the official interfaces is billed at the consulting rate.",
    ),
    Category.performance: PolicyRule(
        Category.performance,
        Billing.consulting_rate,
        True,
        "Prestandaoptimering av hur en applikation använder gränssnitten debiteras enligt konsulttaxa.",
        "Tuning how an application uses the interfaces is billed at the consulting rate.",
    ),
    Category.activation: PolicyRule(
        Category.activation,
        Billing.consulting_rate,
        True,
        "Aktivering av gränssnitt som inte är aktiva i er installation debiteras enligt konsulttaxa.",
        "Activating interfaces that are not active in your installation is billed at the consulting rate.",
    ),
    Category.extension: PolicyRule(
        Category.extension,
        Billing.product_owner,
        False,
        "Önskemål om nya eller utökade gränssnitt utvärderas kostnadsfritt; produktägaren beslutar om "
        "de byggs in i en kommande version, erbjuds som kundfinansierad utveckling eller avslås.",
        "Wishes for new or extended interfaces are evaluated free of charge; the product owner decides "
        "whether they go on the roadmap, are offered as customer-funded development, or are declined.",
    ),
    Category.unofficial: PolicyRule(
        Category.unofficial,
        Billing.refused,
        False,
        "Integrationer som inte går via de officiella gränssnitten (direkt läsning eller skrivning i "
        "databasen, skrapning, odokumenterade interna anrop) får ingen assistans enligt "
        "integrationspolicyn.",
        "Integrations that bypass the official interfaces (reading or writing the database directly, "
        "scraping, undocumented internal endpoints) receive no assistance under the integration policy.",
    ),
}


def billing_for(category: Category) -> Billing:
    return POLICY[category].billing


def is_billable(category: Category, *, extension_decision: ExtensionDecision | None = None) -> bool:
    """Time is billable for consulting categories, and for an extension the customer funds."""
    if category is Category.extension:
        return extension_decision is ExtensionDecision.customer_funded
    return POLICY[category].billable
