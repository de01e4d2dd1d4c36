"""Measure the classifier, and show that staff corrections improve it.

The figures that matter for the policy: macro-F1 (every category counts the same, however rare), the
precision of `unofficial` (refusing help wrongly is the costliest mistake towards a customer), and the
coverage at the confidence threshold (the share of tickets that need no triage) with the accuracy there.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from support.classification.calibration import expected_calibration_error, reliability
from support.classification.classifier import CONFIDENCE_THRESHOLD, STAFF_EXAMPLE_WEIGHT, Classifier
from support.classification.corpus_files import corpus_examples
from support.policy import Category

LABELS = [c.value for c in Category]


@dataclass(frozen=True)
class CategoryScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class EvalReport:
    n: int
    accuracy: float
    macro_f1: float
    per_category: dict[str, CategoryScore]
    confusion: list[list[int]]  # rows: true label, columns: predicted, both in LABELS order
    threshold: float
    coverage: float  # share of tickets at or above the threshold
    accuracy_at_threshold: float  # accuracy on those tickets
    ece: float = 0.0  # expected calibration error of the confidences
    per_language: dict[str, tuple[int, float]] = field(default_factory=dict)  # language → (tickets, macro-F1)
    unofficial_predicted: int = 0
    unofficial_confident: int = 0  # predicted `unofficial` with confidence ≥ 0.5
    reliability: list[tuple[float, int, float]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def unofficial_precision(self) -> float:
        return self.per_category["unofficial"].precision


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def _label(example: Mapping[str, Any]) -> str:
    return Category(example.get("category") or example["label"]).value


def _scores(confusion: list[list[int]]) -> tuple[dict[str, CategoryScore], float]:
    per: dict[str, CategoryScore] = {}
    for i, label in enumerate(LABELS):
        tp = confusion[i][i]
        predicted_total = sum(row[i] for row in confusion)
        actual_total = sum(confusion[i])
        p, r = _ratio(tp, predicted_total), _ratio(tp, actual_total)
        per[label] = CategoryScore(p, r, _ratio(2 * p * r, p + r), actual_total)
    present = [s for s in per.values() if s.support]
    return per, (sum(s.f1 for s in present) / len(present) if present else 0.0)


def evaluate(
    classifier: Classifier, examples: Iterable[Mapping[str, Any]], threshold: float = CONFIDENCE_THRESHOLD
) -> EvalReport:
    """Score `classifier` on labelled examples ({"subject","body","category" or "label"[, "lang"]})."""
    index = {label: i for i, label in enumerate(LABELS)}
    confusion = [[0] * len(LABELS) for _ in LABELS]
    by_language: dict[str, list[list[int]]] = {}
    confidences: list[float] = []
    correct: list[bool] = []
    unofficial = unofficial_confident = 0
    errors: list[dict[str, Any]] = []
    for ex in examples:
        truth = _label(ex)
        result = classifier.classify(ex.get("subject", ""), ex.get("body", ""))
        predicted = result.category.value
        confusion[index[truth]][index[predicted]] += 1
        language = ex.get("lang") or ex.get("language") or result.language
        cell = by_language.setdefault(language, [[0] * len(LABELS) for _ in LABELS])
        cell[index[truth]][index[predicted]] += 1
        confidences.append(result.confidence)
        correct.append(predicted == truth)
        if predicted == Category.unofficial.value:
            unofficial += 1
            unofficial_confident += result.confidence >= 0.5
        if predicted != truth:
            errors.append(
                {
                    "subject": ex.get("subject", ""),
                    "category": truth,
                    "predicted": predicted,
                    "confidence": round(result.confidence, 3),
                }
            )
    n = len(correct)
    per, macro = _scores(confusion)
    covered = [right for conf, right in zip(confidences, correct, strict=True) if conf >= threshold]
    return EvalReport(
        n=n,
        accuracy=_ratio(sum(correct), n),
        macro_f1=macro,
        per_category=per,
        confusion=confusion,
        threshold=threshold,
        coverage=_ratio(len(covered), n),
        accuracy_at_threshold=_ratio(sum(covered), len(covered)),
        ece=expected_calibration_error(confidences, correct),
        per_language={lang: (sum(map(sum, m)), _scores(m)[1]) for lang, m in sorted(by_language.items())},
        unofficial_predicted=unofficial,
        unofficial_confident=unofficial_confident,
        reliability=reliability(confidences, correct, RELIABILITY_EDGES),
        errors=errors,
    )


RELIABILITY_EDGES = (0.5, 0.6, 0.7, 0.8, 0.9)


def _precision(report: EvalReport) -> str:
    return f"{report.unofficial_precision:.3f}" if report.unofficial_predicted else "n/a (none predicted)"


def format_report(report: EvalReport, *, show_errors: int = 0) -> str:
    """The figures; individual mistakes only when asked (never for the frozen test set: tuning on its
    mistakes would make it a training set)."""
    lines = [f"{'category':<12} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
    for label, s in report.per_category.items():
        lines.append(f"{label:<12} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.support:>8}")
    languages = "   ".join(f"{lang} {f1:.3f} ({n})" for lang, (n, f1) in report.per_language.items())
    lines += [
        "",
        f"tickets {report.n}   accuracy {report.accuracy:.3f}   macro-F1 {report.macro_f1:.3f}",
        f"macro-F1 per language: {languages}",
        f"threshold {report.threshold:.2f}: coverage {report.coverage:.3f}, "
        f"accuracy on covered {report.accuracy_at_threshold:.3f} (the rest goes to needs_triage)",
        f"expected calibration error {report.ece:.3f}",
        f"unofficial: precision {_precision(report)}, predicted {report.unofficial_predicted}, "
        f"with confidence >= 0.5: {report.unofficial_confident}",
        "at or above: "
        + "   ".join(f"{edge:.1f} {_ratio(k, report.n):.2f} right {acc:.3f}" for edge, k, acc in report.reliability),
        "",
        "confusion (rows true, columns predicted):",
        " " * 12 + "".join(f"{label[:6]:>8}" for label in LABELS),
    ]
    for label, row in zip(LABELS, report.confusion, strict=True):
        lines.append(f"{label:<12}" + "".join(f"{v:>8}" for v in row))
    if report.errors and show_errors:
        lines += ["", f"first {min(show_errors, len(report.errors))} of {len(report.errors)} errors:"]
        for e in report.errors[:show_errors]:
            lines.append(f"  {e['category']} -> {e['predicted']} ({e['confidence']}): {e['subject'][:70]}")
    return "\n".join(lines)


# ------------------------------------------------------------- corrections help: a demonstration
# A family of tickets the shipped corpus never describes: feeding files into the application's own import
# folder bypasses the official interfaces, so it is `unofficial`. The corrections staff would record use
# some phrasings; the tickets they are measured on use other phrasings of the same practice.
_PATHS = [
    "D:\\Import\\In",
    "/opt/app/import/incoming",
    "\\\\appserver01\\inlas$",
    "C:\\Program\\Vendor\\Inlasning",
    "/srv/verksamhet/import",
]
CORRECTION_TEMPLATES = [
    "Vi lägger exportfilerna direkt i importmappen {p} på applikationsservern så läser systemet in dem "
    "på natten. Nu plockas filerna inte upp.",
    "Our job copies CSV files into the application server's import folder {p} so the system loads them overnight.",
    "Kan vi fortsätta släppa XML-filer i systemets inläsningskatalog {p} istället för att använda API:t?",
    "We drop XML files into the pickup directory {p} on the app server; which file layout does the loader expect?",
]
FAMILY_TEST_TEMPLATES = [
    "Filerna vi placerar i {p} på er server läses inte längre in av nattjobbet efter uppgraderingen.",
    "Hur ser filformatet ut som inläsningsjobbet förväntar sig i katalogen {p}? Vi skriver filerna dit från "
    "vårt system.",
    "Files we place in {p} on your server are no longer picked up by the nightly loader since the upgrade.",
    "Is it fine to keep feeding the import folder {p} from our HR system rather than calling the interfaces?",
    "Vår integration skriver textfiler till {p} på servern och systemet läser dem – vilka kolumner krävs i filen?",
]


def _family(templates: list[str], rng: random.Random, per_template: int) -> list[dict[str, Any]]:
    rows = []
    for template in templates:
        for _ in range(per_template):
            subject = rng.choice(["Filimport", "Import folder", "Inläsning av filer", "Nattlig import"])
            rows.append(
                {
                    "subject": subject,
                    "body": template.format(p=rng.choice(_PATHS)),
                    "category": Category.unofficial.value,
                }
            )
    return rows


@dataclass(frozen=True)
class CorrectionDemo:
    corrections: int
    accuracy_before: float
    accuracy_after: float


def correction_demo(
    base_examples: list[dict[str, Any]] | None = None, *, seed: int = 7, corrections_per_template: int = 2
) -> CorrectionDemo:
    """Train on the corpus, measure the new family; add a few corrected examples (as staff would record
    them, same weight as `service.retrain` gives them), retrain, and measure the family again."""
    base = corpus_examples() if base_examples is None else base_examples
    rng = random.Random(seed)
    corrections = _family(CORRECTION_TEMPLATES, rng, corrections_per_template)
    family_test = _family(FAMILY_TEST_TEMPLATES, rng, 3)
    before = evaluate(Classifier.train(base, calibrate=False), family_test).accuracy
    staff = [{**row, "weight": STAFF_EXAMPLE_WEIGHT} for row in corrections]
    after = evaluate(Classifier.train(base + staff, calibrate=False), family_test).accuracy
    return CorrectionDemo(corrections=len(corrections), accuracy_before=before, accuracy_after=after)
