"""The least a hold decision, or a page of events, can cost on this stack: Flask, one SQLAlchemy
engine and one statement. `bench/holds.py` and `bench/search.py` run it under gunicorn next to the
booking service (`serve`): `gunicorn "bench.minimal_app:create_app()"` with
BENCH_MINIMAL_DATABASE_URL set.

- `POST /counters/<id>/take`: one conditional UPDATE in one transaction, in a database of its own;
- `GET /events?from=&to=&limit=`: one SELECT of a page of the published events in a time window,
  through the `events_listed` index of the booking service's database, answered as JSON."""

import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
import sqlalchemy as sa
from flask import Flask, jsonify, request

from xudong.processes import Process, wait_for
from xudong.stack import Stack

metadata = sa.MetaData()
counters = sa.Table(
    "counters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("taken", sa.Integer, nullable=False),
    sa.Column("quota", sa.Integer, nullable=False),
)
TAKE = sa.text("UPDATE counters SET taken = taken + 1 WHERE id = :id AND taken + 1 <= quota RETURNING taken")
PAGE = sa.text(
    "SELECT id, title, category, venue_name, sessions, starts_at FROM events"
    " WHERE status = 'published' AND ends_at >= :start AND starts_at < :end"
    " ORDER BY starts_at, id LIMIT :limit"
)


def prepare(url: str, counter_id: int, quota: int) -> None:
    """The table and one counter with nothing taken."""
    engine = sa.create_engine(url)
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(counters.delete().where(counters.c.id == counter_id))
            conn.execute(counters.insert().values(id=counter_id, taken=0, quota=quota))
    finally:
        engine.dispose()


def taken(url: str, counter_id: int) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(sa.select(counters.c.taken).where(counters.c.id == counter_id)).scalar_one()
            )
    finally:
        engine.dispose()


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.from_prefixed_env("BENCH_MINIMAL")
    engine = sa.create_engine(app.config["DATABASE_URL"])

    @app.post("/counters/<int:counter_id>/take")
    def take(counter_id: int) -> Any:
        """One place of the counter, if one is left."""
        with engine.begin() as conn:
            now_taken = conn.execute(TAKE, {"id": counter_id}).scalar()
        if now_taken is None:
            return jsonify(status="sold out"), 409
        return jsonify(taken=now_taken), 201

    @app.get("/events")
    def events() -> Any:
        """A page of the published events in a time window, soonest first."""
        window = {
            "start": datetime.fromisoformat(request.args["from"]),
            "end": datetime.fromisoformat(request.args["to"]),
            "limit": int(request.args["limit"]),
        }
        with engine.connect() as conn:
            rows = conn.execute(PAGE, window).mappings().all()
        return jsonify(items=[{**row, "id": str(row["id"])} for row in rows])

    return app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(port: int) -> bool:
    """A worker answers HTTP (a 404 will do): the port alone opens before the workers have booted."""
    try:
        return requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 404
    except requests.RequestException:
        return False


@dataclass
class Served:
    process: Process
    port: int


def serve(stack: Stack, database_url: str, workers: str) -> Served:
    """The app under gunicorn with the services' config file and `workers` sync workers."""
    port = _free_port()
    argv = [
        str(stack.venv_bin / "gunicorn"),
        "-c",
        "python:eventbus.gunicorn_conf",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        workers,
        "bench.minimal_app:create_app()",
    ]
    process = Process(
        "bench-minimal-api", argv, stack.state, {"BENCH_MINIMAL_DATABASE_URL": database_url}, port
    )
    process.start()
    wait_for(lambda: _answers(port), "the minimal endpoint", timeout=120)
    return Served(process, port)
