"""OpenAPI 3.1 document generated from the routes' `operation` declarations and their pydantic models.

pydantic emits JSON Schema 2020-12, which is exactly OpenAPI 3.1's schema dialect, so component schemas are
used as pydantic produces them.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.routing import BaseRoute, Mount, Route

from core.errors import PROBLEM_CONTENT_TYPE
from core.http import OperationSpec

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

_STATUS_TEXT = {400: "Malformed request", 401: "Unauthenticated", 403: "Forbidden", 404: "Not found",
                409: "Conflict", 413: "Too large", 415: "Unsupported media type", 422: "Invalid input"}


def _walk(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, Route]]:
    found: list[tuple[str, Route]] = []
    for route in routes:
        if isinstance(route, Mount):
            found += _walk(list(route.routes), prefix + route.path)
        elif isinstance(route, Route) and hasattr(route.endpoint, "__operation__"):
            found.append((prefix + route.path, route))
    return found


def build_openapi(routes: list[BaseRoute], *, title: str, version: str, description: str) -> dict[str, Any]:
    operations = _walk(routes)
    models: set[type[BaseModel]] = set()
    for _, route in operations:
        spec: OperationSpec = route.endpoint.__operation__  # type: ignore[attr-defined]
        for model in (spec.body, spec.response):
            if model is not None:
                models.add(model)
    ordered = sorted(models, key=lambda m: m.__name__)
    refs, defs = models_json_schema([(m, "validation") for m in ordered],
                                    ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    schemas["Problem"] = PROBLEM_SCHEMA

    paths: dict[str, dict[str, Any]] = {}
    for path, route in operations:
        spec = route.endpoint.__operation__  # type: ignore[attr-defined]
        params: list[dict[str, Any]] = []
        for name, convertor in _PARAM.findall(path):
            schema = {"type": "integer"} if convertor == "int" else {"type": "string"}
            params.append({"name": name, "in": "path", "required": True, "schema": schema})
        openapi_path = _PARAM.sub(lambda m: "{" + m.group(1) + "}", path)
        if spec.query is not None:
            qschema = spec.query.model_json_schema()
            required = set(qschema.get("required", []))
            for name, prop in qschema.get("properties", {}).items():
                prop = {k: v for k, v in prop.items() if k != "title"}
                params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
        if spec.idempotent_create:
            params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                           "schema": {"type": "string", "maxLength": 200}})
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
            op["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": refs[(spec.body, "validation")]}}}
        ok: dict[str, Any] = {"description": "OK"}
        if spec.response is not None:
            ok["content"] = {"application/json": {"schema": refs[(spec.response, "validation")]}}
        elif spec.content_types != ("application/json",):
            ok["content"] = {ct: {"schema": {"type": "string", "format": "binary"}}
                             for ct in spec.content_types}
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
            paths.setdefault(openapi_path, {})[method.lower()] = {**op, "operationId": f"{route.name}_{method.lower()}"}
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
