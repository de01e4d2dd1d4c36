"""The corpus model, shared by the classifier tests of one process (training takes tens of seconds; the
disk cache in the data directory keeps it across processes)."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

from support.classification.classifier import Classifier
from support.classification.corpus_files import CORPUS_DIR, corpus_examples
from support.classification.model_store import load_or_train, model_dir

HELDOUT = CORPUS_DIR / "heldout.jsonl"


@functools.lru_cache(maxsize=1)
def _loaded() -> tuple[Classifier, Path]:
    directory = model_dir()
    model = load_or_train(corpus_examples(), data_dir=directory.parent)
    return model, directory / f"classifier-{model.model_version}.joblib"


def corpus_model() -> Classifier:
    return _loaded()[0]


def seed_cache(data_dir: Path) -> None:
    """The corpus model's cache file in another data directory: training on the corpus alone loads it."""
    source = _loaded()[1]
    (data_dir / "model").mkdir(parents=True, exist_ok=True)
    shutil.copy(source, data_dir / "model" / source.name)
