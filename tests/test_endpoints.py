"""Endpoint tables (core/endpoints.py): what an entry derives (roles, status, body and query models, path ids,
the principal) and the mistakes it refuses when the table is declared, not when a request arrives."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from core.auth import Principal, Role
from core.endpoints import Endpoints, handler

pytestmark = pytest.mark.sqlite_pass  # no database: the PostgreSQL pass would only repeat it

READS = (Role.admin, Role.support, Role.integrator)
WRITES = (Role.admin,)
things = Endpoints(tags=("things",), reads=READS, writes=WRITES, id_as="thing_id")


class ThingCreate(BaseModel):
    name: str


class ThingQuery(BaseModel):
    limit: int = 10


class ThingRead(BaseModel):
    id: int
    name: str


class ThingList(BaseModel):
    items: list[ThingRead]


async def create_thing(*, principal: Principal, data: ThingCreate) -> ThingRead:
    return ThingRead(id=1, name=f"{data.name} by {principal.name}")


async def list_things(*, query: ThingQuery) -> list[ThingRead]:
    return [ThingRead(id=n, name=f"thing {n}") for n in range(query.limit)]


async def get_part(*, thing_id: int, part_id: int) -> ThingRead:
    return ThingRead(id=part_id, name=f"part {part_id} of {thing_id}")


async def remove_thing(*, thing_id: int) -> None:
    return None


def spec(route: Any) -> Any:
    return route.endpoint.__operation__


def test_roles_and_status_follow_the_method() -> None:
    listed = things.get("/things", "List things", list_things, ThingList)
    created = things.create("/things", "Create a thing", create_thing, ThingRead)
    removed = things.delete("/things/{id:int}", "Remove a thing", remove_thing)
    assert (spec(listed).roles, spec(listed).status) == (READS, 200)
    assert (spec(created).roles, spec(created).status) == (WRITES, 201)
    assert (spec(removed).roles, spec(removed).status) == (WRITES, 204)
    assert spec(things.get("/things", "List", list_things, ThingList, roles=WRITES)).roles == WRITES


def test_body_and_query_models_come_from_the_service_annotations() -> None:
    assert spec(things.create("/things", "Create", create_thing, ThingRead)).body is ThingCreate
    assert spec(things.get("/things", "List", list_things, ThingList)).query is ThingQuery
    assert spec(things.get("/things/{id:int}/parts/{part_id:int}", "Part", get_part, ThingRead)).body is None


class Authenticated:
    """The app with every request made by Karin, an admin (what the bearer middleware would put in scope)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        scope.setdefault("state", {})["principal"] = Principal(token_id=1, name="Karin", role=Role.admin)
        await self.app(scope, receive, send)


async def test_an_entry_calls_its_service_with_the_request_s_keywords() -> None:
    routes = [
        things.create("/things", "Create", create_thing, ThingRead),
        things.get("/things", "List", list_things, ThingList),
        things.get("/things/{id:int}/parts/{part_id:int}", "Part", get_part, ThingRead),
        things.delete("/things/{id:int}", "Remove", remove_thing),
    ]
    app = Authenticated(Starlette(routes=routes))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        created = await client.post("/things", json={"name": "gear"})
        assert (created.status_code, created.json()) == (201, {"id": 1, "name": "gear by Karin"})
        listed = await client.get("/things", params={"limit": 2})
        assert [row["name"] for row in listed.json()["items"]] == ["thing 0", "thing 1"]
        part = await client.get("/things/7/parts/3")
        assert part.json() == {"id": 3, "name": "part 3 of 7"}
        removed = await client.delete("/things/7")
        assert (removed.status_code, removed.content) == (204, b"")


def test_a_model_named_twice_is_refused() -> None:
    with pytest.raises(TypeError, match="drop body="):
        things.create("/things", "Create", create_thing, ThingRead, body=ThingCreate)


def test_a_data_parameter_without_a_model_is_refused() -> None:
    async def loose(*, data: dict[str, Any]) -> None:
        return None

    with pytest.raises(TypeError, match="needs a pydantic model"):
        things.create("/things", "Create", loose, ThingRead)


def test_an_annotation_that_does_not_resolve_is_refused() -> None:
    async def unresolved(*, data: NoSuchModel) -> None:  # type: ignore[name-defined]  # noqa: F821
        return None

    with pytest.raises(TypeError, match="do not resolve"):
        things.create("/things", "Create", unresolved, ThingRead)


def test_a_path_id_needs_its_service_keyword() -> None:
    anonymous = Endpoints(tags=("things",), reads=READS)
    with pytest.raises(TypeError, match="id_as"):
        anonymous.delete("/things/{id:int}", "Remove", remove_thing)


def test_a_handler_is_called_with_the_request_and_states_its_own_models() -> None:
    @handler
    async def custom(request: Request, principal: Principal) -> Response:
        return Response("ok")

    route = things.create("/things/custom", "Custom", custom, ThingRead, body=ThingCreate)
    assert spec(route).body is ThingCreate


async def test_an_entry_s_path_follows_the_resource_s_prefix() -> None:
    parts = Endpoints(tags=("things",), reads=READS, id_as="thing_id", prefix="/things/{id:int}/parts")
    listed = parts.get("", "List parts", list_things, ThingList)
    part = parts.get("/{part_id:int}", "Part", get_part, ThingRead)
    assert [listed.path, part.path] == ["/things/{id:int}/parts", "/things/{id:int}/parts/{part_id:int}"]

    app = Authenticated(Starlette(routes=[part]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        answer = await client.get("/things/7/parts/3")  # the prefix's {id} is the service's thing_id
        assert (answer.status_code, answer.json()) == (200, {"id": 3, "name": "part 3 of 7"})


@pytest.mark.parametrize(
    ("prefix", "path"),
    [("/things/", "/parts"), ("things", "/parts"), ("/things", "parts"), ("", "")],
    ids=["prefix ends in /", "prefix without /", "path without /", "no path at all"],
)
def test_a_prefix_and_path_that_do_not_join_as_written_are_refused(prefix: str, path: str) -> None:
    with pytest.raises(TypeError, match="start it with '/'"):
        Endpoints(tags=("things",), reads=READS, prefix=prefix).get(path, "List", list_things, ThingList)
