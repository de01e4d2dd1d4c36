"""Quality on tickets the classifier was not written for: the frozen written test set (aggregate figures
only), the innocent mentions of SQL, databases and scraping, and calibration that means probability."""

from __future__ import annotations

import io

import numpy as np
import pytest

from support.classification import corpus_files
from support.classification.calibration import expected_calibration_error, fit_temperature, softmax
from support.classification.classifier import (
    CONFIDENCE_THRESHOLD,
    Classifier,
    canonical_examples,
    stored_calibration,
    version_of,
)
from support.classification.cli import run_eval
from support.classification.evaluate import evaluate
from support.policy import Category
from tests.support.classifier_model import corpus_model

pytestmark = pytest.mark.sqlite_pass  # no database: the PostgreSQL pass would only repeat it


def test_no_evaluation_ticket_is_trained_on() -> None:
    corpus = {r["subject"].strip().lower() for r in corpus_files.written_examples() + corpus_files.generated_examples()}
    for path in (corpus_files.FROZEN_FILE, corpus_files.INNOCENT_FILE, corpus_files.ERROR_ANALYSIS_FILE):
        subjects = {r["subject"].strip().lower() for r in corpus_files.read_jsonl(path)}
        assert not subjects & corpus, (path.name, sorted(subjects & corpus)[:5])


def test_innocent_mentions_are_never_confidently_unofficial() -> None:
    """Ordinary tickets that mention SQL, databases, scraping, admin pages or internal tools innocently."""
    tickets = corpus_files.read_jsonl(corpus_files.INNOCENT_FILE)
    assert len(tickets) >= 100 and all(t["label"] != Category.unofficial.value for t in tickets)
    model = corpus_model()
    refused = []
    for t in tickets:
        result = model.classify(t["subject"], t["body"])
        if result.category is Category.unofficial and result.confidence >= 0.5:
            refused.append((t["subject"], round(result.confidence, 3)))
    assert refused == []


def test_frozen_written_set_meets_the_policy_targets() -> None:
    """Aggregate figures only: the set's individual tickets and mistakes are never looked at."""
    report = evaluate(corpus_model(), corpus_files.read_jsonl(corpus_files.FROZEN_FILE))
    assert report.n >= 300
    assert report.macro_f1 >= 0.85
    assert all(f1 >= 0.80 for _, f1 in report.per_language.values()) and set(report.per_language) == {"sv", "en"}
    assert report.coverage >= 0.60 and report.accuracy_at_threshold >= 0.95
    assert report.ece <= 0.05
    assert report.unofficial_precision >= 0.95


def test_make_eval_reports_each_file_separately() -> None:
    out = io.StringIO()
    assert run_eval([corpus_files.FROZEN_FILE, corpus_files.INNOCENT_FILE], out, classifier=corpus_model()) == 0
    text = out.getvalue()
    assert "== frozen_written.jsonl: 360 tickets" in text and "== innocent_mentions.jsonl" in text
    for figure in (
        "macro-F1 per language: en",
        "expected calibration error",
        "unofficial: precision",
        f"threshold {CONFIDENCE_THRESHOLD:.2f}: coverage",
        "calibration folds",
    ):
        assert figure in text, figure
    assert "errors:" not in text  # individual mistakes only when asked


def test_calibration_folds_hold_out_whole_writers() -> None:
    model: Classifier = corpus_model()
    assert 0.05 < model.temperature < 20
    edges = dict((edge, (n, right)) for edge, n, right in model.held_out)
    covered, right = edges[CONFIDENCE_THRESHOLD]
    # the threshold's derivation still holds
    assert right >= 0.95 and covered >= 0.6 * len(corpus_files.written_examples())


def test_the_committed_calibration_is_the_corpus_calibration() -> None:
    """corpus/calibration.json saves start-up two fits; it must belong to this corpus and code (else run
    `python -m support.classification.calibrate`)."""
    version = version_of(canonical_examples(corpus_files.corpus_examples()))
    stored = stored_calibration(version)
    assert stored is not None, "stale corpus/calibration.json: run python -m support.classification.calibrate"
    assert corpus_model().temperature == stored[0] and corpus_model().held_out == stored[1]


def test_temperature_scaling_recovers_a_known_temperature() -> None:
    rng = np.random.default_rng(3)
    logits = rng.normal(0, 3, size=(4000, 6))
    truth = np.array([rng.choice(6, p=p) for p in softmax(logits / 2.5)])  # the truth follows T = 2.5
    t = fit_temperature(logits, truth)
    assert abs(t - 2.5) < 0.25
    p = softmax(logits / t)
    calibrated = expected_calibration_error(p.max(axis=1), p.argmax(axis=1) == truth)
    raw = softmax(logits)
    overconfident = expected_calibration_error(raw.max(axis=1), raw.argmax(axis=1) == truth)
    assert calibrated < 0.03 < overconfident


def test_expected_calibration_error() -> None:
    assert expected_calibration_error([], []) == 0.0
    assert expected_calibration_error([0.9] * 10, [True] * 9 + [False]) < 1e-9
    assert abs(expected_calibration_error([0.9] * 10, [True] * 5 + [False] * 5) - 0.4) < 1e-9
