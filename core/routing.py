"""A Starlette router that dispatches on the first path segment before matching regexes.

Starlette's `Router` tries every route's regex in order. With a hundred API routes, a request for a resource
declared late (tickets come after the whole customer directory) runs dozens of regex matches before its own,
on every request. `SegmentRouter` keeps the same routes, the same matching rules
(FULL beats PARTIAL, first declared wins, 405 from a partial match, slash redirects) and the same `routes`
attribute (OpenAPI and metrics walk it), but only tries the routes whose first literal path segment equals the
request's, plus the few whose path starts with a parameter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Mount, Route, Router
from starlette.types import Receive, Scope, Send


def first_segment(path: str) -> str | None:
    """`/tickets/{id:int}` → `tickets`; None when the first segment is (or contains) a parameter."""
    segment = path.lstrip("/").split("/", 1)[0]
    return None if "{" in segment else segment


class SegmentRouter(Router):
    def __init__(self, routes: Sequence[BaseRoute], **kwargs: Any) -> None:
        super().__init__(routes=list(routes), **kwargs)
        by_segment: dict[str, list[BaseRoute]] = defaultdict(list)
        anywhere: list[BaseRoute] = []
        for route in self.routes:
            path = route.path if isinstance(route, Route | Mount) else None
            segment = first_segment(path) if path is not None else None
            if segment is None:
                anywhere.append(route)
            else:
                by_segment[segment].append(route)
        order = {id(route): index for index, route in enumerate(self.routes)}
        # Each bucket keeps declaration order, with the parameter-first routes merged in at their place.
        self._buckets = {segment: sorted(bucket + anywhere, key=lambda r: order[id(r)])
                         for segment, bucket in by_segment.items()}
        self._anywhere = anywhere

    def candidates(self, scope: Scope) -> list[BaseRoute]:
        segment = get_route_path(scope).lstrip("/").split("/", 1)[0]
        return self._buckets.get(segment, self._anywhere)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await super().app(scope, receive, send)
            return
        scope.setdefault("router", self)
        partial: BaseRoute | None = None
        partial_scope: Scope = {}
        for route in self.candidates(scope):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial, partial_scope = route, child_scope
        if partial is not None:
            scope["route"] = partial
            scope.update(partial_scope)
            await partial.handle(scope, receive, send)
            return
        # No match among the candidates: Starlette's full walk decides (slash redirects, then 404).
        await super().app(scope, receive, send)
