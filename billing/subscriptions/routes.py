"""HTTP endpoints of licence price lists and integration subscriptions. Parse → one service call → render."""

from __future__ import annotations

from dataclasses import replace

from billing.subscriptions import pricing, schemas, service
from core.auth import STAFF_ROLES, Role
from core.endpoints import Endpoints

FINANCE = (Role.admin, Role.finance)

price_lists = Endpoints(
    tags=("subscriptions",), reads=STAFF_ROLES, writes=FINANCE, id_as="price_list_id", prefix="/licence-price-lists"
)
subscriptions = Endpoints(
    tags=("subscriptions",), reads=tuple(Role), writes=FINANCE, id_as="subscription_id", prefix="/subscriptions"
)
licensing = replace(subscriptions, prefix="/organisations/{id:int}/subscriptions")


routes = [
    price_lists.get(
        "",
        "List licence price lists",
        pricing.list_price_lists,
        schemas.PriceListList,
        query=schemas.PriceListQuery,
        spread=True,
    ),
    price_lists.create(
        "",
        "Create a licence price list (default, or an organisation's agreement)",
        pricing.create_price_list,
        schemas.PriceListRead,
    ),
    price_lists.get("/{id:int}", "Get a licence price list", pricing.get_price_list, schemas.PriceListRead),
    price_lists.patch(
        "/{id:int}",
        "End a licence price list's validity (new prices are a new list)",
        pricing.end_price_list,
        schemas.PriceListRead,
    ),
    subscriptions.get(
        "",
        "List integration subscriptions (integrators: those they hold or pay)",
        service.list_subscriptions,
        schemas.SubscriptionList,
    ),
    licensing.create(
        "",
        "License an organisation: a licence and its billed subscription (an authorised partner may resell: it is "
        "billed, the customer is the licensee)",
        service.create_subscription,
        schemas.SubscriptionRead,
        roles=(Role.admin, Role.finance, Role.integrator),
        id_as="organisation_id",
    ),
    subscriptions.get(
        "/{id:int}",
        "Get an integration subscription with its charges",
        service.get_subscription,
        schemas.SubscriptionRead,
    ),
    subscriptions.create(
        "/{id:int}/change",
        "Change the licence kind or tier from a day (the difference is credited or charged pro rata)",
        service.change_subscription,
        schemas.SubscriptionRead,
    ),
    subscriptions.post(
        "/{id:int}/cancel",
        "Cancel a subscription: it ends at the end of the current billing period",
        service.cancel_subscription,
        schemas.SubscriptionRead,
    ),
]
