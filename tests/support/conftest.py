"""Fixtures shared by the support tests."""

from __future__ import annotations

import pytest

from support.classification.classifier import Classifier
from tests.support.classifier_model import corpus_model


@pytest.fixture(scope="module")
def model() -> Classifier:
    """The corpus model (trained once per process, see classifier_model)."""
    return corpus_model()
