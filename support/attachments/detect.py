"""What a file is, decided from its bytes, never from its name (except among text kinds: `.csv`).

Rules:
- Executables are refused whatever they are called: ELF, PE (`MZ`), Mach-O and Java class files, WebAssembly,
  scripts that start with `#!`, and files whose names Windows runs on a double click (.exe, .bat, .ps1 …).
- A zip archive is refused when any member (in nested zips too) is one of those; only member headers and the
  first bytes of each member are read, so a zip bomb is never inflated.
- The detected type must be on the allow-list (settings); anything else is a 415.
- Text gets a preview (its first lines); an image a PNG thumbnail, made only when its pixel count is bounded
  (a decompression bomb is refused by Pillow before it is decoded).

`filetype` (pure Python, magic numbers) rather than python-magic: nothing to install beside pip (libmagic
would be a system package on every machine), and text kinds, which libmagic guesses loosely, are decided here.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import filetype

from support.attachments.errors import AttachmentTypeRefused, ExecutableRefused

HEAD_BYTES = 8192
MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_DEPTH = 3
MAX_PREVIEW_CHARS = 8000
MAX_IMAGE_PIXELS = 40_000_000

EXECUTABLE_MAGIC = (
    b"\x7fELF",
    b"MZ",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"\x00asm",
    b"#!",
    b"dex\n",
)
EXECUTABLE_NAMES = frozenset(
    {
        "exe",
        "dll",
        "com",
        "scr",
        "msi",
        "bat",
        "cmd",
        "ps1",
        "vbs",
        "vbe",
        "js",
        "jse",
        "wsf",
        "hta",
        "jar",
        "lnk",
        "pif",
        "cpl",
        "app",
        "sh",
        "so",
        "dylib",
    }
)
IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_HAR = re.compile(rb'^\s*\{\s*"log"\s*:')
_XML = re.compile(rb"^\s*<(\?xml|[A-Za-z_])")
_HTML = re.compile(rb"^\s*<(!doctype\s+html|html|head|body|script|svg)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Detected:
    content_type: str
    preview: str | None = None
    thumbnail: bytes | None = None


def is_executable(head: bytes, name: str = "") -> bool:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return head.startswith(EXECUTABLE_MAGIC) or suffix in EXECUTABLE_NAMES


def _text_kind(head: bytes, filename: str) -> str | None:
    """A media type when `head` reads as text, else None. Text has no NUL byte, and nearly all of it is
    printable in UTF-8 or a single-byte code page."""
    if b"\x00" in head:
        return None
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    if head and control / len(head) > 0.02:
        return None
    body = head.removeprefix(codecs.BOM_UTF8)
    if _HTML.match(body):
        return "text/html"
    if _HAR.match(body):
        return "application/har+json"
    if body.lstrip()[:1] in (b"{", b"["):
        return "application/json"
    if _XML.match(body):
        return "application/xml"
    if filename.lower().endswith(".csv"):
        return "text/csv"
    return "text/plain"


def _magic_kind(head: bytes) -> str | None:
    kind = filetype.guess(head)
    if kind is None:
        return None
    if kind.mime in (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/epub+zip",
    ) and head.startswith(b"PK"):
        return kind.mime
    return str(kind.mime)


def _check_zip(source: IO[bytes], depth: int = 0) -> None:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise AttachmentTypeRefused("the zip archive cannot be read") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise AttachmentTypeRefused(f"the zip archive has more than {MAX_ZIP_MEMBERS} members")
        for member in members:
            if member.is_dir():
                continue
            if member.flag_bits & 0x1:
                raise AttachmentTypeRefused("encrypted zip archives cannot be checked and are not accepted")
            name = member.filename.rsplit("/", 1)[-1]
            try:
                with archive.open(member) as entry:
                    head = entry.read(64)
                    if is_executable(head, name):
                        raise ExecutableRefused(f"the zip archive contains an executable: {member.filename}")
                    if head.startswith(b"PK\x03\x04"):
                        if depth + 1 >= MAX_ZIP_DEPTH:
                            raise AttachmentTypeRefused("zip archives nested too deep")
                        with archive.open(member) as nested:
                            _check_zip(nested, depth + 1)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
                raise AttachmentTypeRefused(f"the zip member {member.filename} cannot be read") from None


def _preview(path: Path, lines: int) -> str:
    out: list[str] = []
    with path.open("rb") as source:
        raw = source.read(MAX_PREVIEW_CHARS * 2)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # cut inside a character at the end, or not UTF-8 at all (a Windows code page)
        text = raw[: exc.start].decode("utf-8") if exc.start > len(raw) - 4 else raw.decode("cp1252", "replace")
    for line in text.removeprefix("\ufeff").splitlines()[:lines]:
        out.append(line[:500])
    return "\n".join(out)[:MAX_PREVIEW_CHARS]


def _thumbnail(path: Path, pixels: int) -> bytes | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return None  # checked before anything is decoded
            image.draft("RGB", (pixels, pixels))  # JPEG: decode at a reduced scale
            image.thumbnail((pixels, pixels))
            small: Image.Image = image if image.mode in ("RGB", "RGBA", "L", "LA") else image.convert("RGBA")
            out = io.BytesIO()
            small.save(out, "PNG", optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        return None


def inspect(
    path: Path, filename: str, *, allowed: frozenset[str], preview_lines: int, thumbnail_pixels: int
) -> Detected:
    """Refuse what must not be stored (ExecutableRefused, AttachmentTypeRefused: 415), else say what it is.
    Blocking (reads the file): run it in a thread."""
    with path.open("rb") as source:
        head = source.read(HEAD_BYTES)
    if is_executable(head, filename):
        raise ExecutableRefused("executables and scripts are not accepted, whatever the file is called")
    content_type = _magic_kind(head) or _text_kind(head, filename) or "application/octet-stream"
    if content_type not in allowed:
        raise AttachmentTypeRefused(
            f"files of type {content_type} are not accepted", content_type=content_type, accepted=sorted(allowed)
        )
    if content_type == "application/zip":
        with path.open("rb") as source:
            _check_zip(source)
    if content_type.startswith("text/") or content_type.endswith(("json", "xml")):
        return Detected(content_type, preview=_preview(path, preview_lines))
    if content_type in IMAGES:
        return Detected(content_type, thumbnail=_thumbnail(path, thumbnail_pixels))
    return Detected(content_type)
