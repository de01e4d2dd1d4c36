"""Fixtures shared by the invoice document tests."""

from __future__ import annotations

from typing import Any

import pytest

import billing.hooks
import invoices.hooks
from tests import factories
from tests.billing import builders


@pytest.fixture
async def setup(db: str) -> dict[str, Any]:
    """A default rate card, one staff member, and the composition root's hooks."""
    billing.hooks.install()
    invoices.hooks.install()
    await builders.card()
    return {"staff": await factories.staff()}
