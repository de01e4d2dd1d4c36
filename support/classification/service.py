"""Use cases around the classifier: record staff labels and retrain on corpus + labels.

Retraining runs in a worker thread (it takes seconds) and then swaps the process-wide instance; requests
classifying meanwhile keep using the previous model. Other instances pick the new model up on their own
next retrain (the disk cache is keyed by the training data, so they load rather than train again).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from support.classification.classifier import (
    STAFF_EXAMPLE_WEIGHT,
    Classifier,
    corpus_examples,
    load_or_train,
    set_classifier,
)
from support.classification.models import LabelledExample, LabelSource
from support.policy import Category

MAX_STORED_BODY = 20_000  # the model reads far less; the rest only costs storage


async def record_labelled_example(*, subject: str, body: str, category: Category, source: LabelSource | str,
                                  ticket_id: int | None) -> LabelledExample:
    """Store a staff confirmation or override; it takes effect at the next `retrain()`."""
    return await LabelledExample.create(subject=(subject or "")[:200], body=(body or "")[:MAX_STORED_BODY],
                                        category=Category(category), source=LabelSource(source),
                                        ticket_id=ticket_id)


async def training_examples() -> list[dict[str, Any]]:
    """Corpus rows plus every staff label (weighted higher: they are real tickets)."""
    rows = await LabelledExample.all().order_by("id").values("subject", "body", "category")
    staff = [{**row, "category": str(row["category"]), "weight": STAFF_EXAMPLE_WEIGHT} for row in rows]
    return corpus_examples() + staff


async def retrain(*, data_dir: Path | None = None) -> Classifier:
    """Train on corpus + labels in a thread, then make it the process-wide classifier."""
    examples = await training_examples()
    classifier = await asyncio.to_thread(load_or_train, examples, data_dir=data_dir)
    set_classifier(classifier)
    return classifier
