"""The least a hold decision can cost on this stack: Flask, one SQLAlchemy engine and one conditional
UPDATE in one transaction. `bench/holds.py` runs it under gunicorn next to the booking service:
`gunicorn "bench.minimal_app:create_app()"` with BENCH_MINIMAL_DATABASE_URL set."""

from typing import Any

import sqlalchemy as sa
from flask import Flask, jsonify

metadata = sa.MetaData()
counters = sa.Table(
    "counters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("taken", sa.Integer, nullable=False),
    sa.Column("quota", sa.Integer, nullable=False),
)
TAKE = sa.text("UPDATE counters SET taken = taken + 1 WHERE id = :id AND taken + 1 <= quota RETURNING taken")


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

    return app
