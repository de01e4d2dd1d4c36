"""File names: the name as stored (what the user called the file, made safe) and as sent back (RFC 6266)."""

from __future__ import annotations

import re
import unicodedata
import urllib.parse


def clean_filename(raw: str) -> str:
    """The name as the user gave it, made safe to store and send back: no directories, no control characters,
    NFC (macOS sends decomposed å), at most 255 characters. HTML forms send a quote as %22 (httpx and curl
    do too), which is turned back into the quote."""
    name = raw.replace("%22", '"').replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C").strip()
    if name in ("", ".", ".."):
        name = "attachment"
    return name[:255]


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII `filename` for old clients (å → a, quotes and other specials → _) and the exact
    name in RFC 5987 `filename*` (UTF-8, percent-encoded)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r'[^\x20-\x7e]|["\\%;]', "_", ascii_name).strip() or "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{urllib.parse.quote(filename, safe='')}"
