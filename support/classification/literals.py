"""Literal requirements of a regex: a cheap test that tells when a pattern cannot match a text.

`requirement(pattern)` derives from the parsed pattern a condition that every match satisfies, built from
the literal strings the match must contain: "one of these strings occurs" (`Literals`), "all of these hold"
(`AllOf`), "one of these holds" (`AnyOf`). `Requirement.holds` is False only when no match can exist, so
skipping the search then changes nothing; when it is True the pattern must still be searched.

Only constructs that must consume their text contribute: runs of literal characters, groups, branches
whose every alternative contributes, repeats of at least one. Everything else (classes, anchors,
look-arounds, back-references, case-insensitive parts, constructs this code does not know) contributes
nothing: the condition may be weaker than possible, never wrong.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Callable
from typing import Any

MAX_FACTORS = 3  # an AllOf checks at most this many of its parts (the least likely first): all are necessary

Contains = Callable[[str], bool]  # `text.__contains__` of the (lower-cased) text being scanned


class Literals:
    """One of `strings` occurs in the text."""

    __slots__ = ("chance", "strings")
    chance: float
    strings: tuple[str, ...]

    def __init__(self, strings: set[str] | tuple[str, ...]) -> None:
        # a string that contains another adds nothing: when "intern" is required, "internal" is implied
        self.strings = tuple(sorted(s for s in strings if not any(t != s and t in s for t in strings)))
        # a rough chance that unrelated text meets it (n letters: 26**-n); it only orders the checks
        self.chance = min(1.0, sum(26.0 ** -len(s) for s in self.strings))

    def holds(self, contains: Contains) -> bool:
        return any(map(contains, self.strings))

    def __repr__(self) -> str:
        return f"Literals({self.strings!r})"


class AllOf:
    """Every part holds; the least likely part is checked first."""

    __slots__ = ("chance", "parts")
    chance: float
    parts: tuple[Requirement, ...]

    def __init__(self, parts: list[Requirement]) -> None:
        self.parts = tuple(sorted(parts, key=lambda p: p.chance)[:MAX_FACTORS])
        self.chance = math.prod(p.chance for p in self.parts)

    def holds(self, contains: Contains) -> bool:
        for part in self.parts:
            if not part.holds(contains):
                return False
        return True

    def __repr__(self) -> str:
        return f"AllOf({list(self.parts)!r})"


class AnyOf:
    """At least one part holds."""

    __slots__ = ("chance", "parts")
    chance: float
    parts: tuple[Requirement, ...]

    def __init__(self, parts: list[Requirement]) -> None:
        self.parts = tuple(parts)
        self.chance = min(1.0, sum(p.chance for p in self.parts))

    def holds(self, contains: Contains) -> bool:
        for part in self.parts:
            if part.holds(contains):
                return True
        return False

    def __repr__(self) -> str:
        return f"AnyOf({list(self.parts)!r})"


Requirement = Literals | AllOf | AnyOf


def _all(parts: list[Requirement]) -> Requirement | None:
    flat: list[Requirement] = []
    for part in parts:
        flat += part.parts if isinstance(part, AllOf) else [part]
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else AllOf(flat)


def _any(parts: list[Requirement]) -> Requirement:
    flat: list[Requirement] = []
    for part in parts:
        flat += part.parts if isinstance(part, AnyOf) else [part]
    # "one of these strings or one of those" is one check of all the strings
    strings = {s for p in flat if isinstance(p, Literals) for s in p.strings}
    others = [p for p in flat if not isinstance(p, Literals)]
    if not others:
        return Literals(strings)
    return AnyOf(([Literals(strings)] if strings else []) + others)


def _sequence(items: Any, parser: Any) -> Requirement | None:
    """What any match of the parsed sequence `items` requires (None: nothing known)."""
    c = parser  # the opcodes live next to the parser (re._constants, re-exported by it)
    parts: list[Requirement] = []
    run: list[str] = []
    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            parts.append(Literals(("".join(run),)))
            run = []
        sub: Requirement | None = None
        if op is c.SUBPATTERN:
            _group, add_flags, _del_flags, pattern = av
            if not add_flags & c.SRE_FLAG_IGNORECASE:
                sub = _sequence(pattern, parser)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
            sub = _sequence(av[2], parser)
        elif op is c.ATOMIC_GROUP:
            sub = _sequence(av, parser)
        elif op is c.BRANCH:
            alternatives = [_sequence(alternative, parser) for alternative in av[1]]
            if all(alternatives):
                sub = _any([a for a in alternatives if a])
        if sub is not None:
            parts.append(sub)
    if run:
        parts.append(Literals(("".join(run),)))
    return _all(parts)


def weakest(needs: Requirement) -> Literals:
    """A single `Literals` implied by `needs`: quicker to test, so it is tested first, and the whole
    requirement only when it holds (on most texts most rules are out at this step)."""
    if isinstance(needs, Literals):
        return needs
    if isinstance(needs, AllOf):
        return weakest(needs.parts[0])
    return Literals({s for part in needs.parts for s in weakest(part).strings})


def _parser() -> Any:
    """The standard library's regex parser (private, hence looked up defensively: without it every regex
    simply runs)."""
    try:
        return importlib.import_module("re._parser")
    except ImportError:
        return None


def requirement(pattern: re.Pattern[str]) -> Requirement | None:
    """A condition every match of `pattern` satisfies (None: none is known, so the pattern must always be
    searched). Derived from the parsed pattern, so it follows any edit to it."""
    parser = _parser()
    if parser is None or pattern.flags & (re.IGNORECASE | re.LOCALE):
        return None
    try:
        return _sequence(parser.parse(pattern.pattern, pattern.flags), parser)
    except Exception:  # a parse tree of another shape (a newer Python): run the regex, never guess
        return None
