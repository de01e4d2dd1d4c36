"""OpenAPI 3.1 document generated from the routes' `operation` declarations and their pydantic models.

pydantic emits JSON Schema 2020-12, which is exactly OpenAPI 3.1's schema dialect, so component schemas are
used as pydantic produces them.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from starlette.routing import BaseRoute, Mount, Route

from core.errors import PROBLEM_CONTENT_TYPE
from core.http import MAX_ID, OperationSpec

_PARAM = re.compile(r"{([^}:]+)(?::([^}]+))?}")

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}

_STATUS_TEXT = {
    400: "Malformed request",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid input",
}


def _walk(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, Route]]:
    found: list[tuple[str, Route]] = []
    for route in routes:
        if isinstance(route, Mount):
            found += _walk(list(route.routes), prefix + route.path)
        elif isinstance(route, Route) and hasattr(route.endpoint, "__operation__"):
            found.append((prefix + route.path, route))
    return found


def _document_schema(media_type: str) -> dict[str, Any]:
    """OpenAPI 3.1 describes a non-JSON body by its media type; text is a string, anything else raw bytes."""
    if media_type.startswith("text/"):
        return {"type": "string"}
    return {"type": "string", "contentMediaType": media_type}


def _query_param_schema(prop: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent or a string: `X | None = None` means "may be left out", not "may be null"
    (there is no null in a query string), so the null branch and the null default are dropped."""
    prop = {k: v for k, v in prop.items() if k != "title" and not (k == "default" and v is None)}
    options = prop.get("anyOf")
    if options is not None and {"type": "null"} in options:
        rest = [o for o in options if o != {"type": "null"}]
        del prop["anyOf"]
        prop = {**rest[0], **prop} if len(rest) == 1 else {**prop, "anyOf": rest}
    return prop


def build_openapi(routes: list[BaseRoute], *, title: str, version: str, description: str) -> dict[str, Any]:
    operations = _walk(routes)
    # Bodies and query strings as pydantic validates them; responses as it serializes them (a Decimal is
    # a string on the way out, though a number is accepted on the way in).
    wanted: set[tuple[type[BaseModel], JsonSchemaMode]] = set()
    for _, route in operations:
        spec: OperationSpec = route.endpoint.__operation__  # type: ignore[attr-defined]
        uses: tuple[tuple[type[BaseModel] | None, JsonSchemaMode], ...] = (
            (spec.body, "validation"),
            (spec.query, "validation"),
            (spec.response, "serialization"),
        )
        wanted.update((model, mode) for model, mode in uses if model is not None)
    ordered = sorted(wanted, key=lambda pair: (pair[0].__module__, pair[0].__qualname__, pair[1]))
    refs, defs = models_json_schema(ordered, ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    specs = [route.endpoint.__operation__ for _, route in operations]  # type: ignore[attr-defined]
    bodies = {spec.body for spec in specs}
    query_schemas: dict[type[BaseModel], dict[str, Any]] = {}
    for model in {spec.query for spec in specs if spec.query is not None}:
        # A query model becomes parameters, not a component; the enums it refers to stay components.
        name = refs[(model, "validation")]["$ref"].rpartition("/")[2]
        query_schemas[model] = schemas[name] if model in bodies else schemas.pop(name)
    schemas["Problem"] = PROBLEM_SCHEMA

    paths: dict[str, dict[str, Any]] = {}
    for path, route in operations:
        spec = route.endpoint.__operation__  # type: ignore[attr-defined]
        params: list[dict[str, Any]] = []
        for name, convertor in _PARAM.findall(path):
            schema: dict[str, Any] = {"type": "string"}
            if convertor == "int":  # digits only (no sign), and no row has an id beyond MAX_ID
                schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
            params.append({"name": name, "in": "path", "required": True, "schema": schema})
        openapi_path = _PARAM.sub(lambda m: "{" + m.group(1) + "}", path)
        if spec.query is not None:
            qschema = query_schemas[spec.query]
            required = set(qschema.get("required", []))
            for name, prop in qschema.get("properties", {}).items():
                params.append(
                    {"name": name, "in": "query", "required": name in required, "schema": _query_param_schema(prop)}
                )
        if spec.idempotent_create:
            params.append(
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
                }
            )
        op: dict[str, Any] = {
            "summary": spec.summary,
            "operationId": route.name,
            "tags": list(spec.tags),
            "parameters": params,
            "responses": {},
        }
        if route.endpoint.__doc__:
            op["description"] = route.endpoint.__doc__.strip()
        if spec.roles:
            op["security"] = [{"bearer": []}]
            op["x-roles"] = list(spec.roles)
        if spec.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {spec.body_media_type: {"schema": refs[(spec.body, "validation")]}},
            }
        ok: dict[str, Any] = {"description": "OK"}
        content: dict[str, Any] = {}
        if spec.response is not None:
            content["application/json"] = {"schema": refs[(spec.response, "serialization")]}
        for media_type in spec.content_types:  # alternatives to the JSON model (CSV) or documents (PDF, ZIP)
            if media_type not in content and media_type != "application/json":
                content[media_type] = {"schema": _document_schema(media_type)}
        if content:
            ok["content"] = content
        if spec.status == 204:
            ok = {"description": "No content"}
        op["responses"][str(spec.status)] = ok
        problem = {"content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        codes = {400, 404, 422, 409, 413, 415} | ({401, 403} if spec.roles else set())
        for code in sorted(codes):
            op["responses"][str(code)] = {"description": _STATUS_TEXT[code], **problem}
        for method in sorted(route.methods or []):
            if method == "HEAD":
                continue
            operation_id = f"{route.name}_{method.lower()}"
            paths.setdefault(openapi_path, {})[method.lower()] = {**op, "operationId": operation_id}
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
