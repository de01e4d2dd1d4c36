"""Request parsing and response rendering shared by every package's routes.

Bodies and query strings are validated by the same pydantic models that the OpenAPI document is generated
from (`operation` records them). Anything the models reject becomes a 4xx problem, never a 500.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

import orjson
from pydantic import AfterValidator, BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core.auth import Principal, Role, require_roles
from core.errors import InvalidInput, MalformedRequest, NotFound, PayloadTooLarge, UnsupportedMediaType

M = TypeVar("M", bound=BaseModel)

MAX_ID = 2**31 - 1
"""Primary keys are PostgreSQL `integer` (serial) columns. A larger id cannot exist, and sending one to the
database is an error there (and above 2**63 on SQLite), not a miss: ids are bounded before the ORM."""

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A reference to a row in a request body or query string; out of range is a 422, never a database error."""


def _instant(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("needs a time zone, e.g. 2027-01-01T00:00:00Z or 2027-01-01T00:00:00+01:00")
    try:
        value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("is outside the years 1-9999 in UTC") from None
    return value


Instant = Annotated[dt.datetime, AfterValidator(_instant)]
"""A point in time sent by a client: with a time zone, and one that exists in UTC. The database stores UTC,
and `0001-01-01T00:00:00+14:00` (or `9999-12-31T23:59:59-14:00`) has no UTC value: a 422, never a 500."""


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def unchanged() -> Any:
    """Default of a PATCH field that may be left out (unchanged) but not sent as null: the column is NOT NULL.

    Declare it as `name: Text200 = unchanged()`; a field that may be cleared stays `X | None = None`.
    Services apply `model_dump(exclude_unset=True)`, so the None placeholder never reaches the database, and
    an explicit null is a 422 from pydantic, matching the OpenAPI schema (where the field is not nullable)."""
    return Field(None, json_schema_extra=_drop_default)


MAX_BODY_BYTES = 256 * 1024
"""Largest JSON body accepted; a ticket body may be 100 KB of log output, which fits with room to spare."""


_JSON_NUL = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000")
REPLACEMENT = "\ufffd"


def without_nul(raw: bytes) -> bytes:
    """PostgreSQL text cannot hold U+0000. A NUL in pasted log output becomes U+FFFD (visible, not lost)
    instead of failing the request."""
    return _JSON_NUL.sub(rb"\1\\ufffd", raw) if b"\\u0000" in raw else raw


def validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """pydantic's errors in a stable, client-friendly shape (no input echo: it may be huge or secret)."""
    return [
        {"loc": ".".join(str(p) for p in err["loc"]) or "body", "msg": err["msg"], "type": err["type"]}
        for err in exc.errors(include_url=False, include_input=False)
    ]


async def read_body(request: Request, model: type[M]) -> M:
    """Parse and validate a JSON body. Malformed JSON is a 400, a schema violation a 422.

    Validation is strict (pydantic's strict mode for JSON): a number field takes a JSON number, not `true`
    or `"1"`, an integer field not `1.0`, a boolean field only `true` or `false`. Dates, times, decimals and
    enumerations are still sent as the strings JSON has for them."""
    content_type = request.headers.get("content-type", "application/json")
    if "json" not in content_type:
        raise UnsupportedMediaType(f"content-type '{content_type}' is not JSON")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"body is {len(raw)} bytes; the limit is {MAX_BODY_BYTES}")
    if not raw.strip():
        raw = b"{}"
    try:
        return model.model_validate_json(without_nul(raw), strict=True)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise MalformedRequest("the body is not valid JSON") from None
        if any(e["type"] == "model_type" and not e["loc"] for e in exc.errors()):
            raise InvalidInput("the body must be a JSON object", errors=validation_errors(exc)) from None
        raise InvalidInput("the body does not match the schema", errors=validation_errors(exc)) from None


def read_query(request: Request, model: type[M]) -> M:
    """Validate query parameters; repeated keys become lists only where the model asks for a list."""
    data: dict[str, Any] = {}
    for key in request.query_params.keys():
        values = request.query_params.getlist(key)
        annotation = model.model_fields.get(key)
        wants_list = annotation is not None and "list" in str(annotation.annotation)
        values = [v.replace("\x00", REPLACEMENT) for v in values]
        data[key] = values if wants_list else values[-1]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput("invalid query parameters", errors=validation_errors(exc)) from None


def path_int(request: Request, name: str = "id") -> int:
    """An id from the path (`{id:int}` matches digits); one that cannot exist is a 404 like a missing row."""
    value = int(request.path_params[name])
    if not 1 <= value <= MAX_ID:
        raise NotFound(f"not found ({name} out of range)")
    return value


class JSON(JSONResponse):
    """JSON response that renders pydantic models, Decimals as strings, and dates in ISO 8601."""

    def render(self, content: Any) -> bytes:
        if isinstance(content, BaseModel):
            return content.model_dump_json().encode()
        if isinstance(content, list) and content and isinstance(content[0], BaseModel):
            return ("[" + ",".join(m.model_dump_json() for m in content) + "]").encode()
        return json.dumps(content, ensure_ascii=False, default=str, separators=(",", ":")).encode()


class RowsJSON(JSONResponse):
    """JSON for rows read straight from the database: dicts of str, int, None, str-enum members and aware UTC
    datetimes, in the order of the response model's fields. orjson renders them as pydantic renders the same
    fields (a UTC datetime ends in `Z`); validating rows the database already constrains, only to dump them
    again, cost a page of 50 tickets about a quarter of a millisecond. tests/support/test_ticket_filter.py
    checks the bytes against the model's own rendering on both backends."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_UTC_Z)


@dataclass(frozen=True)
class OperationSpec:
    """What OpenAPI says about one endpoint; the same models validate requests at run time."""

    summary: str
    roles: tuple[Role, ...]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    tags: tuple[str, ...] = ()
    content_types: tuple[str, ...] = ("application/json",)
    idempotent_create: bool = False
    body_media_type: str = "application/json"
    errors: tuple[int, ...] = field(default=(400, 401, 403, 404, 422))


Endpoint = Callable[[Request], Awaitable[Response]]


def operation(
    summary: str, *, roles: tuple[Role, ...] | None = None, public: bool = False, **described: Any
) -> Callable[[Callable[[Request, Principal], Awaitable[Response]]], Endpoint]:
    """Declare an API endpoint: its role check, its schemas for OpenAPI, and its handler.

    The handler receives the request and the authenticated principal; a public endpoint (health checks,
    the OpenAPI document) receives a None principal. `roles` default to every role. `described` are the rest
    of the endpoint's `OperationSpec`, with its defaults (body, query and response models, status, tags…).
    """
    allowed: tuple[Role, ...] = tuple(Role) if roles is None else roles
    spec = OperationSpec(summary=summary, roles=() if public else allowed, **described)

    def decorate(handler: Callable[[Request, Any], Awaitable[Response]]) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            principal = None if public else require_roles(request, allowed)
            return await handler(request, principal)

        endpoint.__operation__ = spec  # type: ignore[attr-defined]
        endpoint.__doc__ = handler.__doc__
        return endpoint

    return decorate


def download(content: bytes | str, media_type: str, filename: str, headers: dict[str, str] | None = None) -> Response:
    """A file to save: `Content-Disposition: attachment` with its name, then any further headers."""
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content, media_type=media_type, headers={**disposition, **(headers or {})})
