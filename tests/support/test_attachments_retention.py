"""Retention purge (and its command), the orphan sweep, the virus-scanner hook, the classifier reading text
attachments, the service entry point for mail intake, and parallel uploads of the same bytes."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from support.attachments import commands
from support.attachments.models import Attachment, AttachmentBlob, AttachmentRemoval
from support.attachments.retention import months_ago, purge_attachments, sweep_orphans
from support.attachments.service import store_attachment
from support.attachments.settings import get_attachment_settings
from support.attachments.storage import DirectoryStore, make_store
from support.models import TicketEvent
from tests.support.attachment_helpers import STORES, upload, use_store, world


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    yield from use_store(monkeypatch, tmp_path, request.param)


async def close(client: httpx.AsyncClient, headers: dict[str, str], ticket_id: int, *, days_ago: int) -> None:
    for status in ("triaged", "in_progress", "resolved", "closed"):
        response = await client.patch(f"/api/v1/tickets/{ticket_id}", headers=headers, json={"status": status})
        assert response.status_code == 200, response.text
    when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    await TicketEvent.filter(ticket_id=ticket_id, kind="status_changed", to_value="closed").update(created_at=when)


@contextlib.asynccontextmanager
async def same_database() -> AsyncIterator[None]:
    yield  # the test has the database open already


async def test_purge_removes_old_closed_tickets_files_and_keeps_a_record(
    client: httpx.AsyncClient, store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    w = await world(client)
    old, recent = w["ticket"], w["other_ticket"]
    shared = b"same bytes on both tickets\n"
    gone = (await upload(client, w["admin"], f"/api/v1/tickets/{old}/attachments", "gammal logg.log", b"old\n")).json()
    await upload(client, w["admin"], f"/api/v1/tickets/{old}/attachments", "delad.log", shared)
    kept = (await upload(client, w["admin"], f"/api/v1/tickets/{recent}/attachments", "delad.log", shared)).json()
    await close(client, w["admin"], old, days_ago=200)
    await close(client, w["admin"], recent, days_ago=20)
    store_ = make_store(get_attachment_settings())

    assert await commands._purge(same_database, months=6, dry_run=True, by="test") == 0
    out = capsys.readouterr().out
    assert "would remove 2 attachment(s)" in out and f"{old} {gone['id']} {gone['sha256']} 4 gammal logg.log" in out
    assert await Attachment.all().count() == 3 and await AttachmentRemoval.all().count() == 0

    assert await commands._purge(same_database, months=6, dry_run=False, by="Karin") == 0
    assert "removed 2 attachment(s)" in capsys.readouterr().out
    assert await Attachment.all().values_list("id", flat=True) == [kept["id"]]
    assert not await store_.exists(gone["sha256"])
    assert await store_.exists(kept["sha256"])  # still used by the recent ticket
    assert (await AttachmentBlob.get(sha256=kept["sha256"])).refs == 1
    records = await AttachmentRemoval.all().order_by("id")
    assert [(r.filename, r.sha256, r.size, r.removed_by, r.ticket_id) for r in records] == [
        ("gammal logg.log", gone["sha256"], 4, "Karin", old),
        ("delad.log", kept["sha256"], len(shared), "Karin", old),
    ]
    listed = (await client.get(f"/api/v1/tickets/{old}/attachments", headers=w["admin"])).json()["items"]
    assert listed == []
    again = await purge_attachments(closed_before=months_ago(6), removed_by="test")
    assert again.removed == []


async def test_a_reopened_ticket_is_not_purged(client: httpx.AsyncClient, store: str) -> None:
    w = await world(client)
    await upload(client, w["admin"], f"/api/v1/tickets/{w['ticket']}/attachments", "a.log", b"a\n")
    await close(client, w["admin"], w["ticket"], days_ago=400)
    from support.models import Ticket

    await Ticket.filter(id=w["ticket"]).update(status="in_progress")
    assert (await purge_attachments(closed_before=months_ago(6), removed_by="test")).removed == []


def test_months_ago_keeps_the_day_or_takes_the_months_last() -> None:
    assert months_ago(6, dt.datetime(2026, 8, 31, tzinfo=dt.UTC)) == dt.datetime(2026, 2, 28, tzinfo=dt.UTC)
    assert months_ago(13, dt.datetime(2026, 1, 15, tzinfo=dt.UTC)) == dt.datetime(2024, 12, 15, tzinfo=dt.UTC)


async def test_sweep_removes_files_no_row_holds(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A crash between writing the file and committing its row leaves a file without a row: the sweep removes
    it once it is older than the grace period, and leaves every file a row holds."""
    for _ in use_store(monkeypatch, tmp_path, "directory"):
        w = await world(client)
        held = (await upload(client, w["admin"], f"/api/v1/tickets/{w['ticket']}/attachments", "a.log", b"a\n")).json()
        store = make_store(get_attachment_settings())
        assert isinstance(store, DirectoryStore)

        async def one(data: bytes) -> AsyncIterator[bytes]:
            yield data

        orphan = (await store.put(one(b"written, then the process died\n"))).sha256
        assert await sweep_orphans(older_than_seconds=3600) == []  # too young: may be an upload in flight
        old = time.time() - 7200
        for sha in (orphan, held["sha256"]):
            os.utime(store.path(sha), (old, old))
        stale = get_attachment_settings().staging_dir / "upload-stale"
        stale.parent.mkdir(parents=True, exist_ok=True)
        stale.write_bytes(b"x")
        os.utime(stale, (old, old))
        assert await sweep_orphans(older_than_seconds=3600) == [orphan]
        assert not await store.exists(orphan) and await store.exists(held["sha256"]) and not stale.exists()
        assert await AttachmentBlob.all().values_list("sha256", flat=True) == [held["sha256"]]


async def test_virus_scanner_hook(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    scanner = tmp_path / "scan.sh"
    scanner.write_text(
        '#!/bin/sh\nif grep -q EICAR "$1"; then echo "$1: Eicar FOUND"; exit 1; fi\n'
        'if grep -q BROKEN "$1"; then exit 2; fi\nexit 0\n'
    )
    scanner.chmod(0o755)
    for _ in use_store(monkeypatch, tmp_path, "directory", TRIPDESK_ATTACHMENT_SCANNER=f"sh {scanner}"):
        w = await world(client)
        url = f"/api/v1/tickets/{w['ticket']}/attachments"
        assert (await upload(client, w["admin"], url, "clean.log", b"all good\n")).status_code == 201
        infected = await upload(client, w["admin"], url, "eicar.txt", b"X5O!P%@AP EICAR-STANDARD-ANTIVIRUS\n")
        assert infected.status_code == 422 and infected.json()["code"] == "attachment_infected"
        broken = await upload(client, w["admin"], url, "b.log", b"BROKEN\n")
        assert broken.status_code == 503 and broken.json()["code"] == "scanner_unavailable"
        assert await Attachment.all().count() == 1
        assert not list(get_attachment_settings().staging_dir.iterdir())


async def test_the_classifier_reads_a_text_attachments_first_lines(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A vague ticket classified one way becomes a defect once its log shows the 500s after the update;
    a staff decision is never overridden."""
    for _ in use_store(monkeypatch, tmp_path, "directory"):
        w = await world(client)
        from tests import factories as f

        requester = await f.contact(w["org"])
        ticket = (
            await client.post(
                "/api/v1/tickets",
                headers=w["admin"],
                json={"subject": "Hjälp med integrationen", "body": "Se bifogad fil.", "requester_id": requester.id},
            )
        ).json()
        assert ticket["category"] != "defect"
        log = (
            "Efter uppdateringen i helgen returnerar GET /api/arenden 500 Internal Server Error för alla "
            "ärenden. Det fungerade innan patchen.\nNullReferenceException at CaseController.Get\n" * 3
        ).encode()
        created = await upload(client, w["admin"], f"/api/v1/tickets/{ticket['id']}/attachments", "fel.log", log)
        assert created.status_code == 201
        after = (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=w["admin"])).json()
        assert after["category"] == "defect", (ticket["category"], after)
        events = (await client.get(f"/api/v1/tickets/{ticket['id']}/events", headers=w["admin"])).json()["items"]
        assert events[-1]["kind"] == "classified" and events[-1]["data"]["read_attachments"] == 1
        assert events[-1]["from_value"] == ticket["category"] and events[-1]["to_value"] == "defect"

        decided = await client.post(
            f"/api/v1/tickets/{ticket['id']}/classification",
            headers=w["admin"],
            json={"category": "assistance", "reason": "integratörens egen kod"},
        )
        assert decided.status_code == 200
        await upload(client, w["admin"], f"/api/v1/tickets/{ticket['id']}/attachments", "mer.log", log + b"x")
        final = (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=w["admin"])).json()
        assert final["category"] == "assistance" and final["classification_state"] == "confirmed"


async def test_mail_intake_entry_point_stores_any_stream(client: httpx.AsyncClient, store: str) -> None:
    w = await world(client)

    async def parts() -> AsyncIterator[bytes]:
        for piece in (b"Date: 2026-03-02\n", b"ERROR 503 from /api/arenden\n"):
            yield piece

    read = await store_attachment(
        ticket_id=w["ticket"],
        filename="mail-bilaga.log",
        stream=parts(),
        uploaded_by="email: eva.lund@lappmarken.example.se",
    )
    assert read.size == 45 and read.uploaded_by.startswith("email:")
    assert read.sha256 == hashlib.sha256(b"Date: 2026-03-02\nERROR 503 from /api/arenden\n").hexdigest()
    listed = (await client.get(f"/api/v1/tickets/{w['ticket']}/attachments", headers=w["integrator"])).json()
    assert [i["filename"] for i in listed["items"]] == ["mail-bilaga.log"]


@pytest.mark.postgres_only
async def test_parallel_uploads_of_the_same_new_bytes_store_them_once(client: httpx.AsyncClient, store: str) -> None:
    w = await world(client)
    content = os.urandom(16).hex().encode() * 1000
    results = await asyncio.gather(
        *[
            upload(client, w["admin"], f"/api/v1/tickets/{ticket}/attachments", f"p{n}.log", content)
            for n, ticket in enumerate([w["ticket"], w["other_ticket"]] * 3)
        ]
    )
    assert [r.status_code for r in results] == [201] * 6, [r.text for r in results]
    blob = await AttachmentBlob.get(sha256=hashlib.sha256(content).hexdigest())
    assert blob.refs == 6 and await Attachment.all().count() == 6
    assert await make_store(get_attachment_settings()).exists(blob.sha256)
