"""Tables of the notifications database."""

import sqlalchemy as sa

from eventbus.runtime import Plumbing

metadata = sa.MetaData()
plumbing = Plumbing.on(metadata)
