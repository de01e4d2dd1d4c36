"""Billing tests use the shared `db` and `client` fixtures. While another package's work in progress keeps
the full app from importing, a stand-in app with the same middleware and error rendering mounts billing's
routes, so these tests do not depend on unrelated unfinished code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette

from billing import hooks

try:
    import tripdesk.app  # noqa: F401

    FULL_APP = True
except ImportError:  # pragma: no cover - depends on the state of the tree
    FULL_APP = False


if not FULL_APP:

    @pytest.fixture
    def app(db: str) -> Starlette:
        from starlette.middleware import Middleware
        from starlette.requests import Request
        from starlette.responses import JSONResponse, Response
        from starlette.routing import Mount
        from tortoise.exceptions import IntegrityError

        import billing.routes
        from core.errors import PROBLEM_CONTENT_TYPE, Conflict, DomainError
        from support.auth import BearerAuthMiddleware, TokenCache

        def problem(error: DomainError, request: Request) -> Response:
            return JSONResponse(
                error.to_problem(instance=request.url.path), status_code=error.status, media_type=PROBLEM_CONTENT_TYPE
            )

        async def on_domain(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, DomainError)
            return problem(exc, request)

        async def on_integrity(request: Request, exc: Exception) -> Response:
            return problem(Conflict("the change conflicts with existing data"), request)

        return Starlette(
            routes=[Mount("/api/v1", routes=billing.routes.routes)],
            middleware=[Middleware(BearerAuthMiddleware, cache=TokenCache(0))],
            exception_handlers={DomainError: on_domain, IntegrityError: on_integrity},
        )


@pytest.fixture(autouse=True)
def _no_issue_hooks(request: pytest.FixtureRequest) -> Iterator[None]:
    """Billing's own tests issue without the composition root's hooks (PDF/UBL rendering and the invoice
    email belong to the invoices package and its tests) unless the module sets KEEP_ISSUE_HOOKS = True.
    The app fixture installs the hooks when it is built, so build it first, then clear."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app")
    saved = list(hooks._issue_hooks)
    if getattr(request.module, "KEEP_ISSUE_HOOKS", False):
        hooks.install()
        try:
            import invoices.hooks

            invoices.hooks.install()
        except ImportError:  # pragma: no cover
            pass
    else:
        hooks._issue_hooks.clear()
    yield
    hooks._issue_hooks[:] = saved
