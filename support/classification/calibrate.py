"""Compute the shipped corpus' calibration and commit it: `python -m support.classification.calibrate`.

Choosing the temperature takes two extra fits (one per writer's file held out); start-up and tests train
on the shipped corpus often, so its temperature and held-out table are stored in corpus/calibration.json,
keyed by the model version (training data and code). Run this after changing the corpus, the rules or
the features; a test fails while the file is stale. Retraining with staff labels always recalibrates.
"""

from __future__ import annotations

import json

from support.classification.classifier import CALIBRATION_FILE, Classifier
from support.classification.corpus_files import corpus_examples


def main() -> None:
    model = Classifier.train(corpus_examples(), recalibrate=True, progress=print)
    record = {
        "model_version": model.model_version,
        "temperature": model.temperature,
        "held_out": [list(row) for row in model.held_out],
    }
    CALIBRATION_FILE.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {CALIBRATION_FILE}: temperature {model.temperature:.4f}")


if __name__ == "__main__":
    main()
