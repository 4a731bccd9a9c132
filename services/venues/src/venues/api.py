"""The venues HTTP API: thin views that load a schema, call a handler and dump the answer."""

from typing import Any

from flask import current_app, jsonify

from eventbus.auth import Principal
from eventbus.http import Api, Problem
from eventbus.runtime import Runtime
from venues import handlers
from venues.bootstrap import unit_of_work
from venues.domain.areas import Area, AreaRejected
from venues.schemas import AreaIn, AreaList, AreaOut
from venues.unit_of_work import VenuesUnitOfWork

api = Api("venues")


def _uow() -> VenuesUnitOfWork:
    runtime: Runtime = current_app.extensions["runtime"]
    return unit_of_work(runtime)


def _area(area: Area) -> dict[str, Any]:
    dumped: dict[str, Any] = AreaOut().dump(
        {
            "id": area.id,
            "name": {"vi": area.name_vi, "en": area.name_en},
            "level": area.level,
            "parent_id": area.parent_id,
            "code": area.code,
        }
    )
    return dumped


@api.route("/v1/areas", "GET", responses={200: AreaList})
def list_areas() -> Any:
    """The administrative areas venues sit in, as a tree by parent_id."""
    return jsonify(items=[_area(a) for a in handlers.list_areas(_uow())], next_cursor=None)


@api.route("/v1/areas/<uuid:area_id>", "GET", responses={200: AreaOut, 404: None})
def get_area(area_id: Any) -> Any:
    """One area."""
    try:
        return jsonify(_area(handlers.get_area(_uow(), str(area_id))))
    except handlers.NotFound as exc:
        raise Problem(404, "Not Found", "No such area.") from exc


@api.route("/v1/areas", "POST", body=AreaIn, roles=("staff",), responses={201: AreaOut})
def create_area(body: dict[str, Any], principal: Principal) -> Any:
    """Add an area to the map (department staff)."""
    parent_id = str(body["parent_id"]) if body["parent_id"] else None
    try:
        area = handlers.create_area(
            _uow(), body["level"], body["name"]["vi"], body["name"]["en"], parent_id, body["code"]
        )
    except AreaRejected as exc:
        raise Problem(422, "Invalid request", str(exc), {exc.field: [str(exc)]}) from exc
    return jsonify(_area(area)), 201
