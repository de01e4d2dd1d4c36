"""Learning from staff, safely: a retrain shows progress and the before/after figures on the frozen test
set, and a retrained model that scores worse there is not promoted."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from support.classification import model_store
from support.classification.cli import run_retrain_async
from support.classification.corpus_files import written_examples
from support.classification.service import record_labelled_example, retrain
from support.policy import Category
from tests.support.classifier_model import corpus_model, seed_cache


@pytest.mark.slow
async def test_a_worse_model_is_not_promoted(db: str, tmp_path: Path) -> None:
    """Hasty overrides (real tickets given the wrong category, weighted as staff labels) make a worse model:
    it is trained and scored, but the model in use stays, in this process and for the next one."""
    categories = list(Category)
    for row in written_examples()[:600]:
        wrong = categories[(categories.index(Category(row["category"])) + 1) % len(categories)]
        await record_labelled_example(
            subject=row["subject"], body=row["body"], category=wrong, source="staff_override", ticket_id=None
        )
    current = corpus_model()
    model_store.set_classifier(current)
    try:
        steps: list[str] = []
        outcome = await retrain(data_dir=tmp_path, progress=steps.append)
        assert outcome.after.macro_f1 < outcome.before.macro_f1, (outcome.before.macro_f1, outcome.after.macro_f1)
        assert not outcome.promoted and outcome.classifier is current
        assert outcome.candidate_version != current.model_version
        assert model_store.get_classifier() is current
        assert model_store.load_promoted(tmp_path) is None  # nothing promoted for other processes either
        assert any("training on" in s for s in steps) and any("calibration fold" in s for s in steps)
    finally:
        model_store.set_classifier(None)


async def test_retrain_prints_progress_and_figures_and_promotes_an_equal_model(db: str, tmp_path: Path) -> None:
    seed_cache(tmp_path)
    model_store.set_classifier(corpus_model())
    try:
        out = io.StringIO()
        assert await run_retrain_async(out, data_dir=tmp_path) == 0
        text = out.getvalue()
        assert "... scoring the model in use" in text and "... training on" in text
        before = next(line for line in text.splitlines() if line.startswith("before"))
        after = next(line for line in text.splitlines() if line.startswith("after"))
        assert "frozen_written.jsonl" in before and "macro-F1" in after and "ECE" in after
        assert before.split(": ", 1)[1] == after.split(": ", 1)[1]  # same model, same figures
        assert "promoted: model" in text
        promoted = model_store.load_promoted(tmp_path)
        assert promoted is not None and promoted.model_version == corpus_model().model_version
    finally:
        model_store.set_classifier(None)


async def test_staff_labels_are_stored(db: str) -> None:
    """What a retrain learns from: the corpus and the staff's labels, weighted above it."""
    from support.classification.corpus_files import corpus_examples
    from support.classification.models import LabelledExample, LabelSource
    from support.classification.service import training_examples

    row = await record_labelled_example(
        subject="Filimport",
        body="Vi lägger filer i importmappen på servern.",
        category=Category.unofficial,
        source="staff_override",
        ticket_id=None,
    )
    assert row.source is LabelSource.staff_override
    assert await LabelledExample.filter(category=Category.unofficial).count() == 1
    examples = await training_examples()
    staff = [e for e in examples if e.get("group") == "staff"]
    assert len(staff) == 1 and staff[0]["weight"] > 1 and len(examples) == len(corpus_examples()) + 1
