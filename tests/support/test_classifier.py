"""The policy classifier: the corpus, honest held-out quality, both languages, the policy's hard cases and its
rules."""
# ruff: noqa: E501  (ticket texts are prose fixtures)

from __future__ import annotations

from pathlib import Path

import pytest

from support.classification import corpus_files
from support.classification.classifier import CONFIDENCE_THRESHOLD, Classifier
from support.classification.evaluate import evaluate, format_report
from support.policy import POLICY, Billing, Category
from tests.support.classifier_model import HELDOUT

pytestmark = pytest.mark.sqlite_pass  # no database: the PostgreSQL pass would only repeat it


# ------------------------------------------------------------------------------------ the corpus
def test_written_corpus_carries_the_model() -> None:
    written = corpus_files.written_examples()
    assert len(written) >= 1300
    for category in Category:
        rows = [r for r in written if r["category"] == category.value]
        assert len(rows) >= 0.8 * len(written) / 6, category
        assert {r["language"] for r in rows} == {"sv", "en"}, category
    for path in corpus_files.WRITTEN_DIR.glob("*.jsonl"):
        assert path.with_suffix(".README.md").exists(), f"{path.name} needs a README saying how it was made"
    weights = {r.get("weight", 1.0) for r in corpus_files.corpus_examples()}
    assert weights == {1.0, corpus_files.GENERATED_WEIGHT} and corpus_files.GENERATED_WEIGHT < 1.0


def test_own_written_tickets_are_built_from_their_batches(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_own", corpus_files.WRITTEN_DIR / "build_own.py")
    assert spec is not None and spec.loader is not None
    build_own = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_own)
    rows = build_own.main(out=tmp_path / "own.jsonl")
    assert len(rows) >= 90
    assert (tmp_path / "own.jsonl").read_bytes() == (corpus_files.WRITTEN_DIR / "written_own.jsonl").read_bytes(), (
        "rebuild it"
    )


def test_corpus_size_balance_and_languages() -> None:
    train, heldout = corpus_files.generated_examples(), corpus_files.read_jsonl(HELDOUT)
    rows = train + heldout
    assert len(rows) >= 600
    assert 0.18 <= len(heldout) / len(rows) <= 0.28
    for part in (train, heldout):
        counts = {c.value: sum(r["category"] == c.value for r in part) for c in Category}
        assert min(counts.values()) >= 0.8 * max(counts.values()), counts
    swedish = sum(r["language"] == "sv" for r in rows) / len(rows)
    assert 0.65 <= swedish <= 0.85
    assert all(set(r) == {"subject", "body", "category", "language"} for r in rows)
    assert not {(r["subject"], r["body"]) for r in train} & {(r["subject"], r["body"]) for r in heldout}


def test_corpus_is_reproducible_and_split_by_template(tmp_path: Path) -> None:
    from support.classification.corpus import build_corpus

    build_corpus.main(out_dir=tmp_path)
    for name in ("train.jsonl", "heldout.jsonl"):
        assert (tmp_path / name).read_bytes() == (corpus_files.CORPUS_DIR / name).read_bytes(), (
            f"{name} is stale: rebuild it"
        )
    train_pools, heldout_pools = build_corpus.split_pools(build_corpus.P, build_corpus.HELDOUT_SHARE)
    for key, held in heldout_pools.items():
        assert held and not set(held) & set(train_pools[key]), key
    heldout_cores = sum(len(v) for k, v in heldout_pools.items() if k[2] == "core")
    assert heldout_cores >= 60  # many unseen phrasings, not a handful


# ------------------------------------------------------------------------------------- quality
def test_heldout_macro_f1_and_unofficial_precision(model: Classifier) -> None:
    report = evaluate(model, corpus_files.read_jsonl(HELDOUT))
    assert report.macro_f1 >= 0.90, format_report(report)
    assert report.per_category["unofficial"].precision >= 0.95, format_report(report)
    assert report.coverage >= 0.75 and report.accuracy_at_threshold >= 0.95, format_report(report)


# Hand-written here, phrased unlike the corpus templates.
EXAMPLES = [
    (
        "defect",
        "sv",
        "Fel handläggare i svaret",
        "Sedan versionsbytet i onsdags visar API:et fel handläggare på ungefär var tionde ärende. Vi har inte ändrat "
        "något i vår integration. Exempel: ärende 2024-1187.",
    ),
    (
        "defect",
        "en",
        "Attachments endpoint returns 500 since v6.1",
        "**Describe the bug** Downloading an attachment now fails with HTTP 500 and a stack trace in the body. "
        "It worked on 6.0. Same request, same token.",
    ),
    (
        "assistance",
        "sv",
        "Hur hämtar vi beslut för en person?",
        "Hej, vi förstår inte vilket anrop vi ska använda för att få fram beslut kopplade till en viss person. "
        "Finns det något exempel i dokumentationen?",
    ),
    (
        "assistance",
        "en",
        "Which grant type should a background service use?",
        "Hi, our nightly job runs without a user. Which OAuth grant type should it use, and where do we register "
        "the redirect URI if one is needed?",
    ),
    (
        "performance",
        "sv",
        "Överföringen till ekonomisystemet tar för lång tid",
        "Hej, vår överföring av leverantörsfakturor tar över fyra timmar. Vi hämtar fakturorna en och en. Hur "
        "bör vi lägga upp anropen för att få ner tiden?",
    ),
    (
        "performance",
        "en",
        "Nightly job misses its window",
        "Our export of 90k people takes 5 hours and often runs into the morning. We call the list endpoint with "
        "page size 50. What page size and concurrency would you suggest?",
    ),
    (
        "activation",
        "sv",
        "Aktivering av schemagränssnittet",
        "Hej, vi har köpt till schemamodulen och behöver att gränssnittet slås på i vår produktionsmiljö.",
    ),
    (
        "activation",
        "en",
        "Is the payroll interface enabled for us?",
        "Could you check whether the payroll interface is active in our installation? If not, we'd like it enabled.",
    ),
    (
        "extension",
        "sv",
        "Önskemål: avsluta ärenden via API",
        "Hej, det vore bra om man kunde avsluta ärenden via API:t. Idag måste handläggaren göra det manuellt. "
        "Kan det komma i en kommande version?",
    ),
    (
        "extension",
        "en",
        "Feature request: webhook for closed cases",
        "It would help us a lot if you added a webhook event when a case is closed. Right now we poll every hour.",
    ),
    (
        "unofficial",
        "sv",
        "Koppla rapportverktyget mot databasen",
        "Hej, vi vill koppla vårt rapportverktyg direkt mot er databas med en läsanvändare. Vilka tabeller ska vi "
        "läsa från för ärenden?",
    ),
    (
        "unofficial",
        "en",
        "Scraping the case list",
        "We scrape the case list page of the web client every morning because it is quicker than the API. After "
        "the update the HTML changed and our scraper broke.",
    ),
]


@pytest.mark.parametrize(
    ("category", "language", "subject", "body"), EXAMPLES, ids=[f"{c}-{lang}" for c, lang, _, _ in EXAMPLES]
)
def test_each_category_in_both_languages(
    model: Classifier, category: str, language: str, subject: str, body: str
) -> None:
    result = model.classify(subject, body)
    assert result.category.value == category, result.reasons
    assert result.language == language
    assert result.billing is POLICY[result.category].billing
    policy_text = POLICY[result.category].rule_sv if language == "sv" else POLICY[result.category].rule_en
    assert result.reasons[-1] == f"policy: {policy_text}"


HARD_CASES = [
    # a fault report that also mentions slowness: the fault decides
    (
        "defect",
        "Långsamt och felaktiga belopp",
        "Hej, fakturaexporten har blivit långsammare, men värre är att beloppen sedan patchen avrundas fel på "
        "varannan rad. Inget är ändrat hos oss.",
    ),
    (
        "defect",
        "Slow and wrong since the upgrade",
        "Since the upgrade the endpoint is slower and, worse, it returns decisions belonging to other people.",
    ),
    # "is this a bug?" about the integrator's own call
    (
        "assistance",
        "Är det en bugg?",
        "Vi får 400 när vi skickar datumet som 2024/05/01. Är det en bugg i API:t eller skickar vi fel format?",
    ),
    (
        "assistance",
        "Bug or my mistake?",
        "Is this a bug? I get 401 when I put the token in a 'Token' header instead of Authorization. Am I "
        "calling it wrong?",
    ),
    # a performance complaint that asks for a new bulk endpoint: a new capability is requested
    (
        "extension",
        "Bulkanrop för att snabba upp synken",
        "Vår synk av 60 000 personer tar hela natten eftersom vi måste hämta en i taget. Kan ni ta fram ett nytt "
        "anrop som hämtar många personer i ett svep?",
    ),
    (
        "extension",
        "Slow sync - please add a bulk endpoint",
        "Syncing 60k people one request at a time takes all night. Please add a new bulk endpoint that returns "
        "many people per call.",
    ),
    # a direct database read described innocently
    (
        "unofficial",
        "Liten fråga om personnummer",
        "Hej! Bara en snabb fråga: vi läser redan ut en del uppgifter direkt ur databasen till vårt "
        "elevsystem och undrar vilken kolumn personnumret ligger i. Tack!",
    ),
    (
        "unofficial",
        "Quick question",
        "We just read a few values straight from your database for a small report, nothing fancy. Which table "
        "has the case officer?",
    ),
    # an activation request that quotes a 403
    (
        "activation",
        "403 Forbidden på dokumentanrop",
        "Hej, alla anrop mot dokumentgränssnittet ger 403 Forbidden med 'interface not enabled'. Vi har licens. "
        "Kan ni aktivera det hos oss?",
    ),
    (
        "activation",
        "403 on the decisions API",
        'Every call returns 403 {"error":"interface_not_enabled"}. Our token works elsewhere. Please activate '
        "the decisions interface for our installation.",
    ),
]


@pytest.mark.parametrize(
    ("category", "subject", "body"), HARD_CASES, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(HARD_CASES)]
)
def test_policy_hard_cases(model: Classifier, category: str, subject: str, body: str) -> None:
    result = model.classify(subject, body)
    assert result.category.value == category, (result.category, result.confidence, result.reasons)


def test_rules_are_precise_and_explained(model: Classifier) -> None:
    own_db = model.classify(
        "Spara svaret",
        "Vi sparar svaret från API:t i vår egen databas. Hur ska vi mappa fältet status till vår kolumn?",
    )
    assert own_db.category is not Category.unofficial
    sql = model.classify(
        "Rapport", "Vi kör SELECT PNR, NAMN FROM PERSON WHERE AKTIV = 1 mot er databas, det slutade fungera"
    )
    assert sql.category is Category.unofficial and sql.billing is Billing.refused
    assert sql.confidence >= CONFIDENCE_THRESHOLD
    assert any(r.startswith("rule sql_statement") and "SELECT" in r for r in sql.reasons)
    assert any(r.startswith("phrases: ") for r in sql.reasons)
    server_error = model.classify("Internal Server Error", "The Case API returns 500 Internal Server Error.")
    assert server_error.category is not Category.unofficial  # "internal" in an error message is no endpoint
