"""What tickets carry besides their question is removed before the classifier reads them; what decides the
category (the question, exception names, status codes) stays."""
# ruff: noqa: E501  (ticket texts are prose fixtures)

from __future__ import annotations

import pytest

from support.classification.preprocess import clean_body

pytestmark = pytest.mark.sqlite_pass  # no database: the PostgreSQL pass would only repeat it

EMAIL = """Hej,

Vi får 500 från GET /api/arenden sedan patchen i tisdags.

Med vänlig hälsning
Eva Lund
Systemförvaltare, databasgruppen
Lappmarkens kommun

Den 3 dec 2026 kl. 10:12 skrev Support <support@example.se>:
> Hej Eva, läser ni direkt i er databas?
> /Support
"""

OUTLOOK = """Hi, any news on this? The export still times out after 60 s.

Best regards,
Tom

From: Support <support@example.com>
Sent: Monday, 1 December 2026 09:12
To: Tom <tom@example.com>
Subject: RE: export

Please enable the scraping module in your web client and send us the SQL.
"""

TEMPLATE = """**Describe the bug**
The SDK throws when a polygon has holes.

**To Reproduce**
- [x] I have searched existing issues
- [ ] I have read the docs

### Expected behavior
No exception.

**Stack trace**
java.lang.NullPointerException: Cannot invoke "java.util.List.size()" because "ring.coords" is null
    at com.terragrid.sdk.geo.PolygonSerializer.write(PolygonSerializer.java:88)
    at com.terragrid.sdk.http.JsonBody.of(JsonBody.java:41)
Traceback (most recent call last):
  File "/srv/app/sync.py", line 12, in run
    resp.raise_for_status()
requests.exceptions.HTTPError: 503 Server Error: Service Unavailable
2026-12-01T10:12:33.123Z ERROR upload failed request_id=3f2a9c1e-1b2c-4d5e-8f90-123456789abc status=429
2026-12-01T10:12:33.123Z ERROR upload failed request_id=3f2a9c1e-1b2c-4d5e-8f90-123456789abc status=429
Content-Type: application/json
Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc
"""


def test_quoted_thread_and_signature_go() -> None:
    cleaned = clean_body(EMAIL)
    assert "500 från GET /api/arenden sedan patchen" in cleaned
    assert "databas" not in cleaned  # neither the signature's department nor the quoted question
    assert "Eva Lund" not in cleaned and "skrev" not in cleaned


def test_outlook_header_block_ends_the_message() -> None:
    cleaned = clean_body(OUTLOOK)
    assert "export still times out after 60 s" in cleaned
    assert "scraping" not in cleaned and "SQL" not in cleaned and "Tom" not in cleaned


def test_template_checklists_and_traces_keep_what_tells_the_story() -> None:
    cleaned = clean_body(TEMPLATE)
    assert "The SDK throws when a polygon has holes." in cleaned and "No exception." in cleaned
    for kept in ("NullPointerException", "HTTPError: 503", "Service Unavailable", "status=429", "ERROR upload failed"):
        assert kept in cleaned, kept
    for gone in (
        "Describe the bug",
        "Expected behavior",
        "I have searched",
        "PolygonSerializer.java:88",
        "Traceback",
        'File "/srv/app',
        "2026-12-01",
        "3f2a9c1e",
        "Content-Type",
        "eyJhbGci",
    ):
        assert gone not in cleaned, gone
    assert cleaned.count("ERROR upload failed") == 1  # a repeated log line says it once


def test_plain_text_is_left_alone() -> None:
    body = "Hur sätter vi sidstorleken på listan?\nVi hämtar 50 åt gången."
    assert clean_body(body) == body
    assert clean_body("") == ""
    assert clean_body("**Describe the bug**") == "**Describe the bug**"  # nothing else: keep the original


def test_a_long_log_is_cut_to_one_line() -> None:
    """bench/classify.py times the cleaning of such a log."""
    body = "Vi får 500.\n" + "2024-11-28 07:14:03 INFO sync batch ok rows=500 elapsed=812ms\n" * 150
    assert clean_body(body).count("INFO sync batch ok") == 1
