"""The classifier's fast path gives what scikit-learn and the rules' plain regexes give, on odd texts too;
the rule pre-filter never skips a hit."""
# ruff: noqa: E501  (ticket texts are prose fixtures)

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from support.classification import classifier as clf_module
from support.classification import language as language_module
from support.classification.classifier import Classifier, model_text, normalise, prepare_body
from support.classification.corpus_files import corpus_examples, read_jsonl
from support.classification.literals import Literals, requirement
from support.classification.rules import RULES, Rule, rule_hits
from support.policy import POLICY, Category
from tests.support.classifier_model import HELDOUT

pytestmark = pytest.mark.sqlite_pass  # no database: the PostgreSQL pass would only repeat it

# ------------------------------------------------------------ the fast path against the library
# Tickets that stress the text handling: empty, long (between and beyond the model's and the rules'
# windows), emoji, zero-width and bidi characters, Swedish letters, upper case, letters that lower() turns
# into two characters (İ) or into a context-dependent one (Σ), odd whitespace, control characters.
ODD_TICKETS = [
    ("", ""),
    ("   ", "\n\t"),
    ("a", "b c d e f"),
    ("#12", "x" * 5000),
    ("ÅÄÖ ÄR INTE AKTIVERAT", "VI LÄSER DIREKT FRÅN ER DATABAS MED EN LÄSANVÄNDARE. VILKEN TABELL?"),
    ("İstanbul-kontoret", "API:ET ÄR İNTE AKTİVERAT FÖR OSS, kan ni aktivera det?"),
    ("ΣΟΦΟΣ ΟΔΟΣ", "Σ api 500 ΟΔΟΣ."),
    ("🔥🔥 API:et ger 500 😭", "fältet beslutsdatum saknas 🙏 sedan uppdateringen"),
    ("⚠️ \u200bärende", "Vi läser direkt i data\u200bbasen\u200d med SQL"),
    ("\u202eFel efter patch\u202c", "\u05e9\u05dc\u05d5\u05dd مرحبا API returns 500"),
    ("NUL\x00", "NUL\x00inside\x00 the body \x07\x1b[31m escape codes"),
    ("lone \ud800", "noncharacter \uffff and combining e\u0301\u0301\u0301"),
    ("ｆｕｌｌｗｉｄｔｈ", "ｆｕｌｌｗｉｄｔｈ ＡＰＩ ５００ ｅｒｒｏｒ"),
    ("tabs\t\tand  spaces", "a\u2028b\u3000c\x1cd\x1de\x85f\u00a0g\u2009h  i\r\nj\x0bk\x0cl"),
    (
        "Loggutdrag",
        "Vi läser direkt från er databas med ODBC.\n"
        + "2024-11-28 07:14:03 INFO sync batch ok rows=500 elapsed=812ms\n" * 2000,
    ),
    ("Mellanlång", "Hur sätter vi sidstorleken? " * 180),  # longer than the model's window, not the rules'
    ("Lång", "Allt fungerar. " * 500 + "Vi kör SELECT namn FROM person direkt mot er databas."),  # rule in the tail
    ("API:et:s fält-namn", "-- x-y z: :a: - a-b-c 1:2:3 _under_score_ __ 9"),
]


def _library_hits(text: str) -> list[tuple[Rule, str]]:
    """Every rule's regex searched, with no pre-filter."""
    lowered = text.lower()
    hits = []
    for rule in RULES:
        m = rule.pattern.search(lowered)
        if m:
            snippet = text[m.start() : m.end()] if len(lowered) == len(text) else m.group(0)
            hits.append((rule, " ".join(snippet.split())[:60]))
    return hits


def _library_classify(model: Classifier, subject: str, body: str) -> tuple[Category, float, str, list[str]]:
    """What `classify` must return, computed the slow way: scikit-learn's own analyser, `transform` and
    `decision_function`, every rule's regex, and the phrase ranking over the word n-grams in the order the
    library's analyser first produces them (equal pushes are common: their order is part of the result)."""
    features, clf = model.pipeline.named_steps["features"], model.pipeline.named_steps["clf"]
    text = model_text(subject, body)
    x = features.transform([text]).tocsr()
    z = clf.decision_function(x)[0].copy()
    hits = _library_hits(normalise(subject[:300]) + "\n" + prepare_body(body))
    index = {Category(c): i for i, c in enumerate(clf.classes_)}
    for rule, _ in hits:
        z[index[rule.category]] += rule.weight
    z[index[Category.unofficial]] -= clf_module.UNOFFICIAL_SHIFT
    z /= model.temperature
    p = np.exp(z - z.max())
    p /= p.sum()
    best = int(p.argmax())
    category = Category(clf.classes_[best])
    sample = text[:4000].lower()
    words = re.findall(r"[a-zåäöéü]+", sample)
    sv = sum(w in language_module._SV_WORDS for w in words) + 0.75 * min(4, sum(ch in "åäö" for ch in sample[:1000]))
    language = "en" if sum(w in language_module._EN_WORDS for w in words) > sv else "sv"

    word_vec = features.transformer_list[0][1]
    value = dict(zip(x.indices.tolist(), x.data.tolist(), strict=True))
    columns = list(
        dict.fromkeys(j for g in word_vec.build_analyzer()(text) if (j := word_vec.vocabulary_.get(g)) is not None)
    )
    idx, val = np.array(columns, dtype=np.int64), np.array([value[j] for j in columns])
    phrases: list[str] = []
    if columns:
        coef = clf.coef_
        contrib = val * (coef[best, idx] - coef[:, idx].mean(axis=0))
        names = word_vec.get_feature_names_out()
        for i in np.argsort(-contrib):
            if contrib[i] <= 0 or len(phrases) == 5:
                break
            if clf_module._telling(names[idx[i]]):
                phrases.append(str(names[idx[i]]))
    reasons = clf_module.explain(hits, category, phrases)  # the wording is shared; what goes into it is not
    confidence = float(p[best])
    if len(re.findall(r"\w\w+", f"{subject} {body[:200]}")) < 3:
        confidence = min(confidence, 0.3)
        reasons.append(
            "empty ticket: nothing to classify"
            if not subject.strip() and not body.strip()
            else "too little text to classify"
        )
    policy = POLICY[category]
    reasons.append("policy: " + (policy.rule_sv if language == "sv" else policy.rule_en))
    return category, confidence, language, reasons


@pytest.mark.slow
def test_fast_path_matches_the_library(model: Classifier) -> None:
    features, clf = model.pipeline.named_steps["features"], model.pipeline.named_steps["clf"]
    word_vec = features.transformer_list[0][1]
    tickets = [(t["subject"], t["body"]) for t in read_jsonl(HELDOUT)] + ODD_TICKETS
    for subject, body in tickets:
        text = model_text(subject, body)
        expected = features.transform([text]).tocsr()
        idx, val = model.vector(text)
        assert sorted(idx.tolist()) == sorted(expected.indices.tolist()), (subject, body[:80])
        got = dict(zip(idx.tolist(), val.tolist(), strict=True))
        assert all(abs(got[j] - v) <= 1e-12 for j, v in zip(expected.indices, expected.data, strict=True))
        # the word block comes first, in the order the library's analyser first produces its n-grams
        words = list(
            dict.fromkeys(j for g in word_vec.build_analyzer()(text) if (j := word_vec.vocabulary_.get(g)) is not None)
        )
        assert idx[: len(words)].tolist() == words
        logits, _, _ = model.logits(text)
        assert np.allclose(logits, clf.decision_function(expected)[0], rtol=0, atol=1e-9)

        result = model.classify(subject, body)
        category, confidence, language, reasons = _library_classify(model, subject, body)
        assert (result.category, result.language, result.reasons) == (category, language, reasons), subject
        assert abs(result.confidence - confidence) <= 1e-9


def test_rule_prefilter_never_skips_a_hit() -> None:
    assert all(requirement(rule.pattern) for rule in RULES)  # every rule gets the shortcut
    rows = corpus_examples() + read_jsonl(HELDOUT)
    for subject, body in [(r["subject"], r["body"]) for r in rows] + ODD_TICKETS:
        for text in (f"{subject}\n{body}", f"{subject}\n{body}".upper()):
            assert rule_hits(text) == _library_hits(text), text[:80]


def _strings(needs: object) -> set[str]:
    if isinstance(needs, Literals):
        return set(needs.strings)
    return {s for part in getattr(needs, "parts", ()) for s in _strings(part)}


def test_requirements_hold_for_every_match_of_random_texts() -> None:
    """Texts strung together from each rule's own literals and a few fillers match often; whenever a
    pattern matches, its requirement must hold (the corpus test above covers real tickets)."""
    rng = random.Random(20260512)
    fillers = ["x", "1", "a", "i", "er", "ta", "på", "the", "det", "som", "är", "are", "your"]
    separators = [" ", " ", " ", "", "\n", ". ", "-", "_"]
    matched = 0
    for rule in RULES:
        needs = requirement(rule.pattern)
        assert needs is not None
        pieces = sorted(_strings(needs)) + fillers
        for _ in range(3000):
            text = "".join(rng.choice(pieces) + rng.choice(separators) for _ in range(rng.randint(1, 8)))
            if rule.pattern.search(text):
                matched += 1
                assert needs.holds(text.__contains__), (rule.name, text)
    assert matched >= 3000  # the texts really exercise the patterns


@pytest.mark.parametrize(
    ("pattern", "passes", "rejected"),
    [
        (r"\b(select|insert)\s+into\b", ["insert  into t", "select x into"], ["into the void", "select * from t"]),
        (r"(direkt|directly)\s+(i|in)\s+(er|your)\s+databas", ["direkt i er databas"], ["er databas", "direkt i er"]),
        (r"ab(c|d)?ef", ["abef", "abdef"], ["ab", "ef"]),  # an optional group requires nothing
        (r"(intern|internal)\s+apis?", ["internal api"], ["interna", "api"]),
        (r"(foo|)bar", ["bar"], ["foo"]),  # an alternative that can be empty requires nothing
        (r"(?i:select)\s+x", ["SELECT x", " x"], ["select"]),  # case-insensitive parts require nothing
        (
            r"((ta\s+fram|bygga)\s+nytt|bulk\s+(api|endpoint))",
            ["ta fram nytt", "bulk api"],
            ["ta fram", "bulk", "nytt"],
        ),
    ],
)
def test_requirement_of_a_pattern(pattern: str, passes: list[str], rejected: list[str]) -> None:
    needs = requirement(re.compile(pattern))
    assert needs is not None
    assert all(needs.holds(text.__contains__) for text in passes)
    assert not any(needs.holds(text.__contains__) for text in rejected)


def test_no_requirement_without_literals() -> None:
    assert requirement(re.compile(r"\w+\s\d")) is None
    assert requirement(re.compile("select", re.IGNORECASE)) is None  # literals are compared as written


# --------------------------------------------------------------------------- training and cache
