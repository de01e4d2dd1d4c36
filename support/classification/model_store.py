"""Where the classifier lives: the disk cache of trained models (keyed by the training data's version), the
promoted model that every process of one data directory uses (CLI, API and intake alike), and the
process-wide instance."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import joblib

from support.classification.classifier import Classifier, canonical_examples, version_of
from support.classification.corpus_files import corpus_examples


def model_dir(data_dir: Path | None = None) -> Path:
    if data_dir is None:
        from support.settings import get_settings

        data_dir = get_settings().data_dir
    return Path(data_dir) / "model"


def _cached(path: Path, version: str) -> Classifier | None:
    if path.exists():
        try:
            loaded = joblib.load(path)
            if isinstance(loaded, Classifier) and loaded.model_version == version:
                return loaded
        except Exception:  # a corrupt or incompatible cache file is rebuilt, never fatal
            pass
    return None


def load_or_train(
    examples: Iterable[Mapping[str, Any] | Any],
    *,
    data_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Classifier:
    """Load the model for exactly these examples from the disk cache, or train and cache it.

    The cache file is written atomically (temp file + rename), so concurrent processes never read half a
    model. It is a pickle: the data directory must be writable only by the service itself.
    """
    rows = canonical_examples(examples)
    version = version_of(rows)
    directory = model_dir(data_dir)
    path = directory / f"classifier-{version}.joblib"
    cached = _cached(path, version)
    if cached is not None:
        if progress:
            progress(f"model {version} loaded from the cache")
        return cached
    classifier = Classifier.train(rows, progress=progress)
    directory.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp-{threading.get_ident()}")
    joblib.dump(classifier, tmp)
    tmp.replace(path)
    return classifier


PROMOTED = "promoted.json"


def promote(classifier: Classifier, *, data_dir: Path | None = None, figures: Mapping[str, Any] | None = None) -> None:
    """Make `classifier` (already in the disk cache) the model every process of this data directory uses:
    the CLI, the API and the ticket intake read the same file. Written atomically."""
    directory = model_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    record = {"model_version": classifier.model_version, "base": _base_version(), **(figures or {})}
    tmp = directory / f"{PROMOTED}.tmp-{threading.get_ident()}"
    tmp.write_text(json.dumps(record, indent=2), encoding="utf-8")
    tmp.replace(directory / PROMOTED)


def _base_version() -> str:
    """The corpus model's version: a promoted model trained on an older corpus or older code is stale."""
    return version_of(canonical_examples(corpus_examples()))


def load_promoted(data_dir: Path | None = None) -> Classifier | None:
    """The promoted model of this data directory, or None (none promoted, or trained on an older corpus or
    code than this release's, or its file is gone)."""
    directory = model_dir(data_dir)
    try:
        record = json.loads((directory / PROMOTED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = str(record.get("model_version", ""))
    if record.get("base") != _base_version():
        return None
    return _cached(directory / f"classifier-{version}.joblib", version)


_lock = threading.Lock()
_instance: Classifier | None = None


def get_classifier() -> Classifier:
    """The process-wide classifier, the same in every process of one data directory: the promoted model
    (`tripdesk retrain`), else the corpus model (trained on first use, or loaded from the disk cache)."""
    global _instance
    if _instance is None:
        with _lock:
            if _instance is None:
                _instance = load_promoted() or load_or_train(corpus_examples())
    return _instance


def set_classifier(classifier: Classifier | None) -> None:
    """Swap the process-wide instance (after a retrain; None drops it so the next use loads the promoted or
    corpus model again); callers holding the old instance keep using it until they ask again."""
    global _instance
    with _lock:
        _instance = classifier


async def load_classifier_async() -> Classifier:
    """Train or load in a worker thread: training takes seconds and must never block the event loop."""
    import asyncio

    return await asyncio.to_thread(get_classifier)
