"""Errors of integration subscriptions and licence price lists, each with its HTTP status and stable code."""

from core.errors import Conflict, Forbidden, InvalidInput, NotFound


class PriceListNotFound(NotFound):
    code = "licence_price_list_not_found"


class PriceListOverlap(Conflict):
    code = "licence_price_list_overlap"
    title = "Overlapping licence price list validity"


class SubscriptionNotFound(NotFound):
    code = "subscription_not_found"


class NoLicencePrice(Conflict):
    code = "no_licence_price"
    title = "No licence price list prices this licence on that day"


class PurposeRequired(InvalidInput):
    code = "licence_purpose_required"
    title = "An application licensed on its own needs its purpose described"


class NoPopulation(InvalidInput):
    code = "licence_population_missing"
    title = "A population licence needs a municipality or federation with a recorded population"


class SubscriptionEnded(Conflict):
    code = "subscription_ended"
    title = "The subscription has ended or is already cancelled"


class PartnerMayNotResell(Forbidden):
    code = "partner_may_not_resell"
    title = "Only an authorised partner with the right to resell may license its solution for customers"
