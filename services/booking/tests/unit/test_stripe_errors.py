"""What booking makes of Stripe's idempotency errors: a key whose first request is still being
answered (409) is asked again later, like a timeout; a key reused with other parameters (400) is
a refusal, as a wrong request is."""

import pytest
import stripe

from booking.payments import StripeRefused, StripeUnavailable, _stripe_errors


@pytest.mark.parametrize(
    ("status", "meaning"),
    [(409, StripeUnavailable), (400, StripeRefused)],
    ids=["in progress", "other parameters"],
)
def test_an_idempotency_error_is_waited_out_only_while_the_first_request_runs(
    status: int, meaning: type
) -> None:
    with pytest.raises(meaning), _stripe_errors():
        raise stripe.IdempotencyError("idempotency key", http_status=status)
