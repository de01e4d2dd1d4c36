"""The corpus model, shared by the classifier tests of one process (training takes tens of seconds; the
disk cache in the data directory keeps it across processes)."""

from __future__ import annotations

import functools

from support.classification.classifier import Classifier, corpus_examples, load_or_train


@functools.lru_cache(maxsize=1)
def corpus_model() -> Classifier:
    return load_or_train(corpus_examples())
