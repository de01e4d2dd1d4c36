"""Build written_own.jsonl from the batch files in batches_own/ (the tickets are written there, one batch per
gap found; written_own.README.md says how).

Run: `.venv/bin/python support/classification/corpus/written/build_own.py` (deterministic: file order).
Batch format: a line `=== label | lang | subject` opens a ticket; the lines up to the next `===` are its body.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = {"defect", "assistance", "performance", "activation", "extension", "unofficial"}


def parse(text: str) -> list[dict[str, str]]:
    tickets: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    body: list[str] = []
    for line in text.split("\n") + ["=== end"]:
        if line.startswith("=== "):
            if current is not None:
                current["body"] = "\n".join(body).strip("\n")
                if not current["body"]:
                    raise ValueError(f"empty body: {current['subject']}")
                tickets.append(current)
            if line == "=== end":
                break
            label, lang, subject = (part.strip() for part in line[4:].split("|", 2))
            if label not in LABELS or lang not in ("sv", "en"):
                raise ValueError(line)
            current, body = {"subject": subject, "body": "", "label": label, "lang": lang}, []
        elif current is not None:
            body.append(line)
    return tickets


def main(out: Path = HERE / "written_own.jsonl") -> list[dict[str, str]]:
    rows = [t for path in sorted((HERE / "batches_own").glob("*.txt")) for t in parse(path.read_text("utf-8"))]
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return rows


if __name__ == "__main__":
    from collections import Counter

    built = main()
    print(len(built), Counter(r["label"] for r in built), Counter(r["lang"] for r in built))
