"""An account as the identity service holds it, and as its events and tokens tell of it."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventbus.auth import Principal


@dataclass(frozen=True)
class Account:
    id: str
    email: str
    email_verified_at: datetime | None
    password_hash: str
    display_name: str
    language: str
    phone: str | None
    zalo_id: str | None
    opted_out: list[str]
    role: str
    suspended_at: datetime | None
    created_at: datetime
    organisation: dict[str, Any] | None = None
    venues: tuple[str, ...] = field(default=())

    def get_user_id(self) -> str:
        """Authlib's name for the subject."""
        return self.id

    @property
    def principal(self) -> Principal:
        """Who the account's access tokens say it is."""
        venues = self.venues if self.role == "venue_manager" else ()
        return Principal(self.id, self.role, venues)

    def event_data(self) -> dict[str, Any]:
        """The account as every `identity.user.*` event carries it."""
        return {
            "user_id": self.id,
            "email": self.email,
            "email_verified": self.email_verified_at is not None,
            "display_name": self.display_name,
            "language": self.language,
            "phone": self.phone,
            "zalo_id": self.zalo_id,
            "opted_out": list(self.opted_out),
            "role": self.role,
            "organisation": self.organisation,
            "suspended": self.suspended_at is not None,
        }
