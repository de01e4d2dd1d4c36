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

    def __init__(self, detail: str | None = None, *, errors: list[dict[str, Any]] | None = None,
                 code: str | None = None, **extra: Any) -> None:
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


class MalformedRequest(DomainError):
    status, code, title = 400, "malformed_json", "Malformed JSON body"


class Unauthenticated(DomainError):
    status, code, title = 401, "unauthenticated", "Missing or invalid bearer token"


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", "Your role may not do this"


class NotFound(DomainError):
    status, code, title = 404, "not_found", "Not found"


class MethodNotAllowed(DomainError):
    status, code, title = 405, "method_not_allowed", "Method not allowed"


class Conflict(DomainError):
    status, code, title = 409, "conflict", "Conflict with the current state"


class PayloadTooLarge(DomainError):
    status, code, title = 413, "payload_too_large", "Request body too large"


class UnsupportedMediaType(DomainError):
    status, code, title = 415, "unsupported_media_type", "Send application/json"


class InvalidInput(DomainError):
    status, code, title = 422, "invalid_input", "Invalid input"


class ServiceUnavailable(DomainError):
    status, code, title = 503, "unavailable", "Service unavailable"


class InternalError(DomainError):
    status, code, title = 500, "internal_error", "Internal error"
