"""What the booking service's use cases share: errors, the clock, Idempotency-Key replays, refunds."""

import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import Any

from booking.payments import Intent, Payments, StripeRefused, StripeUnavailable
from booking.unit_of_work import BookingUnitOfWork

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
    a new one whose idempotency key comes from the row and the amount, remembered on the row.
    Called with no transaction open, so that no row stays locked while Stripe thinks: twins that
    race ask with the same key and get the same intent."""
    known = payments.fetch_intent(row.payment_intent_id) if row.payment_intent_id else None
    if known is not None:
        return known
    row_id = str(row.id)
    key = f"{kind.replace('_', '-')}:{row_id}:{amount}"
    intent = payments.create_intent(amount, {f"{kind}_id": row_id}, key)
    with uow:
        uow.remember_intent(kind, row_id, intent.id)
        uow.commit()
    return intent


def settle_refund(uow: BookingUnitOfWork, payments: Payments, kind: str, row_id: str) -> int:
    """Pays back what a venue booking or an order owes, once the change that owes it has
    committed, with no row locked while Stripe is asked. Should Stripe not answer, the next round
    asks again; the idempotency key makes a repeat harmless. Should Stripe refuse, the refund
    waits for staff (GET /v1/refunds?state=needs_attention) and is not asked for again."""
    with uow:
        row = uow.refundable(kind, row_id)
    owed = row.refund_due - row.refunded_amount if row is not None else 0
    if owed <= 0 or not row.payment_intent_id or row.refund_refused_at is not None:
        return 0
    try:
        payments.refund(
            row.payment_intent_id, owed, f"{kind.replace('_', '-')}-refund:{row_id}:{row.refund_due}"
        )
    except StripeUnavailable:
        log.warning("refund not taken by Stripe yet", extra={"fields": {kind: row_id}})
        return 0
    except StripeRefused as exc:
        log.error("refund refused by Stripe", extra={"fields": {kind: row_id, "reason": str(exc)}})
        _needs_attention(uow, kind, row, owed, str(exc))
        return 0
    with uow:
        uow.mark_refunded(kind, row_id, row.refund_due)
        uow.commit()
    return int(owed)


def _needs_attention(uow: BookingUnitOfWork, kind: str, row: Any, owed: int, reason: str) -> None:
    with uow:
        refused_at = now()
        if uow.mark_refund_refused(kind, str(row.id), reason, refused_at):  # once, whoever asked
            data = {
                "kind": kind,
                "id": str(row.id),
                "payment_intent_id": row.payment_intent_id,
                "amount": owed,
                "currency": "VND",
                "reason": reason,
                "refused_at": refused_at,
            }
            uow.publish("booking.refund.refused", str(row.id), data)
        uow.commit()


def settle_owed_refunds(uow: BookingUnitOfWork, payments: Payments) -> int:
    """The worker's round of owed refunds, the longest owed first: each succeeds, waits for the
    next round or for staff on its own, so that none holds back the others."""
    with uow:
        owed = uow.refunds_owed()
    settled = 0
    for kind, row_id in owed:
        try:
            settled += settle_refund(uow, payments, kind, row_id)
        except Exception:  # e.g. the database went away: this refund waits, the next is tried
            log.exception("refund failed", extra={"fields": {kind: row_id}})
    return settled


def refunds_needing_attention(
    uow: BookingUnitOfWork, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """Refunds Stripe refused, oldest refusal first, a page at a time."""
    offset = int(cursor or 0)
    with uow:
        rows = uow.refused_refunds(offset, limit + 1)
    items = [dict(r._mapping) | {"currency": "VND"} for r in rows[:limit]]
    return items, str(offset + limit) if len(rows) > limit else None
