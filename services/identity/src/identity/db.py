"""Tables of the identity database."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from eventbus.runtime import Plumbing

metadata = sa.MetaData()
plumbing = Plumbing.on(metadata)

# Each key is published from `created_at`, signs from `signs_from`, and is published until the
# tokens it signed have expired (identity.keys decides from these two times alone).
signing_keys = sa.Table(
    "signing_keys",
    metadata,
    sa.Column("kid", sa.Text, primary_key=True),
    sa.Column("public_jwk", JSONB, nullable=False),
    sa.Column("sealed_private", sa.LargeBinary, nullable=False),  # AES-GCM under the key-encryption secret
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("signs_from", sa.DateTime(timezone=True), nullable=False, index=True),
)
