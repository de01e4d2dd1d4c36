"""Attachments over the HTTP API, on both storage back-ends: round trip, names, visibility, refusals,
de-duplication and rollback."""

from __future__ import annotations

import io
import urllib.parse
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.attachments.models import Attachment, AttachmentBlob, AttachmentChunk
from support.attachments.settings import get_attachment_settings
from support.attachments.storage import make_store
from tests.support.attachment_helpers import STORES, upload, use_store, world

LOG = b"2026-03-02 10:00:01 ERROR GET /api/arenden 500\nTraceback (most recent call last):\n  boom\n"


def png(width: int = 640, height: int = 480) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    yield from use_store(monkeypatch, tmp_path, request.param)


def filename_of(disposition: str) -> str:
    star = disposition.split("filename*=UTF-8''", 1)[1]
    return urllib.parse.unquote(star)


@pytest.mark.parametrize("name", ["a.log", "rapport å ä ö.txt", 'say "hi" now.log', "ÅÄÖ med mellanslag.csv"])
async def test_round_trip_byte_for_byte_with_names(client: httpx.AsyncClient, store: str, name: str) -> None:
    w = await world(client)
    for content in (b"x", LOG):
        created = await upload(client, w["admin"], f"/api/v1/tickets/{w['ticket']}/attachments", name, content)
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["filename"] == name and body["size"] == len(content)
        download = await client.get(f"/api/v1/tickets/{w['ticket']}/attachments/{body['id']}", headers=w["admin"])
        assert download.status_code == 200
        assert download.content == content
        assert filename_of(download.headers["content-disposition"]) == name
        assert download.headers["content-disposition"].startswith('attachment; filename="')
        assert download.headers["x-content-type-options"] == "nosniff"
        assert download.headers["content-type"].startswith("text/")
        assert download.headers["etag"] == f'"{body["sha256"]}"'


async def test_list_has_name_size_type_sha256_and_preview(client: httpx.AsyncClient, store: str) -> None:
    import hashlib

    w = await world(client)
    url = f"/api/v1/tickets/{w['ticket']}/attachments"
    await upload(client, w["admin"], url, "app.log", LOG)
    await upload(client, w["admin"], url, "skärm.png", png(), "image/png")
    items = (await client.get(url, headers=w["admin"])).json()["items"]
    assert [i["filename"] for i in items] == ["app.log", "skärm.png"]
    log, image = items
    assert log["content_type"] == "text/plain" and log["sha256"] == hashlib.sha256(LOG).hexdigest()
    assert log["preview"].splitlines()[0] == LOG.decode().splitlines()[0] and not log["has_thumbnail"]
    assert image["content_type"] == "image/png" and image["has_thumbnail"] and image["preview"] is None
    thumb = await client.get(f"{url}/{image['id']}/thumbnail", headers=w["admin"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/png"
    from PIL import Image

    assert Image.open(io.BytesIO(thumb.content)).size == (256, 192)
    assert (await client.get(f"{url}/{log['id']}/thumbnail", headers=w["admin"])).status_code == 404


async def test_integrator_sees_neither_other_organisations_nor_internal_files(
    client: httpx.AsyncClient, store: str
) -> None:
    w = await world(client)
    internal = await client.post(
        f"/api/v1/tickets/{w['ticket']}/comments",
        headers=w["admin"],
        json={"body": "intern anteckning", "public": False},
    )
    public = await client.post(
        f"/api/v1/tickets/{w['ticket']}/comments", headers=w["admin"], json={"body": "publik", "public": True}
    )
    base = f"/api/v1/tickets/{w['ticket']}"
    secret = (
        await upload(
            client,
            w["admin"],
            f"{base}/comments/{internal.json()['id']}/attachments",
            "intern.log",
            b"internal notes\n",
        )
    ).json()
    shared = (
        await upload(
            client, w["admin"], f"{base}/comments/{public.json()['id']}/attachments", "publik.log", b"public notes\n"
        )
    ).json()
    own = (await upload(client, w["integrator"], f"{base}/attachments", "egen.log", LOG)).json()
    foreign = (
        await upload(
            client, w["admin"], f"/api/v1/tickets/{w['other_ticket']}/attachments", "annan.log", b"another customer\n"
        )
    ).json()
    assert secret["comment_id"] == internal.json()["id"]

    listed = (await client.get(f"{base}/attachments", headers=w["integrator"])).json()["items"]
    assert {i["id"] for i in listed} == {shared["id"], own["id"]}
    staff = (await client.get(f"{base}/attachments", headers=w["admin"])).json()["items"]
    assert {i["id"] for i in staff} == {secret["id"], shared["id"], own["id"]}

    missing = await client.get(f"{base}/attachments/999999", headers=w["integrator"])
    assert missing.status_code == 404
    for probe in (
        f"{base}/attachments/{secret['id']}",
        f"{base}/attachments/{foreign['id']}",
        f"{base}/attachments/{secret['id']}/thumbnail",
    ):
        response = await client.get(probe, headers=w["integrator"])
        assert response.status_code == 404
        assert {k: v for k, v in response.json().items() if k != "instance"} == {
            k: v for k, v in missing.json().items() if k != "instance"
        }
    other_ticket = await client.get(
        f"/api/v1/tickets/{w['other_ticket']}/attachments/{foreign['id']}", headers=w["integrator"]
    )
    no_ticket = await client.get(f"/api/v1/tickets/999999/attachments/{foreign['id']}", headers=w["integrator"])
    assert other_ticket.status_code == no_ticket.status_code == 404
    assert other_ticket.json()["code"] == no_ticket.json()["code"] == "ticket_not_found"
    # nor can an integrator attach to an internal comment or another organisation's ticket
    refused = await upload(
        client, w["integrator"], f"{base}/comments/{internal.json()['id']}/attachments", "x.log", b"x"
    )
    assert refused.status_code == 404 and refused.json()["code"] == "comment_not_found"
    refused = await upload(client, w["integrator"], f"/api/v1/tickets/{w['other_ticket']}/attachments", "x.log", b"x")
    assert refused.status_code == 404 and refused.json()["code"] == "ticket_not_found"
    ok = await client.get(f"{base}/attachments/{shared['id']}", headers=w["integrator"])
    assert ok.status_code == 200 and ok.content == b"public notes\n"


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("report.pdf", b"\x7fELF\x02\x01\x01" + bytes(200), "attachment_executable"),  # renamed ELF
        ("screenshot.png", b"MZ\x90\x00\x03" + bytes(200), "attachment_executable"),  # renamed PE
        ("notes.txt", b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(100), "attachment_executable"),  # Mach-O
        ("fix.log", b"#!/bin/sh\nrm -rf /\n", "attachment_executable"),  # script
        ("setup.exe", b"plain text, but Windows would run it\n", "attachment_executable"),
        ("logs.zip", _zip({"a.log": b"ok\n", "bin/tool.dat": b"\x7fELF" + bytes(60)}), "attachment_executable"),
        ("logs.zip", _zip({"inner.zip": _zip({"run.bat": b"echo hi\n"})}), "attachment_executable"),
        ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "attachment_type_refused"),
        ("data.bin", bytes(range(256)) * 4, "attachment_type_refused"),
        ("archive.tar.gz", b"\x1f\x8b\x08\x00" + bytes(100), "attachment_type_refused"),
    ],
)
async def test_executables_and_types_off_the_list_are_refused(
    client: httpx.AsyncClient, store: str, name: str, content: bytes, code: str
) -> None:
    w = await world(client)
    response = await upload(
        client, w["admin"], f"/api/v1/tickets/{w['ticket']}/attachments", name, content, "text/plain"
    )
    assert response.status_code == 415, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    assert await Attachment.all().count() == 0 and await AttachmentBlob.all().count() == 0
    assert not list((get_attachment_settings().staging_dir).iterdir())


async def test_zip_without_executables_is_accepted(client: httpx.AsyncClient, store: str) -> None:
    w = await world(client)
    content = _zip({"logs/a.log": LOG, "har/session.har": b'{"log": {}}'})
    response = await upload(client, w["admin"], f"/api/v1/tickets/{w['ticket']}/attachments", "logs.zip", content)
    assert response.status_code == 201 and response.json()["content_type"] == "application/zip"


async def test_limits_per_file_and_per_ticket_are_413(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store: str
) -> None:
    monkeypatch.setenv("TRIPDESK_ATTACHMENT_MAX_FILE_BYTES", "1000")
    monkeypatch.setenv("TRIPDESK_ATTACHMENT_MAX_TICKET_BYTES", "1500")
    get_attachment_settings.cache_clear()
    w = await world(client)
    url = f"/api/v1/tickets/{w['ticket']}/attachments"
    too_big = await upload(client, w["admin"], url, "big.log", b"a" * 1001)
    assert too_big.status_code == 413 and too_big.json()["code"] == "attachment_too_large"
    assert (await upload(client, w["admin"], url, "one.log", b"b" * 600)).status_code == 201
    assert (await upload(client, w["admin"], url, "two.log", b"c" * 600)).status_code == 201
    full = await upload(client, w["admin"], url, "three.log", b"d" * 400)  # 1,600 bytes on the ticket
    assert full.status_code == 413 and full.json()["code"] == "ticket_attachments_full"
    assert await Attachment.all().count() == 2
    other = await upload(client, w["admin"], f"/api/v1/tickets/{w['other_ticket']}/attachments", "d.log", b"d" * 400)
    assert other.status_code == 201  # the limit is per ticket
    assert not list(get_attachment_settings().staging_dir.iterdir())


async def test_bad_requests_are_problems(client: httpx.AsyncClient, store: str) -> None:
    w = await world(client)
    url = f"/api/v1/tickets/{w['ticket']}/attachments"
    as_json = await client.post(url, headers=w["admin"], json={"file": "x"})
    assert as_json.status_code == 415
    no_file = await client.post(url, headers=w["admin"], data={"note": "x"}, files={"other": ("a.log", b"x")})
    assert no_file.status_code == 422
    empty = await upload(client, w["admin"], url, "empty.log", b"")
    assert empty.status_code == 422 and empty.json()["code"] == "attachment_empty"
    two = await client.post(url, headers=w["admin"], files=[("file", ("a.log", b"a")), ("file", ("b.log", b"b"))])
    assert two.status_code == 422
    broken = await client.post(
        url,
        headers={**w["admin"], "content-type": "multipart/form-data; boundary=xyz"},
        content=b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nhalf a file',
    )
    assert broken.status_code == 400 and broken.json()["code"] == "malformed_multipart"
    from core.auth import Role
    from tests import factories as f

    finance = await upload(client, f.bearer(await f.token(Role.finance)), url, "a.log", b"x")
    assert finance.status_code == 403
    assert await Attachment.all().count() == 0


async def test_duplicate_uploads_are_stored_once(client: httpx.AsyncClient, store: str) -> None:
    w = await world(client)
    first = await upload(client, w["admin"], f"/api/v1/tickets/{w['ticket']}/attachments", "a.log", LOG)
    again = await upload(client, w["admin"], f"/api/v1/tickets/{w['ticket']}/attachments", "b.log", LOG)
    elsewhere = await upload(client, w["admin"], f"/api/v1/tickets/{w['other_ticket']}/attachments", "c.log", LOG)
    assert first.json()["sha256"] == again.json()["sha256"] == elsewhere.json()["sha256"]
    assert len({first.json()["id"], again.json()["id"], elsewhere.json()["id"]}) == 3
    blob = await AttachmentBlob.get(sha256=first.json()["sha256"])
    assert blob.refs == 3 and await AttachmentBlob.all().count() == 1
    if store == "directory":
        files = [p for p in get_attachment_settings().directory.rglob("*") if p.is_file()]
        assert [p.name for p in files] == [blob.sha256]
    else:
        assert await AttachmentChunk.filter(sha256=blob.sha256).count() == 1
        assert await AttachmentChunk.all().count() == 1


async def test_a_rolled_back_upload_leaves_no_file(
    client: httpx.AsyncClient, store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attachment row fails after the bytes were stored (here: the insert raises); the transaction rolls
    back and neither a row nor a stored file nor a staging file remains."""
    import hashlib

    w = await world(client)
    url = f"/api/v1/tickets/{w['ticket']}/attachments"
    kept = await upload(client, w["admin"], url, "kept.log", b"already stored\n")
    assert kept.status_code == 201
    real_create = Attachment.create

    async def failing_create(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Attachment, "create", failing_create)
    response = await upload(client, w["admin"], url, "a.log", LOG)
    assert response.status_code == 500
    again = await upload(client, w["admin"], url, "kept-again.log", b"already stored\n")
    assert again.status_code == 500
    monkeypatch.setattr(Attachment, "create", real_create)

    settings = get_attachment_settings()
    blobs = make_store(settings)
    assert not await blobs.exists(hashlib.sha256(LOG).hexdigest())
    assert await AttachmentBlob.all().values_list("sha256", "refs") == [(kept.json()["sha256"], 1)]
    assert await blobs.exists(kept.json()["sha256"])  # a rolled-back duplicate leaves the stored file alone
    if store == "directory":
        assert [p.name for p in settings.directory.rglob("*") if p.is_file()] == [kept.json()["sha256"]]
    else:
        assert await AttachmentChunk.all().values_list("sha256", flat=True) == [kept.json()["sha256"]]
    assert not list(settings.staging_dir.iterdir())
    download = await client.get(f"{url}/{kept.json()['id']}", headers=w["admin"])
    assert download.content == b"already stored\n"


async def test_openapi_documents_the_multipart_body(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/openapi.json")).json()
    post = doc["paths"]["/api/v1/tickets/{id}/attachments"]["post"]
    body = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    schema = doc["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert schema["required"] == ["file"]
    assert schema["properties"]["file"]["contentMediaType"] == "application/octet-stream"
    assert {"413", "415", "201"} <= set(post["responses"])
    assert (
        "multipart/form-data"
        in doc["paths"]["/api/v1/tickets/{id}/comments/{comment_id}/attachments"]["post"]["requestBody"]["content"]
    )


@pytest.mark.parametrize(
    ("raw", "stored", "fallback"),
    [
        ("rapport å ä ö.txt", "rapport å ä ö.txt", "rapport a a o.txt"),
        ('say "hi".log', 'say "hi".log', "say _hi_.log"),
        ("say %22hi%22.log", 'say "hi".log', "say _hi_.log"),  # an HTML form's quote
        ("C:\\Users\\eva\\app.log", "app.log", "app.log"),  # no directories
        ("../../etc/passwd", "passwd", "passwd"),
        ("a\r\nb.log", "ab.log", "ab.log"),
        ("Ångström.log".replace("Å", "A\u030a"), "Ångström.log", "Angstrom.log"),  # macOS sends decomposed
        ("..", "attachment", "attachment"),
    ],
)
def test_names_are_stored_safely_and_sent_back_per_rfc_6266(raw: str, stored: str, fallback: str) -> None:
    from support.attachments.names import clean_filename, content_disposition

    assert clean_filename(raw) == stored
    header = content_disposition(stored)
    assert header.startswith(f'attachment; filename="{fallback}"; ')
    assert filename_of(header) == stored
    assert all(32 <= ord(c) < 127 for c in header)
