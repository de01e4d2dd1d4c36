"""What the `tripdesk classify` and `tripdesk retrain` commands do; support/cli.py wires them up.

`classify` is a dry run: it never touches the database and never changes a ticket. One JSON line in gives
exactly one JSON line out, in order, so scripts can zip input and output; a bad line gives an error object
on its own line instead of stopping the stream.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import IO, Any

from support.classification.classifier import Classifier, get_classifier, read_jsonl
from support.classification.evaluate import evaluate, format_report


def classify_line(classifier: Classifier, line: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"invalid JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(item, dict):
        return {"error": "expected an object with \"subject\" and \"body\""}
    subject, body = item.get("subject", ""), item.get("body", "")
    if subject is None:
        subject = ""
    if body is None:
        body = ""
    if not isinstance(subject, str) or not isinstance(body, str):
        return {"error": "\"subject\" and \"body\" must be strings"}
    return classifier.classify(subject, body).to_json()


def run_classify(stdin: IO[str], stdout: IO[str], classifier: Classifier | None = None) -> int:
    classifier = classifier or get_classifier()
    for line in stdin:
        if not line.strip():
            stdout.write(json.dumps({"error": "empty line"}) + "\n")
            continue
        stdout.write(json.dumps(classify_line(classifier, line), ensure_ascii=False) + "\n")
        stdout.flush()
    return 0


def run_eval(path: str | Path, stdout: IO[str] | None = None, classifier: Classifier | None = None) -> int:
    """Print the evaluation report for a labelled JSONL file; 1 if it cannot be read."""
    out = stdout or sys.stdout
    try:
        examples = read_jsonl(Path(path))
    except (OSError, ValueError) as exc:
        out.write(f"cannot read {path}: {exc}\n")
        return 1
    classifier = classifier or get_classifier()
    out.write(f"model {classifier.model_version}\n")
    out.write(format_report(evaluate(classifier, examples)) + "\n")
    return 0


async def run_retrain_async(stdout: IO[str] | None = None) -> int:
    """Retrain on corpus + staff labels; the caller has initialised the database (Tortoise)."""
    from support.classification.service import retrain

    out = stdout or sys.stdout
    try:
        version = (await retrain()).model_version
    except Exception as exc:  # an operator command: say what failed, exit non-zero
        out.write(f"retrain failed: {type(exc).__name__}: {exc}\n")
        return 1
    out.write(f"retrained: model {version}\n")
    return 0


async def _with_database(database_url: str, stdout: IO[str] | None) -> int:
    from tortoise import Tortoise

    from support.db import tortoise_config

    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    try:
        return await run_retrain_async(stdout)
    finally:
        await Tortoise.close_connections()


def run_retrain(stdout: IO[str] | None = None, database_url: str | None = None) -> int:
    """`run_retrain_async` for callers without a running loop or database: connects, retrains, closes.

    The model is cached on disk keyed by its training data, so the service loads it instead of training.
    """
    from support.settings import get_settings

    return asyncio.run(_with_database(database_url or get_settings().database_url, stdout))
