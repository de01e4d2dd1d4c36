"""Billing tests use the shared `db`, `app` and `client` fixtures (the full app, see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from billing import hooks


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
