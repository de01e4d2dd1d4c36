"""The training corpus on disk (support/classification/corpus/README.md says how each part was made).

- `corpus/written/*.jsonl`: tickets written by people for this classifier (`subject`, `body`, `label`,
  `lang`), one file per writer and brief, each with a README; they carry the model (weight 1).
- `corpus/train.jsonl`: the generated corpus (corpus/build_corpus.py); it stays for variety at a lower
  weight. `corpus/heldout.jsonl` is its held-out part, scored separately by `make eval`.
- `eval/`: test sets that are never trained on (the frozen written set, innocent mentions, the error-analysis
  set).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
CORPUS_DIR = PACKAGE_DIR / "corpus"
TRAIN_FILE = CORPUS_DIR / "train.jsonl"
HELDOUT_FILE = CORPUS_DIR / "heldout.jsonl"
WRITTEN_DIR = CORPUS_DIR / "written"
EVAL_DIR = PACKAGE_DIR / "eval"
FROZEN_FILE = EVAL_DIR / "frozen_written.jsonl"
INNOCENT_FILE = EVAL_DIR / "innocent_mentions.jsonl"
ERROR_ANALYSIS_FILE = EVAL_DIR / "error_analysis.jsonl"
GENERATED_WEIGHT = 0.3  # the generated corpus adds variety; written tickets carry the model


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def written_examples() -> list[dict[str, Any]]:
    """The written corpus, `label` as category and the file's name as `group` (its writer and brief)."""
    rows: list[dict[str, Any]] = []
    for path in sorted(WRITTEN_DIR.glob("*.jsonl")):
        rows += [
            {
                "subject": r["subject"],
                "body": r["body"],
                "category": r["label"],
                "language": r.get("lang"),
                "group": path.stem,
            }
            for r in read_jsonl(path)
        ]
    return rows


def generated_examples() -> list[dict[str, Any]]:
    return read_jsonl(TRAIN_FILE)


def corpus_examples() -> list[dict[str, Any]]:
    """What the shipped model learns from: the written corpus at full weight, the generated one lower."""
    return written_examples() + [{**r, "weight": GENERATED_WEIGHT} for r in generated_examples()]
