"""What a ticket carries besides its question, removed before the model and the rules read it.

Real tickets arrive wrapped: issue-template headings and checklists ("**Describe the bug**", "- [x] I have
searched existing issues"), an email's greeting, signature and the quoted thread below it, stack traces and
logs pasted whole, HTTP header dumps. None of that says which policy category a ticket is, but its words
(bug, expected, steps, regards, database in a signature's job title, a table name in a vendor's quoted
answer) pull the model towards whatever category used that wrapping most in training. `clean_body` keeps
what the writer wrote for this ticket:

- template headings and checklist lines go; the text under them stays;
- the quoted thread goes: lines quoted with `>`, and everything from the first reply header ("On … wrote:",
  "Den … skrev:", "-----Original Message-----", a `From:`/`Från:` header block) on;
- the signature goes: everything after a `--` line, or after a closing ("Best regards", "Med vänlig
  hälsning", "Mvh", …) near the end, and "Sent from my iPhone"-style lines;
- stack traces and logs are reduced to what tells the story: exception names with their messages, HTTP
  status lines and codes, log levels; frames, timestamps, ids and header dumps go.

The quoted thread is cut with `mail-parser-reply` (its patterns cover the reply headers of many mail clients,
in both our languages), which is only asked when the body can hold a thread; the rules above apply on top,
because the library does not know issue templates, checklists or stack traces, strips the indentation that
marks a stack frame (so frames are handled first), and misses Swedish closings such as "Med vänlig hälsning".
"""

from __future__ import annotations

import re

from mailparser_reply import EmailReplyParser


def _any_case(pattern: str) -> re.Pattern[str]:
    """Writers type headings, reply headers, closings and HTTP headers in any case."""
    return re.compile(pattern, re.IGNORECASE)


# --------------------------------------------------------------------------------- template headings
_HEADING = re.compile(r"^\s{0,3}(#{1,6}\s+\S.*|\*\*[^*\n]{1,80}\*\*:?|__[^_\n]{1,80}__:?)\s*$")
_CHECKLIST = re.compile(r"^\s*[-*]\s+\[[ xX]\]\s")
# Labels that plain-text templates put on a line of their own as headings ("Expected behavior:"), as regex
# fragments: the issue templates' English ones, then Swedish.
TEMPLATE_LABELS = (
    r"describe the bug",
    r"(steps )?to reproduce",
    r"expected( behaviou?r| result)?",
    r"actual( behaviou?r| result)?",
    r"environment",
    r"version",
    r"(additional )?context",
    r"screenshots",
    r"logs?",
    r"stack ?trace",
    r"description",
    r"summary",
    r"motivation",
    r"proposal",
    r"alternatives( considered)?",
    r"what happened\??",
    r"what did you expect\??",
    r"question",
    r"beskriv felet",
    r"steg för att återskapa",
    r"förväntat( beteende| resultat)?",
    r"faktiskt( beteende| resultat)?",
    r"miljö",
    r"övrigt",
    r"sammanfattning",
    r"beskrivning",
    r"fråga",
    r"bakgrund",
    r"kontext",
    r"loggar?",
)
_LABEL_LINE = _any_case(rf"^\s*({'|'.join(TEMPLATE_LABELS)})\s*:?\s*$")

# --------------------------------------------------------------------------------- quoted replies
_REPLY_HEADER = _any_case(
    r"^\s*(on\s.{4,200}\swrote:|den\s.{4,200}\sskrev.{0,80}:|.{0,200}\sskrev\s.{0,60}:$|"
    r"-{2,}\s*(original message|ursprungligt meddelande|forwarded message|vidarebefordrat meddelande)\s*-{2,}|"
    r"_{10,})\s*$"
)
_HEADER_BLOCK = _any_case(r"^\s*\**(from|från|sent|skickat|to|till|subject|ämne|date|datum)\**\s*:")
_QUOTED = re.compile(r"^\s*>")

# --------------------------------------------------------------------------------- signatures
_SIG_DASHES = re.compile(r"^\s*--\s*$")
_CLOSING = _any_case(
    r"^\s*(best|kind|warm)?\s*(regards|wishes)\b.{0,20}$|^\s*(cheers|thanks( in advance| a lot)?|thank you|br|"
    r"many thanks|sincerely|yours)\s*[,!.]?\s*$|^\s*(med\s+)?(vänlig(a)?|bästa)\s+hälsning(ar)?\b.{0,20}$|"
    r"^\s*(mvh|hälsningar|tack( på förhand| för hjälpen)?|ha det bra)\s*[,!./]?\s*\S{0,20}$"
)
_SENT_FROM = _any_case(r"^\s*(sent from|skickat från|get outlook for|hämta outlook för)\b.{0,60}$")
SIGNATURE_LINES = 8  # a closing is a signature only when at most this many short lines follow it

# --------------------------------------------------------------------------------- traces and logs
_FRAME = re.compile(
    r"^\s+(at\s+\S|File\s+\"[^\"]+\",\s+line\s+\d+)|^\s*\.\.\.\s*\d+\s+more\s*$|^\s*Traceback \(most recent call"
    r"|^\s*goroutine\s+\d+\s+\[|^\s+\S+\.(go|rs|py|js|ts|java|cs|kt|rb|php):\d+|^\s*#\d+\s+0x[0-9a-f]+"
    r"|^\s+[\w.$<>]+\([^)]*\)\s*$|^\s+\w[\w.]*\.\w+\s*\(.*\)\s*(in\s+\S+:line\s+\d+)?\s*$"
)
_EXCEPTION = re.compile(r"\b[A-Z]\w*(Error|Exception|Fault|Failure|Panic)\b|\b(ORA|SQLSTATE|E)[-\s]?\d{3,5}\b")
_TIMESTAMP = re.compile(
    r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?([.,]\d+)?(Z|[+-]\d\d:?\d\d)?\b"
    r"|\b\d\d:\d\d:\d\d([.,]\d+)?\b"
)
_NOISE_TOKEN = _any_case(
    r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\b0x[0-9a-f]{4,}\b"
    r"|\b[0-9a-f]{16,}\b|\b[A-Za-z0-9_-]{32,}\b|\beyJ[\w.-]+"
)
_HTTP_HEADER = _any_case(
    r"^\s*(content-type|content-length|accept(-\w+)?|authorization|user-agent|host|connection|date|server|"
    r"cache-control|x-[\w-]+|set-cookie|cookie|etag|vary|transfer-encoding|strict-transport-security|"
    r"access-control-[\w-]+|traceparent|cf-ray|via|pragma|expires|location|keep-alive)\s*:"
)


def _drop_quoted_thread(lines: list[str]) -> list[str]:
    """Cut at the first reply header that has text of the writer's own above it."""
    for i, line in enumerate(lines):
        if (
            i
            and any(s.strip() for s in lines[:i])
            and (
                _REPLY_HEADER.match(line)
                or (_HEADER_BLOCK.match(line) and i + 1 < len(lines) and _HEADER_BLOCK.match(lines[i + 1]))
            )
        ):
            return lines[:i]
    return [line for line in lines if not _QUOTED.match(line)]


def _drop_signature(lines: list[str]) -> list[str]:
    lines = [line for line in lines if not _SENT_FROM.match(line)]
    for i, line in enumerate(lines):
        if _SIG_DASHES.match(line) and i:
            return lines[:i]
    content = [i for i, line in enumerate(lines) if line.strip()]
    for i in content[1:]:  # a closing on the first line is a one-line ticket ("Tack!"), not a signature
        if _CLOSING.match(lines[i]):
            rest = [s for s in lines[i + 1 :] if s.strip()]
            if len(rest) <= SIGNATURE_LINES and all(len(s) <= 80 for s in rest):
                return lines[:i]
    return lines


def _keep_line(line: str) -> str | None:
    """A line of a trace or log as the model should see it, or None to drop it."""
    if _FRAME.match(line):
        exception = _EXCEPTION.search(line)
        return exception.group(0) if exception else None
    if _HEADING.match(line) or _CHECKLIST.match(line) or _LABEL_LINE.match(line) or _HTTP_HEADER.match(line):
        return None
    if "  " in line or "[" in line or ":" in line or "-" in line:  # only lines that can hold noise pay for it
        line = _NOISE_TOKEN.sub(" ", _TIMESTAMP.sub(" ", line))
    return line


_REPLY_PARSER = EmailReplyParser(languages=["sv", "en"])
# The library is only asked when a thread can be there: it is the slowest step of the cleaning.
_THREAD_HINT = re.compile(
    r"wrote:|skrev|^\s*(from|från|sent|skickat)\s*:|-{3,}\s*\w|^\s*>", re.IGNORECASE | re.MULTILINE
)


def _latest_reply(text: str) -> str:
    """The newest message of an email thread (mail-parser-reply: reply headers of many mail clients, in
    Swedish and English); the text itself when there is no thread."""
    if not _THREAD_HINT.search(text):
        return text
    try:
        latest = _REPLY_PARSER.parse_reply(text=text)
    except Exception:  # a library failure on odd input must never stop a ticket from being classified
        return text
    return latest if latest and latest.strip() else text


def clean_body(body: str) -> str:
    """The writer's own text of a ticket body (see the module docstring); never empty when the body had
    words: if cleaning removed everything, the original is kept."""
    if not body:
        return body
    lines: list[str] = []
    for line in body.splitlines():  # frames first: the library strips the indentation that marks them
        cleaned = _keep_line(line)
        if cleaned is not None:
            lines.append(cleaned)
    lines = _drop_signature(_drop_quoted_thread(_latest_reply("\n".join(lines)).splitlines()))
    kept: list[str] = []
    previous = None
    for line in lines:
        stripped = line.strip()
        if stripped == previous and stripped:
            continue  # a log line repeated a thousand times says it once
        previous = stripped
        kept.append(line.rstrip())
    text = "\n".join(kept).strip()
    return text if text or not body.strip() else body
