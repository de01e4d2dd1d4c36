"""The API's routes, one Starlette `Router` per resource (first path segment), picked by a dict look-up.

Starlette's router tries every route's regex in declaration order, so a request for a resource declared late
(invoices come after the whole customer directory and the tickets) would pay for every route before its own,
on every request. Here the first segment of the path picks the resource's own router, and from there on the
matching is Starlette's, unchanged: first declared wins, a method mismatch is a 405 from the matching route,
an id that does not convert is a 404, `/tickets/` redirects to `/tickets`. The routes are the same objects
as declared, and `routes` lists them all in order (OpenAPI, metrics and the `Allow` header walk it).

Routes whose first segment is a parameter, and anything that is not a plain `Route`, go into every resource's
router at their declared place and into the router of paths no resource claims.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute, Route, Router
from starlette.types import Receive, Scope, Send


def first_segment(path: str) -> str | None:
    """`/tickets/{id:int}` → `tickets`; None when the first segment is (or contains) a parameter."""
    segment = path.lstrip("/").split("/", 1)[0]
    return None if not segment or "{" in segment else segment


def _segment_of_request(scope: Scope) -> str:
    """The first segment of the path below the mount this app is served under."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path.lstrip("/").split("/", 1)[0]


class ResourceRouter:
    """An ASGI app (mount it) that hands each request to the Starlette `Router` of its resource."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = list(routes)
        claimed = {seg for r in self.routes if isinstance(r, Route) and (seg := first_segment(r.path))}
        self._routers = {seg: Router([r for r in self.routes if _serves(r, seg)]) for seg in claimed}
        self._unclaimed = Router([r for r in self.routes if _serves(r, None)])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        router = self._routers.get(_segment_of_request(scope), self._unclaimed)
        await router(scope, receive, send)


def _serves(route: BaseRoute, segment: str | None) -> bool:
    """Whether `route` belongs to the router of `segment` (None: the paths no resource claims)."""
    own = first_segment(route.path) if isinstance(route, Route) else None
    return own is None or own == segment
