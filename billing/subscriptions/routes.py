"""HTTP endpoints of licence price lists and integration subscriptions. Parse → one service call → render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from billing.subscriptions import pricing, schemas, service
from core.auth import Principal, Role
from core.http import JSON, operation, read_query, service_call

FINANCE = (Role.admin, Role.finance)
STAFF = (Role.admin, Role.support, Role.finance)
ANY = tuple(Role)
LICENSORS = (Role.admin, Role.finance, Role.integrator)
TAGS = ("subscriptions",)


@operation(
    "List licence price lists", roles=STAFF, query=schemas.PriceListQuery, response=schemas.PriceListList, tags=TAGS
)
async def list_price_lists(request: Request, principal: Principal) -> Response:
    query = read_query(request, schemas.PriceListQuery)
    items = await pricing.list_price_lists(organisation_id=query.organisation_id, valid_on=query.valid_on)
    return JSON(schemas.PriceListList(items=items))


create_price_list = service_call(
    "Create a licence price list (default, or an organisation's agreement)",
    pricing.create_price_list,
    body=schemas.PriceListCreate,
    response=schemas.PriceListRead,
    status=201,
    roles=FINANCE,
    tags=TAGS,
)
get_price_list = service_call(
    "Get a licence price list",
    pricing.get_price_list,
    path_id="price_list_id",
    principal=False,
    response=schemas.PriceListRead,
    roles=STAFF,
    tags=TAGS,
)
end_price_list = service_call(
    "End a licence price list's validity (new prices are a new list)",
    pricing.end_price_list,
    path_id="price_list_id",
    body=schemas.PriceListUpdate,
    response=schemas.PriceListRead,
    roles=FINANCE,
    tags=TAGS,
)
list_subscriptions = service_call(
    "List integration subscriptions (integrators: those they hold or pay)",
    service.list_subscriptions,
    query=schemas.SubscriptionQuery,
    response=schemas.SubscriptionList,
    roles=ANY,
    tags=TAGS,
)
create_subscription = service_call(
    "License an organisation: a licence and its billed subscription (an authorised partner may resell: it is "
    "billed, the customer is the licensee)",
    service.create_subscription,
    path_id="organisation_id",
    body=schemas.SubscriptionCreate,
    response=schemas.SubscriptionRead,
    status=201,
    roles=LICENSORS,
    tags=TAGS,
)
get_subscription = service_call(
    "Get an integration subscription with its charges",
    service.get_subscription,
    path_id="subscription_id",
    response=schemas.SubscriptionRead,
    roles=ANY,
    tags=TAGS,
)
change_subscription = service_call(
    "Change the licence kind or tier from a day (the difference is credited or charged pro rata)",
    service.change_subscription,
    path_id="subscription_id",
    body=schemas.SubscriptionChange,
    response=schemas.SubscriptionRead,
    status=201,
    roles=FINANCE,
    tags=TAGS,
)
cancel_subscription = service_call(
    "Cancel a subscription: it ends at the end of the current billing period",
    service.cancel_subscription,
    path_id="subscription_id",
    body=schemas.SubscriptionCancel,
    response=schemas.SubscriptionRead,
    roles=FINANCE,
    tags=TAGS,
)


routes: list[BaseRoute] = [
    Route("/licence-price-lists", list_price_lists, methods=["GET"]),
    Route("/licence-price-lists", create_price_list, methods=["POST"]),
    Route("/licence-price-lists/{id:int}", get_price_list, methods=["GET"]),
    Route("/licence-price-lists/{id:int}", end_price_list, methods=["PATCH"]),
    Route("/subscriptions", list_subscriptions, methods=["GET"]),
    Route("/organisations/{id:int}/subscriptions", create_subscription, methods=["POST"]),
    Route("/subscriptions/{id:int}", get_subscription, methods=["GET"]),
    Route("/subscriptions/{id:int}/change", change_subscription, methods=["POST"]),
    Route("/subscriptions/{id:int}/cancel", cancel_subscription, methods=["POST"]),
]
