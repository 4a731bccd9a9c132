"""Starts localstripe on 127.0.0.1 unless told otherwise (its own command listens on every
interface), with
Stripe's idempotent requests, which localstripe lacks: a POST with an Idempotency-Key answers
what the first request with that key answered (the same object, not a second refund), a key
reused with other parameters is refused with 400, and one whose first request is still being
answered gets 409 (https://docs.stripe.com/api/idempotent_requests)."""

import argparse
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from localstripe.resources import Store
from localstripe.server import app

# localstripe pickles its whole store to one shared /tmp file on every write, which grows
# slower with every object and mixes instances; ours keeps its state in memory only.
Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# By account (the API key) and key: the request's path and body, then its answer once it has one.
ANSWERED: dict[tuple[str, str], tuple[tuple[str, bytes], web.Response | None]] = {}


def idempotency_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": {"type": "idempotency_error", "message": message}}, status=status)


@web.middleware
async def idempotent(request: web.Request, handler: Handler) -> web.StreamResponse:
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await handler(request)
    scope, asked = (request.headers.get("Authorization", ""), key), (request.path, await request.read())
    if scope in ANSWERED:
        first, answer = ANSWERED[scope]
        if first != asked:
            return idempotency_error(
                400, f"Keys for idempotent requests can only be used with the same parameters: {key}"
            )
        if answer is None:
            return idempotency_error(
                409, f"There is currently another in-progress request using this key: {key}"
            )
        return web.Response(status=answer.status, body=answer.body, content_type=answer.content_type)
    ANSWERED[scope] = (asked, None)
    try:
        answer = await handler(request)
    except BaseException:
        del ANSWERED[scope]  # no answer to repeat: the next request with the key is a first one
        raise
    if isinstance(answer, web.Response):
        ANSWERED[scope] = (asked, answer)
    else:
        del ANSWERED[scope]
    return answer


app.middlewares.insert(0, idempotent)  # outermost: what it keeps is the answer the client got

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")  # the container's: 0.0.0.0
    parser.add_argument("--port", type=int, default=8420)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    web.run_app(app, host=args.host, port=args.port, print=None)
