"""What the booking service's use cases share: errors, the clock, Idempotency-Key replays, refunds."""

import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import Any

from booking.payments import Intent, Payments, StripeUnavailable
from booking.unit_of_work import PAYABLE, BookingUnitOfWork

log = logging.getLogger(__name__)


class NotFound(LookupError):
    pass


class KeyReused(ValueError):
    """The Idempotency-Key was used before for a different request."""


def now() -> datetime:
    return datetime.now(UTC)


def request_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def replayed(
    uow: BookingUnitOfWork, who: str, key: str | None, body: dict[str, Any]
) -> tuple[int, dict[str, Any]] | None:
    """The answer a request with this Idempotency-Key got before, if any."""
    earlier = uow.remembered(who, key) if key else None
    if earlier is None:
        return None
    if earlier.request_hash != request_hash(body):
        raise KeyReused(key)
    return earlier.status, dict(earlier.body)


def remember(
    uow: BookingUnitOfWork, who: str, key: str | None, body: dict[str, Any], status: int, answer: Any
) -> None:
    if key and not uow.remember(who, key, request_hash(body), status, answer):
        raise KeyReused(key)  # a concurrent twin got there first; the client retries and reads its answer


def intent_for(uow: BookingUnitOfWork, payments: Payments, kind: str, row: Any, amount: int) -> Intent:
    """The PaymentIntent that pays for a venue booking or an order: the one Stripe has already, or
    a new one whose idempotency key comes from the row and the amount, remembered on the row."""
    known = payments.fetch_intent(row.payment_intent_id) if row.payment_intent_id else None
    if known is not None:
        return known
    row_id = str(row.id)
    key = f"{kind.replace('_', '-')}:{row_id}:{amount}"
    intent = payments.create_intent(amount, {f"{kind}_id": row_id}, key)
    uow.remember_intent(kind, row_id, intent.id)
    uow.commit()
    return intent


def settle_refund(uow: BookingUnitOfWork, payments: Payments, kind: str, row_id: str) -> int:
    """Pays back what a venue booking or an order owes, once the change that owes it has
    committed. Should Stripe not answer, the worker's sweeper asks again; the idempotency key
    makes a repeat harmless."""
    with uow:
        row = uow.refundable(kind, row_id)
        owed = row.refund_due - row.refunded_amount if row is not None else 0
        if owed <= 0 or not row.payment_intent_id:
            return 0
        try:
            payments.refund(
                row.payment_intent_id, owed, f"{kind.replace('_', '-')}-refund:{row_id}:{row.refund_due}"
            )
        except StripeUnavailable:
            log.warning("refund not taken by Stripe yet", extra={"fields": {kind: row_id}})
            return 0
        uow.mark_refunded(kind, row_id, row.refund_due)
        uow.commit()
        return int(owed)


def settle_owed_refunds(uow: BookingUnitOfWork, payments: Payments) -> int:
    """The sweeper's round of refunds that Stripe did not take the first time."""
    with uow:
        owed = [(kind, row_id) for kind in PAYABLE for row_id in uow.refunds_owed(kind)]
    return sum(settle_refund(uow, payments, kind, row_id) for kind, row_id in owed)
