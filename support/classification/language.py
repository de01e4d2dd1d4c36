"""Which language a ticket is written in: Swedish or English, the two the policy texts exist in."""

from __future__ import annotations

import re

_SV_WORDS = frozenset(
    "och att det är som en på för med har inte vi av till den om ett kan jag så men från "
    "när vad ska var eller också hur får efter sedan vår våra ni er ert hej tack mvh i "
    "fungerar fel någon finns inga bara vill behöver hos oss går direkt detta kommer "
    "mot vilka vilken".split()
)
_EN_WORDS = frozenset(
    "the and to is of it that in for we with on this not are be have our you your from "
    "can but when what should there how after since any please thanks hi does do".split()
)
_WORD = re.compile(r"[a-zåäöéü]+")
STOPWORDS = _SV_WORDS | _EN_WORDS | frozenset("i a an as at by is be or if so my me us de du på".split())


def detect_language(text: str) -> str:
    """'sv' or 'en' by stopword counts, with å/ä/ö as tie-breaker; Swedish is the default market."""
    sample = text[:4000].lower()
    words = _WORD.findall(sample)
    sv = sum(map(_SV_WORDS.__contains__, words)) + 0.75 * min(4, sum(map(sample[:1000].count, "åäö")))
    en = sum(map(_EN_WORDS.__contains__, words))
    return "en" if en > sv else "sv"
