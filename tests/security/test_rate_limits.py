"""Per-client rate limits on holds and on lookups of orders and tickets: counted in the booking
database, so that the three gunicorn workers share them; a refusal is 429 problem+json with
Retry-After and holds nothing; other clients are served meanwhile."""

import time
import uuid
from collections.abc import Callable

import requests
import sqlalchemy as sa

from booking.config import holds_per_minute, misses_per_minute
from tests.e2e.ticket_fixtures import api, free, on_sale, order, somewhere
from xudong.stack import Stack

PROBLEM = "application/problem+json"


def a_fresh_minute() -> None:
    """Wait, if need be, until most of a minute is left: a limit counts by the minute, and a test
    that straddles two would see its count start again."""
    into = time.time() % 60
    if into > 25:
        time.sleep(60 - into + 0.5)


def counted(platform: Stack, bucket: str) -> int:
    engine = sa.create_engine(platform.database_url("booking"))
    with engine.connect() as conn:
        hits = conn.execute(sa.text("SELECT sum(hits) FROM rate_counts WHERE bucket = :b"), {"b": bucket})
        total = int(hits.scalar() or 0)
    engine.dispose()
    return total


def refused(answer: requests.Response) -> bool:
    return (
        answer.status_code == 429
        and answer.headers["Content-Type"] == PROBLEM
        and 1 <= int(answer.headers["Retry-After"]) <= 60
    )


def test_one_client_holds_only_so_often_a_minute_whichever_worker_answers(platform: Stack) -> None:
    event = on_sale(platform, [free(150)])
    one = [{"ticket_type_id": event["types"][0], "quantity": 1}]
    client = {"X-Forwarded-For": f"192.0.2.{uuid.uuid4().int % 250 + 1}"}
    allowed = holds_per_minute()
    a_fresh_minute()
    # a new connection each time, so that the requests spread over gunicorn's workers
    answers = [order(platform, event["id"], headers=client, items=one) for _ in range(allowed + 2)]
    statuses = [a.status_code for a in answers]
    assert statuses == [201] * allowed + [429, 429], statuses
    assert all(refused(a) for a in answers[allowed:]), answers[-1].text
    # the count lives in the shared table, not in one worker's memory
    assert counted(platform, f"orders:{client['X-Forwarded-For']}") == allowed + 2
    left = requests.get(api(platform, f"/events/{event['id']}/availability"), timeout=10).json()
    assert left["ticket_types"][0]["available"] == 150 - allowed  # a refusal held nothing
    assert order(platform, event["id"], items=one).status_code == 201  # another client is served


def test_guessing_orders_and_tickets_is_cut_off_and_costs_only_the_guesser(platform: Stack) -> None:
    event = on_sale(platform, [free(10)])
    mine = order(platform, event["id"], items=[{"ticket_type_id": event["types"][0], "quantity": 1}]).json()
    guesser = {"X-Forwarded-For": f"198.51.100.{uuid.uuid4().int % 250 + 1}"}
    owner = {"X-Order-Token": mine["token"]} | somewhere()
    # the owner behind the guesser's address: a carrier's NAT, an office's proxy
    neighbour = guesser | {"X-Order-Token": mine["token"]}

    def read(order_id: str, headers: dict[str, str]) -> requests.Response:
        return requests.get(api(platform, f"/orders/{order_id}"), headers=headers, timeout=10)

    guesses: list[Callable[[], requests.Response]] = [
        lambda: read(str(uuid.uuid4()), guesser),  # an order that does not exist
        lambda: read(mine["id"], guesser | {"X-Order-Token": "guessed"}),  # one that is not theirs
        lambda: requests.get(api(platform, f"/tickets/{uuid.uuid4().hex}"), headers=guesser, timeout=10),
    ]
    a_fresh_minute()
    answers = [guesses[i % len(guesses)]() for i in range(misses_per_minute())]
    assert [a.status_code for a in answers] == [404] * misses_per_minute()
    assert all(refused(guess()) for guess in guesses)  # every further guess, for the rest of the minute
    for _ in range(5):  # the owner of a valid token is never cut off, at another address or the same
        assert read(mine["id"], owner).status_code == 200
        assert read(mine["id"], neighbour).status_code == 200
        paying = requests.post(
            api(platform, f"/orders/{mine['id']}/payment"), headers=neighbour, json={}, timeout=10
        )
        assert paying.status_code == 409, paying.text  # a free order needs no payment: read, not refused
    assert refused(guesses[0]())
