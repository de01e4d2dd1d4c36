"""Endpoint tables: a resource's routes are one table, one entry a whole endpoint (method, path, summary, what it
calls, its schemas), and a small `Endpoints` declaration holds what the resource's endpoints share: their
OpenAPI tags, the roles that may read, the roles that may write, the service keyword of the path's `{id}`, and
the path they all start with (`prefix`, as a Starlette `Mount` or FastAPI's `APIRouter(prefix=...)` has it).

An entry's path is the resource's prefix followed by the entry's own path, joined as written: `prefix` is empty
or starts with "/" and does not end with one, and the entry's path is "" (the prefix itself) or starts with "/".
`Endpoints(prefix="/organisations")` with `.get("/{id:int}/contacts", ...)` is the route
`/organisations/{id:int}/contacts`. Everything below (path ids, the route, an idempotent create's record) sees
the joined path; a declaration that breaks the rule fails the import. Resources that share everything but where
they live (an organisation's contacts and its licences) are one declaration and `dataclasses.replace(it,
prefix=...)` for each other place, so the full prefix of each stays written out where it is declared.

An entry states only what differs; the rest is derived:
- roles: a GET is open to the read roles, any other method to the write roles;
- status: `create` answers 201 Created, `delete` 204 No Content, the others 200;
- the service call's keywords (`call_arguments`): `data` (the validated body, read first), `query`, the path's
  `{id}` under `id_as`, each further `{name:int}` under its own name, and `principal` when the service
  function takes one; with `spread`, the body's or query's fields go as keywords of their own instead;
- the answer (`rendered`): the service's result as the response model (a list's rows as the model of its
  `items`), or an empty 204;
- the body and query models: the annotations of the service's `data` and `query` parameters, resolved when the
  entry is declared (a service whose annotation does not resolve to a pydantic model fails the import);
- the OpenAPI operation: its id is the service function's name (`name` overrides it), its description `doc`.

An entry names its `body` or `query` model only where no annotation says it: with `spread` (the service takes
the fields as keywords of their own), or for an endpoint with logic of its own (a download, a header, a cache to
clear), an `async (request, principal) -> Response` marked `@handler` and named in the entry where a service
function would be: the entry still declares its summary, roles and schemas, and the handler's docstring is its
description.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partialmethod
from typing import Any, TypedDict, Unpack, get_args, get_origin, get_type_hints

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.auth import Principal, Role
from core.http import JSON, operation, path_int, read_body, read_query

Handler = Callable[[Request, Principal], Awaitable[Response]]
Service = Callable[..., Awaitable[Any]]
Model = type[BaseModel] | None
Replay = Callable[..., Awaitable[tuple[int, dict[str, Any]]]]
"""Runs a create once per `Idempotency-Key` (support.idempotency.run_once): called with the keywords
`principal`, `endpoint`, `key`, `body` and `create`, it answers (status, body)."""

_INT_PARAM = re.compile(r"{([^}:]+):int}")


def handler(endpoint: Handler) -> Handler:
    """Marks an endpoint with logic of its own: an entry that names it calls it with the request and the
    principal (a service function is called with the keywords the request gives)."""
    endpoint.__handler__ = True  # type: ignore[attr-defined]
    return endpoint


class Options(TypedDict, total=False):
    """What an entry may say beyond its path, summary, call and response model."""

    body: type[BaseModel]  # the body's model, for a handler or a `spread` service (else from `data`'s annotation)
    query: type[BaseModel]  # the query string's model, likewise (else from `query`'s annotation)
    roles: tuple[Role, ...]  # instead of the resource's read or write roles
    tags: tuple[str, ...]  # instead of the resource's
    id_as: str  # instead of the resource's
    name: str  # the OpenAPI operation's name, when not the function's
    doc: str  # the OpenAPI description
    idempotent: bool  # a create that a retried `Idempotency-Key` answers with the first response
    spread: bool  # the body's (or query's) fields are the service's keywords, not `data` (`query`)
    content_types: tuple[str, ...]  # what the answer may be besides JSON (CSV, a PDF)
    body_media_type: str  # how a body that is not JSON is sent (multipart/form-data)


SPEC_OPTIONS = {
    "content_types": "content_types",
    "idempotent": "idempotent_create",
    "body_media_type": "body_media_type",
}
"""Options an entry passes on to its `OperationSpec` (under the spec's name) only when it states them: the spec's
defaults are the only ones."""


@dataclass(frozen=True)
class Endpoints:
    """What a resource's endpoints share. `replay` runs the idempotent creates that are one service call (a
    handler that is idempotent runs its create once itself). `prefix` is the path every entry starts with:
    an entry's path is `prefix + path`, so an entry names only what follows it ("" for the prefix itself)."""

    tags: tuple[str, ...]
    reads: tuple[Role, ...]
    writes: tuple[Role, ...] | None = None  # None: the read roles
    id_as: str | None = None
    replay: Replay | None = None
    prefix: str = ""  # "" or "/resource...": no trailing "/"

    def __post_init__(self) -> None:
        if self.prefix and (not self.prefix.startswith("/") or self.prefix.endswith("/")):
            raise TypeError(f"prefix {self.prefix!r}: start it with '/' and do not end it with one")

    def get(self, path: str, summary: str, call: Service, response: Model = None, **options: Unpack[Options]) -> Route:
        return self.route("GET", 200, path, summary, call, response, **options)

    def delete(self, path: str, summary: str, call: Service, **options: Unpack[Options]) -> Route:
        return self.route("DELETE", 204, path, summary, call, **options)

    def route(
        self,
        method: str,
        status: int,
        path: str,
        summary: str,
        call: Service,
        response: Model = None,
        **options: Unpack[Options],
    ) -> Route:
        """The entry as a Starlette route whose endpoint carries its `OperationSpec`; its path is the prefix's
        followed by the entry's own."""
        path = self._joined(path)
        own_logic = getattr(call, "__handler__", False)
        if own_logic or options.get("spread", False):
            body, query = options.get("body"), options.get("query")
        else:
            body, query = _annotated_models(f"{method} {path}", call, options)
        run = call if own_logic else self._one_call(method, status, path, call, body, query, response, options)
        described: dict[str, Any] = {SPEC_OPTIONS[k]: v for k, v in options.items() if k in SPEC_OPTIONS}
        endpoint = operation(
            summary,
            roles=options.get("roles", self.reads if method == "GET" or self.writes is None else self.writes),
            body=body,
            query=query,
            response=response,
            status=status,
            tags=options.get("tags", self.tags),
            **described,
        )(run)
        if "doc" in options:
            endpoint.__doc__ = options["doc"]
        return Route(path, endpoint, methods=[method], name=options.get("name"))

    def _joined(self, path: str) -> str:
        """The prefix followed by an entry's path: "" is the prefix itself, anything else starts with "/"."""
        if (path and not path.startswith("/")) or not (path or self.prefix):
            raise TypeError(f"path {path!r} after prefix {self.prefix!r}: start it with '/' (or, under a prefix, '')")
        return self.prefix + path

    create = partialmethod(route, "POST", 201)
    """A POST that creates: `create(path, summary, call, response, **options)`, answering 201."""
    post = partialmethod(route, "POST", 200)
    """A POST that acts on what exists (approve, issue, revoke): `post(path, summary, call, response)`."""
    patch = partialmethod(route, "PATCH", 200)
    put = partialmethod(route, "PUT", 200)

    def _one_call(
        self,
        method: str,
        status: int,
        path: str,
        call: Service,
        body: Model,
        query: Model,
        response: Model,
        options: Options,
    ) -> Handler:
        """The handler of an endpoint that is exactly one service call."""
        id_as = options.get("id_as", self.id_as)
        ids = {name: name for name in _INT_PARAM.findall(path)}
        if "id" in ids:
            if id_as is None:
                raise TypeError(f"{method} {path}: say which service keyword the path's {{id}} is (id_as)")
            ids["id"] = id_as
        item, spread = _item_model(response), options.get("spread", False)
        takes_principal = "principal" in inspect.signature(call).parameters
        replay = self.replay if options.get("idempotent") else None
        if options.get("idempotent") and replay is None:
            raise TypeError(f"{method} {path}: an idempotent service call needs the resource's `replay`")

        async def one_call(request: Request, principal: Principal) -> Response:
            kwargs = await call_arguments(
                request, principal if takes_principal else None, body=body, query=query, ids=ids, spread=spread
            )
            if replay is not None:
                recorded_as = f"{method} {_INT_PARAM.sub(lambda m: str(kwargs[ids[m.group(1)]]), path)}"
                return await _replayed(replay, request, principal, recorded_as, lambda: call(**kwargs), response)
            result = await call(**kwargs)
            if status == 204:
                return Response(status_code=204)
            return JSON(rendered(result, response, item), status_code=status)

        one_call.__name__ = one_call.__qualname__ = options.get("name", call.__name__)
        return one_call


_ANNOTATED = {"body": "data", "query": "query"}
"""Which service parameter's annotation is the body's model, and which the query string's."""


def _annotated_models(entry: str, call: Service, options: Options) -> tuple[Model, Model]:
    """The body and query models of a service call: the annotations of its `data` and `query` parameters,
    resolved in the service's module. An entry that names them as well would say the same thing twice."""
    for option, parameter in _ANNOTATED.items():
        if option in options:
            raise TypeError(f"{entry}: a service call's {option} model is its `{parameter}` annotation; drop {option}=")
    parameters = inspect.signature(call).parameters
    if not parameters.keys() & _ANNOTATED.values():
        return None, None
    try:
        hints = get_type_hints(call)
    except NameError as exc:
        raise TypeError(f"{entry}: {call.__name__}'s annotations do not resolve ({exc})") from exc
    models: dict[str, Model] = dict.fromkeys(_ANNOTATED)
    for option, parameter in _ANNOTATED.items():
        model = hints.get(parameter)
        if parameter in parameters and not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise TypeError(f"{entry}: {call.__name__}'s `{parameter}` needs a pydantic model as its annotation")
        models[option] = model if parameter in parameters else None
    return models["body"], models["query"]


def _item_model(response: Model) -> Model:
    """The model of a list response's rows: X of its `items: list[X]`."""
    field = response.model_fields.get("items") if response is not None else None
    row = get_args(field.annotation) if field is not None and get_origin(field.annotation) is list else ()
    return row[0] if row and isinstance(row[0], type) and issubclass(row[0], BaseModel) else None


async def _replayed(
    replay: Replay,
    request: Request,
    principal: Principal,
    endpoint: str,
    create: Callable[[], Awaitable[Any]],
    response: Model,
) -> Response:
    """A create that answers a retried `Idempotency-Key` with the first response. It is recorded under its
    method and path with the ids filled in (`POST /organisations/17/prepaid`)."""

    async def run() -> dict[str, Any]:
        read: BaseModel = rendered(await create(), response, None)
        return read.model_dump(mode="json")

    status, body = await replay(
        principal=principal,
        endpoint=endpoint,
        key=request.headers.get("idempotency-key"),
        body=await request.body(),
        create=run,
    )
    return JSON(body, status_code=status)


async def call_arguments(
    request: Request,
    principal: Principal | None,
    *,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    ids: dict[str, str] | None = None,
    spread: bool = False,
) -> dict[str, Any]:
    """The keywords of a service call made from a request: `data` (the validated body, read first),
    `query` (the validated query string), each path id (path parameter → keyword, in path order), and
    `principal` when there is one. With `spread`, the fields of the body and the query string are keywords
    of their own instead of `data` and `query`."""
    kwargs: dict[str, Any] = {}
    if body is not None:
        data = await read_body(request, body)
        kwargs.update(_fields(data) if spread else {"data": data})
    if query is not None:
        parsed = read_query(request, query)
        kwargs.update(_fields(parsed) if spread else {"query": parsed})
    for name, keyword in (ids or {}).items():
        kwargs[keyword] = path_int(request, name)
    if principal is not None:
        kwargs["principal"] = principal
    return kwargs


def _fields(model: BaseModel) -> dict[str, Any]:
    return {name: getattr(model, name) for name in type(model).model_fields}


def rendered(result: Any, response: type[BaseModel] | None, item: type[BaseModel] | None) -> Any:
    """A service result as its response model: a list of rows is the `items` of `response` (each row read
    into `item`), a pair (rows, cursor) a page of them, and a stored row is read into `response`."""
    if response is None or isinstance(result, BaseModel):
        return result
    if isinstance(result, tuple):
        rows, cursor = result
        return response(items=_items(rows, item), next_cursor=cursor)
    if isinstance(result, list):
        return response(items=_items(result, item))
    return response.model_validate(result)


def _items(rows: list[Any], item: type[BaseModel] | None) -> list[Any]:
    return [item.model_validate(row) for row in rows] if item is not None else list(rows)
