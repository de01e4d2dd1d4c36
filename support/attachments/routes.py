"""HTTP endpoints for attachments: upload (multipart, streamed), list, download (streamed), thumbnail."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from core.auth import Principal, Role
from core.endpoints import Endpoints, handler
from core.http import JSON, path_int
from support.attachments import service
from support.attachments.errors import AttachmentTooLarge
from support.attachments.multipart import read_file
from support.attachments.names import content_disposition
from support.attachments.schemas import AttachmentList, AttachmentRead, AttachmentUpload
from support.attachments.settings import get_attachment_settings

MULTIPART_OVERHEAD = 64 * 1024
UPLOAD_PATHS = re.compile(r"^/api/v1/tickets/\d+(/comments/\d+)?/attachments/?$")
"""Paths whose bodies may exceed the JSON body limit (the upload enforces its own limits as it reads)."""

UPLOADERS = (Role.admin, Role.support, Role.integrator)
attachments = Endpoints(
    tags=("attachments",), reads=tuple(Role), writes=UPLOADERS, id_as="ticket_id", prefix="/tickets/{id:int}"
)


async def _upload(request: Request, principal: Principal, comment_id: int | None) -> Response:
    length = request.headers.get("content-length", "")
    limit = get_attachment_settings().max_file_bytes
    if length.isdigit() and int(length) > limit + MULTIPART_OVERHEAD:
        raise AttachmentTooLarge(f"the limit is {limit} bytes per file", limit=limit)
    upload = await read_file(request)
    ticket_id = path_int(request)
    read = await service.store_attachment(
        principal=principal,
        ticket_id=ticket_id,
        comment_id=comment_id,
        filename=upload.filename,
        stream=upload.chunks,
        uploaded_by=principal.name,
        uploaded_by_token_id=principal.token_id,
    )
    return JSON(read, status_code=201, headers={"Location": f"/api/v1/tickets/{ticket_id}/attachments/{read.id}"})


@handler
async def upload_to_ticket(request: Request, principal: Principal) -> Response:
    """One file in the form field `file` (`curl -F file=@app.log`), streamed. Type from the content; refused:
    too large (413: per file, per ticket), a type off the allow-list, an executable or an archive holding one
    (415), an empty file or one the virus scanner refuses (422). A text file's first lines come back as
    `preview` and are read by the classifier with the ticket until staff decide its category."""
    return await _upload(request, principal, None)


@handler
async def upload_to_comment(request: Request, principal: Principal) -> Response:
    """As for a ticket; the file is as visible as the comment (an internal comment's files are staff-only)."""
    return await _upload(request, principal, path_int(request, "comment_id"))


@handler
async def download_attachment(request: Request, principal: Principal) -> Response:
    """The file's bytes, streamed, with its detected type and `Content-Disposition: attachment` (the name in
    RFC 5987 `filename*`); `ETag` is its sha256."""
    read, chunks = await service.open_attachment(
        principal=principal, ticket_id=path_int(request), attachment_id=path_int(request, "attachment_id")
    )
    return StreamingResponse(
        chunks,
        media_type=read.content_type,
        headers={
            "Content-Disposition": content_disposition(read.filename),
            "Content-Length": str(read.size),
            "ETag": f'"{read.sha256}"',
        },
    )


@handler
async def attachment_thumbnail(request: Request, principal: Principal) -> Response:
    """A PNG at most TRIPDESK_ATTACHMENT_THUMBNAIL_PIXELS wide and high; 404 for a file that is no image."""
    png = await service.attachment_thumbnail(
        principal=principal, ticket_id=path_int(request), attachment_id=path_int(request, "attachment_id")
    )
    return Response(png, media_type="image/png")


routes = [
    attachments.get(
        "/attachments",
        "List a ticket's attachments",
        service.list_attachments,
        AttachmentList,
        doc="""Name, size, type (from the content), sha256, uploader and time, the comment if any; a text file's first
    lines as `preview`. Integrators see no file of an internal comment.""",
    ),
    attachments.create(
        "/attachments",
        "Attach a file to a ticket",
        upload_to_ticket,
        AttachmentRead,
        body=AttachmentUpload,
        body_media_type="multipart/form-data",
    ),
    attachments.create(
        "/comments/{comment_id:int}/attachments",
        "Attach a file to a comment",
        upload_to_comment,
        AttachmentRead,
        body=AttachmentUpload,
        body_media_type="multipart/form-data",
    ),
    attachments.get(
        "/attachments/{attachment_id:int}", "Download an attachment", download_attachment, content_types=("*/*",)
    ),
    attachments.get(
        "/attachments/{attachment_id:int}/thumbnail",
        "An image attachment's thumbnail",
        attachment_thumbnail,
        content_types=("image/png",),
    ),
]
