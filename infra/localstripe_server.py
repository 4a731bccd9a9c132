"""Starts localstripe on 127.0.0.1 unless told otherwise (its own command listens on every
interface), with
Stripe's idempotent requests, which localstripe lacks: a POST with an Idempotency-Key answers
what the first request with that key answered (the same object, not a second refund), a key
reused with other parameters is refused with 400, and one whose first request is still being
answered gets 409 (https://docs.stripe.com/api/idempotent_requests); and the browser's side of
a card payment as Stripe.js does it, which localstripe's own Stripe.js cannot: the card element's
token confirms the PaymentIntent with the publishable key and the intent's client secret
(https://docs.stripe.com/js/payment_intents/confirm_card_payment), 3-D Secure after it when the
card asks for it."""

import argparse
import logging
import re
from collections.abc import Awaitable, Callable

from aiohttp import web
from localstripe.errors import UserError
from localstripe.resources import PaymentIntent, Store, Token
from localstripe.server import app, auth_middleware, get_post_data, json_response

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

CONFIRM = re.compile(r"^/v1/payment_intents/(pi_\w+)/confirm$")


@web.middleware
async def confirmed_by_the_browser(request: web.Request, handler: Handler) -> web.StreamResponse:
    """POST /v1/payment_intents/{id}/confirm with `key` (publishable), `client_secret` and
    `payment_method_data[card][token]`, as Stripe.js sends it; a secret key's request goes on."""
    found = CONFIRM.match(request.path)
    if request.method != "POST" or not found or request.headers.get("Authorization"):
        return await handler(request)
    data = await get_post_data(request, remove_auth=False)
    card_token = data.get("payment_method_data", {}).get("card", {}).get("token")
    if not str(data.get("key", "")).startswith("pk_") or not isinstance(card_token, str):
        raise UserError(401, "Unauthorized")
    intent = PaymentIntent._api_retrieve(found[1])
    if data.get("client_secret") != intent.client_secret:
        raise UserError(401, "Unauthorized")
    PaymentIntent._api_update(intent.id, payment_method=Token._api_retrieve(card_token).card.id)
    return json_response(PaymentIntent._api_confirm(intent.id)._export())


# Inside localstripe's error middleware (its UserError becomes Stripe's error answer), before
# its check of the secret key.
app.middlewares.insert(app.middlewares.index(auth_middleware), confirmed_by_the_browser)

# Appended to localstripe's Stripe.js, in its scope: confirmCardPayment sends the card element's
# token to the confirm endpoint above, as Stripe.js does (localstripe's asks 3-D Secure of every
# card and confirms nothing); each of the element's inputs gets an accessible name.
BROWSER_SIDE = """
(function () {
  const fake = Stripe;
  Stripe = (apiKey) => {
    const stripe = fake(apiKey);
    const authenticate = stripe.confirmCardPayment;
    const elements = stripe.elements;
    stripe.elements = () => {
      const made = elements();
      const create = made.create.bind(made);
      made.create = (type, options) => {
        const element = create(type, options);
        const mount = element.mount.bind(element);
        element.mount = (where) => {
          mount(where);
          const names = {number: 'Card number', exp_month: 'Expiry month (MM)',
                         exp_year: 'Expiry year (YY)', cvc: 'CVC', postal_code: 'Postal code'};
          for (const input of element._domChildren.filter(c => c.tagName === 'INPUT')) {
            input.setAttribute('aria-label', names[input.placeholder] || input.placeholder);
          }
        };
        return element;
      };
      return made;
    };
    stripe.confirmCardPayment = async (clientSecret, data) => {
      const card = data && data.payment_method && data.payment_method.card;
      const made = await stripe.createToken(card);
      if (made.error) return {error: made.error};
      const pi = clientSecret.match(/^(pi_\\w+)_secret_/)[1];
      const body = new URLSearchParams({key: apiKey, client_secret: clientSecret,
        'payment_method_data[type]': 'card', 'payment_method_data[card][token]': made.token.id});
      const response = await fetch(`${LOCALSTRIPE_BASE_API}/v1/payment_intents/${pi}/confirm`,
                                   {method: 'POST', body: body});
      const intent = await response.json().catch(() => ({}));
      if (response.status !== 200 || intent.error) return {error: intent.error || {message: 'declined'}};
      if (intent.status === 'requires_action') return authenticate(clientSecret);
      return {paymentIntent: intent};
    };
    return stripe;
  };
})();
"""


@web.middleware
async def stripe_js(request: web.Request, handler: Handler) -> web.StreamResponse:
    answer = await handler(request)
    if request.path == "/js.stripe.com/v3/" and isinstance(answer, web.Response) and answer.text:
        return web.Response(text=answer.text + BROWSER_SIDE, content_type="application/javascript")
    return answer


app.middlewares.append(stripe_js)

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")  # the container's: 0.0.0.0
    parser.add_argument("--port", type=int, default=8420)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    web.run_app(app, host=args.host, port=args.port, print=None)
