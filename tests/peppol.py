"""The official Peppol schemas and Schematron rules live beside the repository (`shared/peppol`, or
`$TRIPDESK_PEPPOL_DIR`), not in it. A test about those rules skips without them; a wider test (money, runs)
still runs and checks its documents against the rules only where they are present."""

from __future__ import annotations

import pytest

from invoices.validation import peppol_dir

HAVE_PEPPOL = (peppol_dir() / "xsd").is_dir()
needs_peppol = pytest.mark.skipif(not HAVE_PEPPOL, reason="shared/peppol not found (set TRIPDESK_PEPPOL_DIR)")
