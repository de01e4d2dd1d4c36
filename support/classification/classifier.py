"""The policy-aware ticket classifier: a statistical text model plus a few decisive policy rules.

A classification is a *suggestion* (SPEC §1): it carries a confidence and reasons a person can check,
and staff confirm or override it. Below `CONFIDENCE_THRESHOLD` a ticket goes to `needs_triage`.

How a ticket is scored:
1. The text (subject twice, then the body; long bodies keep their head and tail) is normalised
   (NFKC, control/zero-width/bidi characters removed), stripped of what tickets carry besides their
   question (template headings, quoted thread, signature, stack-trace frames: preprocess.py) and fed to
   TF-IDF word 1–2-grams and char_wb 2–5-grams, then a multinomial logistic regression gives one logit
   per category.
2. Policy rules (support/classification/rules.py) add to a category's logit when they fire. They encode
   signals that decide the policy whatever the wording: SQL against tables, "reading the database
   directly", scraping or undocumented internal endpoints make a ticket `unofficial` (no assistance);
   "interface not enabled/activated" makes it `activation`. Rules shift the evidence rather than
   overriding it, so a strong model signal can still win against a weak rule hit.
3. The combined logits are divided by a temperature fitted on held-out written tickets (calibration.py),
   and their softmax is the confidence: a probability, so "0.9" is right about nine times in ten on
   tickets like the held-out ones. Reasons list the rule hits, the phrases that
   pushed hardest towards the chosen category, and the policy text (Swedish or English).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

import numpy as np

from support.classification.calibration import calibration_folds, fit_temperature, reliability, softmax
from support.classification.corpus_files import CORPUS_DIR
from support.classification.features import TicketFeatures
from support.classification.language import STOPWORDS, detect_language
from support.classification.preprocess import clean_body
from support.classification.rules import RULES, Rule, rule_hits
from support.policy import POLICY, Billing, Category

if TYPE_CHECKING:  # scikit-learn is imported where a model is trained or unpickled, not by every process
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

CODE_VERSION = "3"  # bump when features or text handling change (rules are fingerprinted on their own)
# Below it a ticket is `needs_triage`. Read off the calibration folds (`Classifier.held_out`, printed by
# `make eval`: each writer's tickets, calibrated, scored by a model that never saw that writer): the lowest
# level on a 0.1 grid at which at least 95 % of the tickets at or above it were right.
CONFIDENCE_THRESHOLD = 0.70
# The corpus is balanced (one ticket in six is `unofficial`); real intake has far fewer, and refusing help
# wrongly is the costliest mistake. The `unofficial` logit is lowered by this much before calibration, so the
# category needs more evidence than the corpus balance alone would ask (a prior shift; chosen on held-out
# writers in cross-validation: precision rises, recall gives a little).
UNOFFICIAL_SHIFT = 0.5
STAFF_EXAMPLE_WEIGHT = 3.0
# Calibration was fitted on real tickets; a ticket of one or two words ("Hej", "help") is evidence of
# nothing, whatever the softmax says: its confidence is capped below the threshold so staff decide.
MIN_WORDS, SHORT_TEXT_CONFIDENCE, SHORT_TEXT_SCAN = 3, 0.3, 200
HELD_OUT_EDGES = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
_WORDISH = re.compile(r"\w\w+")  # a confirmed real ticket counts more than one corpus ticket

# The model reads at most HEAD + TAIL characters of the body: the question sits at the top, the log tail
# or signature at the bottom; a 100 KB paste adds nothing but latency. Rules scan a wider window.
HEAD_CHARS, TAIL_CHARS = 2500, 500
RULE_HEAD_CHARS, RULE_TAIL_CHARS = 6000, 1000
MAX_PHRASES = 5

_INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    r"\u2066-\u2069\ufeff\ud800-\udfff]"
)


def normalise(text: str) -> str:
    """Fold compatibility forms and drop control, zero-width, bidi and lone-surrogate characters."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)))


def clip(body: str, head: int = HEAD_CHARS, tail: int = TAIL_CHARS) -> str:
    return body if len(body) <= head + tail else body[:head] + "\n…\n" + body[-tail:]


def prepare_body(body: str) -> str:
    """The body the rules scan: its head and tail, normalised, without template, quotes, signature and
    trace noise (preprocess.py). The model reads `clip` of this."""
    return clean_body(normalise(clip(body, RULE_HEAD_CHARS, RULE_TAIL_CHARS)))


def model_text(subject: str, body: str) -> str:
    """The subject is repeated: it is the integrator's own one-line summary, denser than the body."""
    return _model_text(normalise(subject[:300]), clip(prepare_body(body)))


def _model_text(normalised_subject: str, normalised_clipped_body: str) -> str:
    return f"{normalised_subject}\n{normalised_subject}\n{normalised_clipped_body}"


# ------------------------------------------------------------------------------------ the model
@dataclass(frozen=True)
class ClassificationResult:
    category: Category
    confidence: float
    billing: Billing
    language: str
    reasons: list[str] = field(default_factory=list)
    model_version: str = ""

    @property
    def needs_triage(self) -> bool:
        """Staff decide below the threshold, and always on an automatic `unofficial`: refusing help
        wrongly is the costliest mistake, so only a person rejects a ticket."""
        return self.confidence < CONFIDENCE_THRESHOLD or self.category is Category.unofficial

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "confidence": round(self.confidence, 4),
            "billing": self.billing.value,
            "reasons": list(self.reasons),
            "language": self.language,
            "needs_triage": self.needs_triage,
        }


def _field(example: Mapping[str, Any] | Any, name: str, default: Any = None) -> Any:
    if isinstance(example, Mapping):
        return example.get(name, default)
    return getattr(example, name, default)


def canonical_examples(examples: Iterable[Mapping[str, Any] | Any]) -> list[dict[str, Any]]:
    """Examples as plain dicts (from corpus rows, LabelledExample rows or dicts); category validated."""
    out = []
    for ex in examples:
        out.append(
            {
                "subject": str(_field(ex, "subject", "") or ""),
                "body": str(_field(ex, "body", "") or ""),
                "category": Category(str(_field(ex, "category", None) or _field(ex, "label"))).value,
                "weight": float(_field(ex, "weight", 1.0) or 1.0),
                "group": str(_field(ex, "group", "") or ""),
            }
        )
    return out


def _rules_fingerprint() -> str:
    """Rules and text limits are code too: a change to them gives a new model version."""
    parts = [f"{r.name}:{r.category}:{r.weight}:{r.pattern.pattern}" for r in RULES]
    parts.append(f"{HEAD_CHARS}:{TAIL_CHARS}:{RULE_HEAD_CHARS}:{RULE_TAIL_CHARS}:{UNOFFICIAL_SHIFT}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def version_of(examples: list[dict[str, Any]], calibrated: bool = True) -> str:
    """Same data and same code give the same version; the cache is keyed by it."""
    h = hashlib.sha256(f"{CODE_VERSION}|{version('scikit-learn')}|{_rules_fingerprint()}|{calibrated}|".encode())
    for ex in examples:
        h.update(json.dumps(ex, ensure_ascii=False, sort_keys=True).encode("utf-8", "surrogatepass"))
        h.update(b"\n")
    return h.hexdigest()[:16]


def explain(hits: list[tuple[Rule, str]], category: Category, phrases: list[str]) -> list[str]:
    """Why a ticket got `category`: the rules that pointed to it (with the words that matched), the phrases
    that weighed most for it, then the rules that pointed elsewhere and were outweighed."""
    reasons = [
        f"rule {rule.name}: {rule.explanation} ('{snippet}')" for rule, snippet in hits if rule.category is category
    ]
    if phrases:
        reasons.append("phrases: " + ", ".join(f"'{phrase}'" for phrase in phrases))
    reasons += [
        f"outweighed: rule {rule.name} pointed to {rule.category.value} ('{snippet}')"
        for rule, snippet in hits
        if rule.category is not category
    ]
    return reasons


def build_pipeline() -> Pipeline:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            (
                "word",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    min_df=2,
                    token_pattern=r"(?u)\b\w[\w:-]*\w\b|\b\w\b",
                    max_features=60_000,
                ),
            ),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, max_features=150_000
                ),
            ),
        ]
    )
    return Pipeline([("features", features), ("clf", LogisticRegression(C=8.0, max_iter=3000, tol=1e-3))])


class Classifier:
    """A trained model; `classify` is pure and thread-safe (it only reads the fitted arrays)."""

    def __init__(
        self,
        pipeline: Pipeline,
        model_version: str,
        temperature: float = 1.0,
        held_out: list[tuple[float, int, float]] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.model_version = model_version
        self.temperature = temperature
        # On the calibration folds' held-out tickets, per threshold: (threshold, tickets at or above it,
        # share of them right): what CONFIDENCE_THRESHOLD is read from.
        self.held_out = held_out or []
        features: FeatureUnion = pipeline.named_steps["features"]
        clf: LogisticRegression = pipeline.named_steps["clf"]
        self._classes = [Category(c) for c in clf.classes_]
        self._coef = np.asarray(clf.coef_)
        self._intercept = np.asarray(clf.intercept_)
        self._features = TicketFeatures(features, self._coef)
        word: TfidfVectorizer = features.transformer_list[0][1]
        self._word_names = word.get_feature_names_out().tolist()
        self._word_telling = [_telling(name) for name in self._word_names]
        # For the phrases: per category, each word column's coefficient relative to the average category.
        word_coef = self._coef[:, : len(self._word_names)]
        self._word_relative = list(word_coef - word_coef.mean(axis=0))
        self._rule_index = {c: i for i, c in enumerate(self._classes)}
        self._unofficial = self._rule_index.get(Category.unofficial)

    def __getstate__(self) -> dict[str, Any]:
        return {
            "pipeline": self.pipeline,
            "model_version": self.model_version,
            "temperature": self.temperature,
            "held_out": self.held_out,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            state["pipeline"], state["model_version"], state.get("temperature", 1.0), state.get("held_out")
        )

    @classmethod
    def train(
        cls,
        examples: Iterable[Mapping[str, Any] | Any],
        *,
        calibrate: bool = True,
        progress: Callable[[str], None] | None = None,
        recalibrate: bool = False,
    ) -> Classifier:
        """Fit on all examples. With `calibrate`, the temperature is chosen first on held-out written
        tickets (see `calibration_folds`), each scored by a fit that never saw them; for exactly the
        shipped corpus it is read from corpus/calibration.json instead (written by
        `python -m support.classification.calibrate`), so start-up costs one fit, not three."""
        rows = canonical_examples(examples)
        if len({r["category"] for r in rows}) < 2:
            raise ValueError("training needs examples of at least two categories")
        say = progress or (lambda _: None)
        version = version_of(rows, calibrate)
        temperature = 1.0
        held_out: list[tuple[float, int, float]] = []
        stored = None if recalibrate or not calibrate else stored_calibration(version)
        if stored is not None:
            temperature, held_out = stored
            say(f"calibration of the shipped corpus read from {CALIBRATION_FILE.name}")
        elif calibrate:
            logits: list[list[float]] = []
            truth: list[str] = []
            folds = calibration_folds(rows)
            for n, (rest, held) in enumerate(folds, 1):
                say(f"calibration fold {n}/{len(folds)}: fit on {len(rest)}, score {len(held)} held-out tickets")
                fold = cls(_fit(rest), "calibration-fold")
                logits += [fold.logits_with_rules(r["subject"], r["body"])[0] for r in held]
                truth += [r["category"] for r in held]
            if logits:
                index = {c.value: i for i, c in enumerate(fold._classes)}
                truth_index = np.array([index[c] for c in truth])
                temperature = fit_temperature(np.array(logits), truth_index)
                p = softmax(np.array(logits) / temperature)
                held_out = reliability(
                    p.max(axis=1).tolist(), (p.argmax(axis=1) == truth_index).tolist(), HELD_OUT_EDGES
                )
        say(f"final fit on {len(rows)} examples (temperature {temperature:.3f})")
        return cls(_fit(rows), version, temperature, held_out)

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The ticket's TF-IDF features as (column indices, values): the same numbers as the pipeline's
        `transform` (support/classification/features.py says how, and what is assumed)."""
        return self._features.vector(text)

    def logits(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        idx, val = self.vector(text)
        return self._coef[:, idx] @ val + self._intercept, idx, val

    def logits_with_rules(self, subject: str, body: str) -> tuple[list[float], list[tuple[Rule, str]], list[Any], str]:
        """Uncalibrated logits (model + rule weights), the rule hits, the feature blocks and the model text."""
        head = normalise((subject or "")[:300])
        scanned = prepare_body(body or "")
        text = _model_text(head, clip(scanned))
        z, blocks = self._features.score(text)
        logits = (z + self._intercept).tolist()
        hits = rule_hits(head + "\n" + scanned)
        for rule, _ in hits:
            logits[self._rule_index[rule.category]] += rule.weight
        if self._unofficial is not None:
            logits[self._unofficial] -= UNOFFICIAL_SHIFT
        return logits, hits, blocks, text

    def classify(self, subject: str | None, body: str | None) -> ClassificationResult:
        subject, body = subject or "", body or ""
        raw, hits, blocks, text = self.logits_with_rules(subject, body)
        t = self.temperature
        logits = [v / t for v in raw]
        # softmax on six floats: plain Python beats numpy's per-call overhead at this size
        top = max(logits)
        weights = [math.exp(v - top) for v in logits]
        best = weights.index(max(weights))
        confidence = weights[best] / sum(weights)
        category = self._classes[best]
        language = detect_language(text)
        word_rows, word_values = blocks[0]
        reasons = explain(hits, category, self._phrases(self._features.columns(0, word_rows), word_values, best))
        if len(_WORDISH.findall(f"{subject} {body[:SHORT_TEXT_SCAN]}")) < MIN_WORDS:
            confidence = min(confidence, SHORT_TEXT_CONFIDENCE)
            empty = not subject.strip() and not body.strip()
            reasons.append("empty ticket: nothing to classify" if empty else "too little text to classify")
        policy = POLICY[category]
        reasons.append("policy: " + (policy.rule_sv if language == "sv" else policy.rule_en))
        return ClassificationResult(
            category=category,
            confidence=confidence,
            billing=policy.billing,
            language=language,
            reasons=reasons,
            model_version=self.model_version,
        )

    def _phrases(self, idx: np.ndarray, val: np.ndarray, cls_index: int) -> list[str]:
        """The word n-grams present in the text (the word block: `idx`, `val`) that pushed hardest towards
        the chosen category (relative to the average category, so words every category shares do not
        show up); equal pushes keep numpy's argsort order over the n-grams' first occurrences."""
        if idx.size == 0:
            return []
        contrib = val * self._word_relative[cls_index].take(idx)
        pushes = contrib.tolist()
        columns = idx.tolist()
        out: list[str] = []
        for i in (-contrib).argsort().tolist():
            if pushes[i] <= 0 or len(out) == MAX_PHRASES:
                break
            if self._word_telling[columns[i]]:
                out.append(self._word_names[columns[i]])
        return out


CALIBRATION_FILE = CORPUS_DIR / "calibration.json"


def stored_calibration(version: str) -> tuple[float, list[tuple[float, int, float]]] | None:
    """The committed temperature and held-out table, if they were computed for exactly this training data
    and code (the model version says both)."""
    try:
        record = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("model_version") != version:
        return None
    return float(record["temperature"]), [(float(e), int(n), float(r)) for e, n, r in record["held_out"]]


def _fit(rows: list[dict[str, Any]]) -> Pipeline:
    pipeline = build_pipeline()
    texts = [model_text(r["subject"], r["body"]) for r in rows]
    pipeline.fit(texts, [r["category"] for r in rows], clf__sample_weight=np.array([r["weight"] for r in rows]))
    return pipeline


def _telling(ngram: str) -> bool:
    """A phrase worth showing a person: not only stopwords, single letters or short numbers."""
    return any(len(t) > 1 and t not in STOPWORDS and not (t.isdigit() and len(t) < 3) for t in ngram.split())
