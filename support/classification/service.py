"""Use cases around the classifier: record staff labels, and retrain on corpus + labels behind a gate.

A retrained model is promoted (becomes the model of every process of this data directory: ticket intake,
`POST /classify`, `tripdesk classify`) only if it scores at least as well as the model in use on the frozen
written test set (support/classification/eval/frozen_written.jsonl, macro-F1): staff labels are real
tickets and usually help, but a batch of hasty overrides must not quietly make every later ticket worse.
Retraining runs in a worker thread; requests classifying meanwhile keep using the previous model. Other
instances pick the promoted model up at their next start.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.classification.classifier import STAFF_EXAMPLE_WEIGHT, Classifier
from support.classification.corpus_files import FROZEN_FILE, HELDOUT_FILE, corpus_examples, read_jsonl
from support.classification.evaluate import EvalReport, evaluate
from support.classification.model_store import get_classifier, load_or_train, promote, set_classifier
from support.classification.models import LabelledExample, LabelSource
from support.policy import Category

MAX_STORED_BODY = 20_000  # the model reads far less; the rest only costs storage


async def record_labelled_example(
    *, subject: str, body: str, category: Category, source: LabelSource | str, ticket_id: int | None
) -> LabelledExample:
    """Store a staff confirmation or override; it takes effect at the next `retrain()`."""
    return await LabelledExample.create(
        subject=(subject or "")[:200],
        body=(body or "")[:MAX_STORED_BODY],
        category=Category(category),
        source=LabelSource(source),
        ticket_id=ticket_id,
    )


async def training_examples() -> list[dict[str, Any]]:
    """Corpus rows plus every staff label (weighted higher: they are real tickets)."""
    rows = await LabelledExample.all().order_by("id").values("subject", "body", "category")
    staff = [
        {**row, "category": str(row["category"]), "weight": STAFF_EXAMPLE_WEIGHT, "group": "staff"} for row in rows
    ]
    return corpus_examples() + staff


@dataclass(frozen=True)
class RetrainOutcome:
    classifier: Classifier  # the model in use afterwards: the candidate if promoted, else the previous one
    candidate_version: str
    previous_version: str
    examples: int
    gate_file: str
    before: EvalReport
    after: EvalReport

    @property
    def promoted(self) -> bool:
        return self.classifier.model_version == self.candidate_version


def gate_file() -> Path:
    """The frozen written test set; the generated held-out file only where the frozen set is not shipped."""
    return FROZEN_FILE if FROZEN_FILE.exists() else HELDOUT_FILE


def _retrain_sync(
    examples: list[dict[str, Any]], data_dir: Path | None, progress: Callable[[str], None]
) -> RetrainOutcome:
    gate = gate_file()
    tickets = read_jsonl(gate)
    current = get_classifier()
    progress(f"scoring the model in use ({current.model_version}) on {gate.name} ({len(tickets)} tickets)")
    before = evaluate(current, tickets)
    progress(f"training on {len(examples)} examples")
    candidate = load_or_train(examples, data_dir=data_dir, progress=progress)
    progress(f"scoring the retrained model ({candidate.model_version}) on {gate.name}")
    after = evaluate(candidate, tickets)
    in_use = current
    if candidate.model_version == current.model_version or after.macro_f1 >= before.macro_f1:
        promote(candidate, data_dir=data_dir, figures={"gate": gate.name, "macro_f1": round(after.macro_f1, 4)})
        in_use = candidate
    return RetrainOutcome(
        classifier=in_use,
        candidate_version=candidate.model_version,
        previous_version=current.model_version,
        examples=len(examples),
        gate_file=gate.name,
        before=before,
        after=after,
    )


async def retrain(*, data_dir: Path | None = None, progress: Callable[[str], None] | None = None) -> RetrainOutcome:
    """Train on corpus + labels in a thread; promote the result and make it the process-wide classifier
    only if it scores no worse on the frozen set (see the module docstring)."""
    examples = await training_examples()
    outcome = await asyncio.to_thread(_retrain_sync, examples, data_dir, progress or (lambda _: None))
    set_classifier(outcome.classifier)
    return outcome
