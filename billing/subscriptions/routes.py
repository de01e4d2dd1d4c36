"""HTTP endpoints of licence price lists and integration subscriptions. Parse → one service call → render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from billing.subscriptions import pricing, schemas, service
from core.auth import Principal, Role
from core.http import JSON, operation, path_int, read_body, read_query

FINANCE = (Role.admin, Role.finance)
STAFF = (Role.admin, Role.support, Role.finance)
ANY = tuple(Role)
LICENSORS = (Role.admin, Role.finance, Role.integrator)
TAGS = ("subscriptions",)


@operation("List licence price lists", roles=STAFF, query=schemas.PriceListQuery,
           response=schemas.PriceListList, tags=TAGS)
async def list_price_lists(request: Request, principal: Principal) -> Response:
    query = read_query(request, schemas.PriceListQuery)
    items = await pricing.list_price_lists(organisation_id=query.organisation_id, valid_on=query.valid_on)
    return JSON(schemas.PriceListList(items=items))


@operation("Create a licence price list (default, or an organisation's agreement)", roles=FINANCE,
           body=schemas.PriceListCreate, response=schemas.PriceListRead, status=201, tags=TAGS)
async def create_price_list(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.PriceListCreate)
    return JSON(await pricing.create_price_list(principal=principal, data=data), status_code=201)


@operation("Get a licence price list", roles=STAFF, response=schemas.PriceListRead, tags=TAGS)
async def get_price_list(request: Request, principal: Principal) -> Response:
    return JSON(await pricing.get_price_list(price_list_id=path_int(request)))


@operation("End a licence price list's validity (new prices are a new list)", roles=FINANCE,
           body=schemas.PriceListUpdate, response=schemas.PriceListRead, tags=TAGS)
async def end_price_list(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.PriceListUpdate)
    return JSON(await pricing.end_price_list(principal=principal, price_list_id=path_int(request), data=data))


@operation("List integration subscriptions (integrators: those they hold or pay)", roles=ANY,
           query=schemas.SubscriptionQuery, response=schemas.SubscriptionList, tags=TAGS)
async def list_subscriptions(request: Request, principal: Principal) -> Response:
    query = read_query(request, schemas.SubscriptionQuery)
    items, cursor = await service.list_subscriptions(principal=principal, query=query)
    return JSON(schemas.SubscriptionList(items=items, next_cursor=cursor))


@operation("License an organisation: a licence and its billed subscription (an authorised partner may "
           "resell: it is billed, the customer is the licensee)", roles=LICENSORS,
           body=schemas.SubscriptionCreate, response=schemas.SubscriptionRead, status=201, tags=TAGS)
async def create_subscription(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.SubscriptionCreate)
    read = await service.create_subscription(principal=principal, organisation_id=path_int(request), data=data)
    return JSON(read, status_code=201)


@operation("Get an integration subscription with its charges", roles=ANY, response=schemas.SubscriptionRead,
           tags=TAGS)
async def get_subscription(request: Request, principal: Principal) -> Response:
    return JSON(await service.get_subscription(principal=principal, subscription_id=path_int(request)))


@operation("Change the licence kind or tier from a day (the difference is credited or charged pro rata)",
           roles=FINANCE, body=schemas.SubscriptionChange, response=schemas.SubscriptionRead, status=201,
           tags=TAGS)
async def change_subscription(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.SubscriptionChange)
    read = await service.change_subscription(principal=principal, subscription_id=path_int(request), data=data)
    return JSON(read, status_code=201)


@operation("Cancel a subscription: it ends at the end of the current billing period", roles=FINANCE,
           body=schemas.SubscriptionCancel, response=schemas.SubscriptionRead, tags=TAGS)
async def cancel_subscription(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.SubscriptionCancel)
    return JSON(await service.cancel_subscription(principal=principal, subscription_id=path_int(request), data=data))


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
