"""Reading one uploaded file from a multipart/form-data request as a stream, never whole.

python-multipart's push parser (a Starlette dependency) is fed the request body chunk by chunk; the file
part's bytes are handed on as they arrive, so memory holds one network chunk at a time, whatever the file's
size. Starlette's `request.form()` would spool the file to a temporary file of its own first.

The form carries exactly one file, in the field `file` (`curl -F file=@app.log`); other small fields are
ignored.
"""

from __future__ import annotations

import re
import urllib.parse
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from core.errors import InvalidInput
from support.attachments.errors import MalformedUpload, NotMultipart
from support.attachments.names import clean_filename

FIELD = "file"
MAX_FIELD_BYTES = 4096
_FILENAME_STAR = re.compile(rb"filename\*\s*=\s*([\w!#$%&+^`{}~-]*)'[\w-]*'([^;\s]+)", re.IGNORECASE)


@dataclass
class UploadedFile:
    filename: str
    declared_type: str
    chunks: AsyncIterator[bytes]


def _filename(disposition: bytes, params: dict[bytes, bytes]) -> str | None:
    star = _FILENAME_STAR.search(disposition)
    if star:
        charset = star.group(1).decode("ascii") or "utf-8"
        try:
            return urllib.parse.unquote(star.group(2).decode("ascii"), encoding=charset, errors="replace")
        except LookupError:
            return urllib.parse.unquote(star.group(2).decode("ascii"))
    raw = params.get(b"filename")
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class _Reader:
    """Pulls the body through the parser and queues what the callbacks saw."""

    def __init__(self, request: Request, boundary: bytes) -> None:
        self.body = request.stream().__aiter__()
        self.events: deque[tuple[str, Any]] = deque()
        self.header_name = b""
        self.header_value = b""
        self.ended = False
        self.parser = MultipartParser(
            boundary,
            callbacks={
                "on_part_begin": lambda: self.events.append(("begin", None)),
                "on_header_field": self._field,
                "on_header_value": self._value,
                "on_header_end": self._header_end,
                "on_headers_finished": lambda: self.events.append(("headers", None)),
                "on_part_data": lambda data, start, end: self.events.append(("data", bytes(data[start:end]))),
                "on_part_end": lambda: self.events.append(("end", None)),
            },
        )

    def _field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def _value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def _header_end(self) -> None:
        self.events.append(("header", (self.header_name.lower(), self.header_value)))
        self.header_name, self.header_value = b"", b""

    async def next(self) -> tuple[str, Any] | None:
        while not self.events:
            if self.ended:
                return None
            try:
                chunk = await self.body.__anext__()
            except StopAsyncIteration:
                self.ended = True
                self.parser.finalize()
                continue
            try:
                if chunk:
                    self.parser.write(chunk)
            except FormParserError:
                raise MalformedUpload("the multipart/form-data body cannot be parsed") from None
        return self.events.popleft()


async def read_file(request: Request) -> UploadedFile:
    """The request's file, its bytes still to be read from `chunks`. Bad framing is a 400, a missing or second
    file a 422, another content type a 415."""
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise NotMultipart("send the file as multipart/form-data in the field 'file'")
    reader = _Reader(request, boundary)
    headers: dict[bytes, bytes] = {}
    skipped = 0
    while (event := await reader.next()) is not None:
        what, value = event
        if what == "begin":
            headers = {}
        elif what == "header":
            headers[value[0]] = value[1]
        elif what == "data":
            skipped += len(value)
            if skipped > MAX_FIELD_BYTES:
                raise InvalidInput(f"send the file in the field '{FIELD}' with a filename; other fields are small")
        elif what == "headers":
            disposition = headers.get(b"content-disposition", b"")
            _, params = parse_options_header(disposition)
            filename = _filename(disposition, params)
            if params.get(b"name") == FIELD.encode() and filename is not None:
                declared = headers.get(b"content-type", b"application/octet-stream").decode("latin-1")
                return UploadedFile(clean_filename(filename), declared, _file_chunks(reader))
    raise InvalidInput(f"no file: send it as multipart/form-data in the field '{FIELD}' (curl -F {FIELD}=@PATH)")


async def _file_chunks(reader: _Reader) -> AsyncIterator[bytes]:
    while (event := await reader.next()) is not None:
        what, value = event
        if what == "data":
            yield value
        elif what == "end":
            break
    else:
        raise MalformedUpload("the body ended inside the file")
    extra = 0
    while (event := await reader.next()) is not None:  # the rest of the form: small fields only
        what, value = event
        if what == "header" and value[0] == b"content-disposition" and b"filename" in value[1]:
            raise InvalidInput("send one file per request")
        if what == "data":
            extra += len(value)
            if extra > MAX_FIELD_BYTES:
                raise InvalidInput("send one file per request; other fields are small")
