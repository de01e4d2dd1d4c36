"""The walk-through on the command line, as the README shows it: migrate, seed-demo (which issues the month
before last and writes the BgMax file paying it), invoice and issue last month, import the seed's file (twice:
the second is a no-op), a damaged file refused with its line, reminders, `demo-bgmax` for what is still open,
and the SIE export. Real processes on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.timetracking.settings import business_today

REPO = Path(__file__).resolve().parents[2]


def tripdesk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tripdesk.cli", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.sqlite_pass  # its own SQLite file, whichever the pass
@pytest.mark.slow
def test_walk_through_on_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path / 'db.sqlite3'}", "TRIPDESK_DATA_DIR": str(tmp_path)}
    previous = (business_today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    for args in (("migrate",), ("seed-demo",), ("invoice-run", "--period", previous, "--issue", "--quiet")):
        done = tripdesk(*args, env=env)
        assert done.returncode == 0, (args, done.stderr[-2000:])
    sample = tmp_path / "demo-bgmax.txt"  # written by seed-demo
    assert sample.read_bytes().startswith(b"01BGMAX")

    first = tripdesk("import-payments", str(sample), env=env)
    assert first.returncode == 0, first.stderr
    # full, partial, 100 kr too much (settles, and the excess waits) and an unknown OCR
    assert "4 payment(s)" in first.stdout and "2 settled an invoice, 1 partial, 2 need" in first.stdout
    again = tripdesk("import-payments", str(sample), env=env)
    assert again.returncode == 0 and "already imported" in again.stdout

    damaged = tmp_path / "damaged.txt"
    lines = sample.read_bytes().split(b"\r\n")
    lines[2] = lines[2][:40] + b"X" + lines[2][41:]
    damaged.write_bytes(b"\r\n".join(lines))
    refused = tripdesk("import-payments", str(damaged), env=env)
    assert refused.returncode == 1 and "line 3:" in refused.stderr and "nothing was applied" in refused.stderr

    demo = tripdesk("demo-bgmax", "--out", str(tmp_path / "more.txt"), env=env)  # last month's invoices
    assert demo.returncode == 0, demo.stderr
    more = tripdesk("import-payments", str(tmp_path / "more.txt"), env=env)
    assert more.returncode == 0 and "4 payment(s)" in more.stdout, more.stdout

    reminders = tripdesk("send-reminders", env=env)  # nothing is overdue yet: terms are 30 days
    assert reminders.returncode == 0 and reminders.stdout.startswith("0 reminder(s)")
    later = (business_today() + dt.timedelta(days=40)).isoformat()
    reminders = tripdesk("send-reminders", "--date", later, env=env)
    assert reminders.returncode == 0 and "reminder 1 for F" in reminders.stdout

    sie = tripdesk(
        "export-sie", "--period", business_today().strftime("%Y-%m"), "--out", str(tmp_path / "books"), "--csv", env=env
    )
    assert sie.returncode == 0, sie.stderr
    written = sorted(p.name for p in (tmp_path / "books").iterdir())
    assert written == [f"tripdesk-{business_today():%Y-%m}.csv", f"tripdesk-{business_today():%Y-%m}.se"]
    assert (tmp_path / "books" / written[1]).read_bytes().startswith(b"#FLAGGA 0\r\n#KSUMMA\r\n")
