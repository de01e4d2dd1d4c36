"""Domain errors and their RFC 9457 rendering.

Every error a client can cause is a `DomainError` subclass carrying its HTTP status and a stable
machine-readable `code`; the problem `type` is derived from that code and never changes. Nothing from the
database or a traceback is ever put into a response.
"""

from __future__ import annotations

from typing import Any

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:tripdesk:problem:"


class DomainError(Exception):
    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init_subclass__(
        cls, *, status: int | None = None, code: str | None = None, title: str | None = None, **kwargs: Any
    ) -> None:
        """A subclass may declare what it changes in its class line: `class NotFound(DomainError, status=404,
        code="not_found", title="Not found")`; class attributes work as well."""
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if code is not None:
            cls.code = code
        if title is not None:
            cls.title = title

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        code: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        if code is not None:
            self.code = code
        self.extra = extra

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        problem: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if instance:
            problem["instance"] = instance
        if self.errors is not None:
            problem["errors"] = self.errors
        problem.update(self.extra)
        return problem


# The kinds every package builds on (a package's own errors subclass these and set their `code`).
class MalformedRequest(DomainError, status=400, code="malformed_json", title="Malformed JSON body"): ...


class Unauthenticated(DomainError, status=401, code="unauthenticated", title="Missing or invalid bearer token"): ...


class Forbidden(DomainError, status=403, code="forbidden", title="Your role may not do this"): ...


class NotFound(DomainError, status=404, code="not_found", title="Not found"): ...


class MethodNotAllowed(DomainError, status=405, code="method_not_allowed", title="Method not allowed"): ...


class Conflict(DomainError, status=409, code="conflict", title="Conflict with the current state"): ...


class PayloadTooLarge(DomainError, status=413, code="payload_too_large", title="Request body too large"): ...


class UnsupportedMediaType(DomainError, status=415, code="unsupported_media_type", title="Send application/json"): ...


class InvalidInput(DomainError, status=422, code="invalid_input", title="Invalid input"): ...


class ServiceUnavailable(DomainError, status=503, code="unavailable", title="Service unavailable"): ...


class InternalError(DomainError, status=500, code="internal_error", title="Internal error"): ...
