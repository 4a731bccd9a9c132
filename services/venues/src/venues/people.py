"""What the identity service tells venues of people: who manages which venue, kept as a read model
of `identity.manager.*` (the managers each slot event names come from it), and who is to be
forgotten (`identity.user.erased`). Redelivered events are dropped by the consumer loop; one
person's events come in order, keyed by their id."""

from eventbus.envelope import Envelope
from eventbus.erasure import ERASED, erase_mentions
from venues import db
from venues.unit_of_work import VenuesUnitOfWork


def assign_manager(uow: VenuesUnitOfWork, event: Envelope) -> None:
    """Once, however often it is said; for a venue not registered yet too, which it will find."""
    uow.assign_manager(event.data["venue_id"], event.data["user_id"])


def unassign_manager(uow: VenuesUnitOfWork, event: Envelope) -> None:
    """Nothing changes for someone who did not manage the venue."""
    uow.unassign_manager(event.data["venue_id"], event.data["user_id"])


def erase_person(uow: VenuesUnitOfWork, event: Envelope) -> None:
    """Nothing of the person stays: not their id (as a manager, an organiser or who decided on a
    request), nor what they titled their requests, nor any of their addresses anywhere, nor the
    dead letters that named them. What stood on the schedule, and when, stays."""
    data = event.data
    uow.anonymise_person(data["user_id"], ERASED)
    erase_mentions(
        uow.conn, db.metadata, db.plumbing.dead_letters, data["user_id"], data["emails"], data["phones"]
    )
