"""The policy classifier at its edges: the result's shape, empty, huge and odd input, language detection,
training and the disk cache, the CLI dry run, and that staff corrections make it better."""
# ruff: noqa: E501  (ticket texts are prose fixtures)

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from support.classification import model_store
from support.classification.classifier import (
    CONFIDENCE_THRESHOLD,
    Classifier,
    canonical_examples,
    detect_language,
    version_of,
)
from support.classification.cli import run_classify, run_eval
from support.classification.corpus_files import corpus_examples
from support.classification.evaluate import correction_demo
from support.classification.model_store import load_or_train
from support.policy import Category
from tests.support.classifier_model import HELDOUT

pytestmark = pytest.mark.sqlite_pass  # no database: the PostgreSQL pass would only repeat it


def test_result_json_shape(model: Classifier) -> None:
    result = model.classify("Timeouts", "Our nightly sync times out after 60 seconds, how do we tune it?")
    data = result.to_json()
    assert set(data) == {"category", "confidence", "billing", "reasons", "language", "needs_triage"}
    assert data["category"] == "performance" and data["billing"] == "consulting_rate"
    assert 0.0 <= data["confidence"] <= 1.0 and json.dumps(data)
    assert result.model_version == model.model_version


# ---------------------------------------------------------------------------------- robustness
@pytest.mark.parametrize(("subject", "body"), [("", ""), ("   ", "\n\t"), ("", "Hej")])
def test_empty_text_goes_to_triage(model: Classifier, subject: str, body: str) -> None:
    result = model.classify(subject, body)
    assert result.category in Category and result.confidence < CONFIDENCE_THRESHOLD and result.needs_triage


def test_none_is_treated_as_empty(model: Classifier) -> None:
    assert model.classify(None, None).needs_triage


def test_100kb_body_keeps_the_question(model: Classifier) -> None:
    """The question before a long log still decides (bench/classify.py times a 100 KB body)."""
    head = "Vi läser direkt från er databas med en ODBC-koppling. Vilken tabell har ärendena?\n"
    body = head + ("2024-11-28 07:14:03 INFO sync batch ok rows=500 elapsed=812ms\n" * 2000)[:100_000]
    result = model.classify("Loggutdrag", body)
    assert result.category is Category.unofficial


@pytest.mark.parametrize(
    "body",
    [
        "🔥🔥 API:et ger 500 sedan uppdateringen 😭 fältet beslutsdatum saknas 🙏",
        "Vi läser direkt i data\u200bbasen\u200d med SQL",  # zero-width characters inside the key words
        "\u202eFel efter patch\u202c: \u05e9\u05dc\u05d5\u05dd مرحبا API returns 500",  # RTL override, Hebrew, Arabic
        "NUL\x00inside\x00 the body \x07\x1b[31m escape codes",
        "lone surrogate \ud800 and noncharacter \uffff and combining e\u0301\u0301\u0301",
        "ｆｕｌｌｗｉｄｔｈ ＡＰＩ ５００ ｅｒｒｏｒ",
    ],
)
def test_odd_unicode(model: Classifier, body: str) -> None:
    result = model.classify("⚠️ \u200bärende", body)
    assert result.category in Category and 0.0 <= result.confidence <= 1.0
    json.dumps(result.to_json())
    assert all("\x00" not in r and "\u200b" not in r for r in result.reasons)


def test_zero_width_does_not_hide_a_policy_signal(model: Classifier) -> None:
    result = model.classify("Fråga", "Vi läser direkt i data\u200bbasen och behöver tabellnamnen.")
    assert result.category is Category.unofficial
    assert any(r.startswith("rule direct_database") for r in result.reasons)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hej, vi får fel när vi anropar API:t", "sv"),
        ("Hi, we get an error when we call the API", "en"),
        ("Fel i API", "sv"),
        ("500 error after upgrade, please check", "en"),
        ("Läsa direkt i databasen SELECT * FROM PERSON", "sv"),
        ("We get 403 from Östersund", "en"),
        ("", "sv"),
    ],
)
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_model_version_is_a_hash_of_the_training_data() -> None:
    rows = canonical_examples(corpus_examples()[:50])
    assert version_of(rows) == version_of([dict(r) for r in rows])
    changed = [dict(r) for r in rows]
    changed[0]["category"] = "extension" if changed[0]["category"] != "extension" else "defect"
    assert version_of(changed) != version_of(rows)


def test_train_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        Classifier.train([{"subject": "a", "body": "b", "category": "defect"}])
    with pytest.raises(ValueError):
        Classifier.train(
            [{"subject": "a", "body": "b", "category": "bug"}, {"subject": "c", "body": "d", "category": "defect"}]
        )


def test_disk_cache_loads_and_survives_corruption(tmp_path: Path) -> None:
    examples = corpus_examples()[:300]
    first = load_or_train(examples, data_dir=tmp_path)
    files = list((tmp_path / "model").glob("classifier-*.joblib"))
    assert [f.name for f in files] == [f"classifier-{first.model_version}.joblib"]
    said: list[str] = []
    again = load_or_train(examples, data_dir=tmp_path, progress=said.append)
    assert said == [f"model {first.model_version} loaded from the cache"]  # not trained again
    assert again.model_version == first.model_version
    ticket = ("Fråga", "Hur autentiserar vi oss mot API:t?")
    assert again.classify(*ticket) == first.classify(*ticket)
    files[0].write_bytes(b"not a pickle")
    rebuilt = load_or_train(examples, data_dir=tmp_path)
    assert rebuilt.model_version == first.model_version


@pytest.mark.slow
async def test_load_classifier_async_uses_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from support.settings import get_settings

    monkeypatch.setenv("TRIPDESK_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    model_store.set_classifier(None)
    try:
        loaded = await model_store.load_classifier_async()
        assert loaded is model_store.get_classifier()
        assert (tmp_path / "model" / f"classifier-{loaded.model_version}.joblib").exists()
    finally:
        model_store.set_classifier(None)
        get_settings.cache_clear()


@pytest.mark.slow
def test_corrections_improve_a_family_the_model_gets_wrong() -> None:
    demo = correction_demo()
    assert demo.corrections <= 10
    # the model does not know the family well (the corpus never describes import folders; it gets some right
    # from tickets about writing straight into the system), and a few corrections teach it
    assert demo.accuracy_before <= 0.7, demo
    assert demo.accuracy_after >= 0.8 and demo.accuracy_after - demo.accuracy_before >= 0.25, demo


# ---------------------------------------------------------------------------------------- CLI
def test_cli_classify_round_trip(model: Classifier) -> None:
    lines = [
        json.dumps({"subject": "Aktivera Bygglov-API:et", "body": "Vi får 403 'not enabled'. Kan ni aktivera det?"}),
        "this is not json",
        json.dumps({"subject": "Crawler", "body": "Our crawler scrapes the web client nightly."}),
        json.dumps(["a", "list"]),
        json.dumps({"subject": 5, "body": "x"}),
        "",
        json.dumps({"body": "Only a body: please add a webhook for new documents, it's a feature request"}),
    ]
    out = io.StringIO()
    assert run_classify(io.StringIO("\n".join(lines) + "\n"), out, classifier=model) == 1  # some lines failed
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(results) == len(lines)
    assert results[0]["category"] == "activation" and results[0]["billing"] == "consulting_rate"
    assert set(results[0]) == {"category", "confidence", "billing", "reasons", "language", "needs_triage"}
    assert results[0]["needs_triage"] is (results[0]["confidence"] < CONFIDENCE_THRESHOLD) and results[0]["reasons"]
    assert "error" in results[1] and "error" in results[3] and "error" in results[4] and "error" in results[5]
    assert results[2]["category"] == "unofficial" and results[2]["billing"] == "refused"
    assert results[2]["needs_triage"] is True  # an automatic `unofficial` is always a staff decision
    good = io.StringIO()
    assert run_classify(io.StringIO(lines[0] + "\n" + lines[2] + "\n"), good, classifier=model) == 0
    assert results[6]["category"] == "extension" and results[6]["language"] == "en"


def test_cli_eval_prints_the_report(model: Classifier, tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_eval(HELDOUT, out, classifier=model) == 0
    text = out.getvalue()
    assert "macro-F1" in text and "confusion" in text and "coverage" in text
    assert all(c.value in text for c in Category)
    assert run_eval(tmp_path / "missing.jsonl", io.StringIO(), classifier=model) == 1
