"""Confidence that means probability: temperature scaling, and how to check it (expected calibration error).

A logistic regression trained on a few thousand short texts, plus rule weights added to its logits, is
over-confident on tickets unlike its corpus. Temperature scaling divides the final logits (model + rules) by
one number T fitted on held-out tickets, minimising their negative log-likelihood: the ranking of the
categories never changes, only how sure the model says it is. One parameter cannot over-fit a few hundred
held-out tickets, which is why it is preferred here over isotonic or per-class (vector) scaling.

The held-out tickets are written ones (the generated corpus is easy and would teach the model to be sure of
itself): a deterministic share of the written corpus is left out of a second fit, that fit scores them, and
T is chosen on those scores; the shipped model is then the fit on everything, divided by T.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

CALIBRATION_SHARE = 3  # with one writer's file: every third ticket (by a hash of its text) is held out
MIN_GROUP = 200  # smaller files (a few gap-filling tickets) only ever train: a fold costs a whole fit
ECE_BINS = 10
T_MIN, T_MAX = 0.05, 20.0


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def negative_log_likelihood(logits: np.ndarray, truth: np.ndarray, temperature: float) -> float:
    p = softmax(logits / temperature)
    return float(-np.log(np.clip(p[np.arange(len(truth)), truth], 1e-12, None)).mean())


def fit_temperature(logits: np.ndarray, truth: np.ndarray) -> float:
    """The T minimising the held-out NLL of softmax(logits / T): golden-section search on log T (the NLL is
    smooth and unimodal in log T for a fixed set of logits)."""
    if len(truth) == 0:
        return 1.0
    lo, hi = math.log(T_MIN), math.log(T_MAX)
    ratio = (math.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa = negative_log_likelihood(logits, truth, math.exp(a))
    fb = negative_log_likelihood(logits, truth, math.exp(b))
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = negative_log_likelihood(logits, truth, math.exp(a))
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = negative_log_likelihood(logits, truth, math.exp(b))
    return math.exp((lo + hi) / 2)


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS) -> float:
    """Σ over equal-width confidence bins of (share of tickets in the bin) × |accuracy − mean confidence|:
    0 when "0.8" is right 80 % of the time at every level."""
    n = len(confidences)
    if not n:
        return 0.0
    conf = np.asarray(confidences, dtype=float)
    right = np.asarray(correct, dtype=float)
    index = np.minimum((conf * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.sum() / n * abs(right[mask].mean() - conf[mask].mean())
    return float(total)


def reliability(
    confidences: Sequence[float], correct: Sequence[bool], edges: Sequence[float]
) -> list[tuple[float, int, float]]:
    """Per lower edge: (edge, tickets at or above it, accuracy among them): what a threshold there buys."""
    conf = np.asarray(confidences, dtype=float)
    right = np.asarray(correct, dtype=bool)
    out = []
    for edge in edges:
        mask = conf >= edge
        out.append((edge, int(mask.sum()), float(right[mask].mean()) if mask.any() else 0.0))
    return out


def _held_out(row: Mapping[str, Any]) -> bool:
    """A stable third of the tickets: by a hash of the text, so adding tickets never reshuffles."""
    digest = hashlib.sha256(f"{row['subject']}\n{row['body']}".encode("utf-8", "surrogatepass")).digest()
    return digest[0] % CALIBRATION_SHARE == 0


Fold = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def calibration_folds(rows: list[dict[str, Any]]) -> list[Fold]:
    """(fit on, score) pairs for choosing the temperature. Only written tickets are scored (weight ≥ 1 and a
    `group`, the corpus file they come from). With two or more writers' files, each file is scored by a fit
    on the others: a new writer's tickets are what the model meets in use, and a model is surer of its own
    writer's style than it should be of anyone's. With one file, a stable third of it is held out. Files of
    fewer than `MIN_GROUP` tickets are never held out."""
    written = [r for r in rows if r["weight"] >= 1.0 and r["group"]]
    sizes = Counter(r["group"] for r in written)
    groups = sorted(g for g, n in sizes.items() if n >= MIN_GROUP)
    if len(groups) >= 2:
        folds = [([r for r in rows if r["group"] != g], [r for r in written if r["group"] == g]) for g in groups]
    else:
        held = [r for r in written if _held_out(r)]
        held_ids = {id(r) for r in held}
        folds = [([r for r in rows if id(r) not in held_ids], held)]
    return [(rest, held) for rest, held in folds if held and len({r["category"] for r in rest}) >= 2]
