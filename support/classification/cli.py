"""What the `tripdesk classify` and `tripdesk retrain` commands do; tripdesk/cli.py wires them up.

`classify` is a dry run: it never touches the database and never changes a ticket. One JSON line in gives
exactly one JSON line out, in order, so scripts can zip input and output; a bad line gives an error object
on its own line instead of stopping the stream, and the exit status says that some line failed. It uses the
same model as the API (`model_store.get_classifier`: the promoted model of the data directory).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from support.classification.classifier import Classifier
from support.classification.corpus_files import read_jsonl
from support.classification.evaluate import EvalReport, evaluate, format_report
from support.classification.model_store import get_classifier


def classify_line(classifier: Classifier, line: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"invalid JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(item, dict):
        return {"error": 'expected an object with "subject" and "body"'}
    subject, body = item.get("subject", ""), item.get("body", "")
    if subject is None:
        subject = ""
    if body is None:
        body = ""
    if not isinstance(subject, str) or not isinstance(body, str):
        return {"error": '"subject" and "body" must be strings'}
    return classifier.classify(subject, body).to_json()


def run_classify(stdin: IO[str], stdout: IO[str], classifier: Classifier | None = None) -> int:
    """Every line is answered; the exit status is 1 if any line could not be classified."""
    classifier = classifier or get_classifier()
    failed = False
    for line in stdin:
        answer = classify_line(classifier, line) if line.strip() else {"error": "empty line"}
        failed = failed or "error" in answer
        stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
        stdout.flush()
    return 1 if failed else 0


def run_eval(
    paths: str | Path | list[str | Path],
    stdout: IO[str] | None = None,
    classifier: Classifier | None = None,
    *,
    show_errors: int = 0,
) -> int:
    """Print one evaluation report per labelled JSONL file; 1 if one cannot be read. Individual mistakes
    only with `show_errors` (never use it on the frozen test set)."""
    out = stdout or sys.stdout
    files = [paths] if isinstance(paths, (str, Path)) else list(paths)
    try:
        sets = [(Path(path), read_jsonl(Path(path))) for path in files]
    except (OSError, ValueError) as exc:
        out.write(f"cannot read: {exc}\n")
        return 1
    classifier = classifier or get_classifier()
    out.write(f"model {classifier.model_version} (temperature {classifier.temperature:.3f})\n")
    if classifier.held_out:
        out.write(
            "calibration folds (each writer's tickets scored by a model trained without them), at or above: "
            + "   ".join(f"{edge:.1f} {n} right {right:.3f}" for edge, n, right in classifier.held_out)
            + "\n"
        )
    for path, examples in sets:
        out.write(f"\n== {path.name}: {len(examples)} tickets\n")
        out.write(format_report(evaluate(classifier, examples), show_errors=show_errors) + "\n")
    return 0


def _figures(report: EvalReport) -> str:
    languages = ", ".join(f"{lang} {f1:.3f}" for lang, (_, f1) in report.per_language.items())
    return (
        f"macro-F1 {report.macro_f1:.3f} ({languages}), unofficial precision {report.unofficial_precision:.3f}, "
        f"coverage {report.coverage:.3f} at {report.accuracy_at_threshold:.3f} right, ECE {report.ece:.3f}"
    )


async def run_retrain_async(stdout: IO[str] | None = None, *, data_dir: Path | None = None) -> int:
    """Retrain on corpus + staff labels, showing progress and the before/after figures on the frozen set;
    the caller has initialised the database (Tortoise). 0 when promoted or not: a refused model is the gate
    working, not a failure."""
    from support.classification.service import retrain

    out = stdout or sys.stdout

    def progress(message: str) -> None:
        out.write(f"... {message}\n")
        out.flush()

    try:
        outcome = await retrain(data_dir=data_dir, progress=progress)
    except Exception as exc:  # an operator command: say what failed, exit non-zero
        out.write(f"retrain failed: {type(exc).__name__}: {exc}\n")
        return 1
    out.write(f"before ({outcome.previous_version}) on {outcome.gate_file}: {_figures(outcome.before)}\n")
    out.write(f"after  ({outcome.candidate_version}) on {outcome.gate_file}: {_figures(outcome.after)}\n")
    if outcome.promoted:
        out.write(f"promoted: model {outcome.candidate_version} is now used for every classification\n")
    else:
        out.write(
            f"not promoted: the retrained model scores worse on {outcome.gate_file}; "
            f"model {outcome.previous_version} stays in use\n"
        )
    return 0
