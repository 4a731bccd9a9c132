"""Stripe, reached only through the official `stripe` package; every call carries an idempotency key.
Card data never reaches the platform: the buyer's browser confirms the PaymentIntent with Stripe."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import stripe

CURRENCY = "vnd"  # zero-decimal for Stripe: amounts are whole đồng


class SignatureRejected(ValueError):
    pass


class StripeUnavailable(Exception):
    """Stripe did not take the call; whoever made it tries again later."""


class StripeRefused(Exception):
    """Stripe refused the call as it stands (an unknown object, a charge disputed or refunded
    elsewhere, an amount it will not take): asking again will not change its answer."""


@contextmanager
def _stripe_errors() -> Iterator[None]:
    try:
        yield
    except stripe.IdempotencyError as exc:  # 409: the key's first request is still being answered
        raise (StripeUnavailable if exc.http_status == 409 else StripeRefused)(str(exc)) from exc
    except (stripe.InvalidRequestError, stripe.CardError) as exc:
        raise StripeRefused(str(exc)) from exc
    except stripe.StripeError as exc:  # timeouts, connection errors, 5xx, rate limits: they pass
        raise StripeUnavailable(str(exc)) from exc


@dataclass(frozen=True)
class Intent:
    id: str
    client_secret: str
    status: str
    amount: int
    metadata: dict[str, str]


class Payments:
    def __init__(self, api_key: str, api_base: str, webhook_secret: str, timeout: float) -> None:
        # A short timeout and one retry: the package's 80 s and two retries would hold a request,
        # or the refund worker, for four minutes when Stripe hangs.
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base},
            max_network_retries=1,
            http_client=stripe.RequestsClient(timeout=timeout),
        )
        self.webhook_secret = webhook_secret

    @staticmethod
    def _intent(pi: Any) -> Intent:
        metadata = pi.metadata.to_dict() if pi.metadata else {}
        return Intent(pi.id, pi.client_secret, pi.status, int(pi.amount), metadata)

    def create_intent(self, amount: int, metadata: dict[str, str], idempotency_key: str) -> Intent:
        with _stripe_errors():
            pi = self.client.v1.payment_intents.create(
                params={"amount": amount, "currency": CURRENCY, "metadata": metadata},
                options={"idempotency_key": idempotency_key},
            )
        return self._intent(pi)

    def fetch_intent(self, intent_id: str) -> Intent | None:
        """The PaymentIntent as Stripe has it now; None when Stripe knows no such intent."""
        try:
            with _stripe_errors():
                return self._intent(self.client.v1.payment_intents.retrieve(intent_id))
        except StripeRefused:
            return None

    def refund(self, intent_id: str, amount: int, idempotency_key: str) -> str:
        with _stripe_errors():
            refund = self.client.v1.refunds.create(
                params={"payment_intent": intent_id, "amount": amount},
                options={"idempotency_key": idempotency_key},
            )
        return str(refund.id)

    def verified_event(self, payload: bytes, signature: str) -> dict[str, Any]:
        """The webhook's event, once its signature over the raw body checks out (5 minutes' tolerance)."""
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode(), signature, self.webhook_secret, tolerance=300
            )
            event: dict[str, Any] = json.loads(payload)
            return event
        except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError) as exc:
            raise SignatureRejected(str(exc)) from exc
